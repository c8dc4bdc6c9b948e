//! The version-neutral action model (OVS's "ofpact").
//!
//! Instructions of OpenFlow 1.1+ are represented as actions, in the order
//! OVS keeps them: `Meter`, then the apply-actions (plain actions),
//! `ClearActions`, `WriteActions`, `WriteMetadata`, `GotoTable`.
//!
//! Some variants carry a `form` hint: which of several wire encodings the
//! action arrived in, so that re-encoding for the same version sends what
//! OVS would send (OVS's `ofpact.raw`). Some carry facts learned while
//! checking the actions against a match (`flow_has_vlan`, `flow_ip_proto`),
//! which OVS uses to pick an encoding for older versions; decoding leaves
//! them at their defaults.

use std::net::{Ipv4Addr, Ipv6Addr};

use ovs_flow::FieldId;
use ovs_ofp_core::OfpPort;

/// Bits `ofs .. ofs + n_bits` of a field (OVS's `mf_subfield`); bit 0 is the
/// least significant bit of the field's big-endian value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subfield {
    pub field: FieldId,
    pub ofs: u16,
    pub n_bits: u16,
}

impl Subfield {
    /// The whole field (its significant bits).
    pub fn whole(field: FieldId) -> Subfield {
        Subfield {
            field,
            ofs: 0,
            n_bits: field.info().n_bits,
        }
    }
}

/// `OFPR_ACTION`: the packet-in reason for an explicit output to the
/// controller.
pub const OFPR_ACTION: u8 = 1;

/// `NX_CT_F_COMMIT`.
pub const CT_F_COMMIT: u16 = 1 << 0;
/// `NX_CT_F_FORCE`.
pub const CT_F_FORCE: u16 = 1 << 1;
/// `NX_CT_RECIRC_NONE`: no recirculation.
pub const CT_RECIRC_NONE: u8 = 0xff;

/// `NX_NAT_F_SRC`.
pub const NAT_F_SRC: u16 = 1 << 0;
/// `NX_NAT_F_DST`.
pub const NAT_F_DST: u16 = 1 << 1;
/// `NX_NAT_F_PERSISTENT`.
pub const NAT_F_PERSISTENT: u16 = 1 << 2;
/// `NX_NAT_F_PROTO_HASH`.
pub const NAT_F_PROTO_HASH: u16 = 1 << 3;
/// `NX_NAT_F_PROTO_RANDOM`.
pub const NAT_F_PROTO_RANDOM: u16 = 1 << 4;
/// Every NAT flag OVS knows.
pub const NAT_F_MASK: u16 = 0x1f;

/// `NX_LEARN_F_SEND_FLOW_REM`.
pub const LEARN_F_SEND_FLOW_REM: u16 = 1 << 0;
/// `NX_LEARN_F_DELETE_LEARNED`.
pub const LEARN_F_DELETE_LEARNED: u16 = 1 << 1;
/// `NX_LEARN_F_WRITE_RESULT`: on the wire only; in [`Learn`] it is implied
/// by `result_dst`.
pub const LEARN_F_WRITE_RESULT: u16 = 1 << 2;

/// Packet types (namespace << 16 | type) that `encap` accepts.
pub const PT_ETH: u32 = 0x0000_0000;
pub const PT_NSH: u32 = 0x0001_894f;
pub const PT_MPLS: u32 = 0x0001_8847;
pub const PT_MPLS_MC: u32 = 0x0001_8848;
/// `decap`'s default: take the next protocol from the removed header.
pub const PT_USE_NEXT_PROTO: u32 = 0x0000_fffe;

/// One action or instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // ---- Output ----
    /// Output to a port (including the reserved NORMAL, FLOOD, ALL, LOCAL,
    /// IN_PORT, TABLE, CONTROLLER); `max_len` matters for CONTROLLER.
    Output {
        port: OfpPort,
        max_len: u16,
    },
    /// Send to a group.
    Group {
        group_id: u32,
    },
    /// Send to the controller with more options than `Output` allows.
    Controller(Controller),
    /// OpenFlow 1.0 enqueue.
    Enqueue {
        port: OfpPort,
        queue: u32,
    },
    /// Output to the port number held in a subfield.
    OutputReg {
        src: Subfield,
        max_len: u16,
        form: OutputRegForm,
    },
    /// Output, truncating the packet to `max_len` bytes.
    OutputTrunc {
        port: OfpPort,
        max_len: u32,
    },
    /// Choose a live member port (`bundle`, or `bundle_load` with `dst`).
    Bundle(Bundle),

    // ---- Header changes ----
    /// Set the VLAN VID. `push_vlan_if_needed` is OpenFlow 1.0's meaning
    /// (`mod_vlan_vid`), which adds a tag if there is none.
    SetVlanVid {
        vid: u16,
        push_vlan_if_needed: bool,
        /// Learned at check time: the match guarantees a VLAN tag.
        flow_has_vlan: bool,
    },
    /// Set the VLAN PCP; like [`Action::SetVlanVid`].
    SetVlanPcp {
        pcp: u8,
        push_vlan_if_needed: bool,
        flow_has_vlan: bool,
    },
    /// Remove the outer VLAN tag (`strip_vlan` or `pop_vlan`).
    StripVlan {
        form: StripVlanForm,
    },
    /// Push a VLAN tag with this TPID.
    PushVlan {
        ethertype: u16,
    },
    SetEthSrc {
        mac: [u8; 6],
    },
    SetEthDst {
        mac: [u8; 6],
    },
    SetIpv4Src {
        addr: Ipv4Addr,
    },
    SetIpv4Dst {
        addr: Ipv4Addr,
    },
    /// Set the DSCP bits; `dscp` is in TOS position (low two bits zero).
    SetIpDscp {
        dscp: u8,
    },
    SetIpEcn {
        ecn: u8,
    },
    SetIpTtl {
        ttl: u8,
    },
    /// Set the L4 source port. `flow_ip_proto` is learned at check time.
    SetL4SrcPort {
        port: u16,
        flow_ip_proto: u8,
    },
    SetL4DstPort {
        port: u16,
        flow_ip_proto: u8,
    },
    /// Copy bits between fields (`move`, `copy_field`).
    RegMove {
        src: Subfield,
        dst: Subfield,
        form: MoveForm,
    },
    /// Set (some bits of) a field (`set_field`, `load`).
    SetField(SetField),
    StackPush(Subfield),
    StackPop(Subfield),
    /// Decrement the IP TTL; `cnt_ids` are the controllers told when it
    /// expires.
    DecTtl {
        cnt_ids: Vec<u16>,
        form: DecTtlForm,
    },
    /// Set the MPLS label (20 bits).
    SetMplsLabel {
        label: u32,
    },
    SetMplsTc {
        tc: u8,
    },
    SetMplsTtl {
        ttl: u8,
    },
    DecMplsTtl,
    PushMpls {
        ethertype: u16,
    },
    PopMpls {
        ethertype: u16,
    },
    SetTunnel {
        tun_id: u64,
        form: SetTunnelForm,
    },
    SetQueue {
        queue_id: u32,
    },
    PopQueue,
    FinTimeout {
        idle_timeout: u16,
        hard_timeout: u16,
    },

    // ---- Pipeline and Nicira extensions ----
    Resubmit(Resubmit),
    Learn(Box<Learn>),
    Conjunction {
        id: u32,
        clause: u8,
        n_clauses: u8,
    },
    Multipath(Multipath),
    /// Opaque bytes with no effect.
    Note(Vec<u8>),
    Exit,
    Sample(Sample),
    /// Run the nested actions on a copy of the packet.
    Clone(Vec<Action>),
    Ct(Box<Ct>),
    CtClear,
    /// NAT; valid only inside [`Action::Ct`].
    Nat(Nat),
    Encap(Encap),
    Decap {
        new_pkt_type: u32,
    },
    DecNshTtl,
    /// Write 1 to `dst` if the packet is longer than `pkt_len`, else 0.
    CheckPktLarger {
        pkt_len: u16,
        dst: Subfield,
    },
    /// Remove a tunnel metadata option.
    DeleteField {
        field: FieldId,
    },
    /// Debugging: accepted only with [`crate::DecodeOptions::allow_debug`].
    DebugRecirc,
    DebugSlow,

    // ---- Instructions ----
    /// Meter instruction (OpenFlow 1.3/1.4) or action (1.5).
    Meter {
        meter_id: u32,
    },
    ClearActions,
    WriteActions(Vec<Action>),
    WriteMetadata {
        metadata: u64,
        mask: u64,
    },
    GotoTable {
        table_id: u8,
    },
}

/// Which controller action form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ControllerForm {
    /// `NXAST_CONTROLLER`, unless an option needs the newer form.
    #[default]
    Controller,
    /// `NXAST_CONTROLLER2` (properties).
    Controller2,
}

/// Parameters of a send-to-controller action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controller {
    pub max_len: u16,
    pub controller_id: u16,
    /// `OFPR_*` reason put in the packet-in.
    pub reason: u8,
    pub userdata: Vec<u8>,
    pub pause: bool,
    /// 0 means no meter.
    pub meter_id: u32,
    pub form: ControllerForm,
}

impl Default for Controller {
    fn default() -> Self {
        Controller {
            max_len: u16::MAX,
            controller_id: 0,
            reason: OFPR_ACTION,
            userdata: Vec::new(),
            pause: false,
            meter_id: 0,
            form: ControllerForm::Controller,
        }
    }
}

/// `NXAST_OUTPUT_REG` or `NXAST_OUTPUT_REG2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputRegForm {
    /// The older form, unless the field has no 32-bit header.
    #[default]
    OutputReg,
    OutputReg2,
}

/// `strip_vlan` (OpenFlow 1.0 name) or `pop_vlan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StripVlanForm {
    #[default]
    StripVlan,
    PopVlan,
}

/// How a field-to-field copy arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MoveForm {
    /// `NXAST_REG_MOVE` (or parsed text).
    #[default]
    RegMove,
    /// OpenFlow 1.5 `OFPAT_COPY_FIELD` or the ONF 1.3 extension; re-sent
    /// as the ONF extension in OpenFlow 1.3.
    CopyField,
}

/// How a field write arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SetFieldForm {
    /// `OFPAT_SET_FIELD` (or parsed `set_field`).
    #[default]
    SetField,
    /// `NXAST_REG_LOAD` (or parsed `load`).
    RegLoad,
    /// `NXAST_REG_LOAD2`.
    RegLoad2,
}

/// Set some bits of a field: `value` and `mask` are the field's width
/// (for tunnel metadata, its mapped width), big-endian.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetField {
    pub field: FieldId,
    pub value: Vec<u8>,
    pub mask: Vec<u8>,
    pub form: SetFieldForm,
    /// Learned at check time: the match guarantees a VLAN tag.
    pub flow_has_vlan: bool,
}

/// `dec_ttl` or `dec_ttl(ids...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DecTtlForm {
    /// Standard `OFPAT_DEC_NW_TTL` when the ids are just `[0]`.
    #[default]
    DecTtl,
    /// `NXAST_DEC_TTL_CNT_IDS`.
    CntIds,
}

/// `set_tunnel` (32-bit) or `set_tunnel64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SetTunnelForm {
    #[default]
    SetTunnel,
    SetTunnel64,
}

/// Which resubmit encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ResubmitForm {
    /// `NXAST_RESUBMIT_TABLE` (what OVS sends for parsed text).
    #[default]
    ResubmitTable,
    /// Plain `NXAST_RESUBMIT` (in_port only), when the table is 255.
    Resubmit,
}

/// Search another table (`resubmit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resubmit {
    /// `OfpPort::IN_PORT` keeps the packet's in_port.
    pub in_port: OfpPort,
    /// 255 means the current table.
    pub table_id: u8,
    /// Use the conntrack original-direction tuple (`resubmit(,T,ct)`).
    pub with_ct_orig: bool,
    pub form: ResubmitForm,
}

/// `NXAST_BUNDLE` / `NXAST_BUNDLE_LOAD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// `NX_BD_ALG_*`: 0 active-backup, 1 HRW.
    pub algorithm: u16,
    /// `NX_HASH_FIELDS_*`.
    pub fields: u16,
    pub basis: u16,
    pub members: Vec<OfpPort>,
    /// `Some` for `bundle_load`.
    pub dst: Option<Subfield>,
}

/// `NXAST_MULTIPATH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Multipath {
    pub fields: u16,
    pub basis: u16,
    /// `NX_MP_ALG_*`.
    pub algorithm: u16,
    pub max_link: u16,
    pub arg: u32,
    pub dst: Subfield,
}

/// Which sample encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SampleForm {
    /// `NXAST_SAMPLE`, unless a newer option needs a newer form.
    #[default]
    Sample,
    Sample2,
    Sample3,
}

/// `NXAST_SAMPLE*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub probability: u16,
    pub collector_set_id: u32,
    pub obs_domain_id: u32,
    pub obs_point_id: u32,
    /// `OfpPort::NONE` if unset.
    pub sampling_port: OfpPort,
    /// 0 default, 1 ingress, 2 egress.
    pub direction: u8,
    pub form: SampleForm,
}

/// Where a learned flow's bits come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LearnSrc {
    Field(Subfield),
    /// `ceil(n_bits / 8)` bytes, big-endian.
    Immediate(Vec<u8>),
}

/// What a learn spec builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnDst {
    /// A match criterion on the subfield.
    Match(Subfield),
    /// A `load` into the subfield.
    Load(Subfield),
    /// An output to the port in the source.
    Output,
}

/// One `flow_mod_spec` of a learn action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnSpec {
    pub n_bits: u16,
    pub src: LearnSrc,
    pub dst: LearnDst,
}

/// Which learn encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LearnForm {
    /// `NXAST_LEARN`, unless `limit` or `result_dst` need the newer form.
    #[default]
    Learn,
    Learn2,
}

/// `NXAST_LEARN` / `NXAST_LEARN2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Learn {
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    pub priority: u16,
    pub cookie: u64,
    /// `LEARN_F_SEND_FLOW_REM | LEARN_F_DELETE_LEARNED`; the write-result
    /// flag is represented by `result_dst`.
    pub flags: u16,
    pub table_id: u8,
    pub fin_idle_timeout: u16,
    pub fin_hard_timeout: u16,
    /// 0 means unlimited.
    pub limit: u32,
    /// One bit written with whether the flow was learned.
    pub result_dst: Option<Subfield>,
    pub specs: Vec<LearnSpec>,
    pub form: LearnForm,
}

/// The conntrack zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtZone {
    Imm(u16),
    Field(Subfield),
}

/// `NXAST_CT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ct {
    /// `CT_F_*`.
    pub flags: u16,
    pub zone: CtZone,
    /// `CT_RECIRC_NONE` for none.
    pub recirc_table: u8,
    /// 0, or the ALG's well-known port (21 FTP, 69 TFTP).
    pub alg: u16,
    /// Nested actions: `Nat` and set_field of `ct_mark` / `ct_label`.
    pub actions: Vec<Action>,
}

/// NAT address range; a zero `max` means "same as min" (not sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatRange {
    None,
    Ipv4 { min: Ipv4Addr, max: Ipv4Addr },
    Ipv6 { min: Ipv6Addr, max: Ipv6Addr },
}

/// `NXAST_NAT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nat {
    /// `NAT_F_*`.
    pub flags: u16,
    pub range: NatRange,
    /// 0 = not present. Only sent with an address range.
    pub proto_min: u16,
    pub proto_max: u16,
}

/// An encap property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdProp {
    /// NSH MD type.
    NshMdType(u8),
    /// NSH metadata TLV.
    NshTlv {
        class: u16,
        tlv_type: u8,
        value: Vec<u8>,
    },
}

/// `NXAST_ENCAP`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encap {
    /// One of `PT_ETH`, `PT_NSH`, `PT_MPLS`, `PT_MPLS_MC`.
    pub new_pkt_type: u32,
    /// 0 = unspecified.
    pub hdr_size: u16,
    pub props: Vec<EdProp>,
}

impl Action {
    /// The nested action list of `Clone`, `Ct` or `WriteActions`.
    pub fn nested(&self) -> Option<&[Action]> {
        match self {
            Action::Clone(a) | Action::WriteActions(a) => Some(a),
            Action::Ct(ct) => Some(&ct.actions),
            _ => None,
        }
    }

    /// True for the OpenFlow 1.1+ instructions other than apply-actions
    /// (with `Meter` an action from OpenFlow 1.5).
    pub fn instruction(&self, version: ovs_ofp_core::Version) -> Option<Instruction> {
        match self {
            Action::Meter { .. } if version < ovs_ofp_core::Version::Of15 => {
                Some(Instruction::Meter)
            }
            Action::ClearActions => Some(Instruction::ClearActions),
            Action::WriteActions(_) => Some(Instruction::WriteActions),
            Action::WriteMetadata { .. } => Some(Instruction::WriteMetadata),
            Action::GotoTable { .. } => Some(Instruction::GotoTable),
            _ => None,
        }
    }

    /// OVS's name for the action type (`ofpact_name`), for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Output { .. } => "output",
            Action::Group { .. } => "group",
            Action::Controller(_) => "controller",
            Action::Enqueue { .. } => "enqueue",
            Action::OutputReg { .. } => "output_reg",
            Action::OutputTrunc { .. } => "output_trunc",
            Action::Bundle(_) => "bundle",
            Action::SetVlanVid { .. } => "set_vlan_vid",
            Action::SetVlanPcp { .. } => "set_vlan_pcp",
            Action::StripVlan { .. } => "strip_vlan",
            Action::PushVlan { .. } => "push_vlan",
            Action::SetEthSrc { .. } => "mod_dl_src",
            Action::SetEthDst { .. } => "mod_dl_dst",
            Action::SetIpv4Src { .. } => "mod_nw_src",
            Action::SetIpv4Dst { .. } => "mod_nw_dst",
            Action::SetIpDscp { .. } => "mod_nw_tos",
            Action::SetIpEcn { .. } => "mod_nw_ecn",
            Action::SetIpTtl { .. } => "mod_nw_ttl",
            Action::SetL4SrcPort { .. } => "mod_tp_src",
            Action::SetL4DstPort { .. } => "mod_tp_dst",
            Action::RegMove { .. } => "move",
            Action::SetField(_) => "set_field",
            Action::StackPush(_) => "push",
            Action::StackPop(_) => "pop",
            Action::DecTtl { .. } => "dec_ttl",
            Action::SetMplsLabel { .. } => "set_mpls_label",
            Action::SetMplsTc { .. } => "set_mpls_tc",
            Action::SetMplsTtl { .. } => "set_mpls_ttl",
            Action::DecMplsTtl => "dec_mpls_ttl",
            Action::PushMpls { .. } => "push_mpls",
            Action::PopMpls { .. } => "pop_mpls",
            Action::SetTunnel { .. } => "set_tunnel",
            Action::SetQueue { .. } => "set_queue",
            Action::PopQueue => "pop_queue",
            Action::FinTimeout { .. } => "fin_timeout",
            Action::Resubmit(_) => "resubmit",
            Action::Learn(_) => "learn",
            Action::Conjunction { .. } => "conjunction",
            Action::Multipath(_) => "multipath",
            Action::Note(_) => "note",
            Action::Exit => "exit",
            Action::Sample(_) => "sample",
            Action::Clone(_) => "clone",
            Action::Ct(_) => "ct",
            Action::CtClear => "ct_clear",
            Action::Nat(_) => "nat",
            Action::Encap(_) => "encap",
            Action::Decap { .. } => "decap",
            Action::DecNshTtl => "dec_nsh_ttl",
            Action::CheckPktLarger { .. } => "check_pkt_larger",
            Action::DeleteField { .. } => "delete_field",
            Action::DebugRecirc => "debug_recirc",
            Action::DebugSlow => "debug_slow",
            Action::Meter { .. } => "meter",
            Action::ClearActions => "clear_actions",
            Action::WriteActions(_) => "write_actions",
            Action::WriteMetadata { .. } => "write_metadata",
            Action::GotoTable { .. } => "goto_table",
        }
    }
}

/// OVS's instruction types, in the order they must appear
/// (`enum ovs_instruction_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Instruction {
    Meter,
    ApplyActions,
    ClearActions,
    WriteActions,
    WriteMetadata,
    GotoTable,
}

impl Instruction {
    /// Bit in an instruction set.
    pub(crate) fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// OpenFlow 1.1+ instruction type number (`OFPIT_*`).
    pub fn wire_type(self) -> u16 {
        match self {
            Instruction::GotoTable => 1,
            Instruction::WriteMetadata => 2,
            Instruction::WriteActions => 3,
            Instruction::ApplyActions => 4,
            Instruction::ClearActions => 5,
            Instruction::Meter => 6,
        }
    }
}
