//! Packet-ins from `userspace(controller(...))` upcalls (OVS's
//! `process_upcall` for `CONTROLLER_UPCALL`).

use ovs_odp::UserCookie;

use crate::config::XlateConfig;
use crate::recirc::FrozenMetadata;

/// What the daemon sends to the bridge's controllers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketIn {
    pub bridge: String,
    /// The packet as the datapath had it when it executed the action.
    pub packet: Vec<u8>,
    /// `OFPR_*` (OVS's internal numbering, see [`crate::reason`]; the
    /// daemon maps it per OpenFlow version).
    pub reason: u8,
    pub table_id: u8,
    pub cookie: u64,
    pub userdata: Vec<u8>,
    /// The pipeline metadata (in_port, metadata, registers, tunnel).
    pub metadata: FrozenMetadata,
    pub max_len: u16,
    pub controller_id: u16,
    /// The packet-in carries a continuation (`pause`).
    pub continuation: bool,
}

/// The packet-in for a packet the datapath sent up with `cookie`, or
/// `None` when nothing is to be sent (`dont_send`, an unknown or expired
/// recirculation id, another cookie type).
pub fn packet_in_from_upcall(
    cfg: &XlateConfig,
    cookie: &UserCookie,
    packet: &[u8],
) -> Option<PacketIn> {
    let UserCookie::Controller {
        reason,
        dont_send,
        continuation,
        recirc_id,
        rule_cookie,
        controller_id,
        max_len,
    } = cookie
    else {
        return None;
    };
    if *dont_send || *recirc_id == 0 {
        return None;
    }
    let state = cfg.recirc.get(*recirc_id)?;
    Some(PacketIn {
        bridge: state.bridge.clone(),
        packet: packet.to_vec(),
        reason: *reason as u8,
        table_id: state.table_id,
        cookie: *rule_cookie,
        userdata: state.userdata.clone(),
        metadata: state.metadata.clone(),
        max_len: *max_len,
        controller_id: *controller_id,
        continuation: *continuation,
    })
}
