#!/usr/bin/env python3
"""Regenerates compose.tsv: the packets real OVS builds from datapath flow
texts (OVS's flow_compose(), reached through `ovs-appctl
netdev-dummy/receive PORT 'FLOW'`, which composes with a 64-byte payload).

How the bytes are captured: a throw-away ovsdb-server and
`ovs-vswitchd --enable-dummy` run in a temporary directory; bridge br0
(datapath_type=dummy) gets a dummy port p1 with options:rxq_pcap, so every
packet netdev-dummy/receive injects is appended to that pcap file; the
daemons are stopped and the pcap is read back, one record per flow.

Run from anywhere with Debian's openvswitch-switch (3.1) installed:

    python3 lib/packet/tests/golden/compose_gen.py

Each output line is: name <TAB> len <TAB> datapath flow text <TAB> packet
hex, where len is the `--len` given (packet_expand()), or 0 for none (the
plain 64-byte-payload compose).
"""

import os
import signal
import struct
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

ETH = "eth(src=50:54:00:00:00:05,dst=50:54:00:00:00:07)"
V4 = "src=192.168.0.1,dst=192.168.0.2"
V6 = "src=2001:db8::1,dst=2001:db8::2"

# name, flow text. The names are what compose.rs's golden test uses to find
# the hand-built flow for a line.
FLOWS = [
    ("eth_only", ETH + ",eth_type(0x88b5)"),
    ("eth_no_type", ETH),
    ("vlan_udp", ETH + ",eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(" + V4 + ",proto=17,tos=0,ttl=64,frag=no),udp(src=1234,dst=5678))"),
    ("vlan_cfi_zero_pcp_only", ETH + ",eth_type(0x8100),vlan(vid=0,pcp=7),encap(eth_type(0x88b5))"),
    ("qinq_tcp", ETH + ",eth_type(0x88a8),vlan(vid=100,pcp=1),encap(eth_type(0x8100),vlan(vid=200,pcp=2),encap(eth_type(0x0800),ipv4(" + V4 + ",proto=6,tos=0,ttl=64,frag=no),tcp(src=80,dst=8080)))"),
    ("mpls_one", ETH + ",eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)"),
    ("mpls_three", ETH + ",eth_type(0x8847),mpls(label=100,tc=1,ttl=64,bos=0,label=200,tc=2,ttl=63,bos=0,label=300,tc=3,ttl=62,bos=1)"),
    ("mpls_two_mcast", ETH + ",eth_type(0x8848),mpls(label=16,tc=0,ttl=255,bos=0,label=17,tc=7,ttl=1,bos=1)"),
    ("arp_request", ETH + ",eth_type(0x0806),arp(sip=192.168.0.1,tip=192.168.0.2,op=1,sha=50:54:00:00:00:05,tha=00:00:00:00:00:00)"),
    ("arp_reply", ETH + ",eth_type(0x0806),arp(sip=192.168.0.2,tip=192.168.0.1,op=2,sha=50:54:00:00:00:07,tha=50:54:00:00:00:05)"),
    ("arp_other_op", ETH + ",eth_type(0x0806),arp(sip=192.168.0.2,tip=192.168.0.1,op=3,sha=50:54:00:00:00:07,tha=50:54:00:00:00:05)"),
    ("rarp_request", ETH + ",eth_type(0x8035),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:05,tha=50:54:00:00:00:07)"),
    ("rarp", ETH + ",eth_type(0x8035),arp(sip=0.0.0.0,tip=0.0.0.0,op=3,sha=50:54:00:00:00:05,tha=50:54:00:00:00:05)"),
    ("ipv4_tcp", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=6,tos=0x1c,ttl=64,frag=no),tcp(src=1234,dst=80)"),
    ("ipv4_tcp_ack_psh", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=6,tos=0,ttl=32,frag=no),tcp(src=443,dst=51000),tcp_flags(psh|ack)"),
    ("ipv4_tcp_syn", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=6,tos=0,ttl=64,frag=no),tcp(src=51000,dst=443),tcp_flags(syn)"),
    ("ipv4_udp", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=17,tos=0,ttl=64,frag=no),udp(src=53,dst=33333)"),
    ("ipv4_icmp_echo", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"),
    ("ipv4_icmp_unreach", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=1,tos=0,ttl=64,frag=no),icmp(type=3,code=1)"),
    ("ipv4_sctp", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=132,tos=0,ttl=64,frag=no),sctp(src=2905,dst=2906)"),
    ("ipv4_igmp", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=2,tos=0xc0,ttl=1,frag=no)"),
    ("ipv4_gre", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=47,tos=0,ttl=64,frag=no)"),
    ("ipv4_frag_first", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=17,tos=0,ttl=64,frag=first),udp(src=1000,dst=2000)"),
    ("ipv4_frag_later", ETH + ",eth_type(0x0800),ipv4(" + V4 + ",proto=17,tos=0,ttl=64,frag=later)"),
    ("ipv6_udp", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0x12345,proto=17,tclass=0x28,hlimit=64,frag=no),udp(src=546,dst=547)"),
    ("ipv6_tcp", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0,proto=6,tclass=0,hlimit=255,frag=no),tcp(src=22,dst=60000),tcp_flags(ack)"),
    ("ipv6_sctp", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0,proto=132,tclass=0,hlimit=64,frag=no),sctp(src=1,dst=2)"),
    ("ipv6_icmpv6_echo", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0,proto=58,tclass=0,hlimit=64,frag=no),icmpv6(type=128,code=0)"),
    ("ipv6_icmpv6_unreach", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0,proto=58,tclass=0,hlimit=64,frag=no),icmpv6(type=1,code=4)"),
    ("ipv6_nd_ns", ETH + ",eth_type(0x86dd),ipv6(src=fe80::5054:ff:fe00:5,dst=ff02::1:ff00:7,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::5054:ff:fe00:7,sll=50:54:00:00:00:05,tll=00:00:00:00:00:00)"),
    ("ipv6_nd_na", ETH + ",eth_type(0x86dd),ipv6(src=fe80::5054:ff:fe00:7,dst=fe80::5054:ff:fe00:5,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=136,code=0),nd(target=fe80::5054:ff:fe00:7,sll=00:00:00:00:00:00,tll=50:54:00:00:00:07),nd_ext(nd_reserved=0x60000000,nd_options_type=2)"),
    ("ipv6_nd_ns_both", ETH + ",eth_type(0x86dd),ipv6(src=fe80::1,dst=fe80::2,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::2,sll=50:54:00:00:00:05,tll=50:54:00:00:00:07)"),
    ("ipv6_frag_first", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0,proto=17,tclass=0,hlimit=64,frag=first),udp(src=1000,dst=2000)"),
    ("ipv6_frag_later", ETH + ",eth_type(0x86dd),ipv6(" + V6 + ",label=0,proto=17,tclass=0,hlimit=64,frag=later)"),
    ("vlan_arp", ETH + ",eth_type(0x8100),vlan(vid=4095,pcp=0),encap(eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:05,tha=00:00:00:00:00:00))"),
    ("vlan_mpls", ETH + ",eth_type(0x8100),vlan(vid=5,pcp=0),encap(eth_type(0x8847),mpls(label=1000,tc=0,ttl=10,bos=1))"),
]

FLOW = dict(FLOWS)

# name, flow text, --len: some of the same flows padded by packet_expand().
LEN_FLOWS = [
    ("len_eth_no_type", ETH, 64),
    ("len_ipv4_udp", FLOW["ipv4_udp"], 128),
    ("len_ipv4_tcp", FLOW["ipv4_tcp"], 100),
    ("len_ipv4_icmp_unreach", FLOW["ipv4_icmp_unreach"], 61),
    ("len_ipv4_frag_later", FLOW["ipv4_frag_later"], 60),
    ("len_ipv4_sctp", FLOW["ipv4_sctp"], 70),
    ("len_ipv6_icmpv6_echo", FLOW["ipv6_icmpv6_echo"], 91),
    ("len_ipv6_nd_ns", FLOW["ipv6_nd_ns"], 120),
    ("len_vlan_udp", FLOW["vlan_udp"], 150),
    ("len_mpls_one", FLOW["mpls_one"], 64),
    ("len_arp_request", FLOW["arp_request"], 60),
]


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    pos = 24
    packets = []
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[pos:pos + 16])
        pos += 16
        packets.append(data[pos:pos + caplen])
        pos += caplen
    return packets


def main():
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, OVS_RUNDIR=d, OVS_DBDIR=d, OVS_LOGDIR=d,
                   OVS_SYSCONFDIR=d, OVS_PKGDATADIR="/usr/share/openvswitch")
        db = os.path.join(d, "conf.db")
        sock = "unix:" + os.path.join(d, "db.sock")
        pcap = os.path.join(d, "p1.pcap")
        pids = []

        def run(*args):
            subprocess.run(args, env=env, check=True, cwd=d)

        try:
            run("ovsdb-tool", "create", db,
                "/usr/share/openvswitch/vswitch.ovsschema")
            run("/usr/sbin/ovsdb-server", "--detach", "--no-chdir",
                "--pidfile=" + os.path.join(d, "ovsdb-server.pid"),
                "--log-file=" + os.path.join(d, "ovsdb-server.log"),
                "--remote=p" + sock, db)
            pids.append(os.path.join(d, "ovsdb-server.pid"))
            run("ovs-vsctl", "--db=" + sock, "--no-wait", "init")
            run("/usr/sbin/ovs-vswitchd", "--enable-dummy", "--disable-system",
                "--detach", "--no-chdir",
                "--pidfile=" + os.path.join(d, "ovs-vswitchd.pid"),
                "--log-file=" + os.path.join(d, "ovs-vswitchd.log"),
                "--unixctl=" + os.path.join(d, "vswitchd.ctl"), sock)
            pids.append(os.path.join(d, "ovs-vswitchd.pid"))
            # vswitchd's default vlan-limit of 1 would make the flow
            # parser drop the inner tag of a QinQ flow.
            run("ovs-vsctl", "--db=" + sock, "add-br", "br0",
                "--", "set", "Open_vSwitch", ".",
                "other_config:vlan-limit=2",
                "--", "set", "bridge", "br0", "datapath_type=dummy",
                "--", "add-port", "br0", "p1",
                "--", "set", "interface", "p1", "type=dummy",
                "options:rxq_pcap=" + pcap)
            for _, flow in FLOWS:
                run("ovs-appctl", "-t", os.path.join(d, "vswitchd.ctl"),
                    "netdev-dummy/receive", "p1", flow)
            for _, flow, length in LEN_FLOWS:
                run("ovs-appctl", "-t", os.path.join(d, "vswitchd.ctl"),
                    "netdev-dummy/receive", "p1", flow, "--len",
                    str(length))
        finally:
            for pidfile in reversed(pids):
                try:
                    with open(pidfile) as f:
                        os.kill(int(f.read().strip()), signal.SIGTERM)
                except (OSError, ValueError):
                    pass
            time.sleep(0.5)

        packets = read_pcap(pcap)
        cases = [(name, flow, 0) for name, flow in FLOWS] + LEN_FLOWS
        if len(packets) != len(cases):
            raise SystemExit("expected %d packets, pcap has %d"
                             % (len(cases), len(packets)))

    with open(os.path.join(HERE, "compose.tsv"), "w") as out:
        for (name, flow, length), pkt in zip(cases, packets):
            out.write("%s\t%d\t%s\t%s\n" % (name, length, flow, pkt.hex()))


if __name__ == "__main__":
    main()
