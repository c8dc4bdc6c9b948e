//! `netdev-dummy/*` commands (registered with `--enable-dummy`): packets
//! injected into dummy ports as if they came off the wire, given as hex
//! bytes or as a datapath flow that OVS's `flow_compose` turns into a
//! packet.

use ovs_odp::OdpSupport;

/// `ETH_TOTAL_MIN`: the shortest Ethernet frame `--len` may ask for.
const ETH_TOTAL_MIN: usize = 60;

/// Parses pairs of hex digits, whitespace allowed between them, as OVS's
/// `eth_from_hex` does; `Err` with OVS's text if the string is not a
/// packet.
pub(crate) fn eth_from_hex(s: &str) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        let Some(pair) = rest.get(..2) else { break };
        match u8::from_str_radix(pair, 16) {
            Ok(b) if pair.bytes().all(|c| c.is_ascii_hexdigit()) => out.push(b),
            _ => break,
        }
        rest = &rest[2..];
    }
    if !rest.is_empty() {
        return Err("Trailing garbage in packet data");
    }
    if out.len() < 14 {
        return Err("Packet data too short for Ethernet");
    }
    Ok(out)
}

/// The packet for datapath flow text `s`, `len` bytes long if asked.
fn eth_from_flow_str(s: &str, len: Option<usize>) -> Result<Vec<u8>, String> {
    let (key, _) = ovs_odp::parse_key(s).map_err(|e| e.to_string())?;
    // The process's VLAN limit applies to parsing as to extraction.
    let support = OdpSupport {
        max_vlan_headers: crate::xlate_glue::vlan_headers(),
        ..OdpSupport::default()
    };
    let flow = ovs_odp::key_to_flow_partial(&key, &support).map_err(|e| e.to_string())?;
    match len {
        Some(n) => ovs_packet::compose_to_len(&flow, n)
            .ok_or_else(|| "packet size too large for the flow".to_string()),
        None => Ok(ovs_packet::compose(&flow, 64)),
    }
}

/// `netdev-dummy/receive NAME [--qid N] PACKET|FLOW [--len N]...`.
pub fn receive(args: &[String]) -> Result<String, String> {
    let Some(name) = args.first() else {
        return Err("no such dummy netdev".to_string());
    };
    let dev = ovs_netdev::dummy_by_name(name).ok_or("no such dummy netdev")?;
    let mut i = 1;
    if args.len() > 2 && args[1] == "--qid" {
        // Dummy ports have one receive queue.
        if args[2].trim().parse::<i64>().ok() != Some(0) {
            return Err("bad rx queue id.".to_string());
        }
        i = 3;
    }
    while i < args.len() {
        let packet = match eth_from_hex(&args[i]) {
            Ok(p) => p,
            Err(_) => {
                let flow = &args[i];
                let mut len = None;
                if args.get(i + 1).map(String::as_str) == Some("--len") {
                    let n = args
                        .get(i + 2)
                        .and_then(|s| s.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if n < ETH_TOTAL_MIN {
                        return Err("too small packet len".to_string());
                    }
                    len = Some(n);
                    i += 2;
                }
                eth_from_flow_str(flow, len)?
            }
        };
        dev.inject(packet);
        i += 1;
    }
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_packets_parse_as_ovs_reads_them() {
        assert_eq!(
            eth_from_hex("ffffffffffff 505400000001 0800")
                .unwrap()
                .len(),
            14
        );
        assert_eq!(
            eth_from_hex("in_port(1)").unwrap_err(),
            "Trailing garbage in packet data"
        );
        assert_eq!(
            eth_from_hex("ffff").unwrap_err(),
            "Packet data too short for Ethernet"
        );
    }

    #[test]
    fn flows_become_packets() {
        let p = eth_from_flow_str(
            "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
             ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)",
            None,
        )
        .unwrap();
        assert_eq!(&p[..6], &[0x50, 0x54, 0, 0, 0, 2]);
        assert_eq!(p.len(), 14 + 20 + 8 + 64);
        assert!(eth_from_flow_str("in_port(1),bogus(", None).is_err());
        assert_eq!(
            eth_from_flow_str("eth_type(0x0800)", Some(80))
                .unwrap()
                .len(),
            80
        );
    }
}
