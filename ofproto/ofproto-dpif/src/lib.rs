//! The upcall side of ofproto-dpif (OVS's `ofproto-dpif-upcall.c`): the
//! [`Udpif`] answers a datapath's upcalls by translating the OpenFlow
//! pipeline ([`Translator`]), keeps one key ("ukey") per megaflow it
//! installed, and runs a revalidator thread that pushes datapath
//! statistics to the OpenFlow rules, retires idle flows after `max-idle`,
//! and re-translates every flow when the configuration, the flow tables or
//! the MAC table changed, fixing or deleting those whose translation moved.
//!
//! It promises OVS's accounting: the packet that caused an upcall counts
//! for its rules at once (so `ovs-ofctl dump-flows` shows it while
//! `dpctl/dump-flows` does not), later packets when the revalidator next
//! looks; a flow's final statistics are pushed when it is deleted.
//!
//! It depends on the [`ovs_dpif::Dpif`] trait and on `ovs-ofproto` only for
//! rule counters; translation comes in through [`Translator`], so this
//! crate knows neither OpenFlow tables nor OVSDB.
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use ovs_dpif::{
    Dpif, DpifError, FlowPut, FlowStats, Install, PutMode, UfidMap, Upcall, UpcallHandler,
    UpcallKind, UpcallReply,
};
use ovs_flow::{Flow, PackedFlow};
use ovs_odp::{DpAction, UserCookie, Userspace};
use ovs_ofproto::RuleStats;

/// What a translation gives the upcall handler.
#[derive(Clone, Debug, Default)]
pub struct Translation {
    pub actions: Vec<DpAction>,
    /// The megaflow mask (datapath terms: `in_port` is the datapath port).
    pub mask: Flow,
    /// The OpenFlow rules the packet went through, to credit.
    pub rules: Vec<Arc<RuleStats>>,
    /// False if the flow must not be installed at all.
    pub install: bool,
    /// `SLOW_*` reasons the flow must stay in the slow path for: it is
    /// installed with a `userspace(slow_path(...))` action instead of
    /// `actions`, so every packet comes up and is translated (OVS's
    /// `xlate_out.slow`).
    pub slow: u32,
    /// [`Translator::generation`] as it was before translating: a change
    /// published meanwhile must make the revalidator look again.
    pub generation: u64,
}

impl Translation {
    /// The actions the datapath flow gets.
    fn datapath_actions(&self) -> Cow<'_, [DpAction]> {
        if self.slow != 0 {
            Cow::Owned(vec![DpAction::Userspace(Userspace {
                pid: 0,
                cookie: Some(UserCookie::SlowPath { reason: self.slow }),
                actions: false,
                tunnel_out_port: None,
            })])
        } else {
            Cow::Borrowed(&self.actions)
        }
    }
}

/// The OpenFlow side, as the upcall handler needs it.
pub trait Translator: Send + Sync + 'static {
    /// Translates a datapath flow key (with the packet, on an upcall).
    /// `may_learn` lets the translation change state (MAC learning, learn
    /// actions): on upcalls, and when the revalidator finds that a flow
    /// matched packets since it last looked. `None` if no bridge owns the
    /// packet's input port.
    fn translate(&self, key: &Flow, packet: Option<&[u8]>, may_learn: bool) -> Option<Translation>;
    /// A number that changes whenever translating the same key could give
    /// a different answer (new tables, ports, MAC table contents).
    fn generation(&self) -> u64;
    /// A `userspace(...)` action sent a packet up (packet-ins and the like).
    fn userspace(&self, action: &Userspace, key: &Flow, packet: &[u8]);
    /// The datapath's clock for crediting rule statistics, ms.
    fn now_ms(&self) -> u64;
}

/// OVS's default `other_config:max-idle`, ms.
pub const DEFAULT_MAX_IDLE_MS: u64 = 10_000;
/// How often the revalidator looks at every flow, ms (OVS's
/// `ofproto_max_revalidator` default).
pub const REVALIDATE_INTERVAL_MS: u64 = 500;

/// One installed megaflow as the handler remembers it.
#[derive(Clone, Debug)]
struct Ukey {
    /// Shared with the datapath's megaflow.
    key: PackedFlow,
    mask: Arc<Flow>,
    actions: Arc<[DpAction]>,
    rules: Vec<Arc<RuleStats>>,
    /// The datapath statistics already credited to `rules`.
    pushed: FlowStats,
    generation: u64,
    /// When it was installed (the idle clock starts here for a flow that
    /// never matched), datapath ms.
    created: u64,
}

#[derive(Default)]
struct RevalState {
    /// Passes asked for (by `revalidator/wait`) and passes finished.
    requested: u64,
    done: u64,
    purge: bool,
    exit: bool,
}

/// Counters for `upcall/show`.
#[derive(Debug, Default)]
struct Figures {
    avg_flows: AtomicU64,
    max_flows: AtomicU64,
    dump_ms: AtomicU64,
}

/// The upcall handler and revalidator of one datapath.
pub struct Udpif<T: Translator> {
    dpif: Arc<dyn Dpif>,
    translator: T,
    /// Boxed, so that growing the map moves pointers, not ukeys.
    ukeys: Mutex<UfidMap<Box<Ukey>>>,
    reval: Mutex<RevalState>,
    reval_cv: Condvar,
    max_idle_ms: AtomicU64,
    figures: Figures,
    /// Megaflows on (`upcall/disable-megaflows` turns them off).
    megaflows: AtomicBool,
    /// Masks and action lists installed lately: megaflows mostly share a
    /// few of each, so they and their ukeys share one copy.
    recent: Mutex<(Recent<Flow>, Recent<[DpAction]>)>,
}

/// The last few distinct values handed out, most recent first.
struct Recent<T: ?Sized>(Vec<Arc<T>>);

impl<T: ?Sized + PartialEq> Recent<T> {
    const LEN: usize = 8;

    /// A shared copy of `value`: a recent one equal to it, or else the
    /// one `make` builds, remembered from now on.
    fn share<V: std::borrow::Borrow<T>>(
        &mut self,
        value: V,
        make: impl FnOnce(V) -> Arc<T>,
    ) -> Arc<T> {
        if let Some(i) = self.0.iter().position(|m| **m == *value.borrow()) {
            self.0[..=i].rotate_right(1);
            return self.0[0].clone();
        }
        let made = make(value);
        self.0.truncate(Self::LEN - 1);
        self.0.insert(0, made.clone());
        made
    }
}

impl<T: ?Sized> Default for Recent<T> {
    fn default() -> Self {
        Recent(Vec::new())
    }
}

impl<T: Translator> std::fmt::Debug for Udpif<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Udpif")
            .field("dpif", &self.dpif.name())
            .finish()
    }
}

/// The running revalidator; stops it when dropped.
pub struct RevalidatorThread<T: Translator> {
    udpif: Arc<Udpif<T>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Translator> Drop for RevalidatorThread<T> {
    fn drop(&mut self) {
        self.udpif.lock_reval().exit = true;
        self.udpif.reval_cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T: Translator> Udpif<T> {
    /// Creates the handler, registers it with `dpif`, and starts the
    /// revalidator thread.
    pub fn start(dpif: Arc<dyn Dpif>, translator: T) -> (Arc<Udpif<T>>, RevalidatorThread<T>) {
        let udpif = Arc::new(Udpif {
            dpif: dpif.clone(),
            translator,
            ukeys: Mutex::new(UfidMap::default()),
            reval: Mutex::new(RevalState::default()),
            reval_cv: Condvar::new(),
            max_idle_ms: AtomicU64::new(DEFAULT_MAX_IDLE_MS),
            figures: Figures::default(),
            megaflows: AtomicBool::new(true),
            recent: Mutex::default(),
        });
        dpif.set_upcall_handler(Arc::new(Handler(udpif.clone())));
        let u = udpif.clone();
        let thread = std::thread::Builder::new()
            .name("revalidator".to_string())
            .spawn(move || u.revalidator_loop())
            .ok();
        let guard = RevalidatorThread {
            udpif: udpif.clone(),
            thread,
        };
        (udpif, guard)
    }

    pub fn translator(&self) -> &T {
        &self.translator
    }

    pub fn dpif(&self) -> &Arc<dyn Dpif> {
        &self.dpif
    }

    /// `other_config:max-idle`, ms.
    pub fn set_max_idle(&self, ms: u64) {
        self.max_idle_ms.store(ms.max(100), Ordering::Relaxed);
    }

    fn lock_reval(&self) -> MutexGuard<'_, RevalState> {
        lock(&self.reval)
    }

    /// Wakes the revalidator now (the configuration changed).
    pub fn kick(&self) {
        self.lock_reval().requested += 1;
        self.reval_cv.notify_all();
    }

    /// `revalidator/wait`: returns once a full pass that started after
    /// this call has finished.
    pub fn wait(&self) {
        let mut st = self.lock_reval();
        // A pass in progress may have dumped before the caller's change.
        st.requested += 2;
        let target = st.requested;
        self.reval_cv.notify_all();
        while st.done < target && !st.exit {
            st = self
                .reval_cv
                .wait_timeout(st, Duration::from_millis(100))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// `revalidator/purge`: deletes every flow, crediting their statistics.
    pub fn purge(&self) {
        self.lock_reval().purge = true;
        self.wait();
    }

    /// `upcall/disable-megaflows` and `enable-megaflows`.
    pub fn set_megaflows(&self, on: bool) {
        self.megaflows.store(on, Ordering::Relaxed);
        self.purge();
    }

    pub fn n_ukeys(&self) -> usize {
        lock(&self.ukeys).len()
    }

    /// `upcall/show` for this datapath.
    pub fn show(&self) -> String {
        let f = &self.figures;
        format!(
            "{}@{}:\n  flows         : (current {}) (avg {}) (max {}) (limit {})\n  dump duration : {}ms\n  ufid enabled : true\n\n  0: (keys {})\n",
            self.dpif.dp_type(),
            self.dpif.name(),
            self.dpif.stats().n_flows,
            f.avg_flows.load(Ordering::Relaxed),
            f.max_flows.load(Ordering::Relaxed),
            FLOW_LIMIT,
            f.dump_ms.load(Ordering::Relaxed),
            self.n_ukeys(),
        )
    }

    fn handle_miss(&self, upcall: &Upcall) -> Result<UpcallReply, DpifError> {
        let now = self.translator.now_ms();
        let Some(t) = self
            .translator
            .translate(&upcall.key, Some(&upcall.packet), true)
        else {
            return Err(DpifError::NotFound);
        };
        let generation = t.generation;
        for r in &t.rules {
            r.credit(1, upcall.packet.len() as u64, now);
        }
        if !t.install {
            return Ok(UpcallReply {
                actions: t.actions,
                install: None,
            });
        }
        let (mask, actions) = {
            let mut recent = lock(&self.recent);
            let actions = recent.1.share(&*t.datapath_actions(), Arc::from);
            let mask = if self.megaflows.load(Ordering::Relaxed) {
                t.mask
            } else {
                Flow::ONES
            };
            (recent.0.share(mask, Arc::new), actions)
        };
        // The whole key, as OVS's ukey keeps it: translation may read bits
        // beyond the mask (a later rewrite).
        let key = PackedFlow::new(&upcall.key);
        let ukey = Box::new(Ukey {
            key: key.clone(),
            mask: mask.clone(),
            actions: actions.clone(),
            rules: t.rules,
            pushed: FlowStats::default(),
            generation,
            created: now,
        });
        lock(&self.ukeys).insert(upcall.ufid, ukey);
        Ok(UpcallReply {
            actions: t.actions,
            install: Some(Install { key, mask, actions }),
        })
    }

    /// A packet of a slow-pathed flow: translated and executed on its
    /// own, nothing installed.
    fn handle_slow_path(&self, upcall: &Upcall) -> Result<UpcallReply, DpifError> {
        let now = self.translator.now_ms();
        let t = self
            .translator
            .translate(&upcall.key, Some(&upcall.packet), true)
            .ok_or(DpifError::NotFound)?;
        for r in &t.rules {
            r.credit(1, upcall.packet.len() as u64, now);
        }
        Ok(UpcallReply {
            actions: t.actions,
            install: None,
        })
    }

    fn revalidator_loop(&self) {
        let mut last_done = 0;
        loop {
            {
                let mut st = self.lock_reval();
                if st.exit {
                    return;
                }
                if st.requested <= last_done {
                    st = self
                        .reval_cv
                        .wait_timeout(st, Duration::from_millis(REVALIDATE_INTERVAL_MS))
                        .map(|(g, _)| g)
                        .unwrap_or_else(|e| e.into_inner().0);
                    if st.exit {
                        return;
                    }
                }
                last_done = st.requested;
            }
            let purge = std::mem::take(&mut self.lock_reval().purge);
            self.revalidate(purge);
            let mut st = self.lock_reval();
            st.done = st.done.max(last_done);
            self.reval_cv.notify_all();
        }
    }

    /// One pass over every datapath flow.
    fn revalidate(&self, purge: bool) {
        let start = self.translator.now_ms();
        let generation = self.translator.generation();
        let max_idle = self.max_idle_ms.load(Ordering::Relaxed);
        let mut flows = Vec::new();
        self.dpif.flow_dump(&mut |f| {
            flows.push(f.clone());
            true
        });
        let n_flows = flows.len() as u64;
        for f in flows {
            let now = self.translator.now_ms();
            let mut ukeys = lock(&self.ukeys);
            let ukey = ukeys.entry(f.ufid).or_insert_with(|| {
                Box::new(Ukey {
                    // A flow someone else installed (dpctl/add-flow): judge it
                    // like ours, from scratch.
                    key: f.key.clone(),
                    mask: f.mask.clone(),
                    actions: f.actions.clone(),
                    rules: Vec::new(),
                    pushed: f.stats,
                    generation: u64::MAX,
                    created: now,
                })
            });
            // A flow that saw packets since the last look replays the
            // translation's side effects (MAC learning, learn actions), as
            // OVS's xlate cache does when it pushes statistics.
            let fresh = f.stats.n_packets > ukey.pushed.n_packets;
            push_stats(ukey, &f.stats);
            let idle_since = f.stats.used.unwrap_or(ukey.created);
            let mut verdict = if purge || now.saturating_sub(idle_since) > max_idle {
                Verdict::Delete
            } else {
                Verdict::Keep
            };
            if verdict == Verdict::Keep && (fresh || ukey.generation != generation) {
                let key = ukey.key.unpack();
                drop(ukeys);
                let t = self.translator.translate(&key, None, fresh);
                ukeys = lock(&self.ukeys);
                let Some(ukey) = ukeys.get_mut(&f.ufid) else {
                    continue;
                };
                verdict = match t {
                    // OVS keeps a flow whose new translation needs no bit
                    // its mask lacks, fixing its actions if they moved.
                    Some(t) if t.install && !has_extra(&t.mask, &ukey.mask) => {
                        ukey.generation = generation;
                        let actions = t.datapath_actions();
                        let verdict = if *actions != *ukey.actions {
                            ukey.actions = Arc::from(actions);
                            Verdict::Modify(ukey.actions.clone())
                        } else {
                            Verdict::Keep
                        };
                        ukey.rules = t.rules;
                        verdict
                    }
                    _ => Verdict::Delete,
                };
            }
            let Some((key, mask)) = ukeys.get(&f.ufid).map(|k| (k.key.clone(), k.mask.clone()))
            else {
                continue;
            };
            drop(ukeys);
            match verdict {
                Verdict::Keep => {}
                Verdict::Modify(actions) => {
                    let _ = self.dpif.flow_put(FlowPut {
                        ufid: f.ufid,
                        key: key.unpack(),
                        mask: (*mask).clone(),
                        actions,
                        mode: PutMode::Modify,
                        zero_stats: false,
                    });
                }
                Verdict::Delete => {
                    let fin = self.dpif.flow_del(f.ufid);
                    let mut ukeys = lock(&self.ukeys);
                    if let Some(mut k) = ukeys.remove(&f.ufid)
                        && let Ok(stats) = fin
                    {
                        push_stats(&mut k, &stats);
                    }
                }
            }
        }
        // Keys whose flows are gone (deleted behind our back).
        if purge {
            lock(&self.ukeys).clear();
        }
        let fig = &self.figures;
        fig.max_flows.fetch_max(n_flows, Ordering::Relaxed);
        let avg = fig.avg_flows.load(Ordering::Relaxed);
        fig.avg_flows.store((avg + n_flows) / 2, Ordering::Relaxed);
        fig.dump_ms.store(
            self.translator.now_ms().saturating_sub(start),
            Ordering::Relaxed,
        );
    }
}

/// OVS's default flow limit, as `upcall/show` prints it.
const FLOW_LIMIT: u64 = 10_000;

#[derive(Debug, PartialEq)]
enum Verdict {
    Keep,
    Modify(Arc<[DpAction]>),
    Delete,
}

/// Whether `mask` has a 1 bit `installed` lacks (OVS's
/// `flow_wildcards_has_extra`): the installed flow is then too wide.
fn has_extra(mask: &Flow, installed: &Flow) -> bool {
    let n = ovs_flow::FLOW_BYTES;
    mask.bytes(0, n)
        .iter()
        .zip(installed.bytes(0, n))
        .any(|(m, i)| m & !i != 0)
}

/// Credits what the datapath counted since the last push.
fn push_stats(ukey: &mut Ukey, now: &FlowStats) {
    let (dp, db) = if now.n_packets >= ukey.pushed.n_packets {
        (
            now.n_packets - ukey.pushed.n_packets,
            now.n_bytes.saturating_sub(ukey.pushed.n_bytes),
        )
    } else {
        // The datapath started the counts over.
        (now.n_packets, now.n_bytes)
    };
    if dp > 0 {
        let used = now.used.unwrap_or(0);
        for r in &ukey.rules {
            r.credit(dp, db, used);
        }
    }
    ukey.pushed = *now;
}

/// The [`UpcallHandler`] face of a [`Udpif`].
struct Handler<T: Translator>(Arc<Udpif<T>>);

impl<T: Translator> UpcallHandler for Handler<T> {
    fn upcall(&self, upcall: &Upcall) -> Result<UpcallReply, DpifError> {
        match &upcall.kind {
            UpcallKind::Miss => self.0.handle_miss(upcall),
            UpcallKind::Action { action }
                if matches!(action.cookie, Some(UserCookie::SlowPath { .. })) =>
            {
                self.0.handle_slow_path(upcall)
            }
            UpcallKind::Action { action } => {
                self.0
                    .translator
                    .userspace(action, &upcall.key, &upcall.packet);
                Ok(UpcallReply::default())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_dpif::{DpFlow, DpPort, DpStats, Execute, OdpPort, PortSpec, Ufid};
    use std::collections::HashMap;
    use std::sync::atomic::AtomicU64;

    /// A datapath with a flow table and nothing else.
    #[derive(Default)]
    struct FakeDp {
        flows: Mutex<HashMap<Ufid, DpFlow>>,
        handler: Mutex<Option<Arc<dyn UpcallHandler>>>,
    }

    impl FakeDp {
        /// A miss for `key` as the datapath would raise it.
        fn miss(&self, key: &Flow, ufid: Ufid) {
            let h = lock(&self.handler).clone().unwrap();
            let reply = h
                .upcall(&Upcall {
                    kind: UpcallKind::Miss,
                    packet: vec![0; 60],
                    key: key.clone(),
                    ufid,
                    in_port: OdpPort(1),
                    pmd_id: None,
                })
                .unwrap();
            if let Some(Install { key, mask, actions }) = reply.install {
                lock(&self.flows).insert(
                    ufid,
                    DpFlow {
                        extra_info: None,
                        ufid,
                        key,
                        mask,
                        actions,
                        stats: FlowStats::default(),
                        pmd_id: None,
                    },
                );
            }
        }

        fn hit(&self, ufid: Ufid, packets: u64, used: u64) {
            let mut flows = lock(&self.flows);
            let f = flows.get_mut(&ufid).unwrap();
            f.stats.n_packets += packets;
            f.stats.n_bytes += packets * 60;
            f.stats.used = Some(used);
        }
    }

    impl Dpif for FakeDp {
        fn name(&self) -> &str {
            "ovs-fake"
        }
        fn dp_type(&self) -> &str {
            "fake"
        }
        fn port_add(&self, _: &PortSpec, _: Option<OdpPort>) -> Result<OdpPort, DpifError> {
            Err(DpifError::NotSupported)
        }
        fn port_del(&self, _: OdpPort) -> Result<(), DpifError> {
            Err(DpifError::NotSupported)
        }
        fn port_by_number(&self, _: OdpPort) -> Result<DpPort, DpifError> {
            Err(DpifError::NotFound)
        }
        fn port_by_name(&self, _: &str) -> Result<DpPort, DpifError> {
            Err(DpifError::NotFound)
        }
        fn ports(&self) -> Vec<DpPort> {
            Vec::new()
        }
        fn flow_put(&self, put: FlowPut) -> Result<Option<FlowStats>, DpifError> {
            let mut flows = lock(&self.flows);
            let f = flows.get_mut(&put.ufid).ok_or(DpifError::NotFound)?;
            f.actions = put.actions;
            Ok(Some(f.stats))
        }
        fn flow_get(&self, ufid: Ufid) -> Result<DpFlow, DpifError> {
            lock(&self.flows)
                .get(&ufid)
                .cloned()
                .ok_or(DpifError::NotFound)
        }
        fn flow_del(&self, ufid: Ufid) -> Result<FlowStats, DpifError> {
            lock(&self.flows)
                .remove(&ufid)
                .map(|f| f.stats)
                .ok_or(DpifError::NotFound)
        }
        fn flow_flush(&self) {
            lock(&self.flows).clear();
        }
        fn flow_dump(&self, visit: &mut dyn FnMut(&DpFlow) -> bool) {
            let flows: Vec<DpFlow> = lock(&self.flows).values().cloned().collect();
            for f in &flows {
                if !visit(f) {
                    break;
                }
            }
        }
        fn execute(&self, _: &Execute) -> Result<(), DpifError> {
            Ok(())
        }
        fn set_upcall_handler(&self, handler: Arc<dyn UpcallHandler>) {
            *lock(&self.handler) = Some(handler);
        }
        fn stats(&self) -> DpStats {
            DpStats::default()
        }
        fn now_ms(&self) -> u64 {
            0
        }
    }

    /// Sends everything to port `out`, matching on the first flow word
    /// when `wide` is off and on two when it is on.
    struct FakeXlate {
        rule: Arc<RuleStats>,
        out: AtomicU64,
        wide: AtomicBool,
        generation: AtomicU64,
        now: Arc<AtomicU64>,
    }

    impl Translator for FakeXlate {
        fn translate(&self, _: &Flow, _: Option<&[u8]>, _: bool) -> Option<Translation> {
            let mut mask = Flow::ZERO;
            mask.set_word(0, u64::MAX);
            if self.wide.load(Ordering::Relaxed) {
                mask.set_word(1, u64::MAX);
            }
            Some(Translation {
                actions: vec![DpAction::Output(self.out.load(Ordering::Relaxed) as u32)],
                mask,
                rules: vec![self.rule.clone()],
                install: true,
                slow: 0,
                generation: self.generation(),
            })
        }
        fn generation(&self) -> u64 {
            self.generation.load(Ordering::Relaxed)
        }
        fn userspace(&self, _: &Userspace, _: &Flow, _: &[u8]) {}
        fn now_ms(&self) -> u64 {
            self.now.load(Ordering::Relaxed)
        }
    }

    type Setup = (
        Arc<FakeDp>,
        Arc<Udpif<FakeXlate>>,
        RevalidatorThread<FakeXlate>,
        Arc<RuleStats>,
        Arc<AtomicU64>,
    );

    fn setup() -> Setup {
        let dp = Arc::new(FakeDp::default());
        let rule = RuleStats::new(0);
        let now = Arc::new(AtomicU64::new(1000));
        let x = FakeXlate {
            rule: rule.clone(),
            out: AtomicU64::new(2),
            wide: AtomicBool::new(false),
            generation: AtomicU64::new(1),
            now: now.clone(),
        };
        let (u, t) = Udpif::start(dp.clone(), x);
        (dp, u, t, rule, now)
    }

    #[test]
    fn a_miss_installs_the_flow_and_counts_its_packet_for_the_rule() {
        let (dp, u, _t, rule, _) = setup();
        dp.miss(&Flow::ZERO, Ufid(7));
        assert_eq!(rule.packets(), 1);
        assert_eq!(rule.bytes(), 60);
        assert_eq!(u.n_ukeys(), 1);
        let f = dp.flow_get(Ufid(7)).unwrap();
        assert_eq!(&*f.actions, &[DpAction::Output(2)]);
    }

    #[test]
    fn the_revalidator_pushes_only_what_is_new() {
        let (dp, u, _t, rule, now) = setup();
        dp.miss(&Flow::ZERO, Ufid(7));
        dp.hit(Ufid(7), 5, 1000);
        u.wait();
        assert_eq!(rule.packets(), 6);
        u.wait();
        assert_eq!(rule.packets(), 6, "nothing new, nothing pushed");
        dp.hit(Ufid(7), 2, 1200);
        now.store(1200, Ordering::Relaxed);
        u.wait();
        assert_eq!(rule.packets(), 8);
        assert_eq!(rule.used(), 1200);
    }

    #[test]
    fn new_actions_modify_the_flow_and_a_new_mask_deletes_it() {
        let (dp, u, _t, rule, _) = setup();
        dp.miss(&Flow::ZERO, Ufid(7));
        u.translator().out.store(3, Ordering::Relaxed);
        u.translator().generation.store(2, Ordering::Relaxed);
        u.wait();
        let f = dp.flow_get(Ufid(7)).unwrap();
        assert_eq!(&*f.actions, &[DpAction::Output(3)]);

        dp.hit(Ufid(7), 4, 1000);
        u.translator().wide.store(true, Ordering::Relaxed);
        u.translator().generation.store(3, Ordering::Relaxed);
        u.wait();
        assert!(dp.flow_get(Ufid(7)).is_err());
        assert_eq!(u.n_ukeys(), 0);
        assert_eq!(
            rule.packets(),
            5,
            "the deleted flow's packets were credited"
        );
    }

    #[test]
    fn idle_flows_go_after_max_idle_and_purge_takes_all() {
        let (dp, u, _t, _, now) = setup();
        dp.miss(&Flow::ZERO, Ufid(7));
        let mut other = Flow::ZERO;
        other.set_word(0, 1);
        dp.miss(&other, Ufid(8));
        dp.hit(Ufid(8), 1, 10_500);
        now.store(11_001, Ordering::Relaxed);
        u.wait();
        assert!(
            dp.flow_get(Ufid(7)).is_err(),
            "idle since its creation at 1000"
        );
        assert!(dp.flow_get(Ufid(8)).is_ok());
        u.purge();
        assert!(dp.flow_get(Ufid(8)).is_err());
        assert_eq!(u.n_ukeys(), 0);
    }
}
