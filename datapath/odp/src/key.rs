//! [`DpKey`]: a datapath flow key (or mask) as a set of optional attributes,
//! one per `OVS_KEY_ATTR_*`, in the order OVS emits them.

use std::net::{Ipv4Addr, Ipv6Addr};

/// An Ethernet address.
pub type Mac = [u8; 6];

/// A datapath flow key: which attributes are present and their values.
///
/// The same type carries a mask: an attribute present in the mask holds the
/// mask bits of the key's attribute; an attribute absent from a mask that
/// is given at all means "fully wildcarded", as in OVS.
///
/// Fields are declared in the order `odp_flow_key_from_flow` emits the
/// attributes, which is the order they are printed in. The VLAN layers
/// nest: the outer level holds `eth_type` (the TPID), `vlan` (the TCI) and
/// `encap`, the inner attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DpKey {
    /// `skb_priority(...)`.
    pub skb_priority: Option<u32>,
    /// `tunnel(...)`.
    pub tunnel: Option<TunnelKey>,
    /// `skb_mark(...)`.
    pub skb_mark: Option<u32>,
    /// `ct_state(...)`: `OVS_CS_F_*` bits.
    pub ct_state: Option<u32>,
    /// `ct_zone(...)`.
    pub ct_zone: Option<u16>,
    /// `ct_mark(...)`.
    pub ct_mark: Option<u32>,
    /// `ct_label(...)`.
    pub ct_label: Option<u128>,
    /// `ct_tuple4(...)`.
    pub ct_tuple4: Option<CtTuple4>,
    /// `ct_tuple6(...)`.
    pub ct_tuple6: Option<CtTuple6>,
    /// `recirc_id(...)`.
    pub recirc_id: Option<u32>,
    /// `dp_hash(...)`.
    pub dp_hash: Option<u32>,
    /// `in_port(...)`: a datapath port number.
    pub in_port: Option<u32>,
    /// `packet_type(ns=..,id=..)`: namespace in the high 16 bits.
    pub packet_type: Option<u32>,
    /// `eth(...)`.
    pub eth: Option<EthKey>,
    /// `eth_type(...)`: the Ethertype, or the TPID when `vlan` follows.
    pub eth_type: Option<u16>,
    /// `vlan(...)`: the TCI, with `VLAN_CFI` meaning "a header is present".
    pub vlan: Option<u16>,
    /// `encap(...)`: the attributes inside a VLAN header.
    pub encap: Option<Box<DpKey>>,
    /// `mpls(...)`: label stack entries, outermost first.
    pub mpls: Option<Vec<u32>>,
    /// `ipv4(...)`.
    pub ipv4: Option<Ipv4Key>,
    /// `ipv6(...)`.
    pub ipv6: Option<Ipv6Key>,
    /// `arp(...)`.
    pub arp: Option<ArpKey>,
    /// `tcp(...)`.
    pub tcp: Option<PortsKey>,
    /// `tcp_flags(...)`: the 12 flag bits.
    pub tcp_flags: Option<u16>,
    /// `udp(...)`.
    pub udp: Option<PortsKey>,
    /// `sctp(...)`.
    pub sctp: Option<PortsKey>,
    /// `icmp(...)`.
    pub icmp: Option<IcmpKey>,
    /// `icmpv6(...)`.
    pub icmpv6: Option<IcmpKey>,
    /// `nd(...)`.
    pub nd: Option<NdKey>,
    /// `nd_ext(...)`.
    pub nd_ext: Option<NdExtKey>,
}

/// `eth(src=..,dst=..)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EthKey {
    pub src: Mac,
    pub dst: Mac,
}

/// `ipv4(...)`. `frag` is an [`OdpFrag`] value in a key, 0 or 0xff in a mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv4Key {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub proto: u8,
    pub tos: u8,
    pub ttl: u8,
    pub frag: u8,
}

impl Default for Ipv4Key {
    fn default() -> Self {
        Ipv4Key {
            src: Ipv4Addr::UNSPECIFIED,
            dst: Ipv4Addr::UNSPECIFIED,
            proto: 0,
            tos: 0,
            ttl: 0,
            frag: 0,
        }
    }
}

/// `ipv6(...)`. `label` holds the 20-bit flow label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv6Key {
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    pub label: u32,
    pub proto: u8,
    pub tclass: u8,
    pub hlimit: u8,
    pub frag: u8,
}

impl Default for Ipv6Key {
    fn default() -> Self {
        Ipv6Key {
            src: Ipv6Addr::UNSPECIFIED,
            dst: Ipv6Addr::UNSPECIFIED,
            label: 0,
            proto: 0,
            tclass: 0,
            hlimit: 0,
            frag: 0,
        }
    }
}

/// `tcp(src,dst)`, `udp(src,dst)`, `sctp(src,dst)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PortsKey {
    pub src: u16,
    pub dst: u16,
}

/// `icmp(type,code)`, `icmpv6(type,code)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IcmpKey {
    pub icmp_type: u8,
    pub code: u8,
}

/// `arp(sip,tip,op,sha,tha)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArpKey {
    pub sip: Ipv4Addr,
    pub tip: Ipv4Addr,
    pub op: u16,
    pub sha: Mac,
    pub tha: Mac,
}

impl Default for ArpKey {
    fn default() -> Self {
        ArpKey {
            sip: Ipv4Addr::UNSPECIFIED,
            tip: Ipv4Addr::UNSPECIFIED,
            op: 0,
            sha: [0; 6],
            tha: [0; 6],
        }
    }
}

/// `nd(target,sll,tll)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NdKey {
    pub target: Ipv6Addr,
    pub sll: Mac,
    pub tll: Mac,
}

impl Default for NdKey {
    fn default() -> Self {
        NdKey {
            target: Ipv6Addr::UNSPECIFIED,
            sll: [0; 6],
            tll: [0; 6],
        }
    }
}

/// `nd_ext(nd_reserved,nd_options_type)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NdExtKey {
    pub reserved: u32,
    pub options_type: u8,
}

/// `ct_tuple4(...)`: the original direction of the tracked connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CtTuple4 {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub proto: u8,
    pub tp_src: u16,
    pub tp_dst: u16,
}

impl Default for CtTuple4 {
    fn default() -> Self {
        CtTuple4 {
            src: Ipv4Addr::UNSPECIFIED,
            dst: Ipv4Addr::UNSPECIFIED,
            proto: 0,
            tp_src: 0,
            tp_dst: 0,
        }
    }
}

/// `ct_tuple6(...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CtTuple6 {
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    pub proto: u8,
    pub tp_src: u16,
    pub tp_dst: u16,
}

impl Default for CtTuple6 {
    fn default() -> Self {
        CtTuple6 {
            src: Ipv6Addr::UNSPECIFIED,
            dst: Ipv6Addr::UNSPECIFIED,
            proto: 0,
            tp_src: 0,
            tp_dst: 0,
        }
    }
}

/// `tunnel(...)`: each sub-attribute optional, as in `OVS_TUNNEL_KEY_ATTR_*`.
/// The flag attributes are booleans; `key` in the printed flags is implied
/// by the presence of `tun_id`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TunnelKey {
    pub tun_id: Option<u64>,
    pub ipv4_src: Option<Ipv4Addr>,
    pub ipv4_dst: Option<Ipv4Addr>,
    pub ipv6_src: Option<Ipv6Addr>,
    pub ipv6_dst: Option<Ipv6Addr>,
    pub tos: Option<u8>,
    pub ttl: Option<u8>,
    pub dont_fragment: bool,
    pub csum: bool,
    pub tp_src: Option<u16>,
    pub tp_dst: Option<u16>,
    pub oam: bool,
    /// VXLAN Group Based Policy: `(flags << 16) | id`. `Some` also when the
    /// VXLAN options are present without GBP (then 0 is printed as absent).
    pub vxlan_gbp: Option<u32>,
    /// Geneve options, in wire order.
    pub geneve: Option<Vec<GeneveOpt>>,
    pub erspan: Option<ErspanOpts>,
    pub gtpu: Option<GtpuOpts>,
}

/// One Geneve option. `length` is the 5-bit length field (units of 4
/// bytes) in a key; in a mask it is the mask of that field. `data` is the
/// option body (its length comes from the key's `length`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GeneveOpt {
    pub class: u16,
    pub opt_type: u8,
    pub length: u8,
    pub data: Vec<u8>,
}

/// ERSPAN metadata: version 1 uses `index`, version 2 `dir` and `hwid`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ErspanOpts {
    pub version: u8,
    pub index: u32,
    pub dir: u8,
    pub hwid: u8,
}

/// GTP-U metadata.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GtpuOpts {
    pub flags: u8,
    pub msgtype: u8,
}

/// The datapath's fragment type (`enum ovs_frag_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OdpFrag {
    No = 0,
    First = 1,
    Later = 2,
}

/// `OVS_CS_F_*`: conntrack state bits, the same bits as OpenFlow's `ct_state`.
pub mod ct_state {
    pub const NEW: u32 = 0x01;
    pub const ESTABLISHED: u32 = 0x02;
    pub const RELATED: u32 = 0x04;
    pub const REPLY_DIR: u32 = 0x08;
    pub const INVALID: u32 = 0x10;
    pub const TRACKED: u32 = 0x20;
    pub const SRC_NAT: u32 = 0x40;
    pub const DST_NAT: u32 = 0x80;
}

/// The VLAN TCI bit that marks a present header.
pub const VLAN_CFI: u16 = 0x1000;

/// `packet_type` of an Ethernet frame.
pub const PT_ETH: u32 = 0;

impl DpKey {
    /// True if no attribute is present.
    pub fn is_empty(&self) -> bool {
        *self == DpKey::default()
    }

    /// Number of attributes present at this level (`encap` counts as one).
    pub fn len(&self) -> usize {
        let DpKey {
            skb_priority,
            tunnel,
            skb_mark,
            ct_state,
            ct_zone,
            ct_mark,
            ct_label,
            ct_tuple4,
            ct_tuple6,
            recirc_id,
            dp_hash,
            in_port,
            packet_type,
            eth,
            eth_type,
            vlan,
            encap,
            mpls,
            ipv4,
            ipv6,
            arp,
            tcp,
            tcp_flags,
            udp,
            sctp,
            icmp,
            icmpv6,
            nd,
            nd_ext,
        } = self;
        [
            skb_priority.is_some(),
            tunnel.is_some(),
            skb_mark.is_some(),
            ct_state.is_some(),
            ct_zone.is_some(),
            ct_mark.is_some(),
            ct_label.is_some(),
            ct_tuple4.is_some(),
            ct_tuple6.is_some(),
            recirc_id.is_some(),
            dp_hash.is_some(),
            in_port.is_some(),
            packet_type.is_some(),
            eth.is_some(),
            eth_type.is_some(),
            vlan.is_some(),
            encap.is_some(),
            mpls.is_some(),
            ipv4.is_some(),
            ipv6.is_some(),
            arp.is_some(),
            tcp.is_some(),
            tcp_flags.is_some(),
            udp.is_some(),
            sctp.is_some(),
            icmp.is_some(),
            icmpv6.is_some(),
            nd.is_some(),
            nd_ext.is_some(),
        ]
        .iter()
        .filter(|p| **p)
        .count()
    }

    /// A mask that matches every attribute of `self` exactly (what OVS
    /// assumes when a flow comes without a mask).
    pub fn exact_mask(&self) -> DpKey {
        let ones4 = Ipv4Addr::BROADCAST;
        let ones6 = Ipv6Addr::from(u128::MAX);
        DpKey {
            skb_priority: self.skb_priority.map(|_| u32::MAX),
            tunnel: self.tunnel.as_ref().map(|t| t.exact_mask()),
            skb_mark: self.skb_mark.map(|_| u32::MAX),
            ct_state: self.ct_state.map(|_| u32::MAX),
            ct_zone: self.ct_zone.map(|_| u16::MAX),
            ct_mark: self.ct_mark.map(|_| u32::MAX),
            ct_label: self.ct_label.map(|_| u128::MAX),
            ct_tuple4: self.ct_tuple4.map(|_| CtTuple4 {
                src: ones4,
                dst: ones4,
                proto: 0xff,
                tp_src: 0xffff,
                tp_dst: 0xffff,
            }),
            ct_tuple6: self.ct_tuple6.map(|_| CtTuple6 {
                src: ones6,
                dst: ones6,
                proto: 0xff,
                tp_src: 0xffff,
                tp_dst: 0xffff,
            }),
            recirc_id: self.recirc_id.map(|_| u32::MAX),
            dp_hash: self.dp_hash.map(|_| u32::MAX),
            in_port: self.in_port.map(|_| u32::MAX),
            packet_type: self.packet_type.map(|_| u32::MAX),
            eth: self.eth.map(|_| EthKey {
                src: [0xff; 6],
                dst: [0xff; 6],
            }),
            eth_type: self.eth_type.map(|_| u16::MAX),
            vlan: self.vlan.map(|_| u16::MAX),
            encap: self.encap.as_ref().map(|e| Box::new(e.exact_mask())),
            mpls: self.mpls.as_ref().map(|m| vec![u32::MAX; m.len()]),
            ipv4: self.ipv4.map(|_| Ipv4Key {
                src: ones4,
                dst: ones4,
                proto: 0xff,
                tos: 0xff,
                ttl: 0xff,
                frag: 0xff,
            }),
            ipv6: self.ipv6.map(|_| Ipv6Key {
                src: ones6,
                dst: ones6,
                label: 0x000f_ffff,
                proto: 0xff,
                tclass: 0xff,
                hlimit: 0xff,
                frag: 0xff,
            }),
            arp: self.arp.map(|_| ArpKey {
                sip: ones4,
                tip: ones4,
                op: 0xffff,
                sha: [0xff; 6],
                tha: [0xff; 6],
            }),
            tcp: self.tcp.map(|_| PortsKey::ONES),
            tcp_flags: self.tcp_flags.map(|_| u16::MAX),
            udp: self.udp.map(|_| PortsKey::ONES),
            sctp: self.sctp.map(|_| PortsKey::ONES),
            icmp: self.icmp.map(|_| IcmpKey::ONES),
            icmpv6: self.icmpv6.map(|_| IcmpKey::ONES),
            nd: self.nd.map(|_| NdKey {
                target: ones6,
                sll: [0xff; 6],
                tll: [0xff; 6],
            }),
            nd_ext: self.nd_ext.map(|_| NdExtKey {
                reserved: u32::MAX,
                options_type: 0xff,
            }),
        }
    }
}

impl PortsKey {
    pub const ONES: PortsKey = PortsKey {
        src: 0xffff,
        dst: 0xffff,
    };
}

impl IcmpKey {
    pub const ONES: IcmpKey = IcmpKey {
        icmp_type: 0xff,
        code: 0xff,
    };
}

impl TunnelKey {
    /// A mask matching every sub-attribute present in `self` exactly; the
    /// flag attributes are all matched.
    pub fn exact_mask(&self) -> TunnelKey {
        TunnelKey {
            tun_id: self.tun_id.map(|_| u64::MAX),
            ipv4_src: self.ipv4_src.map(|_| Ipv4Addr::BROADCAST),
            ipv4_dst: self.ipv4_dst.map(|_| Ipv4Addr::BROADCAST),
            ipv6_src: self.ipv6_src.map(|_| Ipv6Addr::from(u128::MAX)),
            ipv6_dst: self.ipv6_dst.map(|_| Ipv6Addr::from(u128::MAX)),
            tos: self.tos.map(|_| 0xff),
            ttl: self.ttl.map(|_| 0xff),
            dont_fragment: true,
            csum: true,
            tp_src: self.tp_src.map(|_| 0xffff),
            tp_dst: self.tp_dst.map(|_| 0xffff),
            oam: true,
            vxlan_gbp: self.vxlan_gbp.map(|_| 0x00ff_ffff),
            geneve: self.geneve.as_ref().map(|opts| {
                opts.iter()
                    .map(|o| GeneveOpt {
                        class: 0xffff,
                        opt_type: 0xff,
                        length: 0x1f,
                        data: vec![0xff; o.data.len()],
                    })
                    .collect()
            }),
            erspan: self.erspan.map(|e| ErspanOpts {
                version: 0xff,
                index: if e.version == 1 { u32::MAX } else { 0 },
                dir: 0xff,
                hwid: 0xff,
            }),
            gtpu: self.gtpu.map(|_| GtpuOpts {
                flags: 0xff,
                msgtype: 0xff,
            }),
        }
    }
}
