//! [`Packet`]: a packet's bytes with the metadata the datapath keeps beside
//! them (OVS's `dp_packet` with its `pkt_metadata`), and [`Layout`], where
//! its headers are.

use ovs_flow::{Flow, offset};
use ovs_odp::TunnelKey;
use ovs_packet::{CtTuple, Metadata, PT_ETH};

/// `packet_type` of an Ethernet frame.
pub const PACKET_TYPE_ETH: u32 = PT_ETH;
/// The packet-type namespace whose types are Ethernet types (OpenFlow's
/// `OFPHTN_ETHERTYPE`), in the high 16 bits of a packet type.
pub const PACKET_TYPE_NS_ETHERTYPE: u32 = 1;
/// An NSH packet without an Ethernet header.
pub const PACKET_TYPE_NSH: u32 = (PACKET_TYPE_NS_ETHERTYPE << 16) | 0x894f;

/// The packet type of a packet that starts with a header of Ethernet type
/// `ether_type` (OVS's `PACKET_TYPE(OFPHTN_ETHERTYPE, type)`).
pub fn packet_type_for_ether_type(ether_type: u16) -> u32 {
    (PACKET_TYPE_NS_ETHERTYPE << 16) | u32::from(ether_type)
}

/// What the datapath knows about a packet besides its bytes (OVS's
/// `pkt_metadata`).
///
/// The tunnel is kept in its datapath-key form: that is what `set(tunnel(..))`
/// carries, what `tnl_pop` produces and what a flow key is built from, so
/// the datapath converts it (with `ovs_odp`) only when it extracts a flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PacketMetadata {
    /// The datapath port it came in on.
    pub in_port: u32,
    /// [`PACKET_TYPE_ETH`], or `(namespace << 16) | type`.
    pub packet_type: u32,
    pub recirc_id: u32,
    pub dp_hash: u32,
    pub skb_priority: u32,
    /// `skb_mark` in datapath keys.
    pub pkt_mark: u32,
    /// The tunnel the packet came from, or is to be sent into; the default
    /// (nothing set) is "no tunnel".
    pub tunnel: TunnelKey,
    /// `OVS_CS_F_*` bits; 0 means untracked, and then the other conntrack
    /// fields mean nothing (as in OVS).
    pub ct_state: u8,
    pub ct_zone: u16,
    pub ct_mark: u32,
    pub ct_label: u128,
    pub ct_orig_tuple: Option<CtTuple>,
    /// The hash a NIC computed on receive, if any (OVS's RSS hash): the
    /// `hash(l4)` action uses it instead of hashing the headers.
    pub rss_hash: Option<u32>,
}

impl PacketMetadata {
    /// The metadata flow extraction needs. Ports that do not fit the flow's
    /// 16-bit `in_port` are cut to 16 bits, as the flow layout stores them.
    pub fn extract_metadata(&self) -> Metadata {
        Metadata {
            in_port: self.in_port as u16,
            packet_type: self.packet_type,
            recirc_id: self.recirc_id,
            dp_hash: self.dp_hash,
            skb_priority: self.skb_priority,
            pkt_mark: self.pkt_mark,
            ct_state: self.ct_state,
            ct_zone: self.ct_zone,
            ct_mark: self.ct_mark,
            ct_label: self.ct_label.to_be_bytes(),
            ct_orig_tuple: self.ct_orig_tuple,
        }
    }
}

/// A packet in flight through the actions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packet {
    /// The bytes, from the first header on.
    pub data: Vec<u8>,
    pub md: PacketMetadata,
    /// Bytes to cut off the end at the next output (OVS's `cutlen`), set by
    /// `trunc(N)`.
    cutlen: usize,
}

impl Packet {
    /// A packet with no truncation pending.
    pub fn new(data: Vec<u8>, md: PacketMetadata) -> Packet {
        Packet {
            data,
            md,
            cutlen: 0,
        }
    }

    /// An Ethernet frame that came in on `in_port`, with no other metadata.
    pub fn ethernet(data: Vec<u8>, in_port: u32) -> Packet {
        Packet::new(
            data,
            PacketMetadata {
                in_port,
                ..PacketMetadata::default()
            },
        )
    }

    /// True if the packet starts with an Ethernet header.
    pub fn is_ethernet(&self) -> bool {
        self.md.packet_type == PACKET_TYPE_ETH
    }

    /// Bytes that a pending `trunc` will cut at the next output.
    pub fn cutlen(&self) -> usize {
        self.cutlen
    }

    /// Records a `trunc(max_len)`: at most `max_len` bytes, never less than
    /// an Ethernet header, of the packet as it is now will be sent.
    pub fn set_cutlen(&mut self, max_len: u32) {
        let max_len = usize::try_from(max_len)
            .unwrap_or(usize::MAX)
            .max(ovs_packet::ethernet::HEADER_LEN);
        self.cutlen = self.data.len().saturating_sub(max_len);
    }

    /// Forgets a pending truncation.
    pub fn reset_cutlen(&mut self) {
        self.cutlen = 0;
    }

    /// The length the packet will have when it is sent.
    pub fn send_len(&self) -> usize {
        self.data.len().saturating_sub(self.cutlen)
    }

    /// Cuts the packet to [`Packet::send_len`] and forgets the truncation.
    pub fn apply_cutlen(&mut self) {
        if self.cutlen > 0 {
            let len = self.send_len();
            self.data.truncate(len);
            self.cutlen = 0;
        }
    }

    /// Extracts the packet's flow (OVS's `flow_extract`), its tunnel
    /// excepted, and returns where its headers are.
    pub fn extract(&self, flow: &mut Flow) -> Layout {
        let offsets = ovs_packet::extract(&self.data, &self.md.extract_metadata(), flow);
        Layout {
            l2_5: offsets.l2_5,
            l3: offsets.l3,
            l4: offsets.l4,
            l2_pad: offsets.l2_pad,
            dl_type: flow.get_be(offset::DL_TYPE, 2) as u16,
            nw_proto: flow.get_be(offset::NW_PROTO, 1) as u8,
            nw_frag: flow.get_be(offset::NW_FRAG, 1) as u8,
        }
    }

    /// Where the packet's headers are, as flow extraction finds them.
    pub fn layout(&self) -> Layout {
        let mut flow = Flow::ZERO;
        self.extract(&mut flow)
    }
}

/// Where a packet's headers start, and the few header values the actions
/// need to know which headers they may touch (OVS keeps these as the
/// `dp_packet` offsets and trusts the flow match for the rest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The MPLS label stack.
    pub l2_5: Option<usize>,
    /// The network header.
    pub l3: Option<usize>,
    /// The transport header.
    pub l4: Option<usize>,
    /// Link-layer padding after the IP packet.
    pub l2_pad: usize,
    /// The Ethernet type after any VLAN headers (the flow's `dl_type`).
    pub dl_type: u16,
    /// The IP protocol after any IPv6 extension headers, or the low byte of
    /// the ARP opcode.
    pub nw_proto: u8,
    /// `FLOW_NW_FRAG_*` bits.
    pub nw_frag: u8,
}

impl Layout {
    /// Bytes from the transport header to the end of the IP packet (OVS's
    /// `dp_packet_l4_size`), 0 without one.
    pub fn l4_size(&self, packet_len: usize) -> usize {
        match self.l4 {
            Some(l4) => packet_len.saturating_sub(l4).saturating_sub(self.l2_pad),
            None => 0,
        }
    }

    /// True for an IP fragment other than the first: its transport header
    /// is in the first fragment, not here.
    pub fn is_later_fragment(&self) -> bool {
        self.nw_frag & ovs_packet::ip::FRAG_LATER != 0
    }
}
