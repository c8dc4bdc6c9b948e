//! The `filter=` of `dump-flows`: an OpenFlow-style exact flow
//! (`in_port=1,tcp,tp_dst=80`), read by [`ovs_flow::parse_exact_flow_masked`]
//! (OVS's `parse_ofp_exact_flow`), and matched against a datapath flow as
//! `dpctl_dump_flows` does.

use ovs_flow::Flow;

/// A parsed filter: values and the bits the text named.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    flow: Flow,
    wc: Flow,
}

impl Filter {
    /// Parses `s`; `ports` maps datapath port names to the numbers
    /// `in_port=NAME` stands for (cut to 16 bits, as OVS's port map keeps
    /// them). Errors read as OVS's (`s: unknown field foo`).
    pub(crate) fn parse(s: &str, ports: &[(String, u32)]) -> Result<Filter, String> {
        let by_name = |name: &str| {
            ports
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| *p as u16)
        };
        let (flow, wc) = ovs_flow::parse_exact_flow_masked(s, &by_name)?;
        Ok(Filter { flow, wc })
    }

    /// Whether a datapath flow (`key` under `mask`) passes: on the bits
    /// both the filter and the flow match on, the values agree. Bits the
    /// flow wildcards pass, so a filter on a field the flow ignores lets
    /// the flow through, as in OVS.
    pub(crate) fn matches(&self, key: &Flow, mask: &Flow) -> bool {
        let k = key.as_bytes();
        let w = mask.as_bytes();
        let f = self.flow.as_bytes();
        let fw = self.wc.as_bytes();
        k.iter()
            .zip(w)
            .zip(f.iter().zip(fw))
            .all(|((k, w), (f, fw))| (k ^ f) & w & fw == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_flow::offset;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    fn ports() -> Vec<(String, u32)> {
        vec![("p1".into(), 1), ("p2".into(), 2)]
    }

    /// OVS's own messages for the filters tried on a real switch.
    #[test]
    fn errors_as_ovs() {
        let e = |s: &str| Filter::parse(s, &ports()).unwrap_err();
        assert_eq!(e("foo=1"), "foo=1: unknown field foo");
        assert_eq!(
            e("tp_dst=80"),
            "tp_dst=80: prerequisites not met for setting tp_dst"
        );
        assert_eq!(
            e("in_port=bad"),
            "in_port=bad: bad value for in_port (bad: invalid or unknown port for in_port)"
        );
        assert_eq!(e("ip,ip"), "ip,ip: Ethernet type set multiple times");
        assert_eq!(
            e("nw_src=1.2.3.4/8"),
            "nw_src=1.2.3.4/8: prerequisites not met for setting nw_src"
        );
        assert_eq!(
            e("ip,nw_src=1.2.3.4/8"),
            "ip,nw_src=1.2.3.4/8: bad value for nw_src (1.2.3.4/8: wildcards not allowed here)"
        );
        assert_eq!(
            e("in_port=1,in_port=2"),
            "in_port=1,in_port=2: field in_port set multiple times"
        );
        assert_eq!(
            e("ip,ip_frag=yes"),
            "ip,ip_frag=yes: bad value for ip_frag (yes: wildcards not allowed here)"
        );
        assert_eq!(
            e("tcp,tp_dst=0x10000"),
            "tcp,tp_dst=0x10000: bad value for tp_dst (0x10000: value too large for 2-byte field tcp_dst)"
        );
        assert_eq!(
            e("tcp,tp_dst=8o"),
            "tcp,tp_dst=8o: bad value for tp_dst (8o: bad syntax for tcp_dst value)"
        );
        assert_eq!(
            e("tcp,tp_dst=-5"),
            "tcp,tp_dst=-5: bad value for tp_dst (-5: value too large for 2-byte field tcp_dst)"
        );
        assert_eq!(
            e("ct_state=+trk"),
            "ct_state=+trk: bad value for ct_state (+trk: wildcards not allowed here)"
        );
        assert_eq!(
            e("ip,nw_src=*"),
            "ip,nw_src=*: bad value for nw_src (*: wildcards not allowed here)"
        );
        assert_eq!(
            e("ipv6,ipv6_src=::1/64"),
            "ipv6,ipv6_src=::1/64: bad value for ipv6_src (::1/64: wildcards not allowed here)"
        );
        assert_eq!(
            e("tcp,tcp_flags=+syn"),
            "tcp,tcp_flags=+syn: bad value for tcp_flags (+syn: wildcards not allowed here)"
        );
        // What OVS accepts.
        for ok in [
            "ip,nw_src=300.1.1.1",
            "dl_src=00:11:22:33:44:5",
            "in_port=LOCAL",
            "in_port=\"p1\"",
            "ip,nw_tos=010",
            "ct_state=trk|new",
            "tcp,tcp_flags=0x12",
        ] {
            assert!(Filter::parse(ok, &ports()).is_ok(), "{ok}");
        }
    }

    fn dp_flow(in_port: u16, nw_src: [u8; 4], src_mask: [u8; 4]) -> (Flow, Flow) {
        let mut k = Flow::ZERO;
        let mut m = Flow::ZERO;
        k.set_be(offset::IN_PORT, 2, u64::from(in_port));
        m.set_be(offset::IN_PORT, 2, 0xffff);
        k.set_be(offset::DL_TYPE, 2, 0x0800);
        m.set_be(offset::DL_TYPE, 2, 0xffff);
        k.bytes_mut(offset::NW_SRC, 4).copy_from_slice(&nw_src);
        m.bytes_mut(offset::NW_SRC, 4).copy_from_slice(&src_mask);
        (k, m)
    }

    #[test]
    fn matching_follows_both_masks() {
        let (k, m) = dp_flow(2, [10, 0, 0, 1], [255, 255, 255, 0]);
        let ok = |s: &str| Filter::parse(s, &ports()).unwrap().matches(&k, &m);
        assert!(ok("in_port=2"));
        assert!(ok("in_port=p2"));
        assert!(!ok("in_port=p1"));
        assert!(ok("ip"));
        assert!(!ok("arp"));
        // Only the bits the flow matches on count.
        assert!(ok("ip,nw_src=10.0.0.99"));
        assert!(!ok("ip,nw_src=10.0.1.1"));
        // A field the flow wildcards passes.
        assert!(ok("tcp,tp_dst=80"));
        assert!(ok(""));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "[a-z_0-9=,:/().*\" x-]{0,40}") {
            let _ = Filter::parse(&s, &ports());
        }

        #[test]
        fn exact_filter_on_exact_flow(port in 1u16..0xff00, a in any::<[u8; 4]>()) {
            let (k, m) = dp_flow(port, a, [255; 4]);
            let ip = Ipv4Addr::from(a);
            let f = Filter::parse(&format!("in_port={port},ip,nw_src={ip}"), &ports()).unwrap();
            prop_assert!(f.matches(&k, &m));
            let other = Ipv4Addr::from(u32::from(ip) ^ 1);
            let f = Filter::parse(&format!("ip,nw_src={other}"), &ports()).unwrap();
            prop_assert!(!f.matches(&k, &m));
        }
    }
}
