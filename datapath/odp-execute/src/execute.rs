//! The action walk: OVS's `odp_execute_actions`.

use ovs_odp::{CtAction, DpAction, TunnelPush, Userspace};

use crate::packet::Packet;
use crate::{hash, headers, set};

/// A batch of packets that go through the same actions.
pub type Batch = Vec<Packet>;

/// The actions only a datapath can carry out (OVS's `dp_execute_cb`).
///
/// Methods that take a [`Batch`] by value own those packets: they are
/// either the executor's own (the action was the last one and the caller
/// let it steal them) or copies, and any pending `trunc` has already been
/// applied to them and cleared on the originals, so it affects this one
/// output only. Methods that take `&mut Batch` work on the packets in place
/// and may remove the ones they drop.
pub trait DatapathOps {
    /// `output(port)`.
    fn output(&mut self, port: u32, packets: Batch);
    /// `lb_output(bond)`: output through a balanced bond.
    fn lb_output(&mut self, bond: u32, packets: Batch);
    /// `tnl_push(...)`: add the tunnel header and output.
    fn tunnel_push(&mut self, header: &TunnelPush, packets: Batch);
    /// `tnl_pop(port)`: strip the tunnel header, set the tunnel metadata
    /// and continue as if received on `port`.
    fn tunnel_pop(&mut self, port: u32, packets: Batch);
    /// `userspace(...)`: an upcall for each packet, with the action's
    /// cookie as its userdata.
    fn userspace(&mut self, action: &Userspace, packets: Batch);
    /// `recirc(id)`: look the packets up again with `recirc_id` set to `id`.
    fn recirc(&mut self, recirc_id: u32, packets: Batch);
    /// `ct(...)`: run the packets through conntrack, which sets their
    /// conntrack metadata and may rewrite them (NAT) or drop them.
    fn ct(&mut self, action: &CtAction, batch: &mut Batch);
    /// `meter(id)`: drop the packets over the meter's rate.
    fn meter(&mut self, meter_id: u32, batch: &mut Batch);
    /// A random number for `sample(...)`, uniform over `u32`.
    fn random_u32(&mut self) -> u32;
    /// `drop` ran on `count` packets, for the datapath's drop counters
    /// (`reason` is OVS's `xlate_error`).
    fn dropped(&mut self, reason: u32, count: usize) {
        let _ = (reason, count);
    }
}

/// Runs `actions` on every packet of `batch`, in order, as OVS's
/// `odp_execute_actions` does.
///
/// With `steal`, the packets are the executor's to consume: the last
/// datapath action takes them without a copy, and whatever is left at the
/// end is dropped, so `batch` ends empty. Without it, the packets are left
/// in `batch` (modified by the actions), and every datapath action gets
/// copies.
pub fn execute(batch: &mut Batch, actions: &[DpAction], ops: &mut impl DatapathOps, steal: bool) {
    run(batch, actions, ops, steal);
    if steal {
        batch.clear();
    }
}

fn clone_for_output(batch: &mut Batch) -> Batch {
    let copies = batch
        .iter()
        .map(|p| {
            let mut c = p.clone();
            c.apply_cutlen();
            c
        })
        .collect();
    for p in batch.iter_mut() {
        p.reset_cutlen();
    }
    copies
}

/// The packets a datapath action that consumes them gets: the batch itself
/// when it may be stolen, copies otherwise; `trunc` applied either way.
fn hand_over(batch: &mut Batch, steal: bool) -> Batch {
    if steal {
        let mut taken = std::mem::take(batch);
        for p in &mut taken {
            p.apply_cutlen();
        }
        taken
    } else {
        clone_for_output(batch)
    }
}

/// The walk. Returns early when the packets are gone (stolen by the last
/// action, or all dropped).
fn run(batch: &mut Batch, actions: &[DpAction], ops: &mut impl DatapathOps, steal: bool) {
    for (i, action) in actions.iter().enumerate() {
        if batch.is_empty() {
            return;
        }
        let last = i + 1 == actions.len();
        let steal_now = steal && last;
        match action {
            DpAction::Output(port) => ops.output(*port, hand_over(batch, steal_now)),
            DpAction::LbOutput(bond) => ops.lb_output(*bond, hand_over(batch, steal_now)),
            DpAction::TunnelPush(header) => ops.tunnel_push(header, hand_over(batch, steal_now)),
            DpAction::TunnelPop(port) => ops.tunnel_pop(*port, hand_over(batch, steal_now)),
            DpAction::Userspace(u) => ops.userspace(u, hand_over(batch, steal_now)),
            DpAction::Recirc(id) => {
                // Recirculation is not an output: a pending `trunc` stays
                // with the packet.
                let packets = if steal_now {
                    std::mem::take(batch)
                } else {
                    batch.clone()
                };
                ops.recirc(*id, packets);
            }
            DpAction::Ct(ct) => ops.ct(ct, batch),
            DpAction::Meter(id) => ops.meter(*id, batch),
            DpAction::Trunc(max_len) => {
                for p in batch.iter_mut() {
                    p.set_cutlen(*max_len);
                }
            }
            DpAction::Hash(h) => {
                for p in batch.iter_mut() {
                    if let Some(v) = hash::dp_hash(p, h.algorithm, h.basis) {
                        p.md.dp_hash = v;
                    }
                }
            }
            DpAction::Set(key) => {
                for p in batch.iter_mut() {
                    set::set_action(p, key, None);
                }
            }
            DpAction::SetMasked { key, mask } => {
                for p in batch.iter_mut() {
                    set::set_action(p, key, Some(mask));
                }
            }
            DpAction::PushEth { src, dst } => {
                for p in batch.iter_mut() {
                    headers::push_eth(p, src, dst);
                }
            }
            DpAction::PopEth => batch.iter_mut().for_each(headers::pop_eth),
            DpAction::PushVlan { tpid, tci } => {
                for p in batch.iter_mut() {
                    headers::push_vlan(p, *tpid, *tci);
                }
            }
            DpAction::PopVlan => batch.iter_mut().for_each(headers::pop_vlan),
            DpAction::PushMpls { lse, ethertype } => {
                for p in batch.iter_mut() {
                    headers::push_mpls(p, *ethertype, *lse);
                }
            }
            DpAction::AddMpls { lse, ethertype } => {
                for p in batch.iter_mut() {
                    headers::add_mpls(p, *ethertype, *lse);
                }
            }
            DpAction::PopMpls(ethertype) => {
                for p in batch.iter_mut() {
                    headers::pop_mpls(p, *ethertype);
                }
            }
            DpAction::PopNsh => batch.retain_mut(headers::pop_nsh),
            DpAction::CtClear => {
                // A zero state is what makes every other conntrack field
                // meaningless, as in OVS.
                for p in batch.iter_mut() {
                    p.md.ct_state = 0;
                }
            }
            DpAction::Clone(nested) => {
                if steal_now {
                    run(batch, nested, ops, true);
                    batch.clear();
                } else {
                    // The nested actions work on copies; the originals go on
                    // without the pending truncation, which the copies took.
                    let mut copies = batch.clone();
                    for p in batch.iter_mut() {
                        p.reset_cutlen();
                    }
                    run(&mut copies, nested, ops, true);
                }
            }
            DpAction::Sample {
                probability,
                actions: nested,
            } => {
                each_packet(batch, steal_now, ops, |_, ops| {
                    (ops.random_u32() < *probability).then_some(nested.as_slice())
                });
            }
            DpAction::CheckPktLen {
                pkt_len,
                if_greater,
                if_less_equal,
            } => {
                each_packet(batch, steal_now, ops, |p, _| {
                    let layout = p.layout();
                    let size = p.send_len().saturating_sub(layout.l2_pad);
                    Some(if size > usize::from(*pkt_len) {
                        if_greater.as_slice()
                    } else {
                        if_less_equal.as_slice()
                    })
                });
            }
            DpAction::Drop(reason) => {
                // Nothing after a drop runs; packets the caller still owns
                // stay with the caller.
                ops.dropped(*reason, batch.len());
                if steal {
                    batch.clear();
                }
                return;
            }
        }
        if steal_now {
            return;
        }
    }
}

/// Runs, for each packet on its own, the nested actions `choose` picks for
/// it (none: the packet skips them), on the packet itself when it may be
/// stolen and on a copy otherwise (OVS's `odp_execute_sample` and
/// `odp_execute_check_pkt_len`).
fn each_packet<'a, O: DatapathOps>(
    batch: &mut Batch,
    steal: bool,
    ops: &mut O,
    mut choose: impl FnMut(&Packet, &mut O) -> Option<&'a [DpAction]>,
) {
    if steal {
        for p in std::mem::take(batch) {
            if let Some(nested) = choose(&p, ops) {
                run(&mut vec![p], nested, ops, true);
            }
        }
    } else {
        for p in batch.iter() {
            if let Some(nested) = choose(p, ops) {
                run(&mut vec![p.clone()], nested, ops, true);
            }
        }
    }
}
