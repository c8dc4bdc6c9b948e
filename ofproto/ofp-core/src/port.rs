//! OpenFlow port numbers.
//!
//! Internally a port is OVS's 16-bit `ofp_port_t`; OpenFlow 1.1+ carries 32
//! bits on the wire, with the reserved ports at the top of the range.

/// A port number as OVS keeps it (16 bits, OpenFlow 1.0 numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OfpPort(pub u16);

impl OfpPort {
    /// Largest port number a physical or internal port may have.
    pub const MAX: OfpPort = OfpPort(0xff00);
    pub const UNSET: OfpPort = OfpPort(0xfff7);
    pub const IN_PORT: OfpPort = OfpPort(0xfff8);
    pub const TABLE: OfpPort = OfpPort(0xfff9);
    pub const NORMAL: OfpPort = OfpPort(0xfffa);
    pub const FLOOD: OfpPort = OfpPort(0xfffb);
    pub const ALL: OfpPort = OfpPort(0xfffc);
    pub const CONTROLLER: OfpPort = OfpPort(0xfffd);
    pub const LOCAL: OfpPort = OfpPort(0xfffe);
    pub const NONE: OfpPort = OfpPort(0xffff);

    /// OpenFlow 1.1+ offset: reserved 16-bit ports map to `0xffff0000 + p`.
    const OF11_RESERVED_BASE: u32 = 0xffff_0000;

    /// The 32-bit OpenFlow 1.1+ number for this port.
    pub fn to_of11(self) -> u32 {
        if self.0 >= OfpPort::MAX.0 {
            Self::OF11_RESERVED_BASE + u32::from(self.0)
        } else {
            u32::from(self.0)
        }
    }

    /// The port for a 32-bit OpenFlow 1.1+ number, or `None` if it has no
    /// 16-bit equivalent (OVS answers `OFPBAC_BAD_OUT_PORT` or
    /// `OFPBRC_BAD_PORT` depending on context).
    pub fn from_of11(p: u32) -> Option<OfpPort> {
        if p < u32::from(OfpPort::MAX.0) {
            Some(OfpPort(p as u16))
        } else if p >= Self::OF11_RESERVED_BASE + u32::from(OfpPort::MAX.0) {
            Some(OfpPort((p - Self::OF11_RESERVED_BASE) as u16))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of11_mapping() {
        assert_eq!(OfpPort::LOCAL.to_of11(), 0xffff_fffe);
        assert_eq!(OfpPort::from_of11(0xffff_fffe), Some(OfpPort::LOCAL));
        assert_eq!(OfpPort::from_of11(5), Some(OfpPort(5)));
        assert_eq!(OfpPort::from_of11(0x1_0000), None);
        assert_eq!(OfpPort::from_of11(0xffff_ff00), Some(OfpPort::MAX));
    }
}
