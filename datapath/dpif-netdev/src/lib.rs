//! The userspace datapath (OVS's `dpif-netdev`): ports backed by netdevs
//! (`ovs-netdev`), a poll thread that receives in batches, extracts each
//! packet's flow, finds its megaflow (exact-match cache, then the megaflow
//! classifier) and runs the actions (`ovs-odp-execute`); a miss goes up to
//! the [`UpcallHandler`] in the poll thread itself, as OVS's `upcall_cb`
//! does, and the megaflow it answers with is installed on the spot.
//!
//! It promises the [`Dpif`] contract and OVS's datapath behaviour where a
//! client can see it: port numbering (the datapath's own internal port is
//! 0; the dummy class numbers ports after the digits in their names, from
//! 100 for names starting with `br`), internal ports shown as `tap` (or
//! `dummy-internal`), flows reported from the "main thread", statistics.
//! The poll thread owns its tables: no lock is shared with control threads
//! on the packet path.
//!
//! It must not depend on OpenFlow or OVSDB crates; the only `unsafe` is in
//! the netdevs under it.
#![forbid(unsafe_code)]

pub mod coverage;
mod dpcls;
mod emc;
mod miniflow;
mod pmd;

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use ovs_dpif::{
    DpFlow, DpPort, DpStats, Dpif, DpifError, Execute, FlowPut, FlowStats, OdpPort, PortSpec, Ufid,
    UpcallHandler,
};
use ovs_netdev::Netdev;
use ovs_netdev::wait::Waker;

pub use dpcls::MAX_FLOWS;
use pmd::{Counters, Op, Pmd};

/// Which of OVS's two userspace datapath classes this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `netdev`: the datapath `ovs-netdev`, internal ports are taps.
    Netdev,
    /// `dummy` (`--enable-dummy`): `ovs-dummy`, test-friendly numbering.
    Dummy,
}

impl Class {
    pub fn dp_type(self) -> &'static str {
        match self {
            Class::Netdev => "netdev",
            Class::Dummy => "dummy",
        }
    }

    /// The datapath's name, which is also its port 0's.
    pub fn dp_name(self) -> &'static str {
        match self {
            Class::Netdev => "ovs-netdev",
            Class::Dummy => "ovs-dummy",
        }
    }

    /// The netdev type a port of OVS type `port_type` opens as
    /// (`dpif_netdev_port_open_type`).
    pub fn open_type(self, port_type: &str) -> String {
        match (self, port_type) {
            (Class::Netdev, "internal") => "tap".to_string(),
            (Class::Dummy, "internal") => "dummy-internal".to_string(),
            (_, "") => "system".to_string(),
            (_, t) => t.to_string(),
        }
    }
}

struct PortEntry {
    port: DpPort,
    #[allow(dead_code)]
    netdev: Arc<dyn Netdev>,
}

/// A userspace datapath.
pub struct DpifNetdev {
    class: Class,
    ports: Mutex<BTreeMap<OdpPort, PortEntry>>,
    ops: Mutex<Sender<Op>>,
    waker: Arc<Waker>,
    counters: Arc<Counters>,
    epoch: Instant,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for DpifNetdev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpifNetdev")
            .field("class", &self.class)
            .finish()
    }
}

impl DpifNetdev {
    /// Packets the exact-match cache served and the megaflow subtables in
    /// use (OVS shows these in `dpif-netdev/pmd-stats-show`, not in
    /// `dpctl/show`).
    /// Returns once every packet already waiting on a port has been
    /// received and processed (tests and `revalidator/wait` use it to
    /// see the effect of packets they injected).
    pub fn quiesce(&self) {
        let _ = self.call(Op::Quiesce);
    }

    /// Stops the poll thread, which drops the upcall handler and the
    /// ports (the handler usually holds the datapath, so the owner must
    /// close it to break that cycle). Later requests fail.
    pub fn close(&self) {
        self.send(Op::Exit);
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    pub fn cache_stats(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.counters.emc_hit.load(Relaxed),
            self.counters.masks.load(Relaxed),
        )
    }

    /// Creates the datapath with its internal port 0 and starts its poll
    /// thread.
    pub fn open(class: Class) -> Result<Arc<DpifNetdev>, DpifError> {
        let (tx, rx) = mpsc::channel();
        let waker = Arc::new(Waker::new().map_err(io_error)?);
        let counters = Arc::new(Counters::default());
        let epoch = ovs_dpif::clock_epoch();
        let pmd = Pmd::new(rx, waker.clone(), counters.clone(), epoch);
        let thread = std::thread::Builder::new()
            .name("pmd-main".to_string())
            .spawn(move || pmd.run())
            .map_err(io_error)?;
        let dp = Arc::new(DpifNetdev {
            class,
            ports: Mutex::new(BTreeMap::new()),
            ops: Mutex::new(tx),
            waker,
            counters,
            epoch,
            thread: Mutex::new(Some(thread)),
        });
        let local = PortSpec {
            name: class.dp_name().to_string(),
            port_type: "internal".to_string(),
            options: BTreeMap::new(),
        };
        dp.port_add(&local, Some(OdpPort::LOCAL))?;
        Ok(dp)
    }

    pub fn class(&self) -> Class {
        self.class
    }

    /// The netdev behind a port (for its statistics and address).
    pub fn netdev(&self, port: OdpPort) -> Option<Arc<dyn Netdev>> {
        self.lock_ports().get(&port).map(|e| e.netdev.clone())
    }

    fn lock_ports(&self) -> std::sync::MutexGuard<'_, BTreeMap<OdpPort, PortEntry>> {
        self.ports.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn send(&self, op: Op) {
        let sent = self
            .ops
            .lock()
            .map(|tx| tx.send(op).is_ok())
            .unwrap_or(false);
        if sent {
            self.waker.wake();
        }
    }

    /// Sends a request to the poll thread and waits for its answer.
    fn call<T>(&self, make: impl FnOnce(mpsc::SyncSender<T>) -> Op) -> Result<T, DpifError> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(make(tx));
        rx.recv().map_err(|_| DpifError::Device {
            errno: 32,
            message: "datapath thread is gone".to_string(),
        })
    }

    /// `choose_port`: the number a new port gets when none was asked for.
    fn choose_port(&self, ports: &BTreeMap<OdpPort, PortEntry>, name: &str) -> Option<OdpPort> {
        if self.class == Class::Dummy {
            let start = if name.starts_with("br") { 100 } else { 0 };
            if let Some(pos) = name.find(|c: char| c.is_ascii_digit()) {
                let digits: String = name[pos..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = digits.parse::<u32>() {
                    let no = start + n;
                    if no > 0 && no != OdpPort::NONE.0 && !ports.contains_key(&OdpPort(no)) {
                        return Some(OdpPort(no));
                    }
                }
            }
        }
        (1..=u32::from(u16::MAX))
            .map(OdpPort)
            .find(|p| !ports.contains_key(p))
    }
}

fn io_error(e: std::io::Error) -> DpifError {
    DpifError::Device {
        errno: e.raw_os_error().unwrap_or(0),
        message: e.to_string(),
    }
}

impl Drop for DpifNetdev {
    fn drop(&mut self) {
        self.close();
    }
}

impl Dpif for DpifNetdev {
    fn name(&self) -> &str {
        self.class.dp_name()
    }

    fn dp_type(&self) -> &str {
        self.class.dp_type()
    }

    fn port_add(&self, spec: &PortSpec, requested: Option<OdpPort>) -> Result<OdpPort, DpifError> {
        coverage::DPIF_PORT_ADD.inc();
        let mut ports = self.lock_ports();
        if ports.values().any(|e| e.port.name == spec.name) {
            return Err(DpifError::Exists);
        }
        let no = match requested {
            Some(p) if ports.contains_key(&p) => return Err(DpifError::Exists),
            Some(p) => p,
            None => self
                .choose_port(&ports, &spec.name)
                .ok_or(DpifError::TableFull)?,
        };
        let open_type = self.class.open_type(&spec.port_type);
        let netdev = ovs_netdev::open(&spec.name, &open_type, &spec.options).map_err(|e| {
            DpifError::Device {
                errno: e.errno,
                message: e.to_string(),
            }
        })?;
        ports.insert(
            no,
            PortEntry {
                port: DpPort {
                    port_no: no,
                    name: spec.name.clone(),
                    port_type: open_type,
                },
                netdev: netdev.clone(),
            },
        );
        drop(ports);
        self.send(Op::AddPort(no, netdev));
        Ok(no)
    }

    fn port_del(&self, port: OdpPort) -> Result<(), DpifError> {
        coverage::DPIF_PORT_DEL.inc();
        if port == OdpPort::LOCAL {
            return Err(DpifError::Invalid("the local port cannot go".to_string()));
        }
        let removed = self.lock_ports().remove(&port);
        match removed {
            Some(_) => {
                self.send(Op::DelPort(port));
                Ok(())
            }
            None => Err(DpifError::NotFound),
        }
    }

    fn port_by_number(&self, port: OdpPort) -> Result<DpPort, DpifError> {
        self.lock_ports()
            .get(&port)
            .map(|e| e.port.clone())
            .ok_or(DpifError::NotFound)
    }

    fn port_by_name(&self, name: &str) -> Result<DpPort, DpifError> {
        self.lock_ports()
            .values()
            .find(|e| e.port.name == name)
            .map(|e| e.port.clone())
            .ok_or(DpifError::NotFound)
    }

    fn ports(&self) -> Vec<DpPort> {
        self.lock_ports().values().map(|e| e.port.clone()).collect()
    }

    fn flow_put(&self, put: FlowPut) -> Result<Option<FlowStats>, DpifError> {
        coverage::DPIF_FLOW_PUT.inc();
        self.call(|tx| Op::Put(Box::new(put), tx))?
    }

    fn flow_get(&self, ufid: Ufid) -> Result<DpFlow, DpifError> {
        self.call(|tx| Op::Get(ufid, tx))?
    }

    fn flow_del(&self, ufid: Ufid) -> Result<FlowStats, DpifError> {
        coverage::DPIF_FLOW_DEL.inc();
        self.call(|tx| Op::Del(ufid, tx))?
    }

    fn flow_flush(&self) {
        coverage::DPIF_FLOW_FLUSH.inc();
        let _ = self.call(Op::Flush);
    }

    fn flow_dump(&self, visit: &mut dyn FnMut(&DpFlow) -> bool) {
        if let Ok(flows) = self.call(Op::Dump) {
            for f in &flows {
                if !visit(f) {
                    break;
                }
            }
        }
    }

    fn execute(&self, exec: &Execute) -> Result<(), DpifError> {
        coverage::DPIF_EXECUTE.inc();
        let exec = Box::new(exec.clone());
        self.call(|tx| Op::Execute(exec, tx))?
    }

    fn set_upcall_handler(&self, handler: Arc<dyn UpcallHandler>) {
        self.send(Op::SetHandler(handler));
    }

    fn stats(&self) -> DpStats {
        use std::sync::atomic::Ordering::Relaxed;
        let c = &self.counters;
        DpStats {
            n_hit: c.hit.load(Relaxed),
            n_missed: c.missed.load(Relaxed),
            n_lost: c.lost.load(Relaxed),
            n_flows: c.flows.load(Relaxed),
            // OVS's userspace datapath reports neither (dpctl/show omits them).
            n_cache_hit: None,
            n_mask_hit: Some(c.mask_hit.load(Relaxed)),
            n_masks: None,
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }
}
