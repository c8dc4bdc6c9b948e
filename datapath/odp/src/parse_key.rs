//! Parsing the text of a datapath flow key and mask, as OVS's
//! `odp_flow_from_string` (what `ovs-appctl dpctl/add-flow` accepts).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::ParseError;
use crate::key::{
    ArpKey, CtTuple4, CtTuple6, DpKey, ErspanOpts, EthKey, GeneveOpt, GtpuOpts, IcmpKey, Ipv4Key,
    Ipv6Key, NdExtKey, NdKey, PortsKey, TunnelKey, VLAN_CFI,
};
use crate::text;

/// Maps a port name to a datapath port number.
pub type PortLookup<'a> = &'a dyn Fn(&str) -> Option<u32>;

/// Nesting limit (OVS's `MAX_ODP_NESTED`), which also bounds recursion.
pub(crate) const MAX_NESTED: usize = 32;

/// Parses a flow key with masks, e.g. `in_port(1),eth_type(0x0800),
/// ipv4(dst=10.0.0.0/255.0.0.0,frag=no)`. A field written without `/mask`
/// is exact; a field not written in an attribute is wildcarded; an
/// attribute not written is absent from both key and mask. A leading
/// `ufid:<uuid>` is skipped, as OVS does.
pub fn parse_key(s: &str) -> Result<(DpKey, DpKey), ParseError> {
    parse_key_with_names(s, &|_| None)
}

/// [`parse_key`], resolving a port name in `in_port(...)` through `names`.
pub fn parse_key_with_names(s: &str, names: PortLookup<'_>) -> Result<(DpKey, DpKey), ParseError> {
    let mut p = Parser::new(s, Some(names));
    let mut key = DpKey::default();
    let mut mask = DpKey::default();
    loop {
        p.skip_delimiters();
        if p.at_end() {
            return Ok((key, mask));
        }
        let start = p.pos;
        if p.eat("ufid:") {
            if !p.uuid() {
                return Err(ParseError::new(s, start, "invalid ufid"));
            }
            p.eat(" ");
        }
        let start = p.pos;
        p.key_attr(&mut key, &mut mask)
            .map_err(|why| ParseError::new(s, start, why))?;
    }
}

pub(crate) type Res<T> = Result<T, &'static str>;

pub(crate) struct Parser<'a, 'n> {
    pub(crate) s: &'a str,
    pub(crate) pos: usize,
    pub(crate) names: Option<PortLookup<'n>>,
    pub(crate) depth: usize,
}

impl<'a, 'n> Parser<'a, 'n> {
    pub(crate) fn new(s: &'a str, names: Option<PortLookup<'n>>) -> Self {
        Parser {
            s,
            pos: 0,
            names,
            depth: 0,
        }
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, off: usize) -> Option<u8> {
        self.s.as_bytes().get(self.pos + off).copied()
    }

    /// Consumes one byte, as C's `*s++` (`None` at the end).
    pub(crate) fn bump(&mut self) -> Option<u8> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    pub(crate) fn starts_with(&self, lit: &str) -> bool {
        self.s.as_bytes()[self.pos.min(self.s.len())..].starts_with(lit.as_bytes())
    }

    pub(crate) fn starts_with_ignore_case(&self, lit: &str) -> bool {
        self.s
            .as_bytes()
            .get(self.pos..self.pos + lit.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(lit.as_bytes()))
    }

    pub(crate) fn eat(&mut self, lit: &str) -> bool {
        if self.starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, lit: &str) -> Res<()> {
        if self.eat(lit) {
            Ok(())
        } else {
            Err("syntax error")
        }
    }

    /// Skips OVS's delimiters `", \t\r\n"`.
    pub(crate) fn skip_delimiters(&mut self) {
        while matches!(self.peek(), Some(b',' | b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    pub(crate) fn scan<T>(&mut self, f: fn(&str) -> Option<(T, usize)>) -> Res<T> {
        let (v, n) = f(self.rest()).ok_or("invalid value")?;
        self.pos += n;
        Ok(v)
    }

    /// A value and an optional `/mask`; the mask defaults to `full`.
    fn masked<T>(&mut self, f: fn(&str) -> Option<(T, usize)>, full: T) -> Res<(T, T)> {
        let v = self.scan(f)?;
        if self.peek() == Some(b'/')
            && let Some((m, n)) = self.rest().get(1..).and_then(f)
        {
            self.pos += 1 + n;
            return Ok((v, m));
        }
        Ok((v, full))
    }

    /// `8-4-4-4-12` hex digits.
    fn uuid(&mut self) -> bool {
        let b = self.rest().as_bytes();
        if b.len() < 36 {
            return false;
        }
        for (i, c) in b.iter().take(36).enumerate() {
            let ok = if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            };
            if !ok {
                return false;
            }
        }
        self.pos += 36;
        true
    }

    /// OVS's `SCAN_BEGIN ... SCAN_FINISH` loop: comma-separated named
    /// fields, a field-less comma ends the list, and the list must close
    /// with `)`. `field` returns whether it recognised a field.
    pub(crate) fn fields(&mut self, mut field: impl FnMut(&mut Self) -> Res<bool>) -> Res<()> {
        loop {
            let matched = field(self)?;
            let c = self.bump();
            if c == Some(b',') && matched {
                continue;
            }
            return if c == Some(b')') {
                Ok(())
            } else {
                Err("syntax error")
            };
        }
    }

    /// `name=` then a masked value into `k` and `m`.
    fn field<T: Copy>(
        &mut self,
        name: &str,
        f: fn(&str) -> Option<(T, usize)>,
        full: T,
        k: &mut T,
        m: &mut T,
    ) -> Res<bool> {
        if !self.eat(name) {
            return Ok(false);
        }
        let (v, mv) = self.masked(f, full)?;
        *k = v;
        *m = mv;
        Ok(true)
    }

    /// One key attribute, appended to `key` and `mask`.
    pub(crate) fn key_attr(&mut self, key: &mut DpKey, mask: &mut DpKey) -> Res<()> {
        self.depth += 1;
        let r = if self.depth >= MAX_NESTED {
            Err("too deeply nested")
        } else {
            self.key_attr__(key, mask)
        };
        self.depth -= 1;
        r
    }

    fn single<T: Copy>(
        &mut self,
        f: fn(&str) -> Option<(T, usize)>,
        full: T,
        masked: bool,
    ) -> Res<(T, T)> {
        let r = if masked {
            self.masked(f, full)?
        } else {
            (self.scan(f)?, full)
        };
        self.expect(")")?;
        Ok(r)
    }

    fn key_attr__(&mut self, key: &mut DpKey, mask: &mut DpKey) -> Res<()> {
        fn put<T>(k: &mut Option<T>, m: &mut Option<T>, v: (T, T)) -> Res<()> {
            if k.is_some() {
                return Err("duplicate attribute");
            }
            *k = Some(v.0);
            *m = Some(v.1);
            Ok(())
        }
        use text::{scan_ipv4, scan_ipv6, scan_mac, scan_u8, scan_u16, scan_u32};
        let ones4 = Ipv4Addr::BROADCAST;
        let ones6 = Ipv6Addr::from(u128::MAX);
        if self.eat("skb_priority(") {
            let v = self.single(scan_u32, u32::MAX, true)?;
            return put(&mut key.skb_priority, &mut mask.skb_priority, v);
        }
        if self.eat("skb_mark(") {
            let v = self.single(scan_u32, u32::MAX, true)?;
            return put(&mut key.skb_mark, &mut mask.skb_mark, v);
        }
        if self.eat("recirc_id(") {
            let v = self.single(scan_u32, u32::MAX, false)?;
            return put(&mut key.recirc_id, &mut mask.recirc_id, v);
        }
        if self.eat("dp_hash(") {
            let v = self.single(scan_u32, u32::MAX, true)?;
            return put(&mut key.dp_hash, &mut mask.dp_hash, v);
        }
        if self.eat("ct_state(") {
            let (v, m, n) = text::parse_flags(self.rest(), text::ct_state_name, b')', 0xff, true)
                .ok_or("invalid ct_state")?;
            self.pos += n;
            self.expect(")")?;
            return put(&mut key.ct_state, &mut mask.ct_state, (v, m));
        }
        // OVS prints these three as `name()` when wildcarded without
        // verbosity (and cannot read that back); here it reads as a wildcard.
        if self.eat("ct_zone(") {
            let v = if self.eat(")") {
                (0, 0)
            } else {
                self.single(scan_u16, u16::MAX, true)?
            };
            return put(&mut key.ct_zone, &mut mask.ct_zone, v);
        }
        if self.eat("ct_mark(") {
            let v = if self.eat(")") {
                (0, 0)
            } else {
                self.single(scan_u32, u32::MAX, true)?
            };
            return put(&mut key.ct_mark, &mut mask.ct_mark, v);
        }
        if self.eat("ct_label(") {
            let v = if self.eat(")") {
                (0, 0)
            } else {
                let v = self.u128_masked()?;
                self.expect(")")?;
                v
            };
            return put(&mut key.ct_label, &mut mask.ct_label, v);
        }
        if self.eat("ct_tuple4(") {
            let (mut k, mut m) = (CtTuple4::default(), CtTuple4::default());
            self.fields(|p| {
                Ok(p.field("src=", scan_ipv4, ones4, &mut k.src, &mut m.src)?
                    || p.field("dst=", scan_ipv4, ones4, &mut k.dst, &mut m.dst)?
                    || p.field("proto=", scan_u8, 0xff, &mut k.proto, &mut m.proto)?
                    || p.field("tp_src=", scan_u16, 0xffff, &mut k.tp_src, &mut m.tp_src)?
                    || p.field("tp_dst=", scan_u16, 0xffff, &mut k.tp_dst, &mut m.tp_dst)?)
            })?;
            return put(&mut key.ct_tuple4, &mut mask.ct_tuple4, (k, m));
        }
        if self.eat("ct_tuple6(") {
            let (mut k, mut m) = (CtTuple6::default(), CtTuple6::default());
            // OVS prints `src_port=`/`dst_port=` but parses only `tp_src=`
            // and `tp_dst=`; both are accepted here.
            self.fields(|p| {
                Ok(p.field("src=", scan_ipv6, ones6, &mut k.src, &mut m.src)?
                    || p.field("dst=", scan_ipv6, ones6, &mut k.dst, &mut m.dst)?
                    || p.field("proto=", scan_u8, 0xff, &mut k.proto, &mut m.proto)?
                    || p.field("tp_src=", scan_u16, 0xffff, &mut k.tp_src, &mut m.tp_src)?
                    || p.field("tp_dst=", scan_u16, 0xffff, &mut k.tp_dst, &mut m.tp_dst)?
                    || p.field("src_port=", scan_u16, 0xffff, &mut k.tp_src, &mut m.tp_src)?
                    || p.field("dst_port=", scan_u16, 0xffff, &mut k.tp_dst, &mut m.tp_dst)?)
            })?;
            return put(&mut key.ct_tuple6, &mut mask.ct_tuple6, (k, m));
        }
        if self.eat("tunnel(") {
            let (k, m) = self.tunnel()?;
            return put(&mut key.tunnel, &mut mask.tunnel, (k, m));
        }
        if self.eat("in_port(") {
            let v = self.port()?;
            self.expect(")")?;
            return put(&mut key.in_port, &mut mask.in_port, v);
        }
        if self.eat("eth(") {
            let (mut k, mut m) = (EthKey::default(), EthKey::default());
            self.fields(|p| {
                Ok(
                    p.field("src=", scan_mac, [0xff; 6], &mut k.src, &mut m.src)?
                        || p.field("dst=", scan_mac, [0xff; 6], &mut k.dst, &mut m.dst)?,
                )
            })?;
            return put(&mut key.eth, &mut mask.eth, (k, m));
        }
        if self.eat("vlan(") {
            let (mut k, mut m) = (VLAN_CFI, VLAN_CFI);
            self.fields(|p| {
                Ok(p.tci_field("vid=", 12, 0, &mut k, &mut m)?
                    || p.tci_field("pcp=", 3, 13, &mut k, &mut m)?
                    || p.tci_field("cfi=", 1, 12, &mut k, &mut m)?)
            })?;
            return put(&mut key.vlan, &mut mask.vlan, (k, m));
        }
        if self.eat("eth_type(") {
            let explicit_mask = {
                let r = self.rest();
                r.find(')').is_some_and(|e| r[..e].contains('/'))
            };
            let v = self.single(scan_u16, u16::MAX, true)?;
            if v.0 == 0 && explicit_mask {
                // `eth_type(0/0xffff)` is how OVS prints a mask on an
                // Ethertype the key does not have (a non-Ethernet II frame).
                if mask.eth_type.is_some() {
                    return Err("duplicate attribute");
                }
                mask.eth_type = Some(v.1);
                return Ok(());
            }
            return put(&mut key.eth_type, &mut mask.eth_type, v);
        }
        if self.eat("mpls(") {
            let v = self.mpls()?;
            return put(&mut key.mpls, &mut mask.mpls, v);
        }
        if self.eat("ipv4(") {
            let (mut k, mut m) = (Ipv4Key::default(), Ipv4Key::default());
            self.fields(|p| {
                Ok(p.field("src=", scan_ipv4, ones4, &mut k.src, &mut m.src)?
                    || p.field("dst=", scan_ipv4, ones4, &mut k.dst, &mut m.dst)?
                    || p.field("proto=", scan_u8, 0xff, &mut k.proto, &mut m.proto)?
                    || p.field("tos=", scan_u8, 0xff, &mut k.tos, &mut m.tos)?
                    || p.field("ttl=", scan_u8, 0xff, &mut k.ttl, &mut m.ttl)?
                    || p.frag_field(&mut k.frag, &mut m.frag)?)
            })?;
            return put(&mut key.ipv4, &mut mask.ipv4, (k, m));
        }
        if self.eat("ipv6(") {
            let (mut k, mut m) = (Ipv6Key::default(), Ipv6Key::default());
            self.fields(|p| {
                Ok(p.field("src=", scan_ipv6, ones6, &mut k.src, &mut m.src)?
                    || p.field("dst=", scan_ipv6, ones6, &mut k.dst, &mut m.dst)?
                    || p.label_field(&mut k.label, &mut m.label)?
                    || p.field("proto=", scan_u8, 0xff, &mut k.proto, &mut m.proto)?
                    || p.field("tclass=", scan_u8, 0xff, &mut k.tclass, &mut m.tclass)?
                    || p.field("hlimit=", scan_u8, 0xff, &mut k.hlimit, &mut m.hlimit)?
                    || p.frag_field(&mut k.frag, &mut m.frag)?)
            })?;
            return put(&mut key.ipv6, &mut mask.ipv6, (k, m));
        }
        if self.eat("tcp(") {
            let v = self.ports()?;
            return put(&mut key.tcp, &mut mask.tcp, v);
        }
        if self.eat("tcp_flags(") {
            let (v, m, n) = text::parse_flags(self.rest(), text::tcp_flag_name, b')', 0x0fff, true)
                .ok_or("invalid tcp_flags")?;
            self.pos += n;
            self.expect(")")?;
            return put(
                &mut key.tcp_flags,
                &mut mask.tcp_flags,
                (v as u16, m as u16),
            );
        }
        if self.eat("udp(") {
            let v = self.ports()?;
            return put(&mut key.udp, &mut mask.udp, v);
        }
        if self.eat("sctp(") {
            let v = self.ports()?;
            return put(&mut key.sctp, &mut mask.sctp, v);
        }
        if self.eat("icmp(") {
            let v = self.icmp()?;
            return put(&mut key.icmp, &mut mask.icmp, v);
        }
        if self.eat("icmpv6(") {
            let v = self.icmp()?;
            return put(&mut key.icmpv6, &mut mask.icmpv6, v);
        }
        if self.eat("arp(") {
            let (mut k, mut m) = (ArpKey::default(), ArpKey::default());
            self.fields(|p| {
                Ok(p.field("sip=", scan_ipv4, ones4, &mut k.sip, &mut m.sip)?
                    || p.field("tip=", scan_ipv4, ones4, &mut k.tip, &mut m.tip)?
                    || p.field("op=", scan_u16, 0xffff, &mut k.op, &mut m.op)?
                    || p.field("sha=", scan_mac, [0xff; 6], &mut k.sha, &mut m.sha)?
                    || p.field("tha=", scan_mac, [0xff; 6], &mut k.tha, &mut m.tha)?)
            })?;
            return put(&mut key.arp, &mut mask.arp, (k, m));
        }
        if self.eat("nd(") {
            let (mut k, mut m) = (NdKey::default(), NdKey::default());
            self.fields(|p| {
                Ok(
                    p.field("target=", scan_ipv6, ones6, &mut k.target, &mut m.target)?
                        || p.field("sll=", scan_mac, [0xff; 6], &mut k.sll, &mut m.sll)?
                        || p.field("tll=", scan_mac, [0xff; 6], &mut k.tll, &mut m.tll)?,
                )
            })?;
            return put(&mut key.nd, &mut mask.nd, (k, m));
        }
        if self.eat("nd_ext(") {
            let (mut k, mut m) = (NdExtKey::default(), NdExtKey::default());
            self.fields(|p| {
                Ok(p.field(
                    "nd_reserved=",
                    scan_u32,
                    u32::MAX,
                    &mut k.reserved,
                    &mut m.reserved,
                )? || p.field(
                    "nd_options_type=",
                    scan_u8,
                    0xff,
                    &mut k.options_type,
                    &mut m.options_type,
                )?)
            })?;
            return put(&mut key.nd_ext, &mut mask.nd_ext, (k, m));
        }
        if self.eat("packet_type(") {
            let (mut ns, mut ns_m, mut id, mut id_m) = (0u16, 0u16, 0u16, 0u16);
            self.fields(|p| {
                Ok(p.field("ns=", scan_u16, 0xffff, &mut ns, &mut ns_m)?
                    || p.field("id=", scan_u16, 0xffff, &mut id, &mut id_m)?)
            })?;
            let v = (
                (u32::from(ns) << 16) | u32::from(id),
                (u32::from(ns_m) << 16) | u32::from(id_m),
            );
            return put(&mut key.packet_type, &mut mask.packet_type, v);
        }
        if self.eat("encap(") {
            let mut k = DpKey::default();
            let mut m = DpKey::default();
            loop {
                self.skip_delimiters();
                match self.peek() {
                    None => return Err("unterminated encap"),
                    Some(b')') => break,
                    Some(_) => self.key_attr(&mut k, &mut m)?,
                }
            }
            self.pos += 1;
            return put(&mut key.encap, &mut mask.encap, (Box::new(k), Box::new(m)));
        }
        Err("unknown attribute")
    }

    fn u128_masked(&mut self) -> Res<(u128, u128)> {
        let (v, n) = text::parse_int_string(self.rest(), 16).ok_or("invalid 128-bit value")?;
        self.pos += n;
        let v = be_u128(&v);
        if self.eat("/") {
            let (m, n) = text::parse_int_string(self.rest(), 16).ok_or("invalid 128-bit mask")?;
            self.pos += n;
            return Ok((v, be_u128(&m)));
        }
        Ok((v, u128::MAX))
    }

    fn port(&mut self) -> Res<(u32, u32)> {
        if text::scan_u32(self.rest()).is_some() {
            return self.masked(text::scan_u32, u32::MAX);
        }
        if let Some(names) = self.names {
            let rest = self.rest();
            let len = rest.find(')').unwrap_or(rest.len());
            if let Some(n) = rest.get(..len).and_then(names) {
                self.pos += len;
                return Ok((n, u32::MAX));
            }
        }
        Err("invalid port")
    }

    fn ports(&mut self) -> Res<(PortsKey, PortsKey)> {
        let (mut k, mut m) = (PortsKey::default(), PortsKey::default());
        self.fields(|p| {
            Ok(
                p.field("src=", text::scan_u16, 0xffff, &mut k.src, &mut m.src)?
                    || p.field("dst=", text::scan_u16, 0xffff, &mut k.dst, &mut m.dst)?,
            )
        })?;
        Ok((k, m))
    }

    fn icmp(&mut self) -> Res<(IcmpKey, IcmpKey)> {
        let (mut k, mut m) = (IcmpKey::default(), IcmpKey::default());
        self.fields(|p| {
            Ok(p.field(
                "type=",
                text::scan_u8,
                0xff,
                &mut k.icmp_type,
                &mut m.icmp_type,
            )? || p.field("code=", text::scan_u8, 0xff, &mut k.code, &mut m.code)?)
        })?;
        Ok((k, m))
    }

    fn frag_field(&mut self, k: &mut u8, m: &mut u8) -> Res<bool> {
        if !self.eat("frag=") {
            return Ok(false);
        }
        // `%7[a-z]`, then one of the three names.
        let word: String = self
            .rest()
            .bytes()
            .take(7)
            .take_while(|b| b.is_ascii_lowercase())
            .map(char::from)
            .collect();
        *k = match word.as_str() {
            "no" => 0,
            "first" => 1,
            "later" => 2,
            _ => return Err("invalid frag"),
        };
        self.pos += word.len();
        *m = 0xff;
        Ok(true)
    }

    fn label_field(&mut self, k: &mut u32, m: &mut u32) -> Res<bool> {
        if !self.eat("label=") {
            return Ok(false);
        }
        let (v, n) = text::scan_u32(self.rest()).ok_or("invalid label")?;
        if v & !0x000f_ffff != 0 {
            return Err("invalid label");
        }
        self.pos += n;
        *k = v;
        *m = 0x000f_ffff;
        if self.peek() == Some(b'/')
            && let Some((mv, n)) = self.rest().get(1..).and_then(text::scan_u32)
            && mv & !0x000f_ffff == 0
        {
            self.pos += 1 + n;
            *m = mv;
        }
        Ok(true)
    }

    /// A bit field of the VLAN TCI (`scan_be16_bf`): the value must fit;
    /// without `/mask` the field's mask bits are set.
    fn tci_field(
        &mut self,
        name: &str,
        bits: u32,
        shift: u32,
        k: &mut u16,
        m: &mut u16,
    ) -> Res<bool> {
        if !self.eat(name) {
            return Ok(false);
        }
        let field = ((1u32 << bits) - 1) << shift;
        let (v, n) = text::scan_u16(self.rest()).ok_or("invalid value")?;
        if u32::from(v) >> bits != 0 {
            return Err("value too large");
        }
        self.pos += n;
        *k = ((u32::from(*k) & !field) | (u32::from(v) << shift)) as u16;
        if self.peek() == Some(b'/')
            && let Some((mv, n)) = self.rest().get(1..).and_then(text::scan_u16)
        {
            self.pos += 1 + n;
            if u32::from(mv) >> bits != 0 {
                return Err("mask too large");
            }
            *m = ((u32::from(*m) & !field) | (u32::from(mv) << shift)) as u16;
        } else {
            *m |= field as u16;
        }
        Ok(true)
    }

    /// `mpls(label=..,tc=..,ttl=..,bos=..[,label=..]...)`: a repeated
    /// field starts the next label stack entry, up to three.
    fn mpls(&mut self) -> Res<(Vec<u32>, Vec<u32>)> {
        const MAX: usize = 3;
        let mut k = [0u32; MAX];
        let mut m = [0u32; MAX];
        let mut idx = 0;
        let mut seen = 0u32;
        let specs: [(&str, u32, u32); 4] = [
            ("label=", 20, 12),
            ("tc=", 3, 9),
            ("ttl=", 8, 0),
            ("bos=", 1, 8),
        ];
        self.fields(|p| {
            for (i, (name, bits, shift)) in specs.iter().enumerate() {
                if p.starts_with(name) {
                    if seen & (1 << i) != 0 {
                        seen = 0;
                        idx += 1;
                        if idx == MAX {
                            return Err("too many MPLS labels");
                        }
                    }
                    p.pos += name.len();
                    let field = ((1u64 << bits) - 1) << shift;
                    let (v, n) = text::scan_u32(p.rest()).ok_or("invalid value")?;
                    if u64::from(v) >> bits != 0 {
                        return Err("value too large");
                    }
                    p.pos += n;
                    k[idx] = ((u64::from(k[idx]) & !field) | (u64::from(v) << shift)) as u32;
                    if p.peek() == Some(b'/')
                        && let Some((mv, n)) = p.rest().get(1..).and_then(text::scan_u32)
                    {
                        p.pos += 1 + n;
                        if u64::from(mv) >> bits != 0 {
                            return Err("mask too large");
                        }
                        m[idx] = ((u64::from(m[idx]) & !field) | (u64::from(mv) << shift)) as u32;
                    } else {
                        m[idx] |= field as u32;
                    }
                    seen |= 1 << i;
                    return Ok(true);
                }
            }
            Ok(false)
        })?;
        Ok((k[..=idx].to_vec(), m[..=idx].to_vec()))
    }

    fn tunnel(&mut self) -> Res<(TunnelKey, TunnelKey)> {
        use text::{scan_ipv4, scan_ipv6, scan_u8, scan_u16, scan_u64};
        let mut k = TunnelKey::default();
        let mut m = TunnelKey::default();
        fn opt<T: Copy>(
            p: &mut Parser<'_, '_>,
            name: &str,
            f: fn(&str) -> Option<(T, usize)>,
            full: T,
            k: &mut Option<T>,
            m: &mut Option<T>,
        ) -> Res<bool> {
            if !p.eat(name) {
                return Ok(false);
            }
            let (v, mv) = p.masked(f, full)?;
            *k = Some(v);
            *m = Some(mv);
            Ok(true)
        }
        self.fields(|p| {
            if opt(
                p,
                "tun_id=",
                scan_u64,
                u64::MAX,
                &mut k.tun_id,
                &mut m.tun_id,
            )? || opt(
                p,
                "src=",
                scan_ipv4,
                Ipv4Addr::BROADCAST,
                &mut k.ipv4_src,
                &mut m.ipv4_src,
            )? || opt(
                p,
                "dst=",
                scan_ipv4,
                Ipv4Addr::BROADCAST,
                &mut k.ipv4_dst,
                &mut m.ipv4_dst,
            )? || opt(
                p,
                "ipv6_src=",
                scan_ipv6,
                Ipv6Addr::from(u128::MAX),
                &mut k.ipv6_src,
                &mut m.ipv6_src,
            )? || opt(
                p,
                "ipv6_dst=",
                scan_ipv6,
                Ipv6Addr::from(u128::MAX),
                &mut k.ipv6_dst,
                &mut m.ipv6_dst,
            )? || opt(p, "tos=", scan_u8, 0xff, &mut k.tos, &mut m.tos)?
                || opt(p, "ttl=", scan_u8, 0xff, &mut k.ttl, &mut m.ttl)?
                || opt(p, "tp_src=", scan_u16, 0xffff, &mut k.tp_src, &mut m.tp_src)?
                || opt(p, "tp_dst=", scan_u16, 0xffff, &mut k.tp_dst, &mut m.tp_dst)?
            {
                return Ok(true);
            }
            if p.eat("erspan(") {
                let (ke, me) = p.erspan()?;
                k.erspan = Some(ke);
                m.erspan = Some(me);
                return Ok(true);
            }
            if p.eat("vxlan(gbp(") {
                let (kg, mg) = p.vxlan_gbp()?;
                // OVS leaves out an all-zero GBP attribute.
                k.vxlan_gbp = (kg != 0).then_some(kg);
                m.vxlan_gbp = (mg != 0).then_some(mg);
                return Ok(true);
            }
            if p.eat("geneve(") {
                let (kg, mg) = p.geneve()?;
                k.geneve = Some(kg);
                m.geneve = Some(mg);
                return Ok(true);
            }
            if p.eat("gtpu(") {
                let (kg, mg) = p.gtpu()?;
                k.gtpu = Some(kg);
                m.gtpu = Some(mg);
                return Ok(true);
            }
            if p.eat("flags(") {
                let (v, mv, n) =
                    text::parse_flags(p.rest(), text::tun_flag_name, b')', text::TNL_F_MASK, true)
                        .ok_or("invalid tunnel flags")?;
                p.pos += n;
                p.expect(")")?;
                k.dont_fragment = v & text::TNL_F_DONT_FRAGMENT != 0;
                k.csum = v & text::TNL_F_CSUM != 0;
                k.oam = v & text::TNL_F_OAM != 0;
                m.dont_fragment = mv & text::TNL_F_DONT_FRAGMENT != 0;
                m.csum = mv & text::TNL_F_CSUM != 0;
                m.oam = mv & text::TNL_F_OAM != 0;
                return Ok(true);
            }
            Ok(false)
        })?;
        Ok((k, m))
    }

    fn opt_u8(&mut self, name: &str) -> Res<Option<(u8, u8)>> {
        if !self.eat(name) {
            return Ok(None);
        }
        Ok(Some(self.masked(text::scan_u8, 0xff)?))
    }

    fn vxlan_gbp(&mut self) -> Res<(u32, u32)> {
        let (mut id, mut id_m) = (0u16, 0u16);
        if self.eat("id=") {
            (id, id_m) = self.masked(text::scan_u16, 0xffff)?;
        }
        self.eat(",");
        let (flags, flags_m) = self.opt_u8("flags=")?.unwrap_or((0, 0));
        self.expect("))")?;
        Ok((
            (u32::from(flags) << 16) | u32::from(id),
            (u32::from(flags_m) << 16) | u32::from(id_m),
        ))
    }

    fn gtpu(&mut self) -> Res<(GtpuOpts, GtpuOpts)> {
        let (flags, flags_m) = self.opt_u8("flags=")?.unwrap_or((0, 0));
        self.eat(",");
        let (msgtype, msgtype_m) = self.opt_u8("msgtype=")?.unwrap_or((0, 0));
        self.expect(")")?;
        Ok((
            GtpuOpts { flags, msgtype },
            GtpuOpts {
                flags: flags_m,
                msgtype: msgtype_m,
            },
        ))
    }

    fn erspan(&mut self) -> Res<(ErspanOpts, ErspanOpts)> {
        // OVS requires `ver=` and ignores its mask. Here the mask is kept,
        // and without `ver=` the fields tell the version, so that what OVS
        // prints for a wildcarded version (`erspan(idx=0x7/0)`) reads back.
        let (ver, ver_m) = match self.opt_u8("ver=")? {
            Some(v) => v,
            None if self.starts_with("idx=") => (1, 0),
            None => (2, 0),
        };
        self.eat(",");
        let mut k = ErspanOpts {
            version: ver,
            ..ErspanOpts::default()
        };
        let mut m = ErspanOpts {
            version: ver_m,
            ..ErspanOpts::default()
        };
        match ver {
            1 => {
                if self.eat("idx=") {
                    (k.index, m.index) = self.masked(text::scan_u32, u32::MAX)?;
                }
            }
            2 => {
                let (dir, dir_m) = self.opt_u8("dir=")?.unwrap_or((0, 0));
                self.eat(",");
                let (hwid, hwid_m) = self.opt_u8("hwid=")?.unwrap_or((0, 0));
                // They land in 1- and 4-bit fields.
                k.dir = dir & 1;
                m.dir = dir_m & 1;
                k.hwid = hwid & 0xf;
                m.hwid = hwid_m & 0xf;
            }
            _ => return Err("invalid erspan version"),
        }
        self.expect(")")?;
        Ok((k, m))
    }

    /// `scan_geneve`: `{class=..,type=..,len=..,0xdata/0xmask}...)`.
    pub(crate) fn geneve(&mut self) -> Res<(Vec<GeneveOpt>, Vec<GeneveOpt>)> {
        let mut keys = Vec::new();
        let mut masks = Vec::new();
        let mut remain: i32 = 252;
        while self.peek() == Some(b'{') && remain >= 4 {
            self.pos += 1;
            remain -= 4;
            let mut k = GeneveOpt::default();
            // An unscanned field keeps OVS's all-ones mask (length too).
            let mut m = GeneveOpt {
                class: 0,
                opt_type: 0,
                length: 0x1f,
                data: Vec::new(),
            };
            if self.eat("class=") {
                (k.class, m.class) = self.masked(text::scan_u16, 0xffff)?;
            }
            self.eat(",");
            if self.eat("type=") {
                (k.opt_type, m.opt_type) = self.masked(text::scan_u8, 0xff)?;
            }
            self.eat(",");
            let mut data_len = 0usize;
            if self.eat("len=") {
                let (len, len_m) = self.masked(text::scan_u8, 0xff)?;
                if len > 124 || len % 4 != 0 || i32::from(len) > remain {
                    return Err("invalid geneve option length");
                }
                k.length = len / 4;
                m.length = len_m & 0x1f;
                data_len = usize::from(len);
            }
            k.data = vec![0; data_len];
            m.data = vec![0xff; data_len];
            if self.eat(",") {
                let (d, n) =
                    text::parse_int_string(self.rest(), data_len).ok_or("invalid geneve data")?;
                self.pos += n;
                k.data = d;
            }
            if self.eat("/") {
                let (d, n) =
                    text::parse_int_string(self.rest(), data_len).ok_or("invalid geneve mask")?;
                self.pos += n;
                m.data = d;
            }
            self.expect("}")?;
            remain -= data_len as i32;
            keys.push(k);
            masks.push(m);
        }
        self.expect(")")?;
        Ok((keys, masks))
    }
}

fn be_u128(b: &[u8]) -> u128 {
    b.iter().fold(0u128, |acc, x| (acc << 8) | u128::from(*x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format_key::format_key;

    #[test]
    fn parses_a_dump_line() {
        let s = "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),\
                 ipv4(src=10.1.2.3/255.255.0.0,frag=no)";
        let (k, m) = parse_key(s).unwrap();
        assert_eq!(k.in_port, Some(1));
        assert_eq!(m.in_port, Some(u32::MAX));
        let ip = k.ipv4.unwrap();
        assert_eq!(ip.src, Ipv4Addr::new(10, 1, 2, 3));
        assert_eq!(m.ipv4.unwrap().src, Ipv4Addr::new(255, 255, 0, 0));
        assert_eq!(m.ipv4.unwrap().dst, Ipv4Addr::UNSPECIFIED);
        assert_eq!(format_key(&k, Some(&m), false), s);
    }

    #[test]
    fn field_list_rules() {
        assert!(parse_key("ipv4()").is_ok());
        assert!(parse_key("ipv4(src=1.1.1.1,)").is_ok());
        assert!(parse_key("ipv4(src=1.1.1.1,,dst=1.1.1.1)").is_err());
        assert!(parse_key("ipv4(foo=1)").is_err());
        assert!(parse_key("ipv4(src=1.1.1.1").is_err());
        assert!(parse_key("recirc_id(1/2)").is_err());
        assert!(parse_key("in_port(1),in_port(2)").is_err());
        assert!(parse_key("in_port(1)eth_type(0x800)").is_ok());
        let deep = "encap(".repeat(40) + &")".repeat(40);
        assert!(parse_key(&deep).is_err());
    }

    #[test]
    fn vlan_and_mpls() {
        let (k, m) =
            parse_key("vlan(vid=10,pcp=3),mpls(label=5,tc=1,ttl=64,bos=0,label=6,bos=1)").unwrap();
        assert_eq!(k.vlan, Some(0x1000 | 10 | (3 << 13)));
        assert_eq!(m.vlan, Some(0xffff));
        assert_eq!(
            k.mpls,
            Some(vec![(5 << 12) | (1 << 9) | 64, (6 << 12) | (1 << 8)])
        );
        assert_eq!(m.mpls, Some(vec![u32::MAX, 0xffff_f100]));
        assert!(parse_key("mpls(label=1,label=2,label=3,label=4)").is_err());
    }

    #[test]
    fn port_names() {
        let names = |n: &str| (n == "p1").then_some(7);
        let (k, _) = parse_key_with_names("in_port(p1)", &names).unwrap();
        assert_eq!(k.in_port, Some(7));
        assert!(parse_key("in_port(p1)").is_err());
    }
}
