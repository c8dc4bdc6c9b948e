//! TEMPORARY stand-in for the netdev crate being written on branch
//! `netdev`: only the trait, so the datapath compiles against it.
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod wait;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetdevStats {
    pub rx_packets: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub tx_bytes: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
}

pub trait Netdev: Send + Sync {
    fn name(&self) -> &str;
    fn type_name(&self) -> &str;
    fn mac(&self) -> [u8; 6];
    fn mtu(&self) -> u32;
    fn ifindex(&self) -> Option<u32>;
    fn recv(
        &self,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
    ) -> std::io::Result<usize>;
    fn send(&self, packets: &[Vec<u8>]);
    fn rx_fd(&self) -> Option<std::os::fd::RawFd>;
    fn stats(&self) -> NetdevStats;
}

#[derive(Debug)]
pub struct NetdevError {
    pub errno: i32,
    pub message: String,
}

impl std::fmt::Display for NetdevError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub fn open(
    name: &str,
    _type_name: &str,
    _options: &BTreeMap<String, String>,
) -> Result<Arc<dyn Netdev>, NetdevError> {
    Err(NetdevError {
        errno: libc::EOPNOTSUPP,
        message: format!("{name}: not yet"),
    })
}
