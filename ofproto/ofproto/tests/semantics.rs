//! OVS's flow-table semantics, pinned without sockets: what a sequence of
//! flow_mods, group and meter mods and bundles leaves in the tables, and
//! the errors OVS answers with.

use ovs_flow::{FieldId, Match};
use ovs_ofp_actions::Action;
use ovs_ofp_core::{OfpErr, OfpPort, Version};
use ovs_ofp_msgs::flow::flow_flags;
use ovs_ofp_msgs::{FlowMod, FlowModCommand, FlowStatsRequest, Hello, Message};
use ovs_ofproto::{Ofproto, Output, PortInfo};

fn ip_dst(last: u8) -> Match {
    let mut m = Match::catchall();
    m.set_exact(FieldId::EthType, &0x0800u16.to_be_bytes())
        .unwrap();
    m.set_exact(FieldId::Ipv4Dst, &[10, 0, 0, last]).unwrap();
    m
}

fn output(port: u16) -> Vec<Action> {
    vec![Action::Output {
        port: OfpPort(port),
        max_len: 0,
    }]
}

fn fm(command: FlowModCommand, m: Match, priority: u16, actions: Vec<Action>) -> FlowMod {
    FlowMod {
        match_: m,
        priority,
        cookie: 0,
        cookie_mask: 0,
        new_cookie: 0,
        modify_cookie: false,
        table_id: 0,
        command,
        idle_timeout: 0,
        hard_timeout: 0,
        importance: 0,
        buffer_id: u32::MAX,
        out_port: OfpPort::NONE,
        out_group: u32::MAX,
        flags: 0,
        actions,
        nx: false,
    }
}

fn switch() -> Ofproto {
    let mut o = Ofproto::new("br0");
    o.set_ports(
        vec![
            PortInfo {
                port_no: OfpPort(1),
                name: "p1".into(),
                hw_addr: [0xaa, 0x55, 0xaa, 0x55, 0, 1],
                config: 0,
                queues: vec![0],
                custom_stats: Vec::new(),
            },
            PortInfo {
                port_no: OfpPort(2),
                name: "p2".into(),
                hw_addr: [0xaa, 0x55, 0xaa, 0x55, 0, 2],
                config: 0,
                queues: vec![0],
                custom_stats: Vec::new(),
            },
        ],
        0,
    );
    o.configure(false, false, 0);
    o
}

fn dump(o: &Ofproto) -> Vec<(u8, u16, u64)> {
    let req = FlowStatsRequest {
        match_: Match::catchall(),
        table_id: 0xff,
        out_port: OfpPort::NONE,
        out_group: u32::MAX,
        cookie: 0,
        cookie_mask: 0,
        nx: false,
    };
    let mut v: Vec<(u8, u16, u64)> = o
        .flow_stats(&req, 0)
        .unwrap()
        .into_iter()
        .map(|f| (f.table_id, f.priority, f.cookie))
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn standalone_switch_starts_with_normal_and_flushes_when_a_controller_appears() {
    let mut o = switch();
    assert_eq!(dump(&o), vec![(0, 0, 0)]);
    o.flow_mod(
        &fm(FlowModCommand::Add, ip_dst(1), 10, output(1)),
        Version::Of13,
        1,
    )
    .unwrap();
    o.configure(true, false, 2);
    assert_eq!(dump(&o), vec![]);
    o.configure(false, true, 3);
    // Secure mode without controllers: flushed, and no NORMAL flow.
    assert_eq!(dump(&o), vec![]);
}

#[test]
fn add_modify_delete_follow_ovs() {
    let mut o = switch();
    let v = Version::Of13;
    o.flow_mod(&fm(FlowModCommand::Add, ip_dst(1), 10, output(1)), v, 1)
        .unwrap();
    o.flow_mod(&fm(FlowModCommand::Add, ip_dst(2), 20, output(2)), v, 1)
        .unwrap();
    // check_overlap refuses a flow that can match the same packets at the same priority.
    let mut over = fm(FlowModCommand::Add, Match::catchall(), 10, output(2));
    over.flags = flow_flags::CHECK_OVERLAP;
    assert_eq!(o.flow_mod(&over, v, 1).unwrap_err(), OfpErr::OfpfmfcOverlap);
    // A loose modify with a catch-all target changes every flow.
    let mut modify = fm(FlowModCommand::Modify, Match::catchall(), 0, vec![]);
    modify.new_cookie = u64::MAX;
    modify.cookie_mask = 1;
    o.flow_mod(&modify, v, 2).unwrap();
    // A strict delete needs the exact match and priority.
    o.flow_mod(
        &fm(FlowModCommand::DeleteStrict, ip_dst(1), 11, vec![]),
        v,
        3,
    )
    .unwrap();
    assert_eq!(dump(&o).len(), 3);
    o.flow_mod(
        &fm(FlowModCommand::DeleteStrict, ip_dst(1), 10, vec![]),
        v,
        3,
    )
    .unwrap();
    assert_eq!(dump(&o), vec![(0, 0, 0), (0, 20, 0)]);
    // The loose modify above replaced every flow's actions, so none
    // outputs to port 2 any more and a delete filtered on it selects nothing.
    let mut by_port = fm(FlowModCommand::Delete, Match::catchall(), 0, vec![]);
    by_port.table_id = 0xff;
    by_port.out_port = OfpPort(2);
    o.flow_mod(&by_port, v, 4).unwrap();
    assert_eq!(dump(&o), vec![(0, 0, 0), (0, 20, 0)]);
    o.flow_mod(&fm(FlowModCommand::Add, ip_dst(3), 30, output(2)), v, 5)
        .unwrap();
    o.flow_mod(&by_port, v, 6).unwrap();
    assert_eq!(dump(&o), vec![(0, 0, 0), (0, 20, 0)]);
}

#[test]
fn hidden_table_is_read_only_and_errors_match_ovs() {
    let mut o = switch();
    let mut into_254 = fm(FlowModCommand::Add, ip_dst(1), 1, vec![]);
    into_254.table_id = 254;
    assert_eq!(
        o.flow_mod(&into_254, Version::Of13, 0).unwrap_err(),
        OfpErr::OfpbrcEperm
    );
    let mut to_group = fm(
        FlowModCommand::Add,
        ip_dst(1),
        1,
        vec![Action::Group { group_id: 7 }],
    );
    to_group.table_id = 1;
    assert_eq!(
        o.flow_mod(&to_group, Version::Of13, 0).unwrap_err(),
        OfpErr::OfpbacBadOutGroup
    );
    let bad_port = fm(FlowModCommand::Add, ip_dst(1), 1, output(0xff10));
    assert_eq!(
        o.flow_mod(&bad_port, Version::Of13, 0).unwrap_err(),
        OfpErr::OfpbacBadOutPort
    );
}

#[test]
fn hello_without_common_version_is_refused_with_ovs_text() {
    let mut o = switch();
    o.set_allowed_versions(&["OpenFlow10".to_string()]);
    let out = o.connect(
        1,
        ovs_ofproto::ConnSettings {
            service: true,
            ..Default::default()
        },
        0,
    );
    assert_eq!(out.len(), 1);
    let hello = ovs_ofp_msgs::encode(
        Version::Of13,
        1,
        &Message::Hello(Hello { versions: 1 << 4 }),
    )
    .unwrap();
    let out = o.handle(1, &hello, 0);
    let Output::Send(_, err) = &out[0] else {
        panic!("no error sent")
    };
    let text = String::from_utf8_lossy(&err[12..]);
    assert_eq!(
        text,
        "We support version 0x01, you support version 0x04, no common versions."
    );
    assert_eq!(out[1], Output::Close(1, "Protocol error"));
}
