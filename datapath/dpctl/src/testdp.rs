//! A small in-memory datapath for the tests, behaving as OVS's userspace
//! datapath does where dpctl can see it: flows are put on every poll
//! thread and dumped thread by thread, the key is kept as given (not
//! masked), `in_port` must be matched exactly, a missing port is
//! `ENODEV`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ovs_dpif::{
    DpFlow, DpPort, DpStats, Dpif, DpifError, Execute, FlowPut, FlowStats, OdpPort, PortSpec,
    PutMode, Ufid, UpcallHandler,
};
use ovs_flow::offset;

use crate::{PortInfo, PortStats};

pub(crate) struct TestDp {
    name: String,
    dp_type: String,
    ports: Mutex<BTreeMap<u32, DpPort>>,
    /// Flows per poll thread, in dump order.
    flows: Mutex<Vec<(Option<u32>, Vec<DpFlow>)>>,
    now: AtomicU64,
    pub(crate) stats: Mutex<DpStats>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TestDp {
    /// A datapath whose flows live on the poll threads `pmds`.
    pub(crate) fn new(dp_type: &str, name: &str, pmds: &[Option<u32>]) -> TestDp {
        let dp = TestDp {
            name: name.to_string(),
            dp_type: dp_type.to_string(),
            ports: Mutex::new(BTreeMap::new()),
            flows: Mutex::new(pmds.iter().map(|p| (*p, Vec::new())).collect()),
            now: AtomicU64::new(1_000_000),
            stats: Mutex::new(DpStats::default()),
        };
        dp.add_port(0, name, "dummy-internal");
        dp
    }

    pub(crate) fn add_port(&self, no: u32, name: &str, port_type: &str) {
        lock(&self.ports).insert(
            no,
            DpPort {
                port_no: OdpPort(no),
                name: name.to_string(),
                port_type: port_type.to_string(),
            },
        );
    }

    pub(crate) fn set_now(&self, ms: u64) {
        self.now.store(ms, Ordering::Relaxed);
    }

    /// Sets the statistics of every copy of a flow.
    pub(crate) fn set_flow_stats(&self, ufid: Ufid, stats: FlowStats) {
        for (_, flows) in lock(&self.flows).iter_mut() {
            for f in flows.iter_mut().filter(|f| f.ufid == ufid) {
                f.stats = stats;
            }
        }
    }

    pub(crate) fn n_flows(&self) -> usize {
        lock(&self.flows).iter().map(|(_, f)| f.len()).sum()
    }

    fn update_flow_count(&self) {
        let n = self.n_flows() as u64;
        lock(&self.stats).n_flows = n;
    }
}

impl Dpif for TestDp {
    fn name(&self) -> &str {
        &self.name
    }

    fn dp_type(&self) -> &str {
        &self.dp_type
    }

    fn port_add(&self, spec: &PortSpec, requested: Option<OdpPort>) -> Result<OdpPort, DpifError> {
        if spec.port_type == "bogus" {
            return Err(DpifError::Device {
                errno: 97,
                message: "Address family not supported by protocol".to_string(),
            });
        }
        let mut ports = lock(&self.ports);
        if ports.values().any(|p| p.name == spec.name) {
            return Err(DpifError::Exists);
        }
        let no = match requested {
            Some(p) if ports.contains_key(&p.0) => return Err(DpifError::Exists),
            Some(p) => p.0,
            None => (1..).find(|n| !ports.contains_key(n)).unwrap_or(u32::MAX),
        };
        ports.insert(
            no,
            DpPort {
                port_no: OdpPort(no),
                name: spec.name.clone(),
                port_type: spec.port_type.clone(),
            },
        );
        Ok(OdpPort(no))
    }

    fn port_del(&self, port: OdpPort) -> Result<(), DpifError> {
        if port == OdpPort::LOCAL {
            return Err(DpifError::Invalid("local port".to_string()));
        }
        lock(&self.ports)
            .remove(&port.0)
            .map(|_| ())
            .ok_or(DpifError::NotFound)
    }

    fn port_by_number(&self, port: OdpPort) -> Result<DpPort, DpifError> {
        lock(&self.ports)
            .get(&port.0)
            .cloned()
            .ok_or(DpifError::NotFound)
    }

    fn port_by_name(&self, name: &str) -> Result<DpPort, DpifError> {
        lock(&self.ports)
            .values()
            .find(|p| p.name == name)
            .cloned()
            .ok_or(DpifError::NotFound)
    }

    fn ports(&self) -> Vec<DpPort> {
        lock(&self.ports).values().cloned().collect()
    }

    fn flow_put(&self, put: FlowPut) -> Result<Option<FlowStats>, DpifError> {
        if put.mask.get_be(offset::IN_PORT, 2) != 0xffff {
            return Err(DpifError::Invalid(
                "in_port is not an exact match".to_string(),
            ));
        }
        let mut all = lock(&self.flows);
        let exists = all
            .iter()
            .any(|(_, flows)| flows.iter().any(|f| f.ufid == put.ufid));
        let mut old = None;
        match (exists, put.mode) {
            (true, PutMode::Create) => return Err(DpifError::Exists),
            (false, PutMode::Modify) => return Err(DpifError::NotFound),
            (false, _) => {
                for (pmd, flows) in all.iter_mut() {
                    flows.push(DpFlow {
                        extra_info: None,
                        ufid: put.ufid,
                        key: (&put.key).into(),
                        mask: put.mask.clone().into(),
                        actions: put.actions.clone(),
                        stats: FlowStats::default(),
                        pmd_id: *pmd,
                    });
                }
            }
            (true, _) => {
                for (_, flows) in all.iter_mut() {
                    for f in flows.iter_mut().filter(|f| f.ufid == put.ufid) {
                        old = Some(f.stats);
                        f.actions = put.actions.clone();
                        if put.zero_stats {
                            f.stats = FlowStats::default();
                        }
                    }
                }
            }
        }
        drop(all);
        self.update_flow_count();
        Ok(old)
    }

    fn flow_get(&self, ufid: Ufid) -> Result<DpFlow, DpifError> {
        lock(&self.flows)
            .iter()
            .flat_map(|(_, f)| f.iter())
            .find(|f| f.ufid == ufid)
            .cloned()
            .ok_or(DpifError::NotFound)
    }

    fn flow_del(&self, ufid: Ufid) -> Result<FlowStats, DpifError> {
        let mut found = None;
        for (_, flows) in lock(&self.flows).iter_mut() {
            if let Some(i) = flows.iter().position(|f| f.ufid == ufid) {
                found = Some(flows.remove(i).stats);
            }
        }
        self.update_flow_count();
        found.ok_or(DpifError::NotFound)
    }

    fn flow_flush(&self) {
        for (_, flows) in lock(&self.flows).iter_mut() {
            flows.clear();
        }
        self.update_flow_count();
    }

    fn flow_dump(&self, visit: &mut dyn FnMut(&DpFlow) -> bool) {
        let all = lock(&self.flows).clone();
        for f in all.iter().flat_map(|(_, f)| f.iter()) {
            if !visit(f) {
                break;
            }
        }
    }

    fn execute(&self, _exec: &Execute) -> Result<(), DpifError> {
        Ok(())
    }

    fn set_upcall_handler(&self, _handler: Arc<dyn UpcallHandler>) {}

    fn stats(&self) -> DpStats {
        *lock(&self.stats)
    }

    fn now_ms(&self) -> u64 {
        self.now.load(Ordering::Relaxed)
    }
}

/// Devices as the dummy netdevs report them.
#[derive(Default)]
pub(crate) struct TestInfo {
    pub(crate) configs: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
    pub(crate) stats: BTreeMap<String, PortStats>,
    pub(crate) files: BTreeMap<String, String>,
}

impl PortInfo for TestInfo {
    fn config(&self, _dp: &str, port: &str) -> Result<BTreeMap<String, String>, String> {
        Ok(lock(&self.configs).get(port).cloned().unwrap_or_default())
    }

    fn stats(&self, _dp: &str, port: &str) -> Result<PortStats, String> {
        self.stats
            .get(port)
            .copied()
            .ok_or_else(|| "No such device".to_string())
    }

    fn set_config(
        &self,
        _dp: &str,
        port: &str,
        config: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        lock(&self.configs).insert(port.to_string(), config.clone());
        Ok(())
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "No such file or directory".to_string())
    }
}
