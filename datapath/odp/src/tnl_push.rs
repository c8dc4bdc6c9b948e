//! `tnl_push(...)`: the action carries the raw tunnel header to prepend,
//! as OVS's `ovs_action_push_tnl` does; its text decodes that header.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::format_key::PortNamer;
use crate::key::GeneveOpt;
use crate::parse_key::{Parser, Res};
use crate::text::{self, hex_alt};

/// `OVS_VPORT_TYPE_*` values that `tnl_push` knows.
pub mod vport_type {
    pub const GRE: u32 = 3;
    pub const VXLAN: u32 = 4;
    pub const GENEVE: u32 = 5;
    pub const ERSPAN: u32 = 107;
    pub const IP6ERSPAN: u32 = 108;
    pub const IP6GRE: u32 = 109;
    pub const GTPU: u32 = 110;
}

/// `tnl_push(tnl_port(..),header(...),out_port(..))`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TunnelPush {
    /// The tunnel port the packet is sent on.
    pub tnl_port: u32,
    /// The port the encapsulated packet goes out of.
    pub out_port: u32,
    /// `OVS_VPORT_TYPE_*` of the tunnel (see [`vport_type`]).
    pub tnl_type: u32,
    /// Ethernet, IP and tunnel headers, ready to prepend.
    pub header: Vec<u8>,
}

const GRE_CSUM: u16 = 0x8000;
const GRE_KEY: u16 = 0x2000;
const GRE_SEQ: u16 = 0x1000;

/// Reads the header as OVS does from its fixed buffer: bytes past the end
/// read as zero.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&self, i: usize) -> u8 {
        self.0.get(i).copied().unwrap_or(0)
    }
    fn u16(&self, i: usize) -> u16 {
        u16::from_be_bytes([self.u8(i), self.u8(i + 1)])
    }
    fn u32(&self, i: usize) -> u32 {
        u32::from_be_bytes([self.u8(i), self.u8(i + 1), self.u8(i + 2), self.u8(i + 3)])
    }
    fn arr<const N: usize>(&self, i: usize) -> [u8; N] {
        let mut a = [0u8; N];
        for (k, b) in a.iter_mut().enumerate() {
            *b = self.u8(i + k);
        }
        a
    }
}

fn port(out: &mut String, p: u32, names: PortNamer<'_>) {
    match names(p) {
        Some(n) => out.push_str(&n),
        None => {
            let _ = write!(out, "{p}");
        }
    }
}

pub(crate) fn format_tnl_push(out: &mut String, t: &TunnelPush, names: PortNamer<'_>) {
    out.push_str("tnl_push(tnl_port(");
    port(out, t.tnl_port, names);
    out.push_str("),");
    format_header(out, t);
    out.push_str(",out_port(");
    port(out, t.out_port, names);
    out.push_str("))");
}

fn format_udp(out: &mut String, h: &Bytes<'_>, l4: usize) -> usize {
    let _ = write!(
        out,
        "udp(src={},dst={},csum=0x{:x}),",
        h.u16(l4),
        h.u16(l4 + 2),
        h.u16(l4 + 6)
    );
    l4 + 8
}

fn format_header(out: &mut String, t: &TunnelPush) {
    let h = Bytes(&t.header);
    let _ = write!(
        out,
        "header(size={},type={},eth(dst=",
        t.header.len(),
        t.tnl_type
    );
    text::mac(out, &h.arr::<6>(0));
    out.push_str(",src=");
    text::mac(out, &h.arr::<6>(6));
    let eth_type = h.u16(12);
    let _ = write!(out, ",dl_type=0x{eth_type:04x}),");
    let l3 = 14;
    let l4 = if eth_type == 0x0800 {
        out.push_str("ipv4(src=");
        text::ipv4(out, Ipv4Addr::from(h.arr::<4>(l3 + 12)));
        out.push_str(",dst=");
        text::ipv4(out, Ipv4Addr::from(h.arr::<4>(l3 + 16)));
        let _ = write!(out, ",proto={},tos=", h.u8(l3 + 9));
        hex_alt(out, u64::from(h.u8(l3 + 1)));
        let _ = write!(out, ",ttl={},frag=0x{:x}),", h.u8(l3 + 8), h.u16(l3 + 6));
        l3 + 20
    } else {
        let flow = h.u32(l3);
        out.push_str("ipv6(src=");
        text::ipv6(out, Ipv6Addr::from(h.arr::<16>(l3 + 8)));
        out.push_str(",dst=");
        text::ipv6(out, Ipv6Addr::from(h.arr::<16>(l3 + 24)));
        let _ = write!(
            out,
            ",label={},proto={},tclass=0x{:x},hlimit={}),",
            flow & 0x000f_ffff,
            h.u8(l3 + 6),
            (flow >> 20) & 0xff,
            h.u8(l3 + 7)
        );
        l3 + 40
    };
    match t.tnl_type {
        vport_type::VXLAN => {
            let v = format_udp(out, &h, l4);
            let _ = write!(
                out,
                "vxlan(flags=0x{:x},vni=0x{:x})",
                h.u32(v),
                h.u32(v + 4) >> 8
            );
        }
        vport_type::GENEVE => {
            let g = format_udp(out, &h, l4);
            let opt_len = usize::from(h.u8(g) & 0x3f) * 4;
            let _ = write!(
                out,
                "geneve({}{}vni=0x{:x}",
                if h.u8(g + 1) & 0x80 != 0 { "oam," } else { "" },
                if h.u8(g + 1) & 0x40 != 0 { "crit," } else { "" },
                h.u32(g + 4) >> 8
            );
            if opt_len > 0 {
                out.push_str(",options(");
                let opts: Vec<u8> = (0..opt_len).map(|i| h.u8(g + 8 + i)).collect();
                format_geneve_raw(out, &opts);
                out.push(')');
            }
            out.push(')');
        }
        vport_type::GRE | vport_type::IP6GRE => {
            let flags = h.u16(l4);
            let _ = write!(out, "gre((flags=0x{:x},proto=0x{:x})", flags, h.u16(l4 + 2));
            let mut o = l4 + 4;
            if flags & GRE_CSUM != 0 {
                let _ = write!(out, ",csum=0x{:x}", h.u16(o));
                o += 4;
            }
            if flags & GRE_KEY != 0 {
                let _ = write!(out, ",key=0x{:x}", h.u32(o));
                o += 4;
            }
            if flags & GRE_SEQ != 0 {
                let _ = write!(out, ",seq=0x{:x}", h.u32(o));
            }
            out.push(')');
        }
        vport_type::ERSPAN | vport_type::IP6ERSPAN => {
            let e = l4 + 8;
            let ver = h.u8(e) >> 4;
            let sid = (u16::from(h.u8(e + 2) & 3) << 8) | u16::from(h.u8(e + 3));
            if ver == 1 {
                let _ = write!(
                    out,
                    "erspan(ver=1,sid=0x{:x},idx=0x{:x})",
                    sid,
                    h.u32(e + 4)
                );
            } else if ver == 2 {
                let b6 = h.u8(e + 4 + 6);
                let b7 = h.u8(e + 4 + 7);
                let hwid = ((b6 & 3) << 4) | (b7 >> 4);
                let dir = (b7 >> 3) & 1;
                let _ = write!(out, "erspan(ver=2,sid=0x{sid:x},dir={dir},hwid=0x{hwid:x})");
            }
        }
        vport_type::GTPU => {
            let g = format_udp(out, &h, l4);
            let _ = write!(
                out,
                "gtpu(flags=0x{:x},msgtype={},teid=0x{:x})",
                h.u8(g),
                h.u8(g + 1),
                h.u32(g + 4)
            );
        }
        _ => {}
    }
    out.push(')');
}

/// `format_geneve_opts` without a mask, over raw option bytes.
fn format_geneve_raw(out: &mut String, mut b: &[u8]) {
    while !b.is_empty() {
        if b.len() < 4 {
            let _ = write!(out, "opt len {} less than minimum 4", b.len());
            return;
        }
        let data_len = usize::from(b[3] & 0x1f) * 4;
        let len = 4 + data_len;
        if len > b.len() {
            let _ = write!(out, "opt len {} greater than remaining {}", len, b.len());
            return;
        }
        out.push_str("{class=");
        hex_alt(out, u64::from(u16::from_be_bytes([b[0], b[1]])));
        out.push_str(",type=");
        hex_alt(out, u64::from(b[2]));
        let _ = write!(out, ",len={data_len}");
        if data_len > 0 {
            out.push(',');
            text::hex_bytes(out, &b[4..len]);
        }
        out.push('}');
        b = &b[len..];
    }
}

fn ip_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in h.chunks(2) {
        let w = u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]);
        sum += u32::from(w);
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// `ovs_parse_tnl_push`: builds the header from its text, then checks that
/// the stated type and size agree with it.
pub(crate) fn parse_tnl_push(p: &mut Parser<'_, '_>) -> Res<TunnelPush> {
    let i32s = |s: &str| text::scan_int(s, 0).map(|(v, n)| (v as u32, n));
    let i16s = |s: &str| text::scan_int(s, 0).map(|(v, n)| (v as u16, n));
    let i8s = |s: &str| text::scan_int(s, 0).map(|(v, n)| (v as u8, n));
    let x32 = |s: &str| text::scan_int(s, 16).map(|(v, n)| (v as u32, n));
    let x16 = |s: &str| text::scan_int(s, 16).map(|(v, n)| (v as u16, n));
    let x8 = |s: &str| text::scan_int(s, 16).map(|(v, n)| (v as u8, n));

    p.expect("tnl_push(tnl_port(")?;
    let tnl_port = p.port_or_name()?;
    p.expect("),header(size=")?;
    let size = p.scan(i32s)?;
    p.expect(",type=")?;
    let stated_type = p.scan(i32s)?;
    p.expect(",eth(dst=")?;
    let dst = p.scan(text::scan_mac)?;
    p.expect(",src=")?;
    let src = p.scan(text::scan_mac)?;
    p.expect(",dl_type=0x")?;
    let dl_type = p.scan(x16)?;
    p.expect("),")?;

    let mut h = Vec::with_capacity(128);
    h.extend_from_slice(&dst);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dl_type.to_be_bytes());
    let is_v4 = dl_type == 0x0800;
    if is_v4 {
        p.expect("ipv4(src=")?;
        let sip = p.scan(text::scan_ipv4)?;
        p.expect(",dst=")?;
        let dip = p.scan(text::scan_ipv4)?;
        p.expect(",proto=")?;
        let proto = p.scan(i8s)?;
        p.expect(",tos=")?;
        let tos = p.scan(i8s)?;
        p.expect(",ttl=")?;
        let ttl = p.scan(i8s)?;
        p.expect(",frag=0x")?;
        let frag = p.scan(x16)?;
        p.expect("),")?;
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[1] = tos;
        ip[6..8].copy_from_slice(&frag.to_be_bytes());
        ip[8] = ttl;
        ip[9] = proto;
        ip[12..16].copy_from_slice(&sip.octets());
        ip[16..20].copy_from_slice(&dip.octets());
        let c = ip_checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        h.extend_from_slice(&ip);
    } else {
        p.expect("ipv6(src=")?;
        let sip = p.scan(text::scan_ipv6)?;
        p.expect(",dst=")?;
        let dip = p.scan(text::scan_ipv6)?;
        p.expect(",label=")?;
        let label = p.scan(i32s)?;
        p.expect(",proto=")?;
        let proto = p.scan(i8s)?;
        p.expect(",tclass=0x")?;
        let tclass = p.scan(x8)?;
        p.expect(",hlimit=")?;
        let hlimit = p.scan(i8s)?;
        p.expect("),")?;
        if label & !0x000f_ffff != 0 {
            return Err("invalid IPv6 label");
        }
        let flow = (6u32 << 28) | (u32::from(tclass) << 20) | label;
        h.extend_from_slice(&flow.to_be_bytes());
        h.extend_from_slice(&[0, 0, proto, hlimit]);
        h.extend_from_slice(&sip.octets());
        h.extend_from_slice(&dip.octets());
    }

    let tnl_type;
    if p.eat("udp(src=") {
        let sport = p.scan(i16s)?;
        p.expect(",dst=")?;
        let dport = p.scan(i16s)?;
        p.expect(",csum=0x")?;
        let csum = p.scan(x16)?;
        p.expect("),")?;
        h.extend_from_slice(&sport.to_be_bytes());
        h.extend_from_slice(&dport.to_be_bytes());
        h.extend_from_slice(&[0, 0]);
        h.extend_from_slice(&csum.to_be_bytes());
        if p.eat("vxlan(flags=0x") {
            let flags = p.scan(x32)?;
            p.expect(",vni=0x")?;
            let vni = p.scan(x32)?;
            p.expect("))")?;
            h.extend_from_slice(&flags.to_be_bytes());
            h.extend_from_slice(&(vni << 8).to_be_bytes());
            tnl_type = vport_type::VXLAN;
        } else if p.eat("geneve(") {
            let oam = p.eat("oam,");
            let crit = p.eat("crit,");
            p.expect("vni=")?;
            let vni = p.scan(i32s)?;
            let mut opts: Vec<GeneveOpt> = Vec::new();
            if p.eat(",options(") {
                let (k, _) = p.geneve()?;
                opts = k;
            }
            p.expect("))")?;
            let mut ob = Vec::new();
            for o in &opts {
                ob.extend_from_slice(&o.class.to_be_bytes());
                ob.push(o.opt_type);
                ob.push(o.length & 0x1f);
                let mut d = o.data.clone();
                d.resize(usize::from(o.length & 0x1f) * 4, 0);
                ob.extend_from_slice(&d);
            }
            h.push(((ob.len() / 4) & 0x3f) as u8);
            h.push(if oam { 0x80 } else { 0 } | if crit { 0x40 } else { 0 });
            h.extend_from_slice(&0x6558u16.to_be_bytes());
            h.extend_from_slice(&(vni << 8).to_be_bytes());
            h.extend_from_slice(&ob);
            tnl_type = vport_type::GENEVE;
        } else if p.eat("gtpu(flags=") {
            let flags = p.scan(i8s)?;
            p.expect(",msgtype=")?;
            let msgtype = p.scan(|s| text::scan_int(s, 10).map(|(v, n)| (v as u8, n)))?;
            p.expect(",teid=0x")?;
            let teid = p.scan(x32)?;
            p.expect("))")?;
            h.extend_from_slice(&[flags, msgtype, 0, 0]);
            h.extend_from_slice(&teid.to_be_bytes());
            tnl_type = vport_type::GTPU;
        } else {
            return Err("unknown UDP tunnel");
        }
    } else if p.eat("gre((flags=0x") {
        let flags = p.scan(x16)?;
        p.expect(",proto=0x")?;
        let proto = p.scan(x16)?;
        p.expect(")")?;
        h.extend_from_slice(&flags.to_be_bytes());
        h.extend_from_slice(&proto.to_be_bytes());
        if flags & GRE_CSUM != 0 {
            p.expect(",csum=0x")?;
            let c = p.scan(x16)?;
            h.extend_from_slice(&c.to_be_bytes());
            h.extend_from_slice(&[0, 0]);
        }
        if flags & GRE_KEY != 0 {
            p.expect(",key=0x")?;
            let k = p.scan(x32)?;
            h.extend_from_slice(&k.to_be_bytes());
        }
        if flags & GRE_SEQ != 0 {
            p.expect(",seq=0x")?;
            let s = p.scan(x32)?;
            h.extend_from_slice(&s.to_be_bytes());
        }
        p.expect("))")?;
        tnl_type = if is_v4 {
            vport_type::GRE
        } else {
            vport_type::IP6GRE
        };
    } else if p.eat("erspan(ver=") {
        let ver = p.scan(i8s)?;
        p.expect(",sid=0x")?;
        let sid = p.scan(x16)?;
        let mut ersh = [0u8; 4];
        ersh[0] = (ver & 0xf) << 4;
        ersh[2] = ((sid >> 8) & 3) as u8;
        ersh[3] = sid as u8;
        // GRE header with a sequence number, then the ERSPAN header.
        h.extend_from_slice(&GRE_SEQ.to_be_bytes());
        match ver {
            1 => {
                p.expect(",idx=0x")?;
                let idx = p.scan(x32)?;
                p.expect("))")?;
                h.extend_from_slice(&0x88beu16.to_be_bytes());
                h.extend_from_slice(&[0; 4]);
                h.extend_from_slice(&ersh);
                h.extend_from_slice(&idx.to_be_bytes());
            }
            2 => {
                p.expect(",dir=")?;
                let dir = p.scan(|s| text::scan_int(s, 10).map(|(v, n)| (v as u8, n)))?;
                p.expect(",hwid=0x")?;
                let hwid = p.scan(x8)?;
                p.expect("))")?;
                h.extend_from_slice(&0x22ebu16.to_be_bytes());
                h.extend_from_slice(&[0; 4]);
                h.extend_from_slice(&ersh);
                let mut md2 = [0u8; 8];
                md2[6] = (hwid >> 4) & 3;
                md2[7] = ((hwid & 0xf) << 4) | ((dir & 1) << 3);
                h.extend_from_slice(&md2);
            }
            _ => return Err("invalid erspan version"),
        }
        tnl_type = if is_v4 {
            vport_type::ERSPAN
        } else {
            vport_type::IP6ERSPAN
        };
    } else {
        return Err("unknown tunnel header");
    }
    if stated_type != tnl_type {
        return Err("tunnel type does not match header");
    }
    if size as usize != h.len() {
        return Err("header size does not match header");
    }
    p.expect(",out_port(")?;
    let out_port = p.port_or_name()?;
    p.expect("))")?;
    Ok(TunnelPush {
        tnl_port,
        out_port,
        tnl_type,
        header: h,
    })
}

#[cfg(test)]
mod tests {
    use crate::{format_actions, parse_actions};

    #[test]
    fn vxlan_round_trip() {
        let s = "tnl_push(tnl_port(4789),header(size=50,type=4,eth(dst=aa:55:aa:55:00:00,\
                 src=aa:55:aa:55:00:01,dl_type=0x0800),ipv4(src=1.1.2.88,dst=1.1.2.92,proto=17,\
                 tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0x8000000,\
                 vni=0x7b)),out_port(100))";
        let a = parse_actions(s).unwrap();
        assert_eq!(format_actions(&a), s);
    }
}
