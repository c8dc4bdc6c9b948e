//! Packet-ins from the datapath to the connections, and packet-outs from
//! the connections to the daemon, driven through `Ofproto` as the daemon
//! drives it. Where a message's bytes are pinned, they were captured from
//! OVS 3.1's `ovs-vswitchd` for the same packet and pipeline state
//! (tests/data/packet_in_ovs31.txt).

use ovs_flow::{FieldId, Match};
use ovs_ofp_actions::{Action, SetField, SetFieldForm};
use ovs_ofp_core::{OfpErr, OfpPort, Version};
use ovs_ofp_msgs::connection::oam;
use ovs_ofp_msgs::packet::reason;
use ovs_ofp_msgs::{
    self as msgs, AsyncConfig, BundleAdd, BundleCtrl, Continuation, ContinuationFrame, Hello,
    Message, PacketIn, PacketInFormat, PacketOut, Role, RoleMsg, SetAsync, SetAsyncForm,
    SwitchConfig,
};
use ovs_ofproto::{ConnId, ConnSettings, Ofproto, Output, PacketInRequest, PortInfo};
use proptest::prelude::*;

const GOLDEN: &str = include_str!("data/packet_in_ovs31.txt");

fn golden(name: &str) -> Vec<u8> {
    let line = GOLDEN
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no golden message {name}"));
    let hex = line.split_whitespace().nth(1).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// The 114-byte UDP frame of the captures.
fn udp_packet() -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&[0x50, 0x54, 0, 0, 0, 2, 0x50, 0x54, 0, 0, 0, 1, 0x08, 0x00]);
    p.extend_from_slice(&[
        0x45, 0, 0, 100, 0, 0, 0, 0, 64, 17, 0x66, 0x87, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    p.extend_from_slice(&[0x04, 0xd2, 0x16, 0x2e, 0, 80, 0, 0]);
    p.extend(0..72u8);
    p
}

fn metadata(in_port: u16, reg0: u32, meta: u64) -> Match {
    let mut m = Match::catchall();
    m.set_exact(FieldId::InPort, &in_port.to_be_bytes())
        .unwrap();
    if reg0 != 0 {
        m.set_exact(FieldId::Reg0, &reg0.to_be_bytes()).unwrap();
    }
    if meta != 0 {
        m.set_exact(FieldId::Metadata, &meta.to_be_bytes()).unwrap();
    }
    m
}

fn request(reason: u8, table_id: u8, cookie: u64, md: Match) -> PacketInRequest {
    PacketInRequest {
        packet: udp_packet(),
        reason,
        table_id,
        cookie,
        metadata: md,
        userdata: Vec::new(),
        controller_id: 0,
        continuation: None,
    }
}

fn switch() -> Ofproto {
    let mut o = Ofproto::new("br0");
    let port = |n: u16| PortInfo {
        port_no: OfpPort(n),
        name: format!("p{n}"),
        hw_addr: [0xaa, 0x55, 0xaa, 0x55, 0, n as u8],
        config: 0,
        queues: vec![0],
        custom_stats: Vec::new(),
    };
    o.set_ports(vec![port(1), port(2)], 0);
    o.configure(true, true, 0);
    o
}

/// Connects `id` and finishes the hello exchange at `version`.
fn connect(o: &mut Ofproto, id: ConnId, service: bool, version: Version) {
    let settings = ConnSettings {
        service,
        ..Default::default()
    };
    o.connect(id, settings, 0);
    let hello = Message::Hello(Hello {
        versions: 1 << version.wire(),
    });
    let out = o.handle(id, &msgs::encode(version, 1, &hello).unwrap(), 0);
    assert!(out.is_empty(), "{out:?}");
}

fn send(o: &mut Ofproto, id: ConnId, version: Version, m: &Message) -> Vec<Output> {
    o.handle(id, &msgs::encode(version, 7, m).unwrap(), 0)
}

fn set_miss_send_len(o: &mut Ofproto, id: ConnId, version: Version, len: u16) {
    let m = Message::SetConfig(SwitchConfig {
        flags: 0,
        miss_send_len: len,
    });
    assert!(send(o, id, version, &m).is_empty());
}

fn set_format(o: &mut Ofproto, id: ConnId, version: Version, f: PacketInFormat) {
    assert!(send(o, id, version, &Message::SetPacketInFormat(f)).is_empty());
}

/// The messages each connection got, in connection order.
fn sent(out: &[Output]) -> Vec<(ConnId, Vec<u8>)> {
    out.iter()
        .map(|o| match o {
            Output::Send(id, b) => (*id, b.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn receivers(out: &[Output]) -> Vec<ConnId> {
    sent(out).into_iter().map(|(id, _)| id).collect()
}

fn decode_pin(bytes: &[u8]) -> PacketIn {
    match msgs::decode(bytes).unwrap().1 {
        Message::PacketIn(p) => p,
        other => panic!("not a packet-in: {other:?}"),
    }
}

/// One controller connection at `version` with `format`, which gets
/// `req`; returns the one message it got.
fn one(version: Version, format: PacketInFormat, req: PacketInRequest) -> Vec<u8> {
    let mut o = switch();
    connect(&mut o, 1, false, version);
    if format != PacketInFormat::Standard {
        set_format(&mut o, 1, version, format);
    }
    let out = sent(&o.packet_in(req, 0));
    assert_eq!(out.len(), 1, "{out:?}");
    out[0].1.clone()
}

#[test]
fn standard_packet_ins_are_ovs_bytes_for_each_version() {
    // The OpenFlow 1.0 capture came from `controller(max_len=20)`: OVS 3.1
    // sends the whole packet anyway.
    let req = request(reason::ACTION, 0, 0x1234, metadata(1, 0x55, 0xabc));
    assert_eq!(
        one(Version::Of10, PacketInFormat::Standard, req.clone()),
        golden("of10_action")
    );
    assert_eq!(
        one(Version::Of11, PacketInFormat::Standard, req.clone()),
        golden("of11_action")
    );
    assert_eq!(
        one(Version::Of13, PacketInFormat::Standard, req.clone()),
        golden("of13_action")
    );
    assert_eq!(
        one(Version::Of15, PacketInFormat::Standard, req),
        golden("of15_action")
    );
}

#[test]
fn table_miss_is_no_match_with_the_whole_packet() {
    // Captured with miss_send_len=32: no truncation either.
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of10);
    set_miss_send_len(&mut o, 1, Version::Of10, 32);
    let req = request(reason::IMPLICIT_MISS, 0, 0, metadata(1, 0, 0));
    let out = sent(&o.packet_in(req, 0));
    assert_eq!(out, vec![(1, golden("of10_no_match"))]);
}

#[test]
fn nicira_formats_are_ovs_bytes() {
    let req = request(reason::ACTION, 0, 0x1234, metadata(1, 0x55, 0xabc));
    assert_eq!(
        one(Version::Of10, PacketInFormat::Nxt, req),
        golden("of10_nxt_action")
    );
    let mut req = request(reason::ACTION, 0, 0x99, metadata(2, 0, 0));
    req.userdata = vec![1, 2, 3, 4, 5];
    assert_eq!(
        one(Version::Of13, PacketInFormat::Nxt2, req.clone()),
        golden("of13_nxt2_userdata")
    );
    // Userdata exists only in NXT_PACKET_IN2.
    let std = decode_pin(&one(Version::Of13, PacketInFormat::Standard, req));
    assert!(std.userdata.is_empty());
}

fn paused() -> PacketInRequest {
    let mut req = request(reason::ACTION, 0, 0x77, metadata(2, 0, 0));
    req.userdata = vec![0x0a, 0x0b];
    req.continuation = Some(Continuation {
        bridge: [
            0x15, 0x5f, 0xca, 0x7e, 0x40, 0x4b, 0xbd, 0x8f, 0xdd, 0x90, 0x8f, 0x98, 0xbe, 0x6f,
            0xe5, 0xc1,
        ],
        frames: vec![ContinuationFrame {
            table_id: 0,
            cookie: 0x77,
            actions: vec![Action::Output {
                port: OfpPort(1),
                max_len: 0,
            }],
        }],
        odp_port: 2,
        ..Continuation::default()
    });
    req
}

#[test]
fn continuations_go_only_in_nxt_packet_in2() {
    assert_eq!(
        one(Version::Of13, PacketInFormat::Nxt2, paused()),
        golden("of13_nxt2_pause")
    );
    assert_eq!(
        one(Version::Of13, PacketInFormat::Standard, paused()),
        golden("of13_pause_standard")
    );
    // The continuation's actions are encoded for each connection's version.
    assert_eq!(
        one(Version::Of10, PacketInFormat::Nxt2, paused()),
        golden("of10_nxt2_pause")
    );
    assert_eq!(
        one(Version::Of15, PacketInFormat::Nxt2, paused()),
        golden("of15_nxt2_pause")
    );
    let pin = decode_pin(&one(Version::Of10, PacketInFormat::Nxt2, paused()));
    let k = pin.decode_continuation(Version::Of10, false).unwrap();
    assert_eq!(Some(k), paused().continuation);
}

#[test]
fn reasons_are_mapped_per_version() {
    let mut md = Match::catchall();
    md.set_exact(FieldId::InPort, &OfpPort::CONTROLLER.0.to_be_bytes())
        .unwrap();
    let req = request(reason::PACKET_OUT, 0, u64::MAX, md);
    assert_eq!(
        one(Version::Of14, PacketInFormat::Standard, req.clone()),
        golden("of14_packet_out")
    );
    assert_eq!(
        one(Version::Of13, PacketInFormat::Standard, req),
        golden("of13_packet_out")
    );
    let wire = |v, r| {
        decode_pin(&one(
            v,
            PacketInFormat::Standard,
            request(r, 0, 0, metadata(1, 0, 0)),
        ))
        .reason
    };
    assert_eq!(wire(Version::Of10, reason::EXPLICIT_MISS), reason::ACTION);
    assert_eq!(wire(Version::Of13, reason::EXPLICIT_MISS), reason::NO_MATCH);
    assert_eq!(wire(Version::Of12, reason::IMPLICIT_MISS), reason::NO_MATCH);
    assert_eq!(wire(Version::Of13, reason::GROUP), reason::ACTION);
    assert_eq!(wire(Version::Of14, reason::GROUP), reason::GROUP);
    assert_eq!(wire(Version::Of14, reason::ACTION_SET), reason::ACTION_SET);
}

/// Which of connections 1 (`v`, defaults) gets a packet-in for `r`.
fn default_gets(v: Version, r: u8) -> bool {
    let mut o = switch();
    connect(&mut o, 1, false, v);
    !o.packet_in(request(r, 0, 0, metadata(1, 0, 0)), 0)
        .is_empty()
}

#[test]
fn default_async_config_follows_ovs() {
    for v in Version::ALL {
        assert!(default_gets(v, reason::ACTION), "{v:?}");
        assert!(default_gets(v, reason::EXPLICIT_MISS), "{v:?}");
        assert!(default_gets(v, reason::GROUP), "{v:?}");
        assert!(default_gets(v, reason::PACKET_OUT), "{v:?}");
        assert!(default_gets(v, reason::ACTION_SET), "{v:?}");
        // OVS leaves invalid-TTL packet-ins off until asked.
        assert!(!default_gets(v, reason::INVALID_TTL), "{v:?}");
        // OpenFlow 1.3 made table misses drop; before, they went up.
        assert_eq!(default_gets(v, reason::IMPLICIT_MISS), v <= Version::Of12);
    }
}

fn set_async(o: &mut Ofproto, id: ConnId, v: Version, primary: u32, secondary: u32) {
    let mut config = AsyncConfig::default();
    config.primary[oam::PACKET_IN] = Some(primary);
    config.secondary[oam::PACKET_IN] = Some(secondary);
    let form = if v == Version::Of13 {
        SetAsyncForm::Standard
    } else {
        SetAsyncForm::Nx
    };
    let out = send(o, id, v, &Message::SetAsync(SetAsync { form, config }));
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn secondaries_get_only_what_their_config_allows() {
    let mut o = switch();
    for id in 1..=3 {
        connect(&mut o, id, false, Version::Of13);
    }
    let role = |role| {
        Message::RoleRequest(RoleMsg {
            role,
            generation_id: Some(1),
            nx: false,
        })
    };
    assert_eq!(
        send(&mut o, 1, Version::Of13, &role(Role::Primary)).len(),
        1
    );
    assert_eq!(
        send(&mut o, 2, Version::Of13, &role(Role::Secondary)).len(),
        1
    );
    let req = || request(reason::ACTION, 0, 0, metadata(1, 0, 0));
    // Primary and equal get it; the secondary's default mask is empty.
    assert_eq!(receivers(&o.packet_in(req(), 0)), vec![1, 3]);
    set_async(&mut o, 2, Version::Of13, 0, 1 << reason::ACTION);
    assert_eq!(receivers(&o.packet_in(req(), 0)), vec![1, 2, 3]);
    // Connection 3's own config, primary mask: no_match only.
    set_async(&mut o, 3, Version::Of13, 1 << reason::NO_MATCH, 0);
    assert_eq!(receivers(&o.packet_in(req(), 0)), vec![1, 2]);
    let miss = request(reason::EXPLICIT_MISS, 0, 0, metadata(1, 0, 0));
    assert_eq!(receivers(&o.packet_in(miss, 0)), vec![1, 3]);
}

#[test]
fn asking_for_action_before_of14_asks_for_its_refinements() {
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    connect(&mut o, 2, false, Version::Of14);
    set_async(&mut o, 1, Version::Of13, 1 << reason::ACTION, 0);
    set_async(&mut o, 2, Version::Of14, 1 << reason::ACTION, 0);
    let group = request(reason::GROUP, 0, 0, metadata(1, 0, 0));
    let out = sent(&o.packet_in(group, 0));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, 1);
    assert_eq!(decode_pin(&out[0].1).reason, reason::ACTION);
}

#[test]
fn service_connections_need_a_miss_send_len_or_an_async_config() {
    let mut o = switch();
    connect(&mut o, 1, true, Version::Of10);
    connect(&mut o, 2, true, Version::Of13);
    connect(&mut o, 3, true, Version::Of13);
    let req = || request(reason::ACTION, 0, 0, metadata(1, 0, 0));
    assert!(o.packet_in(req(), 0).is_empty());
    set_miss_send_len(&mut o, 1, Version::Of10, 0xffff);
    assert_eq!(receivers(&o.packet_in(req(), 0)), vec![1]);
    // Setting an async config turns miss_send_len to OVS's default 128, as
    // get_config then shows.
    set_async(&mut o, 2, Version::Of13, 1 << reason::ACTION, 0);
    assert_eq!(receivers(&o.packet_in(req(), 0)), vec![1, 2]);
    let reply = sent(&send(&mut o, 2, Version::Of13, &Message::GetConfigRequest));
    match msgs::decode(&reply[0].1).unwrap().1 {
        Message::GetConfigReply(c) => assert_eq!(c.miss_send_len, 128),
        other => panic!("{other:?}"),
    }
}

#[test]
fn controller_ids_select_connections() {
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    connect(&mut o, 2, false, Version::Of13);
    let m = Message::SetControllerId(5);
    assert!(send(&mut o, 2, Version::Of13, &m).is_empty());
    let mut req = request(reason::ACTION, 0, 0, metadata(1, 0, 0));
    assert_eq!(receivers(&o.packet_in(req.clone(), 0)), vec![1]);
    req.controller_id = 5;
    assert_eq!(receivers(&o.packet_in(req.clone(), 0)), vec![2]);
    req.controller_id = 6;
    assert!(o.packet_in(req, 0).is_empty());
}

#[test]
fn nothing_before_hello_or_with_async_messages_disabled() {
    let mut o = switch();
    o.connect(1, ConnSettings::default(), 0);
    let req = || request(reason::ACTION, 0, 0, metadata(1, 0, 0));
    assert!(o.packet_in(req(), 0).is_empty());
    connect(&mut o, 2, false, Version::Of13);
    o.set_async_enabled(2, false);
    assert!(o.packet_in(req(), 0).is_empty());
    // ...until the controller configures them itself.
    set_async(&mut o, 2, Version::Of13, 1 << reason::ACTION, 0);
    assert_eq!(receivers(&o.packet_in(req(), 0)), vec![2]);
}

#[test]
fn packet_in_on_miss_wanted_by_pre_of13_connections_with_id_0() {
    let mut o = switch();
    assert!(!o.wants_packet_in_on_miss());
    o.connect(1, ConnSettings::default(), 0);
    // Before the hello exchange the version may yet be old.
    assert!(o.wants_packet_in_on_miss());
    let hello = Message::Hello(Hello { versions: 1 << 4 });
    o.handle(1, &msgs::encode(Version::Of13, 1, &hello).unwrap(), 0);
    assert!(!o.wants_packet_in_on_miss());
    // Service connections count too (`ovs-ofctl monitor` relies on it).
    connect(&mut o, 2, true, Version::Of12);
    assert!(o.wants_packet_in_on_miss());
    let m = Message::SetControllerId(3);
    assert!(send(&mut o, 2, Version::Of12, &m).is_empty());
    assert!(!o.wants_packet_in_on_miss());
    o.disconnect(2);
    connect(&mut o, 3, false, Version::Of10);
    assert!(o.wants_packet_in_on_miss());
}

#[test]
fn controller_alive_once_admitted() {
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    connect(&mut o, 2, true, Version::Of13);
    assert!(!o.controller_alive());
    // Features and config requests come before a controller decides.
    send(&mut o, 1, Version::Of13, &Message::FeaturesRequest);
    assert!(!o.controller_alive());
    // A service connection does not count.
    send(&mut o, 2, Version::Of13, &Message::BarrierRequest);
    assert!(!o.controller_alive());
    send(&mut o, 1, Version::Of13, &Message::BarrierRequest);
    assert!(o.controller_alive());
    // Without controllers configured, nothing is alive.
    o.configure(false, true, 0);
    assert!(!o.controller_alive());
    // Thirty seconds up admits on any message.
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    let echo = msgs::encode(Version::Of13, 9, &Message::EchoRequest(Vec::new())).unwrap();
    o.handle(1, &echo, 29_999);
    assert!(!o.controller_alive());
    o.handle(1, &echo, 30_000);
    assert!(o.controller_alive());
}

#[test]
fn packet_ins_count_as_activity() {
    let mut o = Ofproto::new("br0");
    o.connect(
        1,
        ConnSettings {
            probe_interval: 5,
            ..Default::default()
        },
        0,
    );
    let hello = Message::Hello(Hello { versions: 1 << 4 });
    o.handle(1, &msgs::encode(Version::Of13, 1, &hello).unwrap(), 0);
    o.packet_in(request(reason::ACTION, 0, 0, metadata(1, 0, 0)), 4_000);
    // Without the packet-in, the probe would go out at 5 s.
    assert!(o.run(5_000).is_empty());
}

fn packet_out(in_port: OfpPort, actions: Vec<Action>, packet: Vec<u8>) -> PacketOut {
    PacketOut {
        buffer_id: u32::MAX,
        metadata: PacketOut::metadata_for_port(in_port),
        actions,
        packet,
    }
}

fn output(port: u16) -> Action {
    Action::Output {
        port: OfpPort(port),
        max_len: 0,
    }
}

/// The error code a reply carries, if it is an error.
fn error_of(out: &[Output]) -> Option<OfpErr> {
    let (_, bytes) = sent(out).into_iter().next()?;
    match msgs::decode(&bytes).ok()?.1 {
        Message::Error(e) => e.ofperr(bytes[0]),
        _ => None,
    }
}

#[test]
fn packet_outs_are_checked_and_queued() {
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    let po = packet_out(OfpPort::CONTROLLER, vec![output(2)], udp_packet());
    let bytes = msgs::encode(Version::Of13, 42, &Message::PacketOut(po.clone())).unwrap();
    assert!(o.handle(1, &bytes, 0).is_empty());
    let queued = o.take_packet_outs();
    assert_eq!(queued.len(), 1);
    let q = &queued[0];
    assert_eq!((q.conn, q.xid, q.version), (1, 42, Version::Of13));
    assert_eq!(q.in_port, OfpPort::CONTROLLER);
    assert_eq!(q.packet, udp_packet());
    assert_eq!(q.actions, vec![output(2)]);
    assert_eq!(q.metadata, po.metadata);
    assert_eq!(q.request, bytes);
    assert!(o.take_packet_outs().is_empty());
    // A failed translation is answered as OVS does.
    let out = o.packet_out_failed(q, 0);
    assert_eq!(error_of(&out), Some(OfpErr::OfpfmfcUnknown));
    assert_eq!(&sent(&out)[0].1[4..8], &42u32.to_be_bytes());
}

#[test]
fn packet_out_actions_are_checked_against_the_packet() {
    // As captured from OVS 3.1: setting ip_src is fine for an IPv4 packet
    // without any match, and inconsistent for an ARP one.
    let set_ip = Action::SetField(SetField {
        field: FieldId::Ipv4Src,
        value: vec![1, 2, 3, 4],
        mask: vec![0xff; 4],
        form: SetFieldForm::SetField,
        flow_has_vlan: false,
    });
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    let ip = packet_out(OfpPort(1), vec![set_ip.clone(), output(2)], udp_packet());
    assert!(send(&mut o, 1, Version::Of13, &Message::PacketOut(ip)).is_empty());
    assert_eq!(o.take_packet_outs().len(), 1);
    let mut arp = udp_packet();
    arp[12..14].copy_from_slice(&[0x08, 0x06]);
    let po = packet_out(OfpPort(1), vec![set_ip.clone(), output(2)], arp.clone());
    let out = send(&mut o, 1, Version::Of13, &Message::PacketOut(po));
    assert_eq!(error_of(&out), Some(OfpErr::OfpbacMatchInconsistent));
    assert!(o.take_packet_outs().is_empty());
    // OpenFlow 1.0 tolerates it.
    connect(&mut o, 2, false, Version::Of10);
    let po = packet_out(OfpPort(1), vec![set_ip, output(2)], arp);
    assert!(send(&mut o, 2, Version::Of10, &Message::PacketOut(po)).is_empty());
    assert_eq!(o.take_packet_outs().len(), 1);
}

#[test]
fn packet_out_errors_follow_ovs() {
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    let mut po = packet_out(OfpPort(1), vec![output(2)], Vec::new());
    po.buffer_id = 0x1234;
    let out = send(&mut o, 1, Version::Of13, &Message::PacketOut(po));
    assert_eq!(error_of(&out), Some(OfpErr::OfpbrcBufferUnknown));
    let po = packet_out(
        OfpPort(1),
        vec![Action::Group { group_id: 7 }],
        udp_packet(),
    );
    let out = send(&mut o, 1, Version::Of13, &Message::PacketOut(po));
    assert_eq!(error_of(&out), Some(OfpErr::OfpbacBadOutGroup));
    // An input port at OFPP_MAX or in the reserved range other than
    // CONTROLLER, LOCAL and NONE is refused when decoding.
    let mut bad = msgs::encode(
        Version::Of13,
        3,
        &Message::PacketOut(packet_out(OfpPort(1), vec![output(2)], udp_packet())),
    )
    .unwrap();
    bad[12..16].copy_from_slice(&0xffff_ff00u32.to_be_bytes());
    assert_eq!(error_of(&o.handle(1, &bad, 0)), Some(OfpErr::OfpbrcBadPort));
    for port in [OfpPort::LOCAL, OfpPort::NONE, OfpPort(0xfeff)] {
        let po = packet_out(port, vec![output(2)], udp_packet());
        assert!(send(&mut o, 1, Version::Of13, &Message::PacketOut(po)).is_empty());
        assert_eq!(o.take_packet_outs()[0].in_port, port);
    }
    // Secondaries may not send packets.
    let role = Message::RoleRequest(RoleMsg {
        role: Role::Secondary,
        generation_id: Some(1),
        nx: false,
    });
    send(&mut o, 1, Version::Of13, &role);
    let po = packet_out(OfpPort(1), vec![output(2)], udp_packet());
    let out = send(&mut o, 1, Version::Of13, &Message::PacketOut(po));
    assert_eq!(error_of(&out), Some(OfpErr::OfpbrcIsSecondary));
    assert!(o.take_packet_outs().is_empty());
}

#[test]
fn of15_packet_out_keeps_its_pipeline_fields() {
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of15);
    let mut po = packet_out(OfpPort(1), vec![output(2)], udp_packet());
    po.metadata
        .set_exact(FieldId::Reg3, &9u32.to_be_bytes())
        .unwrap();
    assert!(send(&mut o, 1, Version::Of15, &Message::PacketOut(po)).is_empty());
    let q = o.take_packet_outs();
    assert_eq!(q[0].in_port, OfpPort(1));
    assert_eq!(
        q[0].metadata.get_uint(FieldId::Reg3),
        Some((9, 0xffff_ffff))
    );
}

#[test]
fn bundled_packet_outs_wait_for_the_commit() {
    use msgs::bundle::bundle_ctrl_type as t;
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of14);
    let add = |po: PacketOut| {
        Message::BundleAdd(BundleAdd {
            bundle_id: 1,
            flags: 0,
            message: Box::new(Message::PacketOut(po)),
        })
    };
    let ctrl = |ctrl_type| {
        Message::BundleControl(BundleCtrl {
            bundle_id: 1,
            ctrl_type,
            flags: 0,
        })
    };
    let mut bad = packet_out(OfpPort(1), vec![output(2)], Vec::new());
    bad.buffer_id = 5;
    let out = send(&mut o, 1, Version::Of14, &add(bad));
    assert_eq!(error_of(&out), Some(OfpErr::OfpbrcBufferUnknown));
    send(&mut o, 1, Version::Of14, &ctrl(t::OPEN_REQUEST));
    let po = packet_out(OfpPort(1), vec![output(2)], udp_packet());
    assert!(send(&mut o, 1, Version::Of14, &add(po)).is_empty());
    assert!(o.take_packet_outs().is_empty());
    assert_eq!(
        send(&mut o, 1, Version::Of14, &ctrl(t::COMMIT_REQUEST)).len(),
        1
    );
    let q = o.take_packet_outs();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].packet, udp_packet());
}

proptest! {
    /// Whatever the packet, version and format, the packet-in carries all
    /// of it unbuffered, and the reason decodes to its per-version form.
    #[test]
    fn packet_ins_carry_the_whole_packet(
        packet in proptest::collection::vec(any::<u8>(), 1..300),
        v in 0usize..6,
        f in 0usize..3,
        r in 0u8..8,
        cookie in any::<u64>(),
    ) {
        let version = Version::ALL[v];
        let format = [PacketInFormat::Standard, PacketInFormat::Nxt, PacketInFormat::Nxt2][f];
        let mut o = switch();
        connect(&mut o, 1, false, version);
        if format != PacketInFormat::Standard {
            set_format(&mut o, 1, version, format);
        }
        set_async(&mut o, 1, version, 0xff, 0);
        let mut req = request(r, 3, cookie, metadata(2, 0, 0));
        req.packet = packet.clone();
        let out = sent(&o.packet_in(req, 0));
        // From OpenFlow 1.3 on, no async config lets implicit misses
        // through: asking for no_match asks for explicit misses only.
        if r == reason::IMPLICIT_MISS && version >= Version::Of13 {
            prop_assert!(out.is_empty());
            return Ok(());
        }
        prop_assert_eq!(out.len(), 1);
        let pin = decode_pin(&out[0].1);
        prop_assert_eq!(&pin.packet, &packet);
        prop_assert_eq!(pin.total_len as usize, packet.len());
        prop_assert_eq!(pin.buffer_id, u32::MAX);
        prop_assert_eq!(pin.reason, msgs::packet::wire_reason(r, version));
        prop_assert_eq!(pin.form, format);
    }
}

#[test]
fn flow_removed_follows_async_config() {
    use msgs::{FlowMod, FlowModCommand};
    let fm = |command, flags| {
        Message::FlowMod(FlowMod {
            match_: metadata(1, 0, 0),
            priority: 5,
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
            flags,
            actions: vec![output(2)],
            nx: false,
        })
    };
    let mut o = switch();
    connect(&mut o, 1, false, Version::Of13);
    connect(&mut o, 2, false, Version::Of13);
    connect(&mut o, 3, true, Version::Of10);
    connect(&mut o, 4, true, Version::Of10);
    set_miss_send_len(&mut o, 3, Version::Of10, 128);
    let role = Message::RoleRequest(RoleMsg {
        role: Role::Secondary,
        generation_id: Some(1),
        nx: false,
    });
    send(&mut o, 2, Version::Of13, &role);
    let add = fm(FlowModCommand::Add, msgs::flow::flow_flags::SEND_FLOW_REM);
    assert!(send(&mut o, 1, Version::Of13, &add).is_empty());
    let out = send(&mut o, 1, Version::Of13, &fm(FlowModCommand::Delete, 0));
    // The secondary and the quiet service connection hear nothing; a
    // service connection with a miss_send_len does.
    assert_eq!(receivers(&out), vec![1, 3]);
    for (_, bytes) in sent(&out) {
        assert!(matches!(
            msgs::decode(&bytes).unwrap().1,
            Message::FlowRemoved(_)
        ));
    }
}
