//! The events this datapath counts for `coverage/show`, under OVS's
//! names (OVS counts the `dpif_*` ones in its generic dpif layer, and
//! `netdev_*` per receive or send call).

use ovs_coverage::Counter;

pub static DPIF_PORT_ADD: Counter = Counter::new("dpif_port_add");
pub static DPIF_PORT_DEL: Counter = Counter::new("dpif_port_del");
pub static DPIF_FLOW_FLUSH: Counter = Counter::new("dpif_flow_flush");
/// Puts, including flows the upcall handler installs in place.
pub static DPIF_FLOW_PUT: Counter = Counter::new("dpif_flow_put");
pub static DPIF_FLOW_DEL: Counter = Counter::new("dpif_flow_del");
pub static DPIF_EXECUTE: Counter = Counter::new("dpif_execute");
/// Receive calls that returned packets.
pub static NETDEV_RECEIVED: Counter = Counter::new("netdev_received");
/// Send calls.
pub static NETDEV_SENT: Counter = Counter::new("netdev_sent");

/// Every counter above.
pub fn counters() -> Vec<&'static Counter> {
    vec![
        &DPIF_PORT_ADD,
        &DPIF_PORT_DEL,
        &DPIF_FLOW_FLUSH,
        &DPIF_FLOW_PUT,
        &DPIF_FLOW_DEL,
        &DPIF_EXECUTE,
        &NETDEV_RECEIVED,
        &NETDEV_SENT,
    ]
}
