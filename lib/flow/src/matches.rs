//! [`Match`]: a flow and a mask of the same shape, and field reads and writes
//! with OVS's meta-flow meaning (`mf_set`, `mf_set_value`, `mf_set_wild`,
//! `mf_get`, `mf_is_value_valid`, `mf_is_all_wild`).
//!
//! Most fields are a plain run of bytes in the [`Flow`]. The rest are views:
//! `in_port_oxm` and `actset_output` renumber the 16-bit port into OpenFlow
//! 1.1's 32-bit space; the VLAN fields are bit ranges of the first TCI (with
//! the CFI bit meaning "a VLAN header is present"); the MPLS fields are bit
//! ranges of the first label stack entry; `nw_tos`, `ip_dscp` and `nw_ecn`
//! share the TOS byte; `arp_op` lives in `nw_proto`; ICMP type and code live
//! in the low byte of the transport ports; `nd_options_type` in the low byte
//! of `tcp_flags`; `nsh_spi` and `nsh_si` share the NSH path header.

use crate::fields::FieldId;
use crate::flow::Flow;
use crate::table::offset;
use crate::tlv::TlvTable;

/// Values and a mask over the [`Flow`] layout. Invariant: `flow` has no bit
/// set where `wc` is zero, so two equal matches compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Match {
    pub flow: Flow,
    /// 1 bits must match; 0 bits are wildcarded.
    pub wc: Flow,
}

/// Why a field could not be set in a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldError {
    /// Value or mask of the wrong width.
    BadLength,
    /// A value OVS rejects for the field (`mf_is_value_valid`): bits set
    /// outside the field's significant bits, a port number with no 16-bit
    /// equivalent, an NSH MD type other than 1 or 2...
    BadValue,
    /// A mask that is neither all-zeros nor all-ones on a field that takes
    /// no mask.
    NotMaskable,
    /// A field this implementation does not handle this way: the tunnel
    /// metadata fields, whose width and place come from a run-time TLV
    /// table (see [`Match::set_tun_metadata`]).
    Unsupported,
    /// A tunnel metadata field the TLV table does not map.
    Unmapped,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FieldError::BadLength => "value or mask of the wrong length",
            FieldError::BadValue => "value not valid for the field",
            FieldError::NotMaskable => "field does not support masking",
            FieldError::Unsupported => "field not supported",
            FieldError::Unmapped => "tunnel metadata field not mapped",
        })
    }
}

impl std::error::Error for FieldError {}

// Bit layouts of the shared members, as OVS defines them.
const VLAN_CFI: u64 = 0x1000;
const VLAN_VID_MASK: u64 = 0x0fff;
const VLAN_PCP_MASK: u64 = 0xe000;
const VLAN_PCP_SHIFT: u32 = 13;
const MPLS_LABEL_MASK: u64 = 0xffff_f000;
const MPLS_LABEL_SHIFT: u32 = 12;
const MPLS_TC_MASK: u64 = 0x0000_0e00;
const MPLS_TC_SHIFT: u32 = 9;
const MPLS_BOS_MASK: u64 = 0x0000_0100;
const MPLS_BOS_SHIFT: u32 = 8;
const MPLS_TTL_MASK: u64 = 0x0000_00ff;
const IP_DSCP_MASK: u8 = 0xfc;
const IP_ECN_MASK: u8 = 0x03;
/// `FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER`.
pub(crate) const FRAG_MASK: u8 = 0x03;
pub(crate) const FRAG_LATER: u8 = 0x02;
const TUNNEL_PUBLIC_FLAGS: u64 = 0x0001;
const CT_STATE_SUPPORTED: u64 = 0xff;
const NSH_SPI_MASK: u64 = 0xffff_ff00;
const NSH_SI_MASK: u64 = 0x0000_00ff;
const IPV6_LABEL_MASK: u64 = 0x000f_ffff;

/// Port numbers below this are the same in OpenFlow 1.0 and 1.1+.
const OFPP_MAX: u16 = 0xff00;
/// OpenFlow 1.1+ puts the reserved ports at `OF11_PORT_OFFSET + port`.
const OF11_PORT_OFFSET: u32 = 0xffff_0000;

/// The OpenFlow 1.1+ 32-bit number of 16-bit port `port` (OVS's
/// `ofputil_port_to_ofp11`). Kept here, not in the OpenFlow crates, because
/// the `in_port_oxm` and `actset_output` fields need it.
pub fn port_to_of11(port: u16) -> u32 {
    if port >= OFPP_MAX {
        OF11_PORT_OFFSET + u32::from(port)
    } else {
        u32::from(port)
    }
}

/// The 16-bit port for OpenFlow 1.1+ number `port`, or `None` for the
/// numbers in between that have no 16-bit equivalent (OVS's
/// `ofputil_port_from_ofp11`).
pub fn port_from_of11(port: u32) -> Option<u16> {
    if port < u32::from(OFPP_MAX) {
        Some(port as u16)
    } else if port >= OF11_PORT_OFFSET + u32::from(OFPP_MAX) {
        Some((port - OF11_PORT_OFFSET) as u16)
    } else {
        None
    }
}

/// The `N` of `tun_metadata<N>`.
pub fn tun_metadata_index(field: FieldId) -> Option<usize> {
    let i = (field as usize).checked_sub(FieldId::TunMetadata0 as usize)?;
    (i < crate::tlv::TUN_METADATA_NUM_OPTS).then_some(i)
}

fn be_value(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

fn be_bytes(value: u64, n: usize) -> Vec<u8> {
    let all = value.to_be_bytes();
    all[8usize.saturating_sub(n)..].to_vec()
}

fn all_ones(b: &[u8]) -> bool {
    b.iter().all(|x| *x == 0xff)
}

fn all_zeros(b: &[u8]) -> bool {
    b.iter().all(|x| *x == 0)
}

/// OVS's `mf_is_value_valid`: whether `value` (of the right width) may be
/// matched at all on `field`.
pub fn value_is_valid(field: FieldId, value: &[u8]) -> bool {
    use FieldId as F;
    let v = || be_value(value);
    match field {
        F::InPortOxm | F::ActsetOutput => port_from_of11(v() as u32).is_some(),
        F::IpDscp => v() & !u64::from(IP_DSCP_MASK) == 0,
        F::IpDscpShifted => v() & !u64::from(IP_DSCP_MASK >> 2) == 0,
        F::IpEcn => v() & !u64::from(IP_ECN_MASK) == 0,
        F::IpFrag => v() & !u64::from(FRAG_MASK) == 0,
        F::TcpFlags => v() & !0x0fff == 0,
        F::ArpOp => v() & 0xff00 == 0,
        F::DlVlan => v() & (VLAN_CFI | VLAN_PCP_MASK) == 0,
        F::VlanVid => v() & VLAN_PCP_MASK == 0,
        F::DlVlanPcp | F::VlanPcp => v() & !(VLAN_PCP_MASK >> VLAN_PCP_SHIFT) == 0,
        F::Ipv6Label => v() & !IPV6_LABEL_MASK == 0,
        F::MplsLabel => v() & !(MPLS_LABEL_MASK >> MPLS_LABEL_SHIFT) == 0,
        F::MplsTc => v() & !(MPLS_TC_MASK >> MPLS_TC_SHIFT) == 0,
        F::MplsBos => v() & !(MPLS_BOS_MASK >> MPLS_BOS_SHIFT) == 0,
        F::TunFlags => v() & !TUNNEL_PUBLIC_FLAGS == 0,
        F::CtState => v() & !CT_STATE_SUPPORTED == 0,
        F::NshTtl => v() <= 63,
        F::NshMdtype => v() == 1 || v() == 2,
        F::NshSpi => v() & 0xff00_0000 == 0,
        _ => true,
    }
}

/// Reads `field` out of `flow` as `n_bytes` big-endian bytes (OVS's
/// `mf_get_value`). Applied to a mask, gives the field's mask.
fn read(field: FieldId, flow: &Flow) -> Vec<u8> {
    use FieldId as F;
    let info = field.info();
    let n = usize::from(info.n_bytes);
    let at = |off: usize, len: usize| flow.get_be(off, len);
    let tci = || at(offset::VLAN0_TCI, 2);
    let lse = || at(offset::MPLS_LSE0, 4);
    let tos = || at(offset::NW_TOS, 1);
    let value = match field {
        F::InPortOxm => u64::from(port_to_of11(at(offset::IN_PORT, 2) as u16)),
        F::ActsetOutput => u64::from(port_to_of11(at(offset::ACTSET_OUTPUT, 2) as u16)),
        F::TunFlags => at(offset::TUN_FLAGS, 2) & TUNNEL_PUBLIC_FLAGS,
        F::DlVlan => tci() & VLAN_VID_MASK,
        F::VlanVid => tci() & (VLAN_VID_MASK | VLAN_CFI),
        F::DlVlanPcp | F::VlanPcp => (tci() & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT,
        F::MplsLabel => (lse() & MPLS_LABEL_MASK) >> MPLS_LABEL_SHIFT,
        F::MplsTc => (lse() & MPLS_TC_MASK) >> MPLS_TC_SHIFT,
        F::MplsBos => (lse() & MPLS_BOS_MASK) >> MPLS_BOS_SHIFT,
        F::MplsTtl => lse() & MPLS_TTL_MASK,
        F::IpDscp => tos() & u64::from(IP_DSCP_MASK),
        F::IpDscpShifted => tos() >> 2,
        F::IpEcn => tos() & u64::from(IP_ECN_MASK),
        F::ArpOp => at(offset::NW_PROTO, 1),
        F::Icmpv4Type | F::Icmpv6Type => at(offset::TP_SRC, 2) & 0xff,
        F::Icmpv4Code | F::Icmpv6Code => at(offset::TP_DST, 2) & 0xff,
        // OVS's mf_get_value stores the whole be16 into a 1-byte value here,
        // which reads back the high byte; the low byte is what was set and
        // what OVS encodes, so that is what this returns.
        F::NdOptionsType => at(offset::TCP_FLAGS, 2) & 0xff,
        F::NshSpi => {
            let spi = (at(offset::NSH_PATH_HDR, 4) & NSH_SPI_MASK) >> 8;
            // An exact SPI mask reads as all-ones, as in OVS.
            if spi == NSH_SPI_MASK >> 8 {
                0xffff_ffff
            } else {
                spi
            }
        }
        F::NshSi => at(offset::NSH_PATH_HDR, 4) & NSH_SI_MASK,
        _ => {
            let off = usize::from(info.storage_offset);
            return flow.bytes(off, n).to_vec();
        }
    };
    be_bytes(value, n)
}

impl Match {
    /// Matches every packet.
    pub fn catchall() -> Match {
        Match::default()
    }

    /// Sets `field` to `value` under `mask` (bit 1 = must match), both
    /// `field.info().n_bytes` long, big-endian, with OVS's `mf_set`
    /// meaning: an all-ones mask is an exact match (`mf_set_value`), an
    /// all-zeros mask wildcards the field (`mf_set_wild`), anything else is
    /// a bitwise match. Some fields keep OVS's normalisation, so
    /// [`Match::get`] may read back a different but equivalent mask (an
    /// exact `ct_state` reads back mask `0xff`, an exact `ip_frag` reads
    /// back `0x03`, an exact `arp_op` reads back `0x00ff`).
    ///
    /// The tunnel metadata fields (`tun_metadata0`...) answer
    /// [`FieldError::Unsupported`]: their width depends on a TLV table this
    /// crate does not have yet.
    pub fn set_masked(
        &mut self,
        field: FieldId,
        value: &[u8],
        mask: &[u8],
    ) -> Result<(), FieldError> {
        let info = field.info();
        if info.variable_length {
            return Err(FieldError::Unsupported);
        }
        let n = usize::from(info.n_bytes);
        if value.len() != n || mask.len() != n {
            return Err(FieldError::BadLength);
        }
        let exact = all_ones(mask);
        let wild = all_zeros(mask);
        if !info.maskable && !exact && !wild {
            return Err(FieldError::NotMaskable);
        }
        if !value_is_valid(field, value) {
            return Err(FieldError::BadValue);
        }
        if exact {
            self.set_value(field, value);
        } else if wild {
            self.set_wild(field);
        } else {
            self.set_bitwise(field, value, mask);
        }
        self.clean_storage(field);
        Ok(())
    }

    /// Sets `field` to exactly `value` (OVS's `mf_set_value`).
    pub fn set_exact(&mut self, field: FieldId, value: &[u8]) -> Result<(), FieldError> {
        let ones = [0xffu8; 128];
        let n = usize::from(field.info().n_bytes).min(ones.len());
        self.set_masked(field, value, &ones[..n])
    }

    /// Sets `field` to exactly `value`, given as an unsigned number (the low
    /// `n_bytes` bytes of it). For fields up to 16 bytes.
    pub fn set_exact_uint(&mut self, field: FieldId, value: u128) -> Result<(), FieldError> {
        let n = usize::from(field.info().n_bytes);
        if n > 16 {
            return Err(FieldError::BadLength);
        }
        let bytes = value.to_be_bytes();
        if bytes[..16 - n].iter().any(|b| *b != 0) {
            return Err(FieldError::BadValue);
        }
        self.set_exact(field, &bytes[16 - n..])
    }

    /// Wildcards `field` entirely (OVS's `mf_set_wild`). The tunnel
    /// metadata fields answer [`FieldError::Unsupported`].
    pub fn set_any(&mut self, field: FieldId) -> Result<(), FieldError> {
        if field.info().variable_length {
            return Err(FieldError::Unsupported);
        }
        self.set_wild(field);
        self.clean_storage(field);
        Ok(())
    }

    /// The value and mask of `field`, `n_bytes` each (OVS's `mf_get`);
    /// `None` for the tunnel metadata fields.
    pub fn get(&self, field: FieldId) -> Option<(Vec<u8>, Vec<u8>)> {
        if field.info().variable_length {
            return None;
        }
        Some((read(field, &self.flow), read(field, &self.wc)))
    }

    /// The value and mask of `field` as unsigned numbers, for fields of up
    /// to 16 bytes.
    pub fn get_uint(&self, field: FieldId) -> Option<(u128, u128)> {
        let (v, m) = self.get(field)?;
        if v.len() > 16 {
            return None;
        }
        let num = |b: &[u8]| b.iter().fold(0u128, |acc, x| (acc << 8) | u128::from(*x));
        Some((num(&v), num(&m)))
    }

    /// True if no bit of `field` is matched (OVS's `mf_is_all_wild`).
    pub fn is_wild(&self, field: FieldId) -> bool {
        use FieldId as F;
        let w = |off: usize, len: usize| self.wc.get_be(off, len);
        match field {
            // These views read one byte of a two-byte member; OVS asks
            // whether the whole member is wildcarded.
            F::Icmpv4Type | F::Icmpv6Type => w(offset::TP_SRC, 2) == 0,
            F::Icmpv4Code | F::Icmpv6Code => w(offset::TP_DST, 2) == 0,
            F::NdOptionsType => w(offset::TCP_FLAGS, 2) == 0,
            F::IpFrag => w(offset::NW_FRAG, 1) & u64::from(FRAG_MASK) == 0,
            _ if field.info().variable_length => tun_metadata_index(field)
                .is_none_or(|i| self.tun_metadata_matched() & (1u64 << i) == 0),
            _ => all_zeros(&read(field, &self.wc)),
        }
    }

    /// The `tun_metadata<N>` fields the match looks at, bit `N` for each
    /// (OVS's `wc.masks.tunnel.metadata.present.map`). A rule holds its
    /// TLV mappings through these bits.
    pub fn tun_metadata_matched(&self) -> u64 {
        self.wc.get_be(offset::TUN_METADATA_PRESENT, 8)
    }

    /// Matches `tun_metadata<index>` on `value` under `mask`, both as wide
    /// as `table` maps the field, storing the bytes where the table places
    /// the option (OVS's `tun_metadata_set_match` with a switch table).
    /// Unlike other fields, an all-zeros mask still matches: the option
    /// must be present, as in OVS.
    pub fn set_tun_metadata(
        &mut self,
        table: &TlvTable,
        index: usize,
        value: &[u8],
        mask: &[u8],
    ) -> Result<(), FieldError> {
        let offsets = table.byte_offsets(index).ok_or(FieldError::Unmapped)?;
        if value.len() != offsets.len() || mask.len() != offsets.len() {
            return Err(FieldError::BadLength);
        }
        for ((at, v), m) in offsets.iter().zip(value).zip(mask) {
            let at = offset::TUN_METADATA + at;
            if let Some(b) = self.flow.bytes_mut(at, 1).first_mut() {
                *b = v & m;
            }
            if let Some(b) = self.wc.bytes_mut(at, 1).first_mut() {
                *b = *m;
            }
        }
        let bit = 1u64 << index;
        for flow in [&mut self.flow, &mut self.wc] {
            let present = flow.get_be(offset::TUN_METADATA_PRESENT, 8);
            flow.set_be(offset::TUN_METADATA_PRESENT, 8, present | bit);
        }
        Ok(())
    }

    /// The value and mask of `tun_metadata<index>` as wide as `table` maps
    /// it; `None` if the match does not look at the field or the table
    /// does not map it.
    pub fn tun_metadata(&self, table: &TlvTable, index: usize) -> Option<(Vec<u8>, Vec<u8>)> {
        if index >= 64 || self.tun_metadata_matched() & (1u64 << index) == 0 {
            return None;
        }
        let offsets = table.byte_offsets(index)?;
        let read = |flow: &Flow| {
            offsets
                .iter()
                .map(|at| {
                    flow.bytes(offset::TUN_METADATA + at, 1)
                        .first()
                        .copied()
                        .unwrap_or(0)
                })
                .collect::<Vec<u8>>()
        };
        Some((read(&self.flow), read(&self.wc)))
    }

    /// True if the match restricts the packet type to Ethernet exactly
    /// (OVS's `match_has_default_packet_type`).
    pub fn has_default_packet_type(&self) -> bool {
        self.flow.get_be(offset::PACKET_TYPE, 4) == 0
            && self.wc.get_be(offset::PACKET_TYPE, 4) == 0xffff_ffff
    }

    /// Matches Ethernet packets only, unless the packet type is already
    /// matched (OVS's `match_set_default_packet_type`).
    pub fn set_default_packet_type(&mut self) {
        if self.wc.get_be(offset::PACKET_TYPE, 4) == 0 {
            self.flow.set_be(offset::PACKET_TYPE, 4, 0);
            self.wc.set_be(offset::PACKET_TYPE, 4, 0xffff_ffff);
        }
    }

    /// After matching `field`, also matches the Ethernet packet type if the
    /// field has prerequisites (OVS's `match_add_ethernet_prereq`, which
    /// decoders and parsers call after each field).
    pub fn add_ethernet_prereq(&mut self, field: FieldId) {
        if field.info().prereq != crate::fields::Prereq::None {
            self.set_default_packet_type();
        }
    }

    fn field_u64(&self, off: usize, len: usize) -> (u64, u64) {
        (self.flow.get_be(off, len), self.wc.get_be(off, len))
    }

    fn put_u64(&mut self, off: usize, len: usize, value: u64, mask: u64) {
        self.flow.set_be(off, len, value);
        self.wc.set_be(off, len, mask);
    }

    /// Copies `value` and `mask` (already ANDed as needed) into the plain
    /// storage of `field`.
    fn put_plain(&mut self, field: FieldId, value: &[u8], mask: &[u8]) {
        let info = field.info();
        let off = usize::from(info.storage_offset);
        let n = value.len().min(usize::from(info.storage_len));
        for (i, (v, m)) in value.iter().zip(mask.iter()).take(n).enumerate() {
            if let Some(b) = self.flow.bytes_mut(off + i, 1).first_mut() {
                *b = v & m;
            }
            if let Some(b) = self.wc.bytes_mut(off + i, 1).first_mut() {
                *b = *m;
            }
        }
    }

    /// Keeps the invariant `flow & !wc == 0` over `field`'s storage.
    fn clean_storage(&mut self, field: FieldId) {
        let info = field.info();
        let off = usize::from(info.storage_offset);
        let len = usize::from(info.storage_len);
        let mask = self.wc.bytes(off, len).to_vec();
        for (b, m) in self.flow.bytes_mut(off, len).iter_mut().zip(mask) {
            *b &= m;
        }
    }

    fn set_vlan_vid_masked(&mut self, vid: u64, mask: u64) {
        let (tci, tci_mask) = self.field_u64(offset::VLAN0_TCI, 2);
        let vid_mask = VLAN_VID_MASK | VLAN_CFI;
        let mask = mask & vid_mask;
        let tci = (tci & !vid_mask) | (vid & mask);
        self.put_u64(offset::VLAN0_TCI, 2, tci, mask | (tci_mask & VLAN_PCP_MASK));
    }

    fn set_nw_tos_bits(&mut self, bits: u8, value: u8) {
        let (tos, mask) = self.field_u64(offset::NW_TOS, 1);
        let bits = u64::from(bits);
        self.put_u64(
            offset::NW_TOS,
            1,
            (tos & !bits) | (u64::from(value) & bits),
            mask | bits,
        );
    }

    fn set_lse_bits(&mut self, bits: u64, shift: u32, value: u64) {
        let (lse, mask) = self.field_u64(offset::MPLS_LSE0, 4);
        self.put_u64(
            offset::MPLS_LSE0,
            4,
            (lse & !bits) | ((value << shift) & bits),
            mask | bits,
        );
    }

    fn clear_bits(&mut self, off: usize, len: usize, bits: u64) {
        let (v, m) = self.field_u64(off, len);
        self.put_u64(off, len, v & !bits, m & !bits);
    }

    /// OVS's `mf_set_value`: an exact match.
    fn set_value(&mut self, field: FieldId, value: &[u8]) {
        use FieldId as F;
        let v = be_value(value);
        match field {
            F::InPortOxm | F::ActsetOutput => {
                let port = port_from_of11(v as u32).unwrap_or(0xffff);
                let off = if field == F::InPortOxm {
                    offset::IN_PORT
                } else {
                    offset::ACTSET_OUTPUT
                };
                self.put_u64(off, 2, u64::from(port), 0xffff);
            }
            F::TunFlags => self.put_u64(
                offset::TUN_FLAGS,
                2,
                v & TUNNEL_PUBLIC_FLAGS,
                TUNNEL_PUBLIC_FLAGS,
            ),
            F::CtState => self.put_u64(
                offset::CT_STATE,
                4,
                v & CT_STATE_SUPPORTED,
                CT_STATE_SUPPORTED,
            ),
            F::DlVlan => {
                let (tci, mask) = self.field_u64(offset::VLAN0_TCI, 2);
                let tci = (tci & !VLAN_VID_MASK) | VLAN_CFI | (v & VLAN_VID_MASK);
                self.put_u64(offset::VLAN0_TCI, 2, tci, mask | VLAN_VID_MASK | VLAN_CFI);
            }
            F::VlanVid => self.set_vlan_vid_masked(v, VLAN_VID_MASK | VLAN_CFI),
            F::DlVlanPcp | F::VlanPcp => {
                let (tci, mask) = self.field_u64(offset::VLAN0_TCI, 2);
                let tci = (tci & !VLAN_PCP_MASK) | ((v & 7) << VLAN_PCP_SHIFT) | VLAN_CFI;
                self.put_u64(offset::VLAN0_TCI, 2, tci, mask | VLAN_CFI | VLAN_PCP_MASK);
            }
            F::MplsLabel => self.set_lse_bits(MPLS_LABEL_MASK, MPLS_LABEL_SHIFT, v),
            F::MplsTc => self.set_lse_bits(MPLS_TC_MASK, MPLS_TC_SHIFT, v),
            F::MplsBos => self.set_lse_bits(MPLS_BOS_MASK, MPLS_BOS_SHIFT, v),
            F::MplsTtl => self.set_lse_bits(MPLS_TTL_MASK, 0, v),
            F::IpDscp => self.set_nw_tos_bits(IP_DSCP_MASK, v as u8),
            F::IpDscpShifted => self.set_nw_tos_bits(IP_DSCP_MASK, (v as u8) << 2),
            F::IpEcn => self.set_nw_tos_bits(IP_ECN_MASK, v as u8),
            F::IpFrag => {
                let (_, mask) = self.field_u64(offset::NW_FRAG, 1);
                self.put_u64(offset::NW_FRAG, 1, v, mask | u64::from(FRAG_MASK));
            }
            F::ArpOp => self.put_u64(offset::NW_PROTO, 1, v & 0xff, 0xff),
            F::Icmpv4Type | F::Icmpv6Type => self.put_u64(offset::TP_SRC, 2, v, 0xffff),
            F::Icmpv4Code | F::Icmpv6Code => self.put_u64(offset::TP_DST, 2, v, 0xffff),
            F::NdOptionsType => self.put_u64(offset::TCP_FLAGS, 2, v, 0xffff),
            F::NshSpi => {
                let (hdr, mask) = self.field_u64(offset::NSH_PATH_HDR, 4);
                self.put_u64(
                    offset::NSH_PATH_HDR,
                    4,
                    (hdr & !NSH_SPI_MASK) | ((v << 8) & NSH_SPI_MASK),
                    mask | NSH_SPI_MASK,
                );
            }
            F::NshSi => {
                let (hdr, mask) = self.field_u64(offset::NSH_PATH_HDR, 4);
                self.put_u64(
                    offset::NSH_PATH_HDR,
                    4,
                    (hdr & !NSH_SI_MASK) | (v & NSH_SI_MASK),
                    mask | NSH_SI_MASK,
                );
            }
            _ => {
                let ones = vec![0xffu8; value.len()];
                self.put_plain(field, value, &ones);
            }
        }
    }

    /// OVS's `mf_set_wild`.
    fn set_wild(&mut self, field: FieldId) {
        use FieldId as F;
        match field {
            F::InPort | F::InPortOxm => self.put_u64(offset::IN_PORT, 2, 0, 0),
            F::ActsetOutput => self.put_u64(offset::ACTSET_OUTPUT, 2, 0, 0),
            F::TunFlags => self.put_u64(offset::TUN_FLAGS, 2, 0, 0),
            F::DlVlan | F::VlanVid => {
                // With the PCP still matched, only the VID goes; otherwise
                // the whole TCI does, so the match no longer requires a VLAN
                // header (OVS's match_set_any_vid).
                let (_, mask) = self.field_u64(offset::VLAN0_TCI, 2);
                if mask & VLAN_PCP_MASK != 0 {
                    self.clear_bits(offset::VLAN0_TCI, 2, VLAN_VID_MASK);
                } else {
                    self.put_u64(offset::VLAN0_TCI, 2, 0, 0);
                }
            }
            F::DlVlanPcp | F::VlanPcp => {
                let (_, mask) = self.field_u64(offset::VLAN0_TCI, 2);
                if mask & VLAN_VID_MASK != 0 {
                    self.clear_bits(offset::VLAN0_TCI, 2, VLAN_PCP_MASK);
                } else {
                    self.put_u64(offset::VLAN0_TCI, 2, 0, 0);
                }
            }
            F::MplsLabel => self.clear_bits(offset::MPLS_LSE0, 4, MPLS_LABEL_MASK),
            F::MplsTc => self.clear_bits(offset::MPLS_LSE0, 4, MPLS_TC_MASK),
            F::MplsBos => self.clear_bits(offset::MPLS_LSE0, 4, MPLS_BOS_MASK),
            F::MplsTtl => self.clear_bits(offset::MPLS_LSE0, 4, MPLS_TTL_MASK),
            F::IpDscp | F::IpDscpShifted => {
                self.clear_bits(offset::NW_TOS, 1, u64::from(IP_DSCP_MASK))
            }
            F::IpEcn => self.clear_bits(offset::NW_TOS, 1, u64::from(IP_ECN_MASK)),
            F::IpFrag => self.clear_bits(offset::NW_FRAG, 1, u64::from(FRAG_MASK)),
            F::ArpOp => self.put_u64(offset::NW_PROTO, 1, 0, 0),
            F::Icmpv4Type | F::Icmpv6Type => self.put_u64(offset::TP_SRC, 2, 0, 0),
            F::Icmpv4Code | F::Icmpv6Code => self.put_u64(offset::TP_DST, 2, 0, 0),
            F::NdOptionsType => self.put_u64(offset::TCP_FLAGS, 2, 0, 0),
            F::NshSpi => self.clear_bits(offset::NSH_PATH_HDR, 4, NSH_SPI_MASK),
            F::NshSi => self.clear_bits(offset::NSH_PATH_HDR, 4, NSH_SI_MASK),
            _ => {
                let info = field.info();
                let off = usize::from(info.storage_offset);
                let len = usize::from(info.storage_len);
                self.flow.bytes_mut(off, len).fill(0);
                self.wc.bytes_mut(off, len).fill(0);
            }
        }
    }

    /// OVS's `mf_set` for a mask that is neither all-ones nor all-zeros;
    /// only maskable fields get here.
    fn set_bitwise(&mut self, field: FieldId, value: &[u8], mask: &[u8]) {
        use FieldId as F;
        let v = be_value(value);
        let m = be_value(mask);
        match field {
            F::TunFlags => {
                let m = m & TUNNEL_PUBLIC_FLAGS;
                self.put_u64(offset::TUN_FLAGS, 2, v & m, m);
            }
            F::CtState => {
                let m = m & CT_STATE_SUPPORTED;
                self.put_u64(offset::CT_STATE, 4, v & m, m);
            }
            F::VlanVid => self.set_vlan_vid_masked(v, m),
            // OVS keeps mask bits outside the two fragment bits, which then
            // mean nothing and are never encoded; dropping them here keeps
            // such matches equal to the ones they behave like.
            F::IpFrag => {
                let m = m & u64::from(FRAG_MASK);
                self.put_u64(offset::NW_FRAG, 1, v & m, m);
            }
            F::Ipv6Label if m & IPV6_LABEL_MASK == IPV6_LABEL_MASK => self.set_value(field, value),
            _ => self.put_plain(field, value, mask),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{ALL_FIELDS, FIELDS};
    use proptest::prelude::*;

    fn exact(m: &mut Match, f: FieldId, v: u128) {
        m.set_exact_uint(f, v).unwrap();
    }

    #[test]
    fn ports_renumber() {
        assert_eq!(port_to_of11(0xfffe), 0xffff_fffe);
        assert_eq!(port_to_of11(7), 7);
        assert_eq!(port_from_of11(0xffff_ff00), Some(0xff00));
        assert_eq!(port_from_of11(0x1_0000), None);
        let mut m = Match::default();
        exact(&mut m, FieldId::InPortOxm, 0xffff_fffe);
        assert_eq!(m.get_uint(FieldId::InPort), Some((0xfffe, 0xffff)));
        assert_eq!(
            m.get_uint(FieldId::InPortOxm),
            Some((0xffff_fffe, 0xffff_ffff))
        );
        assert_eq!(
            m.set_exact_uint(FieldId::InPortOxm, 0x1_0000),
            Err(FieldError::BadValue)
        );
        m.set_any(FieldId::InPortOxm).unwrap();
        assert_eq!(m, Match::default());
    }

    #[test]
    fn vlan_views() {
        let mut m = Match::default();
        exact(&mut m, FieldId::DlVlan, 10);
        assert_eq!(m.get_uint(FieldId::VlanTci), Some((0x100a, 0x1fff)));
        exact(&mut m, FieldId::DlVlanPcp, 5);
        assert_eq!(m.get_uint(FieldId::VlanTci), Some((0xb00a, 0xffff)));
        assert_eq!(m.get_uint(FieldId::VlanPcp), Some((5, 7)));
        m.set_any(FieldId::DlVlan).unwrap();
        assert_eq!(m.get_uint(FieldId::VlanTci), Some((0xb000, 0xf000)));
        m.set_any(FieldId::VlanPcp).unwrap();
        assert_eq!(m, Match::default());
        // OXM vlan_vid carries the CFI bit.
        exact(&mut m, FieldId::VlanVid, 0x1005);
        assert_eq!(m.get_uint(FieldId::VlanTci), Some((0x1005, 0x1fff)));
        m.set_masked(FieldId::VlanVid, &[0x10, 0x00], &[0x10, 0x00])
            .unwrap();
        assert_eq!(m.get_uint(FieldId::VlanTci), Some((0x1000, 0x1000)));
        assert_eq!(
            m.set_exact_uint(FieldId::DlVlan, 0x1005),
            Err(FieldError::BadValue)
        );
        assert_eq!(
            m.set_exact_uint(FieldId::VlanVid, 0x2005),
            Err(FieldError::BadValue)
        );
    }

    #[test]
    fn mpls_and_tos_views() {
        let mut m = Match::default();
        exact(&mut m, FieldId::MplsLabel, 0xabcde);
        exact(&mut m, FieldId::MplsTc, 3);
        exact(&mut m, FieldId::MplsBos, 1);
        exact(&mut m, FieldId::MplsTtl, 64);
        assert_eq!(m.flow.get_be(offset::MPLS_LSE0, 4), 0xabcd_e740);
        assert_eq!(m.wc.get_be(offset::MPLS_LSE0, 4), 0xffff_ffff);
        assert_eq!(
            m.set_exact_uint(FieldId::MplsLabel, 0x100000),
            Err(FieldError::BadValue)
        );
        exact(&mut m, FieldId::IpDscpShifted, 46);
        assert_eq!(m.get_uint(FieldId::IpDscp), Some((0xb8, 0xfc)));
        exact(&mut m, FieldId::IpEcn, 1);
        assert_eq!(m.flow.get_be(offset::NW_TOS, 1), 0xb9);
        assert_eq!(
            m.set_exact_uint(FieldId::IpDscp, 0xb9),
            Err(FieldError::BadValue)
        );
        m.set_any(FieldId::IpDscp).unwrap();
        assert_eq!(m.get_uint(FieldId::IpEcn), Some((1, 3)));
    }

    #[test]
    fn shared_members() {
        let mut m = Match::default();
        exact(&mut m, FieldId::ArpOp, 2);
        assert_eq!(m.get_uint(FieldId::IpProto), Some((2, 0xff)));
        assert_eq!(m.get_uint(FieldId::ArpOp), Some((2, 0xff)));
        assert_eq!(
            m.set_exact_uint(FieldId::ArpOp, 0x100),
            Err(FieldError::BadValue)
        );
        exact(&mut m, FieldId::Icmpv4Type, 8);
        assert_eq!(m.get_uint(FieldId::TcpSrc), Some((8, 0xffff)));
        exact(&mut m, FieldId::NdOptionsType, 1);
        assert_eq!(m.get_uint(FieldId::NdOptionsType), Some((1, 0xff)));
        assert_eq!(m.get_uint(FieldId::TcpFlags), Some((1, 0xffff)));
        exact(&mut m, FieldId::NshSpi, 0x123456);
        exact(&mut m, FieldId::NshSi, 0x78);
        assert_eq!(m.flow.get_be(offset::NSH_PATH_HDR, 4), 0x1234_5678);
        assert_eq!(m.get_uint(FieldId::NshSpi), Some((0x123456, 0xffff_ffff)));
    }

    #[test]
    fn normalising_fields() {
        let mut m = Match::default();
        exact(&mut m, FieldId::CtState, 0x21);
        assert_eq!(m.get_uint(FieldId::CtState), Some((0x21, 0xff)));
        assert_eq!(
            m.set_exact_uint(FieldId::CtState, 0x100),
            Err(FieldError::BadValue)
        );
        exact(&mut m, FieldId::IpFrag, 1);
        assert_eq!(m.get_uint(FieldId::IpFrag), Some((1, 3)));
        m.set_masked(FieldId::Ipv6Label, &[0, 1, 2, 3], &[0, 0x0f, 0xff, 0xff])
            .unwrap();
        assert_eq!(m.get_uint(FieldId::Ipv6Label), Some((0x10203, 0xffff_ffff)));
        m.set_masked(FieldId::TunFlags, &[0, 1], &[0xff, 0xf1])
            .unwrap();
        assert_eq!(m.get_uint(FieldId::TunFlags), Some((1, 1)));
    }

    #[test]
    fn tun_metadata_lives_where_the_table_places_it() {
        let mut table = TlvTable::new();
        table.add(0, 0xffff, 0, 4).unwrap();
        table.add(1, 0xffff, 1, 8).unwrap();
        let mut m = Match::default();
        assert!(m.is_wild(FieldId::TunMetadata1));
        m.set_tun_metadata(
            &table,
            1,
            &[0, 0, 0, 0, 0, 0, 0x12, 0x34],
            &[0, 0, 0, 0, 0, 0, 0xff, 0x0f],
        )
        .unwrap();
        assert!(!m.is_wild(FieldId::TunMetadata1));
        assert!(m.is_wild(FieldId::TunMetadata0));
        assert_eq!(m.tun_metadata_matched(), 0b10);
        assert_eq!(
            m.tun_metadata(&table, 1),
            Some((
                vec![0, 0, 0, 0, 0, 0, 0x12, 0x04],
                vec![0, 0, 0, 0, 0, 0, 0xff, 0x0f]
            ))
        );
        // Option 1 sits after option 0's four bytes.
        assert_eq!(m.flow.bytes(offset::TUN_METADATA + 10, 2), &[0x12, 0x04]);
        assert_eq!(m.tun_metadata(&table, 0), None);
        // An all-zeros mask still requires the option.
        m.set_tun_metadata(&table, 0, &[0; 4], &[0; 4]).unwrap();
        assert_eq!(m.tun_metadata_matched(), 0b11);
        assert_eq!(
            m.set_tun_metadata(&table, 2, &[0; 4], &[0xff; 4]),
            Err(FieldError::Unmapped)
        );
        assert_eq!(
            m.set_tun_metadata(&table, 0, &[0; 8], &[0xff; 8]),
            Err(FieldError::BadLength)
        );
        assert_eq!(tun_metadata_index(FieldId::TunMetadata63), Some(63));
        assert_eq!(tun_metadata_index(FieldId::TunId), None);
    }

    #[test]
    fn errors() {
        let mut m = Match::default();
        assert_eq!(
            m.set_exact(FieldId::EthType, &[8]),
            Err(FieldError::BadLength)
        );
        assert_eq!(
            m.set_masked(FieldId::EthType, &[8, 0], &[0xff, 0]),
            Err(FieldError::NotMaskable)
        );
        assert_eq!(
            m.set_exact(FieldId::TunMetadata0, &[0; 124]),
            Err(FieldError::Unsupported)
        );
        assert_eq!(
            m.set_exact_uint(FieldId::NshMdtype, 3),
            Err(FieldError::BadValue)
        );
        assert_eq!(
            m.set_exact_uint(FieldId::TcpFlags, 0x1000),
            Err(FieldError::BadValue)
        );
        // An all-zeros mask on a non-maskable field wildcards it.
        m.set_exact_uint(FieldId::EthType, 0x800).unwrap();
        m.set_masked(FieldId::EthType, &[8, 0], &[0, 0]).unwrap();
        assert_eq!(m, Match::default());
    }

    /// A random setting for `field`: a value OVS accepts and a mask the
    /// field takes (exact, wild, or for maskable fields any mask).
    fn arb_field_setting() -> impl Strategy<Value = (FieldId, Vec<u8>, Vec<u8>)> {
        let fields: Vec<FieldId> = ALL_FIELDS
            .iter()
            .copied()
            .filter(|f| !f.info().variable_length)
            .collect();
        (
            proptest::sample::select(fields),
            proptest::collection::vec(any::<u8>(), 16),
            proptest::collection::vec(any::<u8>(), 16),
            0u8..3,
        )
            .prop_map(|(f, v, m, kind)| {
                let info = f.info();
                let n = usize::from(info.n_bytes);
                let mut value = v[16 - n..].to_vec();
                // Keep only significant bits, then fix up the fields whose
                // valid values are narrower still.
                let bits = usize::from(info.n_bits);
                for (i, b) in value.iter_mut().enumerate() {
                    let from_right = (n - 1 - i) * 8;
                    if from_right >= bits {
                        *b = 0;
                    } else if bits - from_right < 8 {
                        *b &= (1u8 << (bits - from_right)) - 1;
                    }
                }
                match f {
                    FieldId::InPortOxm | FieldId::ActsetOutput => {
                        value[0] = 0;
                        value[1] = 0;
                        value[2] &= 0x7f;
                    }
                    FieldId::ArpOp => value[0] = 0,
                    FieldId::IpDscp => value[0] &= 0xfc,
                    FieldId::VlanVid => value[0] |= m[0] & 0x10,
                    FieldId::NshTtl => value[0] &= 0x3f,
                    FieldId::NshMdtype => value[0] = 1 + (value[0] & 1),
                    FieldId::CtState => value = vec![0, 0, 0, value[3]],
                    _ => {}
                }
                let mask = match kind {
                    0 => vec![0xff; n],
                    1 if info.maskable => m[16 - n..].to_vec(),
                    _ => vec![0; n],
                };
                (f, value, mask)
            })
    }

    fn and(a: &[u8], b: &[u8]) -> Vec<u8> {
        a.iter().zip(b.iter()).map(|(x, y)| x & y).collect()
    }

    proptest! {
        #[test]
        fn set_then_get((field, value, mask) in arb_field_setting()) {
            let mut m = Match::default();
            prop_assert_eq!(m.set_masked(field, &value, &mask), Ok(()));
            let (v, got_mask) = m.get(field).unwrap();
            // What was asked is read back, under a mask that may be
            // normalised but never loses a bit that was asked for.
            prop_assert_eq!(and(&v, &mask), and(&value, &mask));
            prop_assert_eq!(and(&v, &got_mask), v.clone());
            // Setting what was read back changes nothing. A non-maskable
            // view reads back its significant bits as the mask, which means
            // "exact".
            let n = got_mask.len();
            let again_mask = if !field.info().maskable && !all_zeros(&got_mask) {
                vec![0xff; n]
            } else {
                got_mask.clone()
            };
            let mut again = m.clone();
            if all_zeros(&got_mask) {
                prop_assert_eq!(again.set_any(field), Ok(()));
            } else {
                prop_assert_eq!(again.set_masked(field, &v, &again_mask), Ok(()));
            }
            prop_assert_eq!(&again, &m);
            // The invariant holds everywhere.
            prop_assert!(m.flow.masked(&m.wc) == m.flow);
            // Wildcarding removes every trace.
            let mut w = m.clone();
            w.set_any(field).unwrap();
            prop_assert!(w.is_wild(field));
            prop_assert!(all_zeros(&w.get(field).unwrap().1));
        }

        #[test]
        fn plain_fields_read_back_exactly((field, value, mask) in arb_field_setting()) {
            prop_assume!(field.is_plain() && !matches!(field,
                FieldId::CtState | FieldId::IpDscp));
            let mut m = Match::default();
            m.set_masked(field, &value, &mask).unwrap();
            prop_assert_eq!(m.get(field), Some((and(&value, &mask), mask)));
        }
    }

    #[test]
    fn every_field_is_settable() {
        for f in FIELDS.iter() {
            if f.variable_length {
                continue;
            }
            let mut m = Match::default();
            let value = vec![0u8; usize::from(f.n_bytes)];
            let r = m.set_exact(f.id, &value);
            if f.id == FieldId::NshMdtype {
                assert_eq!(r, Err(FieldError::BadValue));
            } else {
                assert_eq!(r, Ok(()), "{}", f.name);
                assert!(!m.is_wild(f.id), "{}", f.name);
            }
        }
    }
}
