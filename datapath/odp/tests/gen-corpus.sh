#!/bin/bash
# Regenerates tests/data/dump-flows.txt: datapath flows as real Open vSwitch
# (Debian's 3.1 ovs-vswitchd with its userspace datapath, in a throwaway
# sandbox) prints them with `ovs-appctl dpctl/dump-flows`, plain, `--names`
# and `-m`. The flows come from OpenFlow tables plus injected packets, and
# from `dpctl/add-flow` with text keys and actions.
#
# Usage: datapath/odp/tests/gen-corpus.sh   (needs ovs-vswitchd, python3)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="$here/data/dump-flows.txt"
sb=$(mktemp -d /tmp/odp-corpus.XXXXXX)
export OVS_RUNDIR=$sb OVS_LOGDIR=$sb OVS_DBDIR=$sb OVS_SYSCONFDIR=$sb
export OVS_PKGDATADIR=/usr/share/openvswitch

cleanup() {
    for p in ovs-vswitchd ovsdb-server; do
        if [ -f "$sb/$p.pid" ]; then kill "$(cat "$sb/$p.pid")" 2>/dev/null || true; fi
    done
    sleep 0.5
    rm -rf "$sb"
}
trap cleanup EXIT

cd "$sb"
ovsdb-tool create conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server --detach --no-chdir --pidfile="$sb/ovsdb-server.pid" \
    --log-file="$sb/ovsdb-server.log" --remote="punix:$sb/db.sock" conf.db
V="ovs-vsctl --db=unix:$sb/db.sock --timeout=10"
$V --no-wait init
$V --no-wait set Open_vSwitch . other_config:max-idle=600000
ovs-vswitchd --enable-dummy --disable-system --detach --no-chdir \
    --pidfile="$sb/ovs-vswitchd.pid" --log-file="$sb/ovs-vswitchd.log" "unix:$sb/db.sock"
A="ovs-appctl -t $sb/ovs-vswitchd.$(cat "$sb/ovs-vswitchd.pid").ctl"
OF="ovs-ofctl -O OpenFlow15"

$V add-br br0 -- set bridge br0 datapath_type=dummy fail-mode=secure \
    other-config:hwaddr=aa:55:aa:55:00:01
for i in 1 2 3 4; do
    $V add-port br0 p$i -- set interface p$i type=dummy ofport_request=$i
done
# An underlay bridge for userspace tunnelling.
$V add-br br1 -- set bridge br1 datapath_type=dummy fail-mode=standalone \
    other-config:hwaddr=aa:55:aa:55:00:00 \
    -- add-port br1 p0 -- set interface p0 type=dummy ofport_request=10
$V add-port br0 t1 -- set interface t1 type=vxlan options:remote_ip=1.1.2.92 \
    options:key=123 ofport_request=20
$V add-port br0 t2 -- set interface t2 type=geneve options:remote_ip=1.1.2.92 \
    options:key=flow ofport_request=21
$V add-port br0 t3 -- set interface t3 type=gre options:remote_ip=1.1.2.92 \
    options:key=456 ofport_request=22
$V add-port br0 t4 -- set interface t4 type=vxlan options:remote_ip=2001:cafe::92 \
    options:key=7 ofport_request=23
$A netdev-dummy/ip4addr br1 1.1.2.88/24 >/dev/null
$A netdev-dummy/ip6addr br1 2001:cafe::88/24 >/dev/null
$A ovs/route/add 1.1.2.92/24 br1 >/dev/null
$A ovs/route/add 2001:cafe::92/24 br1 >/dev/null
$A tnl/arp/set br1 1.1.2.92 f8:bc:12:44:34:b6 >/dev/null
$A tnl/neigh/set br1 2001:cafe::92 f8:bc:12:44:34:b6 >/dev/null

# IPFIX sampling and a meter.
$V -- --id=@br get Bridge br0 -- --id=@i create IPFIX targets=\"127.0.0.1:4739\" \
    -- create Flow_Sample_Collector_Set id=1 bridge=@br ipfix=@i >/dev/null
$OF add-meter br0 meter=1,pktps,band=type=drop,rate=1
$OF add-group br0 'group_id=1,type=select,selection_method=dp_hash,bucket=output:2,bucket=output:3'
$OF add-group br0 'group_id=2,type=select,selection_method=hash,fields=ip_src,bucket=output:2,bucket=output:3'

$OF add-tlv-map br0 "{class=0xffff,type=0x80,len=4}->tun_metadata0"
$OF add-flows br0 - <<'EOF'
table=0,priority=100,in_port=1,dl_vlan=10,actions=pop_vlan,output:2
table=0,priority=100,in_port=1,ip,nw_src=10.1.0.0/16,actions=mod_vlan_vid:20,output:2
table=0,priority=100,in_port=1,ipv6,ipv6_src=fe80::1,actions=set_field:fe80::99->ipv6_src,output:2
table=0,priority=100,in_port=1,icmp,actions=ct(commit,zone=5,nat(src=192.168.0.1-192.168.0.9:100-200)),output:2
table=0,priority=100,in_port=1,tcp,tp_dst=22,actions=ct(table=1,zone=7)
table=0,priority=100,in_port=1,tcp,tp_dst=23,actions=ct(table=1,zone=8,nat)
table=0,priority=100,in_port=1,tcp6,tp_dst=22,actions=ct(table=1,zone=9)
table=1,priority=100,ct_state=+trk+new,tcp,actions=ct(commit,zone=7,exec(set_field:0x5->ct_mark,set_field:0x1234->ct_label)),output:3
table=1,priority=100,ct_state=+trk+new,tcp6,actions=ct(commit,zone=9,nat(dst=[2001:db8::1]:8080)),output:3
table=1,priority=90,ct_state=+trk+est,ct_mark=5,ct_label=0x1234/0xffff,actions=output:3
table=1,priority=80,ct_state=+trk,ct_zone=8,actions=ct_clear,output:3
table=0,priority=100,in_port=1,udp,tp_dst=53,actions=controller
table=0,priority=100,in_port=1,udp,tp_dst=54,actions=controller(userdata=01.02.03,pause)
table=0,priority=100,in_port=1,dl_type=0x8847,actions=pop_mpls:0x0800,output:2
table=0,priority=100,in_port=1,sctp,actions=push_mpls:0x8847,set_field:100->mpls_label,output:2
table=0,priority=100,in_port=2,ip,actions=mod_dl_src:00:11:22:33:44:55,mod_nw_tos:32,dec_ttl,output:1
table=0,priority=100,in_port=2,udp6,actions=dec_ttl,mod_tp_dst:99,output:1
table=0,priority=100,in_port=1,udp,tp_dst=100,actions=output:20
table=0,priority=100,in_port=1,udp,tp_dst=101,actions=set_field:0x77->tun_id,output:21
table=0,priority=100,in_port=1,udp,tp_dst=102,actions=output:22
table=0,priority=100,in_port=1,udp,tp_dst=103,actions=output:23
table=0,priority=100,in_port=1,udp,tp_dst=104,actions=sample(probability=32768,collector_set_id=1,obs_domain_id=2,obs_point_id=3),output:2
table=0,priority=100,in_port=1,udp,tp_dst=105,actions=sample(probability=65535,collector_set_id=1,obs_domain_id=2,obs_point_id=3,sampling_port=2,ingress),output:2
table=0,priority=100,in_port=1,udp,tp_dst=106,actions=meter:1,output:2
table=0,priority=100,in_port=1,udp,tp_dst=107,actions=check_pkt_larger(200)->NXM_NX_REG0[0],resubmit(,2)
table=2,priority=100,reg0=1,actions=output:2
table=2,priority=90,actions=output:3
table=0,priority=100,in_port=1,udp,tp_dst=108,actions=output(port=2,max_len=100)
table=0,priority=100,in_port=1,udp,tp_dst=109,actions=clone(mod_vlan_vid:5,output:2),output:3
table=0,priority=100,in_port=1,udp,tp_dst=110,actions=group:1
table=0,priority=100,in_port=1,udp,tp_dst=111,actions=group:2
table=0,priority=100,in_port=1,udp,tp_dst=112,actions=mod_nw_src:9.9.9.9,mod_tp_src:7,output:2
table=0,priority=100,in_port=1,tcp,tcp_flags=+syn-ack,actions=output:4
table=0,priority=100,in_port=1,udp,tp_dst=113,actions=set_field:0x1->pkt_mark,set_queue:3,output:2
table=0,priority=100,in_port=1,udp,tp_dst=114,actions=set_field:0x1->pkt_mark,output:2
table=0,priority=100,in_port=1,udp,tp_dst=115,nw_tos=0x20,actions=mod_nw_ecn:1,output:2
table=0,priority=100,in_port=1,arp,arp_op=1,actions=set_field:9.9.9.9->arp_spa,output:2
table=0,priority=100,in_port=1,icmp6,icmp_type=135,actions=set_field:fe80::77->nd_target,output:2
table=0,priority=100,in_port=1,dl_type=0x0806,actions=NORMAL
table=0,priority=100,in_port=20,actions=output:4
table=0,priority=100,in_port=21,tun_metadata0=0,actions=output:4
table=0,priority=90,in_port=21,actions=output:4
table=0,priority=100,in_port=22,actions=output:4
table=0,priority=100,in_port=3,actions=NORMAL
table=0,priority=1,actions=drop
EOF

traced=()
P=receive
receive() {
    $A netdev-dummy/receive "$1" "$2" >/dev/null
    case "$2" in in_port*) traced+=("$2") ;; esac
}
E='eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)'
I4='ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no)'
udp() { $P p1 "in_port(1),$E,eth_type(0x0800),$I4,udp(src=1000,dst=$1)"; }
$P p1 "in_port(1),$E,eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),$I4,udp(src=1,dst=2))"
$P p1 "in_port(1),$E,eth_type(0x88a8),vlan(vid=11,pcp=0),encap(eth_type(0x8100),vlan(vid=12,pcp=1),encap(eth_type(0x0800),$I4,udp(src=1,dst=2)))"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.1.2.3,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
$P p1 "in_port(1),$E,eth_type(0x86dd),ipv6(src=fe80::1,dst=fe80::2,label=0x12345,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=2)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=22),tcp_flags(syn)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=23),tcp_flags(syn)"
$P p1 "in_port(1),$E,eth_type(0x86dd),ipv6(src=2001:db8::5,dst=2001:db8::6,label=0,proto=6,tclass=0,hlimit=64,frag=no),tcp(src=1000,dst=22),tcp_flags(syn)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=30),tcp_flags(syn)"
$P p1 "in_port(1),$E,eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)"
$P p1 "in_port(1),$E,eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=0,label=200,tc=1,ttl=63,bos=1)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=132,tos=0,ttl=64,frag=no),sctp(src=1,dst=2)"
$P p2 "in_port(2),$E,eth_type(0x0800),$I4,udp(src=1,dst=2)"
$P p2 "in_port(2),$E,eth_type(0x86dd),ipv6(src=fe80::1,dst=fe80::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=2)"
$P p1 "in_port(1),$E,eth_type(0x86dd),ipv6(src=fe80::1,dst=fe80::2,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::2,sll=50:54:00:00:00:01,tll=00:00:00:00:00:00)"
$P p1 "in_port(1),$E,eth_type(0x86dd),ipv6(src=fe80::3,dst=fe80::2,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=136,code=0),nd(target=fe80::3,sll=00:00:00:00:00:00,tll=50:54:00:00:00:01)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=later)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=first),udp(src=1,dst=2)"
$P p1 "in_port(1),$E,eth_type(0x86dd),ipv6(src=fe80::5,dst=fe80::2,label=0,proto=44,tclass=0,hlimit=64,frag=first)"
$P p1 "in_port(1),$E,eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)"
$P p1 "in_port(1),$E,eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=2,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)"
$P p3 "in_port(3),$E,eth_type(0x8035),arp(sip=0.0.0.0,tip=0.0.0.0,op=3,sha=50:54:00:00:00:01,tha=50:54:00:00:00:01)"
$P p3 "in_port(3),eth(src=50:54:00:00:00:03,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.3,dst=10.0.0.255,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
$P p3 "in_port(3),eth(src=50:54:00:00:00:03,dst=01:80:c2:00:00:0e)"
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=40),tcp_flags(syn)"
for d in 53 54 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114; do udp $d; done
$P p1 "in_port(1),$E,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=32,ttl=64,frag=no),udp(src=1000,dst=115)"

# Tunnelled packets arriving on the underlay: VXLAN, Geneve with an
# option, GRE.
pkt() { python3 - "$@" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def ip4(proto, payload, src=b'\x01\x01\x02\x5c', dst=b'\x01\x01\x02\x58'):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload
inner = bytes.fromhex('505400000007505400000008') + b'\x08\x00' + ip4(1, bytes.fromhex('0800f7ff00000000'), b'\x0a\x00\x00\x07', b'\x0a\x00\x00\x08')
kind = sys.argv[1]
if kind == 'vxlan':
    l4 = struct.pack('!HHHH', 51000, 4789, 8 + 8 + len(inner), 0) + struct.pack('!II', 0x08000000, 123 << 8) + inner
    outer = ip4(17, l4)
elif kind == 'geneve':
    opt = struct.pack('!HBB', 0xffff, 0x80, 1) + b'\x00\x00\x00\x0a'
    gh = struct.pack('!BBHI', len(opt) // 4, 0, 0x6558, 0x77 << 8) + opt
    l4 = struct.pack('!HHHH', 51000, 6081, 8 + len(gh) + len(inner), 0) + gh + inner
    outer = ip4(17, l4)
else:
    l4 = struct.pack('!HHI', 0x2000, 0x6558, 456) + inner
    outer = ip4(47, l4)
eth = bytes.fromhex('aa55aa550000f8bc124434b6') + b'\x08\x00'
print((eth + outer).hex())
PY
}
$P p0 "$(pkt vxlan)"
$P p0 "$(pkt geneve)"
$P p0 "$(pkt gre)"
sleep 1

# Flows added as text, then read back.
K='eth(src=50:54:00:00:00:05,dst=50:54:00:00:00:06),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
# `ofproto/trace` ends with the datapath actions, ports as numbers.
for f in "${traced[@]}"; do
    $A ofproto/trace "$f" | sed -n 's/^Datapath actions: //p'
done > "$sb/trace"

# A datapath of its own, which ofproto's revalidators leave alone.
$A dpctl/add-dp dummy@dp0 >/dev/null
n=500
add() {
    n=$((n + 1))
    if $A dpctl/add-flow dummy@dp0 "in_port($n),$1" "$2" >/dev/null 2>&1; then
        printf '%s\t%s\n' "in_port($n),$1" "$2" >> "$sb/added"
    else
        echo "add-flow failed: $1 $2" >&2
    fi
}
for act in 'userspace(pid=5,userdata(0102))' 'userspace(pid=5,sFlow(vid=10,pcp=2,output=7))' \
    'userspace(pid=1,slow_path(match))' 'userspace(pid=1,slow_path(lacp|match))' \
    'userspace(pid=1,flow_sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3,output_port=4,egress))' \
    'userspace(pid=1,ipfix(output_port=4),actions,tunnel_out_port=9)' 'trunc(100),2' 'meter(3)' \
    'sample(sample=50.0%,actions(1,2))' 'sample(sample=12.3%,actions(userspace(pid=3)))' \
    'clone(push_vlan(vid=5,pcp=1),2)' 'check_pkt_len(size=200,gt(1),le(drop))' \
    'check_pkt_len(size=1500,gt(drop),le(2,3))' 'ct(commit)' 'ct' 'ct(force_commit,zone=3)' \
    'ct(commit,zone=1,mark=0x1/0xf,nat(src))' 'ct(helper=ftp,timeout=foo,label=0x1/0xff,nat)' \
    'ct(nat(dst=[fe80::1]-[fe80::5]:80,persistent,random))' 'ct(nat(src=10.0.0.1:1000-2000,hash))' \
    'ct(commit,label=0x10000000000000000000000000000001)' 'ct_clear' \
    'set(tunnel(tun_id=0x5,dst=1.1.1.1,ttl=64,tp_dst=4789,flags(df|key)))' \
    'set(tunnel(tun_id=0x5,ipv6_dst=2001::1,ttl=64,flags(key)))' 'set(skb_mark(0x5/0xff))' \
    'set(skb_priority(0x3))' 'set(ipv4(src=1.2.3.4))' 'set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=17,tos=0,ttl=9,frag=no))' \
    'set(ipv6(hlimit=3))' 'set(tcp(src=80))' 'set(udp(dst=53/0xff))' 'set(eth(src=00:00:00:00:00:01))' \
    'set(eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02))' 'set(arp(sip=1.2.3.4))' \
    'set(nd(target=fe80::1))' 'set(mpls(label=7,tc=1,ttl=2,bos=1))' 'set(ct_state(+trk))' 'set(in_port(3))' \
    'lb_output(1)' 'add_mpls(label=5,tc=1,ttl=2,bos=1,eth_type=0x8847)' \
    'push_vlan(tpid=0x88a8,vid=5,pcp=1,cfi=0)' 'push_vlan(vid=4095,pcp=7)' 'recirc(7)' 'tnl_pop(4789)' 'drop' \
    'pop_vlan,pop_nsh(),ct_clear,2' '4294967295' \
    'tnl_push(tnl_port(4789),header(size=50,type=4,eth(dst=f8:bc:12:44:34:b6,src=aa:55:aa:55:00:00,dl_type=0x0800),ipv4(src=1.1.2.88,dst=1.1.2.92,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0x8000000,vni=0x7b)),out_port(100))' \
    'tnl_push(tnl_port(6081),header(size=58,type=5,eth(dst=f8:bc:12:44:34:b6,src=aa:55:aa:55:00:00,dl_type=0x0800),ipv4(src=1.1.2.88,dst=1.1.2.92,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=6081,csum=0x0),geneve(oam,vni=0x1,options({class=0xffff,type=0x80,len=4,0xa}))),out_port(100))' \
    'tnl_push(tnl_port(4789),header(size=70,type=4,eth(dst=f8:bc:12:44:34:b6,src=aa:55:aa:55:00:00,dl_type=0x86dd),ipv6(src=2001:cafe::88,dst=2001:cafe::92,label=0,proto=17,tclass=0x0,hlimit=64),udp(src=0,dst=4789,csum=0xffff),vxlan(flags=0x8000000,vni=0x7)),out_port(100))' \
    'tnl_push(tnl_port(3),header(size=46,type=3,eth(dst=f8:bc:12:44:34:b6,src=aa:55:aa:55:00:00,dl_type=0x0800),ipv4(src=1.1.2.88,dst=1.1.2.92,proto=47,tos=0,ttl=64,frag=0x4000),gre((flags=0xa000,proto=0x6558),csum=0x0,key=0x1c8)),out_port(100))'
do
    add "$K" "$act"
done
for key in \
    'eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,dst=10.0.0.2,proto=6,tos=0x10/0xfc,ttl=5,frag=no),tcp(src=1/0xff00,dst=2),tcp_flags(+syn-ack)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=5,frag=no),tcp(src=1,dst=2),tcp_flags(syn|ack)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=5,frag=no),tcp(src=1,dst=2),tcp_flags(0x12/0xfff)' \
    'skb_priority(0x7),skb_mark(0x8/0xff),recirc_id(3),dp_hash(0x10/0xf0),eth(),eth_type(0x86dd),ipv6(src=2001:db8::/ffff:ffff::,dst=::1,label=0x5/0xf,proto=17,tclass=0x3,hlimit=3,frag=first),udp(src=1,dst=2)' \
    'ct_state(+new+trk),ct_zone(5),ct_mark(0x1/0x3),ct_label(0x1/0xf),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp()' \
    'ct_state(-rpl+est+trk),ct_zone(0x5/0xff),ct_tuple4(src=1.1.1.1,dst=2.2.2.2,proto=6,tp_src=1,tp_dst=2),eth(),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=6,frag=no),tcp(src=1,dst=2)' \
    'ct_state(0x21/0x3f),ct_tuple6(src=2001::1,dst=2001::2,proto=17,tp_src=1,tp_dst=2),eth(),eth_type(0x86dd),ipv6(src=2001::1,dst=2001::2,proto=17,frag=no),udp(src=1,dst=2)' \
    'tunnel(tun_id=0x7b,src=1.1.2.92,dst=1.1.2.88,ttl=64,tp_dst=4789,flags(-df-csum+key)),eth(),eth_type(0x0800),ipv4(frag=no)' \
    'tunnel(tun_id=0x7b/0xff,src=1.1.2.92,dst=1.1.2.88/255.255.255.0,tos=0x3/0xff,ttl=64,tp_src=5/0xff,tp_dst=4789,vxlan(gbp(id=10,flags=0x1)),flags(df|csum|key)),eth(src=00:00:00:00:00:01),eth_type(0x0800),ipv4(frag=no)' \
    'tunnel(tun_id=0x1,ipv6_src=2001:cafe::92,ipv6_dst=2001:cafe::88,ttl=64,tp_dst=6081,geneve({class=0xffff,type=0x80,len=4,0xa/0xff}{class=0x1,type=0x2,len=0}),flags(+key)),eth(),eth_type(0x0800),ipv4(frag=no)' \
    'tunnel(tun_id=0x1,src=1.1.1.1,dst=2.2.2.2,ttl=64,erspan(ver=1,idx=0x7),flags(+key)),eth(),eth_type(0x0800),ipv4(frag=no)' \
    'tunnel(tun_id=0x1,src=1.1.1.1,dst=2.2.2.2,ttl=64,erspan(ver=2,dir=1,hwid=0x7),flags(+key)),eth(),eth_type(0x0800),ipv4(frag=no)' \
    'tunnel(src=1.1.1.1,dst=2.2.2.2,ttl=64,gtpu(flags=0x30,msgtype=255),flags(0/0)),eth(),eth_type(0x0800),ipv4(frag=no)' \
    'packet_type(ns=1,id=0x800),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=1,tos=0,ttl=1,frag=no),icmp(type=8,code=0/0xf)' \
    'packet_type(ns=0,id=0),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8100),vlan(vid=10/0xff0,pcp=2),encap(eth_type(0x0806),arp(sip=1.1.1.1,tip=2.2.2.2/255.255.0.0,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:00/ff:ff:00:00:00:00))' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8100),vlan(vid=10,pcp=0,cfi=1),encap(eth_type(0x0800),ipv4(frag=no))' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8847),mpls(label=5,tc=1,ttl=64,bos=0,label=6,tc=0,ttl=64,bos=1)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8848),mpls(label=5/0xff,tc=1,ttl=64/0,bos=1)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x86dd),ipv6(src=fe80::1,dst=ff02::1,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=136,code=0),nd(target=fe80::1,sll=00:00:00:00:00:00,tll=00:00:00:00:00:01/ff:ff:ff:ff:ff:00)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x86dd),ipv6(src=fe80::1,dst=ff02::1,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::1),nd_ext(nd_reserved=0x0,nd_options_type=2)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=132,tos=0,ttl=1,frag=no),sctp(src=9,dst=10/0xfff0)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x1234)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=17,tos=0,ttl=1,frag=later)' \
    'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=17,tos=0,ttl=1,frag=no),udp(src=1,dst=2)'
do
    add "$key" 2
done

{
    echo "# Generated by gen-corpus.sh with $(ovs-vswitchd --version | head -1)."
    echo "# Per datapath: @ports (number name), then its flows as"
    echo "# dpctl/dump-flows prints them (@plain), with --names (@names), with -m (@verbose);"
    echo "# then (@trace) the datapath actions of ofproto/trace for the packets sent,"
    echo "# and (@added) the keys and actions given to dpctl/add-flow on dummy@dp0."
    for dp in dummy@ovs-dummy dummy@dp0; do
        echo "@datapath $dp"
        echo "@ports"
        $A dpctl/show "$dp" | sed -n 's/^  port \([0-9]*\): \([^ ]*\).*/\1 \2/p'
        echo "@plain"
        $A dpctl/dump-flows "$dp" | grep -v '^flow-dump from'
        echo "@names"
        $A dpctl/dump-flows --names "$dp" | grep -v '^flow-dump from'
        echo "@verbose"
        $A dpctl/dump-flows -m "$dp" | grep -v '^flow-dump from'
    done
    echo "@trace"
    cat "$sb/trace"
    # What was given to dpctl/add-flow on dummy@dp0: key, a tab, actions.
    echo "@added"
    cat "$sb/added"
} > "$out.tmp"
# Times since last use vary from run to run.
sed -i 's/used:[0-9.]*s/used:never/' "$out.tmp"
mv "$out.tmp" "$out"
grep -c . "$out"
