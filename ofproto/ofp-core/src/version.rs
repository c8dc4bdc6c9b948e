//! OpenFlow protocol versions.

/// An OpenFlow version this switch speaks, by wire number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Version {
    Of10 = 0x01,
    Of11 = 0x02,
    Of12 = 0x03,
    Of13 = 0x04,
    Of14 = 0x05,
    Of15 = 0x06,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 6] = [
        Version::Of10,
        Version::Of11,
        Version::Of12,
        Version::Of13,
        Version::Of14,
        Version::Of15,
    ];

    /// The version with wire number `wire`, if supported.
    pub fn from_wire(wire: u8) -> Option<Version> {
        Version::ALL.into_iter().find(|v| *v as u8 == wire)
    }

    /// The wire number.
    pub fn wire(self) -> u8 {
        self as u8
    }

    /// OVS's name for the protocol, as in `OpenFlow13`.
    pub fn name(self) -> &'static str {
        match self {
            Version::Of10 => "OpenFlow10",
            Version::Of11 => "OpenFlow11",
            Version::Of12 => "OpenFlow12",
            Version::Of13 => "OpenFlow13",
            Version::Of14 => "OpenFlow14",
            Version::Of15 => "OpenFlow15",
        }
    }
}
