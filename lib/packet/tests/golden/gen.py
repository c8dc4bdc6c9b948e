#!/usr/bin/env python3
"""Regenerates flows.tsv: hand-built packets and the flow real OVS
extracts from each (`ovs-ofctl parse-pcap`, OVS's own flow_extract()).

Run from anywhere with Debian's openvswitch-common installed:

    python3 lib/packet/tests/golden/gen.py

Each output line is: name <TAB> packet hex <TAB> OVS's flow text.
"""

import ipaddress
import os
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

DST = bytes.fromhex("0200000000b2")
SRC = bytes.fromhex("0200000000a1")


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def eth(typ, payload, dst=DST, src=SRC):
    return dst + src + struct.pack("!H", typ) + payload


def vlan(tpid, tci, inner_type, payload):
    """The bytes after the MACs for one tag: TPID, TCI, then inner type."""
    return struct.pack("!HHH", tpid, tci, inner_type) + payload


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(proto, payload, src="10.0.0.1", dst="10.0.0.2", tos=0, ttl=64,
         frag=0, options=b"", ihl=None, tot_len=None, ident=1):
    hl = 20 + len(options)
    if ihl is None:
        ihl = hl // 4
    if tot_len is None:
        tot_len = hl + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, tot_len, ident, frag,
                    ttl, proto, 0, ipaddress.IPv4Address(src).packed,
                    ipaddress.IPv4Address(dst).packed) + options
    c = csum(h)
    h = h[:10] + struct.pack("!H", c) + h[12:]
    return h + payload


def ipv6(nh, payload, src="2001:db8::1", dst="2001:db8::2", tc=0, label=0,
         hlim=64, plen=None):
    if plen is None:
        plen = len(payload)
    first = (6 << 28) | (tc << 20) | label
    return (struct.pack("!IHBB", first, plen, nh, hlim)
            + ipaddress.IPv6Address(src).packed
            + ipaddress.IPv6Address(dst).packed + payload)


def ext(nh, body):
    """Hop-by-hop / routing / destination options header: body is padded
    to a multiple of 8 bytes with the two header bytes."""
    total = 2 + len(body)
    pad = (-total) % 8
    body = body + b"\0" * pad
    return struct.pack("!BB", nh, (2 + len(body)) // 8 - 1) + body


def frag6(nh, offset_flags, ident=0x11223344):
    return struct.pack("!BBHI", nh, 0, offset_flags, ident)


def ah(nh, icv=b"\0" * 4):
    body = struct.pack("!HII", 0, 0x100, 1) + icv
    return struct.pack("!BB", nh, (2 + len(body)) // 4 - 2) + body


def udp(sp, dp, payload=b"", length=None):
    if length is None:
        length = 8 + len(payload)
    return struct.pack("!HHHH", sp, dp, length, 0) + payload


def tcp(sp, dp, flags, options=b"", off=None, payload=b""):
    if off is None:
        off = (20 + len(options)) // 4
    return struct.pack("!HHIIHHHH", sp, dp, 1, 0, (off << 12) | flags, 8192,
                       0, 0) + options + payload


def sctp(sp, dp):
    return struct.pack("!HHII", sp, dp, 0xdeadbeef, 0) + bytes(
        [1, 0, 0, 20]) + b"\0" * 16


def icmp(t, c, rest=b"\0\0\0\0", payload=b""):
    return struct.pack("!BBH", t, c, 0) + rest + payload


def igmp(t, code, group):
    return struct.pack("!BBH4s", t, code, 0, ipaddress.IPv4Address(group).packed)


def nd(t, target, opts=b"", flags=0, code=0):
    return (struct.pack("!BBHI", t, code, 0, flags)
            + ipaddress.IPv6Address(target).packed + opts)


def lla(kind, m):
    return struct.pack("!BB", kind, 1) + mac(m)


def arp(op, sha="00:00:5e:00:53:01", spa="10.0.0.1", tha="00:00:00:00:00:00",
        tpa="10.0.0.2", hrd=1, pro=0x0800, hln=6, pln=4):
    return (struct.pack("!HHBBH", hrd, pro, hln, pln, op) + mac(sha)
            + ipaddress.IPv4Address(spa).packed + mac(tha)
            + ipaddress.IPv4Address(tpa).packed)


def mpls(label, tc, bos, ttl):
    return struct.pack("!I", (label << 12) | (tc << 9) | (bos << 8) | ttl)


def nsh(ttl, length_words, mdtype, np, spi, si, body=b"", ver=0, flags=0):
    w0 = (ver << 14) | (flags << 12) | (ttl << 6) | length_words
    return struct.pack("!HBBI", w0, mdtype, np, (spi << 8) | si) + body


def pad60(frame):
    return frame + b"\0" * max(0, 60 - len(frame))


U = udp(1234, 5678, b"hello")
T = tcp(40000, 80, 0x012)

PACKETS = [
    # Ethernet and its odd forms.
    ("runt", DST + SRC[:1]),
    ("eth-only", eth(0x1234, b"")),
    ("eth-unknown-type", eth(0x88b5, b"payload")),
    ("llc-stp", DST + SRC + struct.pack("!H", 38)
     + bytes([0x42, 0x42, 0x03]) + b"\0" * 35),
    ("llc-short", DST + SRC + struct.pack("!H", 7) + bytes([0xaa, 0xaa, 3, 0, 0, 0, 8])),
    ("snap-ipv4", DST + SRC + struct.pack("!H", 8 + 20 + len(U))
     + bytes([0xaa, 0xaa, 3, 0, 0, 0, 8, 0]) + ipv4(17, U)),
    ("snap-oui", DST + SRC + struct.pack("!H", 20)
     + bytes([0xaa, 0xaa, 3, 0, 0, 0xf8, 8, 0]) + b"\0" * 12),
    ("snap-length", DST + SRC + struct.pack("!H", 20)
     + bytes([0xaa, 0xaa, 3, 0, 0, 0, 0x05, 0xdc]) + b"\0" * 12),
    # VLANs.
    ("vlan", DST + SRC + vlan(0x8100, 0x2064, 0x0800, ipv4(17, U))),
    ("vlan-zero-tci", DST + SRC + vlan(0x8100, 0x0000, 0x0800, ipv4(17, U))),
    ("vlan-cfi", DST + SRC + vlan(0x8100, 0x1005, 0x86dd, ipv6(17, U))),
    ("qinq", DST + SRC + struct.pack("!HH", 0x88a8, 0xa00a)
     + vlan(0x8100, 0x6014, 0x0800, ipv4(6, T))),
    ("qinq-8100-8100", DST + SRC + struct.pack("!HH", 0x8100, 0x0001)
     + vlan(0x8100, 0x0002, 0x0806, arp(1))),
    ("three-tags", DST + SRC + struct.pack("!HHHH", 0x88a8, 1, 0x8100, 2)
     + vlan(0x8100, 3, 0x0800, ipv4(17, U))),
    ("vlan-truncated", DST + SRC + struct.pack("!HBB", 0x8100, 0, 5) + b"\x08"),
    ("vlan-no-inner-type", DST + SRC + struct.pack("!HH", 0x8100, 7)),
    ("vlan-llc", DST + SRC + struct.pack("!HHH", 0x8100, 9, 30)
     + bytes([0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x06]) + arp(2)),
    # ARP.
    ("arp-request", eth(0x0806, arp(1))),
    ("arp-reply-padded", pad60(eth(0x0806, arp(2, tha="02:00:00:00:00:b2")))),
    ("rarp", eth(0x8035, arp(3, spa="0.0.0.0"))),
    ("arp-op-256", eth(0x0806, arp(0x100))),
    ("arp-op-255", eth(0x0806, arp(0xff))),
    ("arp-hlen-8", eth(0x0806, arp(1, hln=8) + b"\0\0\0\0")),
    ("arp-ipv6-proto", eth(0x0806, arp(1, pro=0x86dd))),
    ("arp-truncated", eth(0x0806, arp(1)[:27])),
    # MPLS.
    ("mpls-1", eth(0x8847, mpls(16, 5, 1, 64) + ipv4(17, U))),
    ("mpls-2", eth(0x8847, mpls(16, 0, 0, 64) + mpls(0xfffff, 7, 1, 1) + ipv4(17, U))),
    ("mpls-4", eth(0x8847, mpls(1, 0, 0, 1) + mpls(2, 1, 0, 2) + mpls(3, 2, 0, 3)
                   + mpls(4, 3, 1, 4) + ipv4(17, U))),
    ("mpls-no-bos", eth(0x8847, mpls(1, 0, 0, 1) + mpls(2, 0, 0, 2))),
    ("mpls-cut", eth(0x8847, mpls(1, 0, 0, 1) + b"\0\0")),
    ("mplsm", DST + SRC + vlan(0x8100, 0x0ffe, 0x8848, mpls(100, 2, 1, 9) + b"\0" * 20)),
    # IPv4.
    ("udp4", eth(0x0800, ipv4(17, U, tos=0xb9, ttl=3))),
    ("udp4-padded", pad60(eth(0x0800, ipv4(17, udp(1, 2))))),
    ("tcp4-syn", eth(0x0800, ipv4(6, tcp(40000, 80, 0x002,
                                          options=bytes([2, 4, 5, 0xb4]))))),
    ("tcp4-all-flags", eth(0x0800, ipv4(6, tcp(1, 2, 0xfff)))),
    ("tcp4-flags-none", eth(0x0800, ipv4(6, tcp(1, 2, 0x000)))),
    ("tcp4-off-4", eth(0x0800, ipv4(6, tcp(1, 2, 0x010, off=4)))),
    ("tcp4-off-past-end", eth(0x0800, ipv4(6, tcp(1, 2, 0x010, off=6)))),
    ("tcp4-truncated", eth(0x0800, ipv4(6, T[:19]))),
    ("tcp4-cut-by-totlen", eth(0x0800, ipv4(6, T, tot_len=20 + 12))),
    ("udp4-cut-by-totlen", eth(0x0800, ipv4(17, U, tot_len=20 + 7))),
    ("sctp4", eth(0x0800, ipv4(132, sctp(2905, 2906)))),
    ("sctp4-truncated", eth(0x0800, ipv4(132, sctp(1, 2)[:11]))),
    ("icmp4-echo", eth(0x0800, ipv4(1, icmp(8, 0, payload=b"ping")))),
    ("icmp4-unreach", eth(0x0800, ipv4(1, icmp(3, 13) + ipv4(17, U)[:28]))),
    ("icmp4-truncated", eth(0x0800, ipv4(1, icmp(8, 0)[:7]))),
    ("igmp-v2-report", pad60(eth(0x0800, ipv4(2, igmp(0x16, 0, "239.1.2.3"),
                                               dst="239.1.2.3", ttl=1,
                                               options=bytes([0x94, 4, 0, 0]))))),
    ("igmp-query", eth(0x0800, ipv4(2, igmp(0x11, 100, "0.0.0.0")))),
    ("gre4", eth(0x0800, ipv4(47, b"\0\0\x65\x58" + b"\0" * 14))),
    ("ipv4-options", eth(0x0800, ipv4(17, U, options=bytes([0x94, 4, 0, 0, 1, 1, 1, 0])))),
    ("ipv4-df", eth(0x0800, ipv4(17, U, frag=0x4000))),
    ("ipv4-first-frag", eth(0x0800, ipv4(17, U, frag=0x2000))),
    ("ipv4-middle-frag", eth(0x0800, ipv4(17, U, frag=0x2001))),
    ("ipv4-last-frag", eth(0x0800, ipv4(6, T, frag=0x0010))),
    ("ipv4-ihl-4", eth(0x0800, ipv4(17, U, ihl=4))),
    ("ipv4-ihl-past-end", eth(0x0800, ipv4(17, b"", ihl=15))),
    ("ipv4-totlen-lt-ihl", eth(0x0800, ipv4(17, U, tot_len=19))),
    ("ipv4-totlen-past-end", eth(0x0800, ipv4(17, U, tot_len=200))),
    ("ipv4-truncated", eth(0x0800, ipv4(17, U)[:19])),
    ("ipv4-version-6", eth(0x0800, bytes([0x65]) + ipv4(17, U)[1:])),
    ("ipv4-proto-58-echo", eth(0x0800, ipv4(58, icmp(128, 0)))),
    # IPv6.
    ("udp6", eth(0x86dd, ipv6(17, U, tc=0x2b, label=0xabcde, hlim=255))),
    ("udp6-padded", pad60(eth(0x86dd, ipv6(17, udp(1, 2)[:6], plen=6)))),
    ("tcp6", eth(0x86dd, ipv6(6, tcp(443, 50000, 0x018, payload=b"data")))),
    ("sctp6", eth(0x86dd, ipv6(132, sctp(7, 8)))),
    ("icmp6-echo", eth(0x86dd, ipv6(58, icmp(128, 0, payload=b"ping")))),
    ("icmp6-truncated", eth(0x86dd, ipv6(58, icmp(128, 0)[:7]))),
    ("ipv6-proto-1", eth(0x86dd, ipv6(1, icmp(8, 0)))),
    ("ipv6-ext-chain", eth(0x86dd, ipv6(0, ext(43, b"\x01\x04\0\0\0\0")
                                          + ext(60, bytes([4, 1]) + b"\0" * 4 + b"\0" * 16)
                                          + ext(6, b"\x01\x04\0\0\0\0") + T))),
    ("ipv6-ah", eth(0x86dd, ipv6(51, ah(17) + U))),
    ("ipv6-ah-long", eth(0x86dd, ipv6(51, ah(17, icv=b"\0" * 12) + U))),
    ("ipv6-first-frag", eth(0x86dd, ipv6(44, frag6(17, 0x0001) + U))),
    ("ipv6-later-frag", eth(0x86dd, ipv6(44, frag6(17, 0x0008) + U))),
    ("ipv6-last-frag", eth(0x86dd, ipv6(44, frag6(6, 0x0100) + T))),
    ("ipv6-atomic-frag", eth(0x86dd, ipv6(44, frag6(17, 0x0000) + U))),
    ("ipv6-frag-reserved-bits", eth(0x86dd, ipv6(44, frag6(17, 0x0006) + U))),
    ("ipv6-frag-then-dstopts", eth(0x86dd, ipv6(44, frag6(60, 0x0001)
                                                  + ext(17, b"\x01\x04\0\0\0\0") + U))),
    ("ipv6-later-frag-truncated", eth(0x86dd, ipv6(0, ext(44, b"\x01\x04\0\0\0\0")
                                                     + frag6(6, 0x0009) + b"\0"))),
    ("ipv6-hbh-past-end", eth(0x86dd, ipv6(0, bytes([17, 3]) + b"\0" * 6 + U))),
    ("ipv6-ext-short", eth(0x86dd, ipv6(60, bytes([17, 0, 1, 2, 0, 0])))),
    ("ipv6-no-next", eth(0x86dd, ipv6(59, b""))),
    ("ipv6-esp", eth(0x86dd, ipv6(50, b"\0\0\0\1\0\0\0\1" + U))),
    ("ipv6-plen-past-end", eth(0x86dd, ipv6(17, U, plen=100))),
    ("ipv6-truncated", eth(0x86dd, ipv6(17, U)[:39])),
    ("ipv6-udp-cut-by-plen", eth(0x86dd, ipv6(17, U, plen=7))),
    # Neighbour discovery.
    ("nd-ns-sll", eth(0x86dd, ipv6(58, nd(135, "fe80::2", lla(1, "00:11:22:33:44:55")),
                                   src="fe80::1", dst="ff02::1:ff00:2", hlim=255))),
    ("nd-na-tll", eth(0x86dd, ipv6(58, nd(136, "fe80::2", lla(2, "00:11:22:33:44:66"),
                                          flags=0x60000000),
                                   src="fe80::2", dst="fe80::1", hlim=255))),
    ("nd-na-router-flags", eth(0x86dd, ipv6(58, nd(136, "2001:db8::5", flags=0xe00000ff)))),
    ("nd-ns-no-options", eth(0x86dd, ipv6(58, nd(135, "2001:db8::9")))),
    ("nd-ns-truncated-target", eth(0x86dd, ipv6(58, nd(135, "2001:db8::9")[:20]))),
    ("nd-ns-sll-tll", eth(0x86dd, ipv6(58, nd(135, "fe80::3", lla(2, "00:00:00:00:00:02")
                                              + lla(1, "00:00:00:00:00:01"))))),
    ("nd-ns-two-sll", eth(0x86dd, ipv6(58, nd(135, "fe80::3", lla(1, "00:00:00:00:00:01")
                                              + lla(1, "00:00:00:00:00:02"))))),
    ("nd-ns-zero-sll-twice", eth(0x86dd, ipv6(58, nd(135, "fe80::3", lla(1, "00:00:00:00:00:00")
                                                     + lla(1, "00:00:00:00:00:07"))))),
    ("nd-na-tll-then-two-sll", eth(0x86dd, ipv6(58, nd(136, "fe80::3", lla(2, "00:00:00:00:00:02")
                                                       + lla(1, "00:00:00:00:00:01")
                                                       + lla(1, "00:00:00:00:00:03"))))),
    ("nd-ns-option-len-0", eth(0x86dd, ipv6(58, nd(135, "fe80::4", bytes([1, 0]) + b"\0" * 6
                                                   + lla(1, "00:00:00:00:00:01"))))),
    ("nd-ns-option-past-end", eth(0x86dd, ipv6(58, nd(135, "fe80::4", lla(1, "00:00:00:00:00:01")
                                                      + bytes([2, 2]) + b"\0" * 6)))),
    ("nd-ns-long-sll", eth(0x86dd, ipv6(58, nd(135, "fe80::4", bytes([1, 2]) + b"\x0a" * 14
                                               + lla(2, "00:00:00:00:00:02"))))),
    ("nd-ns-other-option-first", eth(0x86dd, ipv6(58, nd(135, "fe80::4", bytes([5, 1, 0, 0, 0, 0, 5, 0xdc])
                                                         + lla(1, "00:00:00:00:00:01"))))),
    ("nd-ns-trailing-junk", eth(0x86dd, ipv6(58, nd(135, "fe80::4", lla(1, "00:00:00:00:00:01")
                                                    + b"\x02\x01\0")))),
    ("nd-ns-code-1", eth(0x86dd, ipv6(58, nd(135, "fe80::5", lla(1, "00:00:00:00:00:01"), code=1)))),
    ("nd-rs", eth(0x86dd, ipv6(58, icmp(133, 0) + lla(1, "00:00:00:00:00:01")))),
    ("nd-ns-behind-hbh", eth(0x86dd, ipv6(0, ext(58, b"\x01\x04\0\0\0\0")
                                            + nd(135, "fe80::6", lla(1, "00:00:00:00:00:06"))))),
    # NSH.
    ("nsh-md1", eth(0x894f, nsh(63, 6, 1, 3, 0x123456, 254,
                                struct.pack("!IIII", 1, 2, 3, 0xffffffff))
                    + eth(0x0800, ipv4(17, U)))),
    ("nsh-md1-flags", eth(0x894f, nsh(1, 6, 1, 1, 1, 1, b"\0" * 16, flags=3))),
    ("nsh-md1-bad-len", eth(0x894f, nsh(63, 5, 1, 3, 1, 1, b"\0" * 12))),
    ("nsh-md2", eth(0x894f, nsh(2, 4, 2, 1, 7, 7, b"\x00\x01\x02\x04\0\0\0\0"))),
    ("nsh-md2-len-0", eth(0x894f, nsh(2, 0, 2, 1, 7, 7))),
    ("nsh-md-other", eth(0x894f, nsh(2, 2, 0x1f, 1, 7, 7))),
    ("nsh-version-1", eth(0x894f, nsh(2, 6, 1, 1, 7, 7, b"\0" * 16, ver=1))),
    ("nsh-len-past-end", eth(0x894f, nsh(2, 8, 1, 1, 7, 7, b"\0" * 16))),
    ("nsh-short", eth(0x894f, b"\0\x06\x01")),
]


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for p in packets:
            f.write(struct.pack("<IIII", 0, 0, len(p), len(p)))
            f.write(p)


def main():
    names = [n for n, _ in PACKETS]
    assert len(set(names)) == len(names), "duplicate packet names"
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "golden.pcap")
        write_pcap(pcap, [p for _, p in PACKETS])
        out = subprocess.run(["ovs-ofctl", "parse-pcap", pcap], check=True,
                             capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert len(lines) == len(PACKETS), (len(lines), len(PACKETS))
    with open(os.path.join(HERE, "flows.tsv"), "w") as f:
        f.write("# name\tpacket\tovs-ofctl parse-pcap (Open vSwitch 3.1.0)\n")
        for (name, pkt), line in zip(PACKETS, lines):
            f.write("%s\t%s\t%s\n" % (name, pkt.hex(), line))


if __name__ == "__main__":
    main()
