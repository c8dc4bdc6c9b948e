"""The pipelines gen.py records from real OVS.

Each case: bridges, ports (bridge, name, ofport, extras), optional
port_down (bridge, name: brought down with `ovs-ofctl mod-port`),
flows/groups (bridge, "flow"|"group", ovs-ofctl text) and traces (datapath
flows, as `ofproto/trace` takes them: in_port is the datapath port number).
"""

ETH = "eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)"
TCP = ("eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,proto=6,tos=0,ttl=64,"
       "frag=no),tcp(src=1000,dst=80)")
UDP = ("eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,proto=17,tos=0,ttl=64,"
       "frag=no),udp(src=1000,dst=53)")
ARP = ("eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,"
       "sha=00:00:00:00:00:01,tha=00:00:00:00:00:00)")


def three_ports(br="br0"):
    return [(br, "p1", 1, {}), (br, "p2", 2, {}), (br, "p3", 3, {})]


CASES = [
    {
        "name": "miss_drop",
        "doc": "no flows: table miss without controller drops",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [],
        "traces": [f"in_port(1),{ETH},{TCP}"],
    },
    {
        "name": "output_simple",
        "doc": "in_port match, plain output, output to in_port is skipped",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=output:2,output:3"),
            ("br0", "flow", "in_port=2,actions=output:2,in_port"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "set_fields",
        "doc": "header rewrites committed as masked sets before output",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "tcp,in_port=1,actions=mod_dl_src:00:00:00:00:00:aa,"
             "mod_nw_src:192.168.0.1,mod_tp_dst:8080,output:2"),
            ("br0", "flow", "udp,in_port=2,actions=set_field:1.2.3.4->ip_dst,"
             "mod_nw_tos:32,mod_nw_ttl:9,output:1,mod_dl_dst:00:00:00:00:00:bb,output:3"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{UDP}"],
    },
    {
        "name": "normal_flood",
        "doc": "NORMAL with nothing learned floods to every other bundle",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [("br0", "flow", "actions=NORMAL")],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(3),{ETH},{ARP}",
                   "in_port(2),eth(src=00:00:00:00:00:03,dst=ff:ff:ff:ff:ff:ff),"
                   "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,proto=17,tos=0,"
                   "ttl=64,frag=no),udp(src=1,dst=2)"],
    },
    {
        "name": "resubmit_goto",
        "doc": "resubmit to tables, goto_table, table miss in a later table",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "table=0,in_port=1,actions=resubmit(,1),resubmit(,2)"),
            ("br0", "flow", "table=1,ip,nw_dst=10.1.0.0/16,actions=output:2"),
            ("br0", "flow", "table=2,tcp,tp_dst=80,actions=output:3"),
            ("br0", "flow", "table=0,in_port=2,actions=goto_table:5"),
            ("br0", "flow", "table=5,priority=5,actions=output:1"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(1),{ETH},{UDP}",
                   f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "vlan_ops",
        "doc": "push/pop/modify VLAN tags",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=mod_vlan_vid:10,output:2,"
             "mod_vlan_pcp:3,output:3"),
            ("br0", "flow", "in_port=2,dl_vlan=20,actions=strip_vlan,output:1"),
            ("br0", "flow", "in_port=3,actions=push_vlan:0x8100,"
             "set_field:4195->vlan_vid,output:1"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}",
                   f"in_port(2),{ETH},eth_type(0x8100),vlan(vid=20,pcp=0),"
                   "encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,proto=6,"
                   "tos=0,ttl=64,frag=no),tcp(src=1000,dst=80))",
                   f"in_port(3),{ETH},{TCP}"],
    },
    {
        "name": "controller",
        "doc": "explicit controller action and a table-miss flow",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=output:2,controller"),
            ("br0", "flow", "cookie=0x1234,in_port=2,actions="
             "controller(reason=no_match,max_len=128,id=7)"),
            ("br0", "flow", "priority=0,actions=CONTROLLER:200"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}",
                   f"in_port(3),{ETH},{TCP}"],
    },
    {
        "name": "dec_ttl",
        "doc": "dec_ttl, and the TTL exception",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [("br0", "flow", "ip,actions=dec_ttl,output:2")],
        "traces": [f"in_port(1),{ETH},{TCP}",
                   f"in_port(1),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,"
                   "dst=10.1.2.3,proto=6,tos=0,ttl=1,frag=no),tcp(src=1000,dst=80)"],
    },
]

CASES += [
    {
        "name": "group_all_indirect",
        "doc": "all and indirect groups: each bucket on its own copy of the flow",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "group", "group_id=1,type=all,bucket=output:2,"
             "bucket=mod_dl_dst:00:00:00:00:00:cc,output:3"),
            ("br0", "group", "group_id=2,type=indirect,bucket=mod_nw_ttl:5,output:3"),
            ("br0", "flow", "in_port=1,actions=group:1,output:3"),
            ("br0", "flow", "in_port=2,ip,actions=group:2"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "group_select",
        "doc": "select groups: dp_hash by default, recirculation first",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "group", "group_id=1,type=select,bucket=output:2,bucket=output:3"),
            ("br0", "flow", "in_port=1,actions=group:1"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}",
                   f"recirc_id(0x1),dp_hash(0x5),in_port(1),{ETH},{TCP}"],
    },
    {
        "name": "group_ff",
        "doc": "fast failover: the first live bucket",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "group", "group_id=1,type=fast_failover,"
             "bucket=watch_port:7,output:2,bucket=watch_port:3,output:3"),
            ("br0", "flow", "in_port=1,actions=group:1"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}"],
    },
    {
        "name": "patch_ports",
        "doc": "output to a patch port continues in the peer bridge",
        "bridges": ["br0", "br1"],
        "ports": [("br0", "p1", 1, {}), ("br0", "p2", 2, {}),
                  ("br0", "patch0", 3, {"peer": "patch1"}),
                  ("br1", "p4", 4, {}),
                  ("br1", "patch1", 5, {"peer": "patch0"})],
        "flows": [
            ("br0", "flow", "in_port=1,actions=mod_dl_src:00:00:00:00:00:aa,"
             "output:3,output:2"),
            ("br1", "flow", "in_port=5,actions=mod_dl_dst:00:00:00:00:00:bb,output:4"),
            ("br0", "flow", "in_port=2,actions=output:3"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "regs_stack",
        "doc": "load, move, push/pop and output to a register",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=load:0x3->NXM_NX_REG0[],"
             "move:NXM_NX_REG0[0..15]->NXM_NX_REG1[16..31],push:NXM_NX_REG1[],"
             "pop:NXM_NX_REG2[],resubmit(,1)"),
            ("br0", "flow", "table=1,reg0=3,actions=output:NXM_NX_REG0[]"),
            ("br0", "flow", "ip,in_port=2,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
             "move:NXM_OF_IP_SRC[]->NXM_NX_REG3[],set_field:0x2->reg4,output:1"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "clone_exit_note",
        "doc": "clone keeps changes to itself; exit stops; note does nothing",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=clone(mod_dl_src:00:00:00:00:00:aa,"
             "output:2),note:01.02,output:3,exit,output:2"),
            ("br0", "flow", "in_port=2,actions=clone(output:1)"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "action_set",
        "doc": "write_actions, clear_actions and the action set at the end",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=write_actions(output:3),goto_table:1"),
            ("br0", "flow", "table=1,actions=write_actions(mod_dl_src:00:00:00:00:00:aa,"
             "output:2)"),
            ("br0", "flow", "in_port=2,actions=output:1,clear_actions,write_actions(output:3)"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "reserved_ports",
        "doc": "FLOOD, ALL, LOCAL and IN_PORT outputs",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=FLOOD"),
            ("br0", "flow", "in_port=2,actions=ALL"),
            ("br0", "flow", "in_port=3,actions=LOCAL,IN_PORT"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}",
                   f"in_port(3),{ETH},{TCP}"],
    },
    {
        "name": "resubmit_loop",
        "doc": "a resubmit loop hits the depth limit",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [("br0", "flow", "in_port=1,actions=resubmit(,0)")],
        "traces": [f"in_port(1),{ETH},{TCP}"],
    },
    {
        "name": "dec_ttl_ids",
        "doc": "dec_ttl with controller ids sends packet-ins on expiry",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [("br0", "flow", "ip,actions=dec_ttl(1,2),output:2")],
        "traces": [f"in_port(1),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,"
                   "dst=10.1.2.3,proto=6,tos=0,ttl=1,frag=no),tcp(src=1000,dst=80)"],
    },
    {
        "name": "queues",
        "doc": "set_queue, pop_queue and enqueue set the skb priority",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "in_port=1,actions=set_queue:5,output:2,pop_queue,output:3"),
            ("br0", "flow", "in_port=2,actions=set_queue:7,output:3"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
    {
        "name": "learn",
        "doc": "learn without a packet only marks its source fields",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [("br0", "flow", "in_port=1,actions=learn(table=1,"
                   "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),output:2")],
        "traces": [f"in_port(1),{ETH},{TCP}"],
    },
    {
        "name": "prefixes",
        "doc": "several nw_dst prefixes and L4 rules in one table",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "priority=10,ip,nw_dst=10.0.0.0/8,actions=output:2"),
            ("br0", "flow", "priority=20,ip,nw_dst=10.1.0.0/16,actions=output:3"),
            ("br0", "flow", "priority=30,ip,nw_dst=192.168.1.0/24,actions=output:1"),
            ("br0", "flow", "priority=40,tcp,tp_dst=22,actions=drop"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}",
                   f"in_port(1),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,"
                   "dst=10.9.2.3,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80)",
                   f"in_port(1),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,"
                   "dst=172.16.0.1,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=80)"],
    },
]

def vlan_pkt(vid):
    return (f"eth_type(0x8100),vlan(vid={vid},pcp=0),encap(eth_type(0x0800),"
            "ipv4(src=10.0.0.1,dst=10.1.2.3,proto=6,tos=0,ttl=64,frag=no),"
            "tcp(src=1000,dst=80))")


CASES += [
    {
        "name": "normal_learned",
        "doc": "NORMAL forwards to a learned port, drops back to the input",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [("br0", "flow", "actions=NORMAL")],
        "receive": [("p2", "in_port(2),eth(src=00:00:00:00:00:02,"
                     "dst=00:00:00:00:00:01),eth_type(0x0800),ipv4(src=10.1.2.3,"
                     "dst=10.0.0.1,proto=6,tos=0,ttl=64,frag=no),tcp(src=80,dst=1000)")],
        "traces": [f"in_port(1),{ETH},{TCP}",
                   "in_port(2),eth(src=00:00:00:00:00:05,dst=00:00:00:00:00:02),"
                   "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,proto=6,tos=0,"
                   "ttl=64,frag=no),tcp(src=1000,dst=80)"],
    },
    {
        "name": "normal_vlans",
        "doc": "NORMAL with access, trunk and native VLAN ports",
        "bridges": ["br0"],
        "ports": [("br0", "p1", 1, {"port_cols": ["tag=10"]}),
                  ("br0", "p2", 2, {"port_cols": ["trunks=10,20"]}),
                  ("br0", "p3", 3, {"port_cols": ["tag=20",
                                                  "vlan_mode=native-untagged"]}),
                  ("br0", "p4", 4, {"port_cols": ["tag=20"]})],
        "flows": [("br0", "flow", "actions=NORMAL")],
        "traces": [f"in_port(1),{ETH},{TCP}",
                   f"in_port(2),{ETH},{vlan_pkt(20)}",
                   f"in_port(2),{ETH},{vlan_pkt(10)}",
                   f"in_port(2),{ETH},{vlan_pkt(30)}",
                   f"in_port(1),{ETH},{vlan_pkt(10)}",
                   f"in_port(3),{ETH},{TCP}",
                   f"in_port(3),{ETH},{vlan_pkt(10)}"],
    },
]

CASES += [
    {
        "name": "conntrack",
        "doc": "ct commit with mark, ct to a table with nat, and the forked trace",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "table=0,ip,in_port=1,actions=ct(commit,zone=5,"
             "exec(set_field:0x1/0x1->ct_mark)),ct(table=1,zone=NXM_NX_REG0[0..15],"
             "nat),output:2"),
            ("br0", "flow", "table=1,ct_state=+trk+new,actions=output:3"),
            ("br0", "flow", "table=0,ip,in_port=2,actions=ct(commit,table=2,"
             "nat(src=192.168.0.1-192.168.0.9:2000-2100))"),
            ("br0", "flow", "table=2,ip,actions=ct_clear,output:1"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}"],
    },
]


def ports(n, br="br0", first=1):
    return [(br, f"p{i}", i, {}) for i in range(first, first + n)]


def eth(src, dst="00:00:00:00:00:02"):
    return f"eth(src={src},dst={dst})"


def ip4(src, dst, proto, sport, dport, frag="no"):
    l4 = {6: "tcp", 17: "udp", 132: "sctp"}.get(proto)
    s = (f"eth_type(0x0800),ipv4(src={src},dst={dst},proto={proto},tos=0,"
         f"ttl=64,frag={frag})")
    if l4 and frag != "later":
        s += f",{l4}(src={sport},dst={dport})"
    elif proto == 1:
        s += f",icmp(type={sport},code={dport})"
    return s


def ip6(src, dst, proto, sport, dport):
    return (f"eth_type(0x86dd),ipv6(src={src},dst={dst},label=0,proto={proto},"
            f"tclass=0,hlimit=64,frag=no),tcp(src={sport},dst={dport})")


def mp_packets(in_port):
    """A spread of packets, so that the hash functions pick several links."""
    return [
        f"in_port({in_port}),{eth('00:00:00:00:00:01')},"
        f"{ip4('10.0.0.1', '10.1.2.3', 6, 1000, 80)}",
        f"in_port({in_port}),{eth('00:00:00:00:00:07')},"
        f"{ip4('10.0.0.9', '10.1.2.3', 6, 1001, 80)}",
        f"in_port({in_port}),{eth('00:00:00:00:00:31')},"
        f"{ip4('192.168.5.4', '10.7.0.1', 17, 5353, 53)}",
        f"in_port({in_port}),{eth('00:00:00:00:00:31')},"
        f"{ip4('192.168.5.4', '10.7.0.1', 17, 5354, 53)}",
        f"in_port({in_port}),{eth('00:00:00:00:00:44')},"
        f"{ip4('172.16.0.3', '172.16.9.9', 1, 8, 0)}",
        f"in_port({in_port}),{eth('00:00:00:00:00:05')},{ARP}",
        f"in_port({in_port}),{eth('00:00:00:00:00:01')},"
        f"{ip6('2001:db8::1', '2001:db8::2', 6, 4000, 443)}",
        f"in_port({in_port}),{eth('00:00:00:00:00:09', '00:00:00:00:01:00')},"
        f"eth_type(0x8100),vlan(vid=33,pcp=0),encap("
        f"{ip4('10.0.0.1', '10.1.2.3', 6, 1000, 80)})",
        f"in_port({in_port}),{eth('00:00:00:00:00:01')},"
        f"{ip4('10.0.0.1', '10.1.2.3', 17, 7000, 53, frag='first')}",
        f"in_port({in_port}),{eth('00:00:00:00:00:01')},"
        f"{ip4('10.2.0.1', '10.1.2.3', 132, 2905, 2905)}",
    ]


def out_by_reg(reg, n, first_port):
    return [("br0", "flow", f"table=1,{reg}={i},actions=output:{first_port + i}")
            for i in range(n)]


CASES += [
    {
        "name": "multipath",
        "doc": "multipath with every hash field set and algorithm",
        "bridges": ["br0"],
        "ports": ports(8) + ports(6, first=10),
        "flows": [
            ("br0", "flow", "in_port=1,actions=multipath(eth_src,50,modulo_n,4,0,"
             "NXM_NX_REG0[0..1]),resubmit(,1)"),
            ("br0", "flow", "in_port=2,actions=multipath(symmetric_l4,1,"
             "hash_threshold,3,0,NXM_NX_REG0[]),resubmit(,1)"),
            ("br0", "flow", "in_port=3,actions=multipath(symmetric_l3l4,7,hrw,4,0,"
             "NXM_NX_REG0[0..2]),resubmit(,1)"),
            ("br0", "flow", "in_port=4,actions=multipath(symmetric_l3l4+udp,0,"
             "iter_hash,5,8,NXM_NX_REG0[]),resubmit(,1)"),
            ("br0", "flow", "in_port=5,actions=multipath(nw_src,11,modulo_n,4,0,"
             "NXM_NX_REG0[0..3]),resubmit(,1)"),
            ("br0", "flow", "in_port=6,actions=multipath(nw_dst,0,hrw,6,0,"
             "NXM_NX_REG0[]),resubmit(,1)"),
            ("br0", "flow", "in_port=7,actions=multipath(symmetric_l3,9,"
             "modulo_n,5,0,NXM_NX_REG0[]),resubmit(,1)"),
            ("br0", "flow", "in_port=8,actions=multipath(symmetric_l3l4+udp,1024,"
             "hrw,100,0,NXM_NX_REG1[]),multipath(eth_src,0,iter_hash,3,2,"
             "NXM_OF_ETH_DST[0..7]),multipath(symmetric_l4,3,modulo_n,1,0,"
             "NXM_NX_REG0[]),resubmit(,1)"),
        ] + out_by_reg("reg0", 6, 10),
        "traces": [t for p in range(1, 9) for t in mp_packets(p)],
    },
    {
        "name": "bundle",
        "doc": "bundle and bundle_load, hrw and active_backup, a member down",
        "bridges": ["br0"],
        "ports": ports(6),
        "port_down": [("br0", "p3"), ("br0", "p6")],
        "flows": [
            ("br0", "flow", "in_port=1,actions=bundle(eth_src,0,hrw,ofport,"
             "members:2,3,4,5)"),
            ("br0", "flow", "in_port=2,actions=bundle(symmetric_l4,0,active_backup,"
             "ofport,members:3,4,5)"),
            ("br0", "flow", "in_port=3,actions=bundle_load(symmetric_l3l4+udp,5,hrw,"
             "ofport,NXM_NX_REG0[],members:2,3,4,5,1),output:NXM_NX_REG0[0..15]"),
            ("br0", "flow", "in_port=4,actions=bundle(nw_dst,0,hrw,ofport,"
             "members:5),bundle(symmetric_l3,0,hrw,ofport,members:3,6,1,2,4),"
             "bundle(symmetric_l4,0,hrw,ofport,members:6,3)"),
            ("br0", "flow", "in_port=5,actions=bundle_load(nw_src,0,active_backup,"
             "ofport,NXM_NX_REG1[0..15],members:6,3),bundle(symmetric_l3l4,0,"
             "active_backup,ofport,members:3,6,2,4)"),
        ],
        "traces": [t for p in range(1, 6) for t in mp_packets(p)],
    },
]

CASES += [
    {
        "name": "group_select_hash_fields",
        "doc": "select groups with selection_method=hash and fields(...): only "
               "the listed fields (under their masks) are hashed and matched",
        "bridges": ["br0"],
        "ports": ports(4),
        "flows": [
            ("br0", "group", "group_id=1,type=select,selection_method=hash,"
             "fields(ip_src,ip_dst),bucket=bucket_id:0,output:2,"
             "bucket=bucket_id:1,output:3,bucket=bucket_id:2,output:4"),
            ("br0", "group", "group_id=2,type=select,selection_method=hash,"
             "selection_method_param=7,fields(eth_src,ip_dst=255.255.0.0,"
             "tcp_dst),bucket=bucket_id:0,output:2,bucket=bucket_id:1,output:3"),
            ("br0", "flow", "in_port=1,actions=group:1"),
            ("br0", "flow", "in_port=2,actions=group:2"),
        ],
        "traces": [t for p in (1, 2) for t in mp_packets(p)]
        + [f"in_port(1),{ETH},{ARP}", f"in_port(2),{ETH},{ARP}"],
    },
    {
        "name": "l3_rewrite_proto",
        "doc": "which L3 rewrites unwildcard nw_proto (Debian's CVE-2023-1668 "
               "fix): not ip_dscp in its OXM form",
        "bridges": ["br0"],
        "ports": three_ports(),
        "flows": [
            ("br0", "flow", "ip,in_port=1,actions=set_field:16->ip_dscp,output:2"),
            ("br0", "flow", "ip,in_port=2,actions=mod_nw_tos:32,output:1"),
            ("br0", "flow", "ip,in_port=3,actions=set_field:10.0.0.9->ip_dst,"
             "set_field:2->ip_ecn,output:1"),
            ("br0", "flow", "arp,in_port=1,actions=set_field:2->arp_op,"
             "set_field:10.0.0.77->arp_spa,output:2"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{UDP}",
                   f"in_port(3),{ETH},{TCP}", f"in_port(1),{ETH},{ARP}"],
    },
    {
        "name": "flood_all_order",
        "doc": "FLOOD and ALL output in the order of OVS's port hash map, "
               "which follows the order the ports were configured in",
        "bridges": ["br0"],
        "ports": ports(4),
        "flows": [
            ("br0", "flow", "in_port=1,actions=all"),
            ("br0", "flow", "in_port=2,actions=flood"),
            ("br0", "flow", "in_port=3,actions=output:4,all"),
        ],
        "traces": [f"in_port(1),{ETH},{TCP}", f"in_port(2),{ETH},{TCP}",
                   f"in_port(3),{ETH},{TCP}"],
    },
]

CASES += [
    {
        "name": "conjunction",
        "doc": "conjunctive matches: every clause of a conjunction must match "
               "at one priority; then the conj_id rule answers; otherwise "
               "lower-priority rules with the same match, or other rules",
        "bridges": ["br0"],
        "ports": ports(4),
        "flows": [
            ("br0", "flow", "priority=10,ip,nw_src=10.0.0.1,actions=conjunction(7,1/2)"),
            ("br0", "flow", "priority=10,ip,nw_src=10.0.0.3,actions=conjunction(7,1/2),"
             "conjunction(8,2/2)"),
            ("br0", "flow", "priority=10,tcp,tp_dst=80,actions=conjunction(7,2/2)"),
            ("br0", "flow", "priority=10,tcp,tp_dst=443,actions=conjunction(7,2/2)"),
            ("br0", "flow", "priority=10,udp,actions=conjunction(8,1/2)"),
            ("br0", "flow", "priority=10,conj_id=7,ip,actions=output:2"),
            ("br0", "flow", "priority=10,conj_id=8,ip,actions=output:4"),
            ("br0", "flow", "priority=5,ip,nw_src=10.0.0.3,actions=output:1"),
            ("br0", "flow", "priority=1,actions=output:3"),
        ],
        "traces": [
            f"in_port(1),{eth('00:00:00:00:00:01')},{ip4('10.0.0.1', '10.0.0.2', 6, 1000, 80)}",
            f"in_port(1),{eth('00:00:00:00:00:01')},{ip4('10.0.0.3', '10.0.0.2', 6, 1000, 443)}",
            f"in_port(1),{eth('00:00:00:00:00:01')},{ip4('10.0.0.3', '10.0.0.2', 6, 1000, 22)}",
            f"in_port(1),{eth('00:00:00:00:00:01')},{ip4('10.0.0.4', '10.0.0.2', 6, 1000, 443)}",
            f"in_port(1),{eth('00:00:00:00:00:01')},{ip4('10.0.0.3', '10.0.0.2', 17, 1000, 53)}",
            f"in_port(1),{eth('00:00:00:00:00:01')},{ip4('10.0.0.1', '10.0.0.2', 17, 1000, 53)}",
            f"in_port(2),{eth('00:00:00:00:00:01')},{ARP}",
        ],
    },
]

ND_NS = ("eth_type(0x86dd),ipv6(src=fe80::1,dst=ff02::1:ff00:2,label=0,proto=58,"
         "tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),"
         "nd(target=fe80::2,sll=00:00:00:00:00:01,tll=00:00:00:00:00:00)")

CASES += [
    {
        "name": "final_stage_masks",
        "doc": "the classifier's last lookup stage starts at the ND target: "
               "ND, ARP hardware addresses and TCP flags share it with the "
               "ports, and a miss there unwildcards all of it (ports trimmed "
               "by the ports trie)",
        "bridges": ["br0"],
        "ports": ports(3),
        "flows": [
            ("br0", "flow", "priority=10,tcp,tp_dst=80,tcp_flags=+psh,actions=drop"),
            ("br0", "flow", "priority=20,icmp6,icmp_type=135,nd_target=fe80::9,"
             "actions=output:3"),
            ("br0", "flow", "priority=15,arp,arp_sha=00:00:00:00:00:07,actions=output:2"),
            ("br0", "flow", "priority=12,udp,tp_src=53,actions=output:3"),
            ("br0", "flow", "priority=0,actions=output:1"),
        ],
        "traces": [
            f"in_port(2),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,"
            "proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80),tcp_flags(syn)",
            f"in_port(2),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,"
            "proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80),tcp_flags(psh|ack)",
            f"in_port(2),{ETH},eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,"
            "proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=81),tcp_flags(syn)",
            f"in_port(2),eth(src=00:00:00:00:00:01,dst=33:33:ff:00:00:02),{ND_NS}",
            f"in_port(2),eth(src=00:00:00:00:00:01,dst=33:33:ff:00:00:09),"
            + ND_NS.replace("target=fe80::2", "target=fe80::9"),
            f"in_port(3),{ETH},{ARP}",
            f"in_port(3),{ETH},{UDP}",
        ],
    },
]
