//! The poll thread: it owns the megaflow table and the exact-match cache,
//! receives from every port in batches, and is the only thread that
//! touches them. Other threads reach it through [`Op`]s, answered on a
//! channel; a [`Waker`] gets it out of its idle sleep.
//!
//! It plays the part of OVS's non-PMD ("main") thread, which polls the
//! ports that have no dedicated poll thread (AF_PACKET, tap and dummy
//! devices), so its flows carry [`NON_PMD_CORE_ID`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};
use std::time::Instant;

use ovs_dpif::{
    DpFlow, DpifError, Execute, FlowPut, FlowStats, NON_PMD_CORE_ID, OdpPort, PutMode, Ufid,
    Upcall, UpcallHandler, UpcallKind,
};
use ovs_flow::{Flow, PackedFlow, offset};
use ovs_netdev::Netdev;
use ovs_netdev::wait::{Waker, wait_readable};
use ovs_odp::{CtAction, DpAction, TunnelPush, Userspace};
use ovs_odp_execute::{Batch, DatapathOps, Packet, PacketMetadata};

use crate::dpcls::{FlowHash, FlowTable, PutError, Slot};
use crate::emc::Emc;

/// Packets taken from one port per receive (OVS's `NETDEV_MAX_BURST`).
const BURST: usize = 32;
/// OVS's `MAX_RECIRC_DEPTH`.
const MAX_RECIRC_DEPTH: u8 = 6;
/// How long the thread keeps polling after the last packet before it
/// sleeps: back-to-back traffic then never pays for a wake-up.
const SPIN_NANOS: u128 = 200_000;

type Reply<T> = SyncSender<T>;

/// Requests from other threads.
pub(crate) enum Op {
    AddPort(OdpPort, Arc<dyn Netdev>),
    DelPort(OdpPort),
    Put(Box<FlowPut>, Reply<Result<Option<FlowStats>, DpifError>>),
    Get(Ufid, Reply<Result<DpFlow, DpifError>>),
    Del(Ufid, Reply<Result<FlowStats, DpifError>>),
    Flush(Reply<()>),
    Dump(Reply<Vec<DpFlow>>),
    Execute(Box<Execute>, Reply<Result<(), DpifError>>),
    SetHandler(Arc<dyn UpcallHandler>),
    /// Answers once every packet already waiting on a port was processed.
    Quiesce(Reply<()>),
    Exit,
}

/// Counters other threads read.
#[derive(Default)]
pub(crate) struct Counters {
    pub hit: AtomicU64,
    pub missed: AtomicU64,
    pub lost: AtomicU64,
    pub flows: AtomicU64,
    pub masks: AtomicU64,
    /// Subtables visited by megaflow lookups that found a flow.
    pub mask_hit: AtomicU64,
    pub emc_hit: AtomicU64,
}

struct Port {
    no: OdpPort,
    netdev: Arc<dyn Netdev>,
    /// Frames waiting to go out at the end of the batch.
    txq: Vec<Vec<u8>>,
}

/// How many receive rounds [`Op::Quiesce`] may run.
const QUIESCE_ROUNDS: usize = 64;

pub(crate) struct Pmd {
    ports: Vec<Port>,
    table: FlowTable,
    emc: Emc,
    handler: Option<Arc<dyn UpcallHandler>>,
    ops: Receiver<Op>,
    waker: Arc<Waker>,
    counters: Arc<Counters>,
    epoch: Instant,
    /// Spare packet buffers.
    pool: Vec<Vec<u8>>,
    /// Spare batches, and the vectors `classify` fills for each batch, kept
    /// to save allocating them per batch (a recirculation's nested
    /// `classify` takes fresh ones).
    batches: Vec<Batch>,
    groups: Vec<(Slot, Batch)>,
    misses: Vec<(Packet, Flow, FlowHash)>,
    rng: u64,
}

impl Pmd {
    pub(crate) fn new(
        ops: Receiver<Op>,
        waker: Arc<Waker>,
        counters: Arc<Counters>,
        epoch: Instant,
    ) -> Pmd {
        Pmd {
            ports: Vec::new(),
            table: FlowTable::default(),
            emc: Emc::default(),
            handler: None,
            ops,
            waker,
            counters,
            epoch,
            pool: Vec::new(),
            batches: Vec::new(),
            groups: Vec::new(),
            misses: Vec::new(),
            rng: 0x2545_f491_4f6c_dd1d,
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Runs until [`Op::Exit`] or until every sender is gone.
    pub(crate) fn run(mut self) {
        let mut last_busy = Instant::now();
        let mut rx: Vec<Vec<u8>> = Vec::with_capacity(BURST);
        loop {
            if !self.drain_ops() {
                return;
            }
            let busy = self.poll_ports(&mut rx);
            if busy {
                last_busy = Instant::now();
                continue;
            }
            if last_busy.elapsed().as_nanos() < SPIN_NANOS {
                std::hint::spin_loop();
                continue;
            }
            // Arm the waker before the last look at the queue, so a request
            // sent in between still wakes us.
            self.waker.reset();
            if !self.drain_ops() {
                return;
            }
            let mut fds: Vec<_> = self.ports.iter().filter_map(|p| p.netdev.rx_fd()).collect();
            fds.push(self.waker.fd());
            let _ = wait_readable(&fds, 1000);
            last_busy = Instant::now();
        }
    }

    /// Receives and processes one batch from every port; true if any port
    /// had packets.
    fn poll_ports(&mut self, rx: &mut Vec<Vec<u8>>) -> bool {
        let mut busy = false;
        for i in 0..self.ports.len() {
            rx.clear();
            let netdev = self.ports[i].netdev.clone();
            match netdev.recv(&mut self.pool, rx, BURST) {
                Ok(n) if n > 0 => {
                    busy = true;
                    crate::coverage::NETDEV_RECEIVED.inc();
                    let in_port = self.ports[i].no;
                    let mut batch = self.batches.pop().unwrap_or_default();
                    batch.extend(rx.drain(..).map(|data| Packet::ethernet(data, in_port.0)));
                    self.input(batch);
                    self.flush_tx();
                }
                _ => {}
            }
        }
        busy
    }

    /// Handles every queued request; false once the datapath is going away.
    fn drain_ops(&mut self) -> bool {
        loop {
            match self.ops.try_recv() {
                Ok(Op::Exit) | Err(TryRecvError::Disconnected) => return false,
                Ok(op) => self.op(op),
                Err(TryRecvError::Empty) => return true,
            }
        }
    }

    fn op(&mut self, op: Op) {
        match op {
            Op::AddPort(no, netdev) => {
                self.ports.retain(|p| p.no != no);
                self.ports.push(Port {
                    no,
                    netdev,
                    txq: Vec::new(),
                });
            }
            Op::DelPort(no) => self.ports.retain(|p| p.no != no),
            Op::Put(put, reply) => {
                let _ = reply.send(self.put(*put));
            }
            Op::Get(ufid, reply) => {
                let r = self
                    .table
                    .by_ufid(ufid)
                    .and_then(|s| self.table.get(s))
                    .map(to_dp_flow)
                    .ok_or(DpifError::NotFound);
                let _ = reply.send(r);
            }
            Op::Del(ufid, reply) => {
                let r = match self.table.by_ufid(ufid).and_then(|s| self.table.remove(s)) {
                    Some(mf) => Ok(mf.stats),
                    None => Err(DpifError::NotFound),
                };
                self.publish_sizes();
                let _ = reply.send(r);
            }
            Op::Flush(reply) => {
                self.table.clear();
                self.publish_sizes();
                let _ = reply.send(());
            }
            Op::Dump(reply) => {
                let _ = reply.send(self.table.iter().map(to_dp_flow).collect());
            }
            Op::Execute(exec, reply) => {
                let r = self.execute(*exec);
                let _ = reply.send(r);
            }
            Op::SetHandler(h) => self.handler = Some(h),
            Op::Quiesce(reply) => {
                // Bounded, so a port that never runs dry cannot hold the
                // caller forever.
                let mut rx = Vec::with_capacity(BURST);
                for _ in 0..QUIESCE_ROUNDS {
                    if !self.poll_ports(&mut rx) {
                        break;
                    }
                }
                let _ = reply.send(());
            }
            Op::Exit => {}
        }
    }

    fn publish_sizes(&self) {
        self.counters
            .flows
            .store(self.table.len() as u64, Ordering::Relaxed);
        self.counters
            .masks
            .store(self.table.n_masks() as u64, Ordering::Relaxed);
    }

    fn put(&mut self, put: FlowPut) -> Result<Option<FlowStats>, DpifError> {
        let existing = self.table.by_ufid(put.ufid).or_else(|| {
            // A flow named by another ufid but with the same key and mask
            // is the same flow.
            self.table.find_exact(&put.key, &put.mask)
        });
        let r = match (existing, put.mode) {
            (Some(slot), PutMode::Modify | PutMode::CreateOrModify) => {
                let mf = self.table.get_mut(slot).ok_or(DpifError::NotFound)?;
                let old = mf.stats;
                mf.actions = put.actions;
                if put.zero_stats {
                    mf.stats = FlowStats::default();
                }
                Ok(Some(old))
            }
            (Some(_), PutMode::Create) => Err(DpifError::Exists),
            (None, PutMode::Modify) => Err(DpifError::NotFound),
            (None, _) => {
                let packed = PackedFlow::new(&put.key);
                let mask = Arc::new(put.mask);
                match self
                    .table
                    .insert(put.ufid, &put.key, packed, &mask, put.actions)
                {
                    Ok(_) => Ok(None),
                    Err(PutError::Exists) => Err(DpifError::Exists),
                    Err(PutError::Full) => Err(DpifError::TableFull),
                }
            }
        };
        self.publish_sizes();
        r
    }

    fn execute(&mut self, exec: Execute) -> Result<(), DpifError> {
        let f = &exec.metadata.flow;
        let md = PacketMetadata {
            in_port: exec.metadata.in_port.0,
            packet_type: f.get_be(offset::PACKET_TYPE, 4) as u32,
            recirc_id: f.get_be(offset::RECIRC_ID, 4) as u32,
            dp_hash: f.get_be(offset::DP_HASH, 4) as u32,
            skb_priority: f.get_be(offset::SKB_PRIORITY, 4) as u32,
            pkt_mark: f.get_be(offset::PKT_MARK, 4) as u32,
            ..PacketMetadata::default()
        };
        let mut batch = vec![Packet::new(exec.packet, md)];
        self.run_actions(&mut batch, &exec.actions, 0);
        self.flush_tx();
        Ok(())
    }

    /// Classifies a batch and runs each megaflow's actions on its packets;
    /// misses go up to the handler.
    fn input(&mut self, batch: Batch) {
        self.classify(batch, 0);
    }

    fn classify(&mut self, mut batch: Batch, depth: u8) {
        let now = self.now_ms();
        let inserts = self.table.inserts();
        // (megaflow, its packets): a batch usually holds a few flows.
        let mut groups = std::mem::take(&mut self.groups);
        let mut misses = std::mem::take(&mut self.misses);
        for pkt in batch.drain(..) {
            let mut flow = Flow::ZERO;
            pkt.extract(&mut flow);
            let flow_hash = FlowHash::new(&flow, 0);
            let hash = flow_hash.value();
            let slot = match self.emc.lookup(hash, &flow, &self.table) {
                Some(s) => {
                    self.counters.emc_hit.fetch_add(1, Ordering::Relaxed);
                    Some(s)
                }
                None => {
                    let (found, tried) = self.table.lookup(&flow);
                    if let Some(s) = found {
                        self.counters
                            .mask_hit
                            .fetch_add(u64::from(tried), Ordering::Relaxed);
                        self.emc.maybe_insert(hash, &flow, s, &self.table);
                    }
                    found
                }
            };
            match slot {
                Some(s) => {
                    let tcp_flags = flow.get_be(offset::TCP_FLAGS, 2) as u16;
                    if let Some(mf) = self.table.get_mut(s) {
                        mf.stats.n_packets += 1;
                        mf.stats.n_bytes += pkt.data.len() as u64;
                        mf.stats.used = Some(now);
                        mf.stats.tcp_flags |= tcp_flags;
                    }
                    match groups.iter_mut().find(|(g, _)| *g == s) {
                        Some((_, b)) => b.push(pkt),
                        None => {
                            let mut b = self.batches.pop().unwrap_or_default();
                            b.push(pkt);
                            groups.push((s, b));
                        }
                    }
                }
                None => misses.push((pkt, flow, flow_hash)),
            }
        }
        self.recycle_batch(batch);
        let n_hit: usize = groups.iter().map(|(_, b)| b.len()).sum();
        self.counters.hit.fetch_add(n_hit as u64, Ordering::Relaxed);
        for (slot, mut b) in groups.drain(..) {
            if let Some(actions) = self.table.get(slot).map(|mf| mf.actions.clone()) {
                self.run_actions(&mut b, &actions, depth);
            }
            self.recycle_batch(b);
        }
        for (pkt, flow, hash) in misses.drain(..) {
            self.miss(pkt, flow, hash.ufid(), depth, now, inserts);
        }
        self.groups = groups;
        self.misses = misses;
    }

    /// One packet (its flow hashing to `ufid`) no megaflow matched when the
    /// table had seen `inserts` insertions: ask the handler, install what it
    /// says, and run the actions on the packet.
    fn miss(&mut self, pkt: Packet, flow: Flow, ufid: Ufid, depth: u8, now: u64, inserts: u64) {
        // An earlier miss of this batch may have installed a flow for it.
        if self.table.inserts() != inserts
            && let (Some(slot), _) = self.table.lookup(&flow)
        {
            self.counters.hit.fetch_add(1, Ordering::Relaxed);
            let Some(mf) = self.table.get_mut(slot) else {
                return;
            };
            mf.stats.n_packets += 1;
            mf.stats.n_bytes += pkt.data.len() as u64;
            mf.stats.used = Some(now);
            let actions = mf.actions.clone();
            self.run_one(pkt, &actions, depth);
            return;
        }
        self.counters.missed.fetch_add(1, Ordering::Relaxed);
        let Some(handler) = self.handler.clone() else {
            self.counters.lost.fetch_add(1, Ordering::Relaxed);
            self.recycle(pkt.data);
            return;
        };
        // The packet moves into the upcall and back.
        let md = pkt.md;
        let upcall = Upcall {
            kind: UpcallKind::Miss,
            packet: pkt.data,
            key: flow,
            ufid,
            in_port: OdpPort(md.in_port),
            pmd_id: Some(NON_PMD_CORE_ID),
        };
        match handler.upcall(&upcall) {
            Ok(reply) => {
                if let Some(install) = reply.install {
                    crate::coverage::DPIF_FLOW_PUT.inc();
                    // Losing the race to an equal flow is fine. The
                    // handler's ukey shares the packed key.
                    let _ = self.table.insert(
                        ufid,
                        &upcall.key,
                        install.key,
                        &install.mask,
                        install.actions,
                    );
                    self.publish_sizes();
                }
                self.run_one(Packet::new(upcall.packet, md), &reply.actions, depth);
            }
            Err(_) => {
                self.counters.lost.fetch_add(1, Ordering::Relaxed);
                self.recycle(upcall.packet);
            }
        }
    }

    /// Runs `actions` on one packet.
    fn run_one(&mut self, pkt: Packet, actions: &[DpAction], depth: u8) {
        let mut b = self.batches.pop().unwrap_or_default();
        b.push(pkt);
        self.run_actions(&mut b, actions, depth);
        self.recycle_batch(b);
    }

    fn recycle_batch(&mut self, mut b: Batch) {
        if self.batches.len() < BURST {
            b.clear();
            self.batches.push(b);
        }
    }

    fn run_actions(&mut self, batch: &mut Batch, actions: &[DpAction], depth: u8) {
        let mut recirc = Vec::new();
        let mut slow = Vec::new();
        {
            let mut ctx = Ctx {
                ports: &mut self.ports,
                handler: self.handler.as_ref(),
                recirc: &mut recirc,
                slow: &mut slow,
                rng: &mut self.rng,
                pool: &mut self.pool,
                batches: &mut self.batches,
            };
            ovs_odp_execute::execute(batch, actions, &mut ctx, true);
        }
        for b in batch.drain(..) {
            self.recycle(b.data);
        }
        for (p, actions) in slow {
            if depth + 1 >= MAX_RECIRC_DEPTH {
                self.recycle(p.data);
                continue;
            }
            self.run_one(p, &actions, depth + 1);
        }
        if !recirc.is_empty() {
            if depth + 1 >= MAX_RECIRC_DEPTH {
                for p in recirc {
                    self.recycle(p.data);
                }
                return;
            }
            self.classify(recirc, depth + 1);
        }
    }

    fn flush_tx(&mut self) {
        for p in &mut self.ports {
            if p.txq.is_empty() {
                continue;
            }
            crate::coverage::NETDEV_SENT.inc();
            p.netdev.send(&p.txq);
            for mut b in p.txq.drain(..) {
                b.clear();
                self.pool.push(b);
            }
        }
        if self.pool.len() > 4 * BURST {
            self.pool.truncate(4 * BURST);
        }
    }

    fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.pool.len() < 4 * BURST {
            buf.clear();
            self.pool.push(buf);
        }
    }
}

fn to_dp_flow(mf: &crate::dpcls::Megaflow) -> DpFlow {
    DpFlow {
        ufid: mf.ufid,
        key: mf.key_as_put.clone(),
        mask: mf.mask.clone(),
        actions: mf.actions.clone(),
        stats: mf.stats,
        pmd_id: Some(NON_PMD_CORE_ID),
        extra_info: Some(mf.extra_info.clone()),
    }
}

/// What the actions call back into while they run.
struct Ctx<'a> {
    ports: &'a mut Vec<Port>,
    handler: Option<&'a Arc<dyn UpcallHandler>>,
    recirc: &'a mut Batch,
    /// Packets a `userspace` upcall answered with actions to run (the
    /// slow path), run once the current actions finish.
    slow: &'a mut Vec<(Packet, Vec<DpAction>)>,
    rng: &'a mut u64,
    pool: &'a mut Vec<Vec<u8>>,
    /// Spare batches: an output hands back the one it emptied.
    batches: &'a mut Vec<Batch>,
}

impl Ctx<'_> {
    fn discard(&mut self, packets: Batch) {
        for p in packets {
            let mut b = p.data;
            b.clear();
            self.pool.push(b);
        }
    }
}

impl DatapathOps for Ctx<'_> {
    fn output(&mut self, port: u32, packets: Batch) {
        match self.ports.iter_mut().find(|p| p.no.0 == port) {
            Some(p) => {
                let mut packets = packets;
                p.txq.extend(packets.drain(..).map(|p| p.data));
                if self.batches.len() < BURST {
                    self.batches.push(packets);
                }
            }
            None => self.discard(packets),
        }
    }

    fn lb_output(&mut self, _bond: u32, packets: Batch) {
        self.discard(packets);
    }

    fn tunnel_push(&mut self, _header: &TunnelPush, packets: Batch) {
        self.discard(packets);
    }

    fn tunnel_pop(&mut self, _port: u32, packets: Batch) {
        self.discard(packets);
    }

    fn userspace(&mut self, action: &Userspace, packets: Batch) {
        let Some(handler) = self.handler else {
            self.discard(packets);
            return;
        };
        for p in packets {
            let mut flow = Flow::ZERO;
            p.extract(&mut flow);
            let md = p.md.clone();
            let upcall = Upcall {
                kind: UpcallKind::Action {
                    action: action.clone(),
                },
                packet: p.data,
                key: flow,
                ufid: Ufid::default(),
                in_port: OdpPort(md.in_port),
                pmd_id: Some(NON_PMD_CORE_ID),
            };
            if let Ok(reply) = handler.upcall(&upcall)
                && !reply.actions.is_empty()
            {
                self.slow
                    .push((Packet::new(upcall.packet, md), reply.actions));
            }
        }
    }

    fn recirc(&mut self, recirc_id: u32, packets: Batch) {
        for mut p in packets {
            p.md.recirc_id = recirc_id;
            self.recirc.push(p);
        }
    }

    fn ct(&mut self, _action: &CtAction, _batch: &mut Batch) {
        // No connection tracker yet: packets pass untracked.
    }

    fn meter(&mut self, _meter_id: u32, _batch: &mut Batch) {
        // No datapath meters yet: every packet is within its band.
    }

    fn random_u32(&mut self) -> u32 {
        let mut x = *self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *self.rng = x;
        (x >> 32) as u32
    }
}
