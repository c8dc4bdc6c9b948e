//! The field catalogue: what OVS calls meta-flow (`mf_field`).

pub use crate::table::{ALL_FIELDS, FIELDS, FieldId, N_FIELDS};

/// How a field's value is written for humans (OVS's `mf_string`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldFormat {
    Decimal,
    Hexadecimal,
    CtState,
    Ethernet,
    Ipv4,
    Ipv6,
    /// 16-bit OpenFlow 1.0 port number or name.
    OfpPort,
    /// 32-bit OpenFlow 1.1+ port number or name.
    OfpPortOxm,
    Frag,
    TunnelFlags,
    TcpFlags,
    PacketType,
}

/// What must already be matched before a field may be (OVS's `mf_prereqs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prereq {
    None,
    Ethernet,
    Arp,
    VlanVid,
    Ipv4,
    Ipv6,
    IpAny,
    Nsh,
    CtValid,
    Mpls,
    Tcp,
    Udp,
    Sctp,
    Icmpv4,
    Icmpv6,
    Nd,
    NdSolicit,
    NdAdvert,
}

/// How an OpenFlow 1.0 / 1.1 fixed `ofp_match` can express a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfSupport {
    None,
    Exact,
    Cidr,
    Bitwise,
}

/// One NXM or OXM code point of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OxmDef {
    /// OVS's name for the code point, e.g. `NXM_OF_ETH_SRC`.
    pub name: &'static str,
    /// Experimenter ID for class 0xffff, else 0.
    pub vendor: u32,
    pub class: u16,
    /// The 7-bit field number.
    pub field: u8,
    /// First OpenFlow wire version (0x03 = 1.2 ...) that has this OXM;
    /// `None` for extension code points usable with any version.
    pub since: Option<u8>,
}

/// Facts about one field.
#[derive(Clone, Copy, Debug)]
pub struct FieldInfo {
    pub id: FieldId,
    pub name: &'static str,
    pub extra_name: Option<&'static str>,
    /// Width of the value in NXM/OXM and in [`crate::Match`] accessors.
    pub n_bytes: u8,
    /// Significant bits (low bits of the value).
    pub n_bits: u16,
    /// Tunnel metadata options: width set at run time by the TLV table.
    pub variable_length: bool,
    pub maskable: bool,
    pub format: FieldFormat,
    pub prereq: Prereq,
    pub writable: bool,
    /// The NXM code point (class 0 or 1), if any.
    pub nxm: Option<OxmDef>,
    /// OXM code points, oldest first.
    pub oxm: &'static [OxmDef],
    pub of10: OfSupport,
    pub of11: OfSupport,
    /// Where the field's storage lives in a [`crate::Flow`].
    pub storage_offset: u16,
    /// Bytes of storage; differs from `n_bytes` for fields that are a view of
    /// a wider or narrower member (VLAN PCP, DSCP, 16-bit in_port, ...).
    pub storage_len: u8,
}

impl FieldId {
    /// This field's facts.
    pub fn info(self) -> &'static FieldInfo {
        &FIELDS[self as usize]
    }

    /// The field named `name` (its name or its alias), as `ovs-ofctl` spells it.
    pub fn from_name(name: &str) -> Option<FieldId> {
        FIELDS
            .iter()
            .find(|f| f.name == name || f.extra_name == Some(name))
            .map(|f| f.id)
    }

    /// The field with this NXM/OXM code point. `vendor` is 0 unless
    /// `class` is 0xffff (experimenter). With `version` (OpenFlow wire
    /// version), OXM code points newer than it are not matched.
    pub fn from_code(vendor: u32, class: u16, field: u8, version: Option<u8>) -> Option<FieldId> {
        FIELDS
            .iter()
            .find(|f| {
                let hit = |d: &OxmDef| {
                    d.vendor == vendor
                        && d.class == class
                        && d.field == field
                        && match (version, d.since) {
                            (Some(v), Some(since)) => v >= since,
                            _ => true,
                        }
                };
                f.nxm.as_ref().is_some_and(hit) || f.oxm.iter().any(hit)
            })
            .map(|f| f.id)
    }

    /// True if the value is a plain run of bytes at its storage offset, so
    /// reads and writes need no conversion.
    pub fn is_plain(self) -> bool {
        let f = self.info();
        !f.variable_length
            && usize::from(f.storage_len) == usize::from(f.n_bytes)
            && f.n_bits == u16::from(f.n_bytes) * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_the_table() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(f.id as usize, i);
            assert_eq!(ALL_FIELDS[i], f.id);
            assert!(
                usize::from(f.storage_offset) + usize::from(f.storage_len) <= crate::FLOW_BYTES,
                "{}",
                f.name
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(FieldId::from_name("dl_src"), Some(FieldId::EthSrc));
        assert_eq!(FieldId::from_name("eth_src"), Some(FieldId::EthSrc));
        assert_eq!(FieldId::from_name("reg7"), Some(FieldId::Reg7));
        // NXM_OF_ETH_DST is class 0 field 1; OXM_OF_ETH_DST class 0x8000 field 3.
        assert_eq!(FieldId::from_code(0, 0, 1, None), Some(FieldId::EthDst));
        assert_eq!(
            FieldId::from_code(0, 0x8000, 3, Some(4)),
            Some(FieldId::EthDst)
        );
        // OXM_OF_ACTSET_OUTPUT exists only from OpenFlow 1.5.
        assert_eq!(FieldId::from_code(0, 0x8000, 43, Some(4)), None);
        assert_eq!(
            FieldId::from_code(0, 0x8000, 43, Some(6)),
            Some(FieldId::ActsetOutput)
        );
    }
}
