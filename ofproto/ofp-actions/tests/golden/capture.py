#!/usr/bin/env python3
"""Captures the action/instruction bytes real ovs-ofctl 3.1 encodes for a
list of flows, and checks each with `ovs-ofctl parse-actions` /
`parse-instructions` (decode, print, re-encode, diff)."""
import subprocess, sys, re

VERSIONS = ["OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13", "OpenFlow14", "OpenFlow15"]

FLOWS = [
    ("", "output:1"),
    ("", "output:65279,in_port,normal,flood,all,local"),
    ("", "controller,controller:1234"),
    ("", "controller(reason=no_match,max_len=100,id=5)"),
    ("", "controller(userdata=01.02.03,pause)"),
    ("", "controller(meter_id=3)"),
    ("", "drop"),
    ("", "enqueue:1:2"),
    ("", "output:NXM_NX_REG0[0..15],output:reg1[16..31]"),
    ("", "output(port=1,max_len=100)"),
    ("", "set_field:00:11:22:33:44:55->eth_src,set_field:00:11:22:33:44:66->eth_dst"),
    ("ip", "set_field:10.0.0.1->ip_src,set_field:10.0.0.2->ip_dst"),
    ("", "set_field:0x1234->reg0,set_field:0x1234/0xff00->reg1"),
    ("", "set_field:0x1->xreg0,set_field:0x123456789abcdef0->metadata"),
    ("dl_vlan=5", "set_field:10->vlan_vid,set_field:3->vlan_pcp"),
    ("ipv6", "set_field:2001:db8::1->ipv6_src,set_field:0x12345->ipv6_label"),
    ("tcp", "set_field:80->tcp_src,set_field:443->tcp_dst"),
    ("ip", "set_field:46->ip_dscp,set_field:2->nw_ecn,set_field:8->nw_ttl"),
    ("", "set_field:0x5->tun_id,set_field:10.1.1.1->tun_dst"),
    ("", "load:0x5->NXM_NX_REG0[3..8],load:0xffff->NXM_OF_VLAN_TCI[]"),
    ("", "load:0x123456789abcdef->NXM_NX_XXREG0[0..63]"),
    ("", "load:0x1->NXM_NX_REG2[]"),
    ("", "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],move:NXM_NX_REG0[0..15]->NXM_NX_REG1[16..31]"),
    ("", "move:NXM_NX_TUN_METADATA1[0..7]->NXM_NX_REG0[0..7]"),
    ("", "set_field:0x1->tun_metadata0"),
    ("", "push_vlan:0x8100,pop_vlan"),
    ("", "strip_vlan"),
    ("", "mod_vlan_vid:5,mod_vlan_pcp:3"),
    ("vlan_tci=0x1000/0x1000", "mod_vlan_vid:5,mod_vlan_pcp:3"),
    ("vlan_tci=0x1000/0x1000", "set_vlan_vid:7,set_vlan_pcp:2"),
    ("", "mod_dl_src:00:0a:0b:0c:0d:0e,mod_dl_dst:00:01:02:03:04:05"),
    ("ip", "mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8"),
    ("ip", "mod_nw_tos:8,mod_nw_ecn:2,mod_nw_ttl:9"),
    ("tcp", "mod_tp_src:80,mod_tp_dst:443"),
    ("udp", "mod_tp_src:53,mod_tp_dst:5353"),
    ("", "push_mpls:0x8847,set_mpls_label:10,set_mpls_tc:3,set_mpls_ttl:64,dec_mpls_ttl"),
    ("mpls", "pop_mpls:0x0800"),
    ("ip", "dec_ttl,dec_ttl(1,2,3)"),
    ("", "set_tunnel:0x5,set_tunnel64:0x5,set_tunnel:0x123456789"),
    ("", "set_queue:3,pop_queue"),
    ("", "resubmit:3,resubmit(,4),resubmit(1,2)"),
    ("ip,ct_state=+trk+est", "resubmit(,5,ct)"),
    ("", "goto_table:5"),
    ("", "write_metadata:0x12/0xff"),
    ("", "write_metadata:0x12"),
    ("", "meter:5"),
    ("", "meter:6,output:2"),
    ("", "clear_actions"),
    ("", "write_actions(output:1,set_field:0x5->reg0)"),
    ("", "output:3,clear_actions,write_actions(group:2),write_metadata:0x1/0x1,goto_table:3"),
    ("", "group:7"),
    ("", "learn(table=1,hard_timeout=10,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])"),
    ("", "learn(table=2,idle_timeout=5,priority=100,cookie=0x123,send_flow_rem,delete_learned,fin_idle_timeout=3,fin_hard_timeout=4,eth_type=0x800,ip_src=10.0.0.1,load:NXM_NX_REG0[]->NXM_NX_REG1[],load:0x5->NXM_NX_REG2[0..7])"),
    ("tcp", "learn(table=3,limit=10,result_dst=reg0[1],eth_type=0x800,nw_proto=6,NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[])"),
    ("", "learn(table=4,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG1[16..31])"),
    ("", "conjunction(1,1/2)"),
    ("", "conjunction(0x7,2/3),conjunction(8,1/2)"),
    ("", "multipath(eth_src,50,modulo_n,1,0,NXM_NX_REG0[0..15])"),
    ("", "multipath(symmetric_l4,1024,hrw,12,0,NXM_NX_REG0[0..15])"),
    ("", "bundle(eth_src,0,hrw,ofport,members:4,8)"),
    ("", "bundle_load(eth_src,0,active_backup,ofport,NXM_NX_REG0[],members:4,8,10)"),
    ("", "note:01.02.03.04.05"),
    ("", "note:"),
    ("", "note:01.02.03.04.05.06.07.08.09.0a.0b.0c.0d.0e.0f.10"),
    ("", "exit"),
    ("tcp", "ct(commit,zone=5,table=3,alg=ftp)"),
    ("ip", "ct(commit,zone=NXM_NX_REG0[0..15],exec(set_field:1->ct_mark,set_field:0x1/0x1->ct_label))"),
    ("ip", "ct(commit,force,nat(src=10.0.0.1-10.0.0.2:1000-2000,random))"),
    ("ip", "ct(nat)"),
    ("ip", "ct(table=1,nat(dst=10.0.0.5))"),
    ("ipv6", "ct(commit,nat(dst=[2001:db8::1]-[2001:db8::2]:80,persistent,hash))"),
    ("ip", "ct(commit,exec(move:NXM_NX_REG0[]->NXM_NX_CT_MARK[]))"),
    ("", "ct_clear"),
    ("", "sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3)"),
    ("", "sample(probability=65535,collector_set_id=1,obs_domain_id=2,obs_point_id=3,sampling_port=2)"),
    ("", "sample(probability=1,collector_set_id=1,obs_domain_id=2,obs_point_id=3,ingress)"),
    ("tcp", "fin_timeout(idle_timeout=5,hard_timeout=10)"),
    ("", "check_pkt_larger(1500)->NXM_NX_REG0[0]"),
    ("", "clone(output:1,set_field:0x5->reg0,clone(output:2))"),
    ("", "encap(nsh(md_type=1)),encap(ethernet),decap(),dec_nsh_ttl"),
    ("", "encap(nsh(md_type=2,tlv(0x1000,10,0x12345678)))"),
    ("", "decap(packet_type(ns=1,type=0x800))"),
    ("", "debug_recirc,debug_slow"),
    ("", "delete_field:tun_metadata0"),
    ("", "push:NXM_NX_REG0[],pop:NXM_NX_REG1[0..7]"),
    ("", "set_field:1->pkt_mark,move:reg3[]->pkt_mark"),
    ("", "learn(table=5,NXM_NX_REG0[0..5]=0x3f,load:0x1234->NXM_NX_REG1[0..15],load:0xabcdef0123->NXM_NX_XXREG0[0..39])"),
    ("ip", "ct(commit,zone=7,exec(set_field:0x12345678/0xffff0000->ct_mark,load:0x1->NXM_NX_CT_LABEL[5]))"),
    ("", "output:NXM_NX_TUN_METADATA0[0..15]"),
    ("", "bundle(symmetric_l3l4+udp,100,active_backup,ofport,members:1,2,3,4,5)"),
    ("tcp", "set_field:0x10/0x10->tcp_flags"),
    ("", "set_field:0x1->nsh_c1"),
    ("", "load:0x3->NXM_NX_REG0[0..1],load:0x3->NXM_NX_REG0[30..31],load:0x0->NXM_NX_REG1[]"),
    ("", "resubmit(,255),resubmit(10),resubmit(in_port,3)"),
    ("", "controller(max_len=0),controller(reason=invalid_ttl),controller(reason=action_set)"),
    ("", "set_queue:0,enqueue(in_port,5),enqueue(local,6)"),
    ("", "mod_vlan_vid:4095,strip_vlan,mod_vlan_pcp:7"),
    ("vlan_tci=0x1000/0x1000", "set_field:0x2005->vlan_tci"),
    ("", "set_field:0x0->vlan_tci"),
    ("", "set_field:0x3005->vlan_tci"),
    ("ipv6", "set_field:3->ip_ecn,set_field:63->ip_dscp"),
    ("", "set_field:0xfffe->tun_flags"),
]

def hexdump_bytes(out):
    data = bytearray()
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]{8}  ((?:[0-9a-f]{2}[ -])+)", line)
        if m:
            data += bytes.fromhex(m.group(1).replace("-", " "))
    return bytes(data)

def actions_of(msg):
    ver, typ = msg[0], msg[1]
    if ver == 1:
        if typ == 14:
            return msg[72:]
        if typ == 4:  # NXT_FLOW_MOD
            match_len = int.from_bytes(msg[40:42], "big")
            return msg[48 + (match_len + 7) // 8 * 8:]
    else:
        if typ == 14:
            mlen = int.from_bytes(msg[50:52], "big")
            return msg[48 + (mlen + 7) // 8 * 8:]
    raise Exception("unknown message %d/%d" % (ver, typ))

out = []
for match, acts in FLOWS:
    flow = (match + "," if match else "") + "actions=" + acts
    for v in VERSIONS:
        r = subprocess.run(["ovs-ofctl", "-O", v, "-mmmmm", "parse-flow", flow],
                           capture_output=True, text=True)
        if r.returncode != 0:
            continue
        msg = hexdump_bytes(r.stdout)
        a = actions_of(msg).hex()
        # Cross-check the whole message with OVS's own decoder.
        chk = subprocess.run(["ovs-ofctl", "ofp-print", msg.hex()],
                             capture_output=True, text=True)
        first = chk.stdout.splitlines()[0] if chk.stdout else ""
        m = re.search(r"\*\*\*decode error: (\w+)\*\*\*", first)
        if m:
            printed = "ERROR:" + m.group(1)
        elif " actions=" in first:
            printed = first.split(" actions=", 1)[1]
        else:
            sys.stderr.write("no actions in %s: %s\n" % (flow, first))
            continue
        out.append("%s|%s|%s|%s|%s" % (v, match, acts, printed, a))
print("\n".join(out))
