//! What IPv4 and IPv6 share: protocol numbers and the TOS/traffic-class
//! byte's parts.

/// An IP protocol (IPv4 "protocol", IPv6 "next header"). Any value is
/// kept, so unknown protocols print and compare exactly.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    pub const HOPOPTS: IpProtocol = IpProtocol(0);
    pub const ICMP: IpProtocol = IpProtocol(1);
    pub const IGMP: IpProtocol = IpProtocol(2);
    pub const TCP: IpProtocol = IpProtocol(6);
    pub const UDP: IpProtocol = IpProtocol(17);
    pub const ROUTING: IpProtocol = IpProtocol(43);
    pub const FRAGMENT: IpProtocol = IpProtocol(44);
    pub const GRE: IpProtocol = IpProtocol(47);
    pub const ESP: IpProtocol = IpProtocol(50);
    pub const AH: IpProtocol = IpProtocol(51);
    pub const ICMPV6: IpProtocol = IpProtocol(58);
    pub const NO_NEXT_HEADER: IpProtocol = IpProtocol(59);
    pub const DSTOPTS: IpProtocol = IpProtocol(60);
    pub const SCTP: IpProtocol = IpProtocol(132);

    /// The IPv6 extension headers a switch walks past to find the
    /// transport header: hop-by-hop, routing, fragment, destination
    /// options and AH (the set OVS walks; ESP hides what follows it).
    pub fn is_ipv6_extension(self) -> bool {
        matches!(
            self,
            Self::HOPOPTS | Self::ROUTING | Self::FRAGMENT | Self::DSTOPTS | Self::AH
        )
    }

    fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::HOPOPTS => "hop-by-hop",
            Self::ICMP => "ICMP",
            Self::IGMP => "IGMP",
            Self::TCP => "TCP",
            Self::UDP => "UDP",
            Self::ROUTING => "routing",
            Self::FRAGMENT => "fragment",
            Self::GRE => "GRE",
            Self::ESP => "ESP",
            Self::AH => "AH",
            Self::ICMPV6 => "ICMPv6",
            Self::NO_NEXT_HEADER => "no-next-header",
            Self::DSTOPTS => "destination-options",
            Self::SCTP => "SCTP",
            _ => return None,
        })
    }
}

impl std::fmt::Debug for IpProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<u8> for IpProtocol {
    fn from(v: u8) -> Self {
        IpProtocol(v)
    }
}

impl From<IpProtocol> for u8 {
    fn from(v: IpProtocol) -> Self {
        v.0
    }
}

/// The DSCP bits of the TOS / traffic-class byte.
pub const DSCP_MASK: u8 = 0xfc;
/// The ECN bits of the TOS / traffic-class byte.
pub const ECN_MASK: u8 = 0x03;

/// A flow's `nw_frag` bit: the packet is a fragment (OVS's
/// `FLOW_NW_FRAG_ANY`).
pub const FRAG_ANY: u8 = 0x01;
/// A flow's `nw_frag` bit: a fragment other than the first, so it has no
/// transport header (OVS's `FLOW_NW_FRAG_LATER`).
pub const FRAG_LATER: u8 = 0x02;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions() {
        assert_eq!(format!("{:?}", IpProtocol::TCP), "TCP");
        assert_eq!(format!("{:?}", IpProtocol(253)), "253");
        for p in [0u8, 43, 44, 51, 60] {
            assert!(IpProtocol(p).is_ipv6_extension());
        }
        for p in [6u8, 17, 50, 58, 59, 135] {
            assert!(!IpProtocol(p).is_ipv6_extension());
        }
    }
}
