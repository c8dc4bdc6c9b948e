//! Runs datapath actions on an arbitrary packet: the first two bytes give
//! the length of an action list in `dpctl` text, the rest is the packet.
//! Must never panic, whatever the packet's headers claim; with `steal` the
//! batch must end empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_odp::{CtAction, TunnelPush, Userspace, parse_actions};
use ovs_odp_execute::{Batch, DatapathOps, Packet, execute};

/// A datapath that takes every packet and does nothing with it.
struct Sink(u32);

impl DatapathOps for Sink {
    fn output(&mut self, _: u32, _: Batch) {}
    fn lb_output(&mut self, _: u32, _: Batch) {}
    fn tunnel_push(&mut self, _: &TunnelPush, _: Batch) {}
    fn tunnel_pop(&mut self, _: u32, _: Batch) {}
    fn userspace(&mut self, _: &Userspace, _: Batch) {}
    fn recirc(&mut self, _: u32, _: Batch) {}
    fn ct(&mut self, _: &CtAction, _: &mut Batch) {}
    fn meter(&mut self, _: u32, _: &mut Batch) {}
    fn random_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let text_len = usize::from(u16::from_be_bytes([data[0], data[1]])).min(data.len() - 2);
    let (text, packet) = data[2..].split_at(text_len);
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(actions) = parse_actions(text) else {
        return;
    };
    for steal in [false, true] {
        let mut batch = vec![Packet::ethernet(packet.to_vec(), 1)];
        execute(&mut batch, &actions, &mut Sink(7), steal);
        if steal {
            assert!(batch.is_empty());
        }
    }
});
