//! Test plumbing: a veth pair whose far end lives in its own network
//! namespace, removed again on every exit path; a raw socket on the far
//! end (opened inside the namespace); frames that carry a nonce so that
//! background traffic can be told apart.
//!
//! Names carry the process id and a counter, so tests run in parallel and
//! next to other test processes.

#![allow(dead_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// IEEE 802 local experimental EtherType: nothing else sends it.
pub const TEST_ETHERTYPE: u16 = 0x88b5;

const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
const SOL_PACKET: libc::c_int = 263;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A short name unique to this process and call, at most 15 bytes.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = format!("{prefix}{:x}x{n:x}", std::process::id());
    assert!(name.len() <= 14, "{name} is too long for an interface name");
    name
}

pub fn ip(args: &[&str]) -> io::Result<()> {
    let status = Command::new("ip").args(args).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("ip {} failed", args.join(" "))))
    }
}

/// A veth pair: `near` in this namespace, `far` in the namespace `netns`.
pub struct VethPair {
    pub near: String,
    pub far: String,
    pub netns: String,
}

impl VethPair {
    /// Creates the pair, disables IPv6 on both ends (less background
    /// traffic) and brings both up.
    pub fn new() -> VethPair {
        let base = unique_name("nd");
        let pair = VethPair {
            near: format!("{base}a"),
            far: format!("{base}b"),
            netns: format!("ndns-{base}"),
        };
        // The guard exists before the first command, so that a failure
        // half-way still cleans up.
        ip(&["netns", "add", &pair.netns]).expect("ip netns add");
        ip(&[
            "link",
            "add",
            &pair.near,
            "type",
            "veth",
            "peer",
            "name",
            &pair.far,
            "netns",
            &pair.netns,
        ])
        .expect("ip link add veth");
        let _ = std::fs::write(
            format!("/proc/sys/net/ipv6/conf/{}/disable_ipv6", pair.near),
            "1",
        );
        let far = pair.far.clone();
        pair.in_netns(move || {
            let _ = std::fs::write(format!("/proc/sys/net/ipv6/conf/{far}/disable_ipv6"), "1");
        });
        ip(&["link", "set", &pair.near, "up"]).expect("ip link set up");
        ip(&["-n", &pair.netns, "link", "set", &pair.far, "up"]).expect("ip link set up");
        pair
    }

    /// Runs `f` on a thread that has entered the namespace. Sockets it
    /// creates stay in the namespace after the thread ends.
    pub fn in_netns<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{}", self.netns);
        std::thread::spawn(move || {
            let ns = std::fs::File::open(&path).expect("open netns");
            // SAFETY: setns on this thread only, with a descriptor of a
            // network namespace that stays open for the call.
            let ret = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(ret, 0, "setns: {}", io::Error::last_os_error());
            f()
        })
        .join()
        .expect("netns thread")
    }

    /// A raw socket on the far end, seeing only frames that arrive there.
    pub fn far_socket(&self) -> RawSocket {
        let far = self.far.clone();
        self.in_netns(move || RawSocket::bind(&far).expect("far socket"))
    }

    pub fn set_far_mtu(&self, mtu: u32) {
        ip(&[
            "-n",
            &self.netns,
            "link",
            "set",
            &self.far,
            "mtu",
            &mtu.to_string(),
        ])
        .expect("far mtu");
    }
}

impl Drop for VethPair {
    fn drop(&mut self) {
        // Deleting one end deletes both; the namespace goes after.
        let _ = Command::new("ip")
            .args(["link", "del", &self.near])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.netns])
            .status();
    }
}

/// An `AF_PACKET` socket bound to one device, outgoing frames ignored.
pub struct RawSocket {
    fd: OwnedFd,
}

impl RawSocket {
    /// Binds to `device` in the namespace of the calling thread.
    pub fn bind(device: &str) -> io::Result<RawSocket> {
        let name = std::ffi::CString::new(device).map_err(io::Error::other)?;
        // SAFETY: a NUL-terminated name that outlives the call.
        let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if ifindex == 0 {
            return Err(io::Error::last_os_error());
        }
        let protocol = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket(2).
        let fd = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                libc::c_int::from(protocol),
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fresh descriptor, owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let one: libc::c_int = 1;
        // SAFETY: the option value is a live c_int of the size passed.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                SOL_PACKET,
                PACKET_IGNORE_OUTGOING,
                (&raw const one).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        // SAFETY: sockaddr_ll is plain data; zeroes are valid.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = protocol;
        sll.sll_ifindex = ifindex as libc::c_int;
        // SAFETY: the address is a live sockaddr_ll of the size passed.
        let ret = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&raw const sll).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(RawSocket { fd })
    }

    pub fn send(&self, frame: &[u8]) {
        // SAFETY: the frame is live and readable for its length.
        let ret = unsafe { libc::send(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
        assert_eq!(
            ret as usize,
            frame.len(),
            "send: {}",
            io::Error::last_os_error()
        );
    }

    /// Frames of the test EtherType with `nonce` (tagged or not) until
    /// `count` arrived or `timeout` passed.
    pub fn recv_marked(&self, nonce: u32, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 65536];
        while got.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !wait_readable(self.fd.as_raw_fd(), left) {
                break;
            }
            // SAFETY: `buf` is live and writable for its length.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n > 0 && has_nonce(&buf[..n as usize], nonce) {
                got.push(buf[..n as usize].to_vec());
            }
        }
        got
    }
}

/// poll(2) for readability.
pub fn wait_readable(fd: libc::c_int, timeout: Duration) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one live pollfd.
    unsafe { libc::poll(&raw mut pfd, 1, ms) == 1 }
}

pub fn new_nonce() -> u32 {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::process::id().rotate_left(12) ^ n.wrapping_mul(0x9e37_79b9)
}

/// A frame of the test EtherType: 02:..:dst, 02:..:src, [tags], type,
/// nonce, sequence number, padding to `len`.
pub fn marked_frame(nonce: u32, seq: u16, tags: &[(u16, u16)], len: usize) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02];
    for (tpid, tci) in tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&tci.to_be_bytes());
    }
    f.extend_from_slice(&TEST_ETHERTYPE.to_be_bytes());
    f.extend_from_slice(&nonce.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(len.max(f.len()), 0xa5);
    f
}

/// Whether `frame` is a test frame with `nonce`, under up to two tags.
pub fn has_nonce(frame: &[u8], nonce: u32) -> bool {
    let mut at = 12;
    for _ in 0..3 {
        let Some(t) = frame.get(at..at + 2) else {
            return false;
        };
        let ethertype = u16::from_be_bytes([t[0], t[1]]);
        if ethertype == TEST_ETHERTYPE {
            return frame.get(at + 2..at + 6) == Some(&nonce.to_be_bytes()[..]);
        }
        if ethertype != 0x8100 && ethertype != 0x88a8 {
            return false;
        }
        at += 4;
    }
    false
}

/// Receives from `netdev` until `count` frames with `nonce` arrived or
/// `timeout` passed, waiting on its rx_fd in between.
pub fn recv_marked(
    netdev: &dyn ovs_netdev::Netdev,
    nonce: u32,
    count: usize,
    timeout: Duration,
) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let (mut pool, mut out, mut got) = (Vec::new(), Vec::new(), Vec::new());
    let fd = netdev.rx_fd().expect("rx fd");
    while got.len() < count {
        out.clear();
        let n = netdev.recv(&mut pool, &mut out, 32).expect("recv");
        for frame in out.drain(..) {
            if has_nonce(&frame, nonce) {
                got.push(frame);
            } else {
                pool.push(frame);
            }
        }
        if n == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !wait_readable(fd, left) {
                break;
            }
        }
    }
    got
}

/// The device's `IFF_*` flags from sysfs (root namespace).
pub fn sysfs_flags(device: &str) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/sys/class/net/{device}/flags")).ok()?;
    u32::from_str_radix(text.trim().trim_start_matches("0x"), 16).ok()
}
