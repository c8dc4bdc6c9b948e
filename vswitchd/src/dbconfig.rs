//! The vswitch schema, read and written: the only code that knows its
//! table and column names. Reads an IDL [`Replica`] into a
//! [`bridge::Config`] and turns a [`bridge::Status`] into the transaction
//! OVS would commit (status columns plus `cur_cfg`).

use ovsdb::{Atom, Datum, Uuid};
use ovsdb_idl::{Replica, Row, Transaction};

use crate::bridge::{
    self, BridgeCfg, Capabilities, Config, ControllerCfg, IfaceCfg, IfaceStatus, PortCfg,
};

fn uuid_string(u: &Uuid) -> String {
    u.to_string()
}

fn map(row: &Row, column: &str) -> std::collections::BTreeMap<String, String> {
    row.get_map(column)
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

fn strings(row: &Row, column: &str) -> Vec<String> {
    row.get_set(column)
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

fn refs<'a>(replica: &'a Replica, row: &Row, column: &str, table: &str) -> Vec<&'a Row> {
    row.get_set(column)
        .iter()
        .filter_map(|a| a.as_uuid())
        .filter_map(|u| replica.row(table, u).map(|r| r.as_ref()))
        .collect()
}

/// The configuration the database asks for, or `None` before the
/// Open_vSwitch row exists.
pub fn read(replica: &Replica) -> Option<Config> {
    let ovs = replica.rows("Open_vSwitch").next()?;
    let bridges = refs(replica, ovs, "bridges", "Bridge")
        .into_iter()
        .map(|b| BridgeCfg {
            uuid: uuid_string(&b.uuid()),
            name: b.get_str("name").unwrap_or_default().to_string(),
            datapath_type: b.get_str("datapath_type").unwrap_or_default().to_string(),
            fail_mode: b
                .get_set("fail_mode")
                .first()
                .and_then(|a| a.as_str())
                .map(str::to_string),
            protocols: strings(b, "protocols"),
            other_config: map(b, "other_config"),
            flow_tables: b
                .get_map("flow_tables")
                .iter()
                .filter_map(|(k, v)| {
                    let table = u8::try_from(k.as_integer()?).ok()?;
                    let row = replica.row("Flow_Table", v.as_uuid()?)?;
                    Some((
                        table,
                        bridge::FlowTableCfg {
                            prefixes: strings(row, "prefixes"),
                        },
                    ))
                })
                .collect(),
            ports: refs(replica, b, "ports", "Port")
                .into_iter()
                .map(|p| PortCfg {
                    uuid: uuid_string(&p.uuid()),
                    name: p.get_str("name").unwrap_or_default().to_string(),
                    tag: p.get_set("tag").first().and_then(|a| a.as_integer()),
                    trunks: p
                        .get_set("trunks")
                        .iter()
                        .filter_map(|a| a.as_integer())
                        .collect(),
                    vlan_mode: p
                        .get_set("vlan_mode")
                        .first()
                        .and_then(|a| a.as_str())
                        .map(str::to_string),
                    interfaces: refs(replica, p, "interfaces", "Interface")
                        .into_iter()
                        .map(|i| IfaceCfg {
                            uuid: uuid_string(&i.uuid()),
                            name: i.get_str("name").unwrap_or_default().to_string(),
                            iface_type: i.get_str("type").unwrap_or_default().to_string(),
                            ofport_request: i
                                .get_set("ofport_request")
                                .first()
                                .and_then(|a| a.as_integer()),
                            ofport: i.get_set("ofport").first().and_then(|a| a.as_integer()),
                            options: map(i, "options"),
                            mtu_request: i
                                .get_set("mtu_request")
                                .first()
                                .and_then(|a| a.as_integer()),
                        })
                        .collect(),
                })
                .collect(),
            controllers: refs(replica, b, "controller", "Controller")
                .into_iter()
                .map(|c| ControllerCfg {
                    uuid: uuid_string(&c.uuid()),
                    target: c.get_str("target").unwrap_or_default().to_string(),
                    inactivity_probe: c
                        .get_set("inactivity_probe")
                        .first()
                        .and_then(|a| a.as_integer()),
                })
                .collect(),
        })
        .collect();
    Some(Config {
        uuid: uuid_string(&ovs.uuid()),
        other_config: map(ovs, "other_config"),
        next_cfg: ovs.get_integer("next_cfg").unwrap_or(0),
        cur_cfg: ovs.get_integer("cur_cfg").unwrap_or(0),
        bridges,
    })
}

fn int(v: i64) -> Datum {
    Datum::scalar(Atom::Integer(v))
}

fn string(s: &str) -> Datum {
    Datum::scalar(Atom::string(s))
}

fn string_set(items: &[&str]) -> Datum {
    Datum::from_set(items.iter().map(|s| Atom::string(s)).collect())
        .unwrap_or_else(|_| Datum::empty())
}

fn parse(u: &str) -> Option<Uuid> {
    ovsdb::parse_uuid(u)
}

/// One Controller row's connection status (OVS's
/// `refresh_controller_status`); passive targets have none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ControllerStatus {
    pub is_connected: bool,
    /// `master`, `slave` or `other` while connected.
    pub role: Option<&'static str>,
    pub status: Vec<(String, String)>,
}

/// The periodic statistics transaction: the connection status of every
/// Controller row of `cfg` (rows without an entry in `status` get OVS's
/// values for a passive target). Rows gone from the replica are skipped.
pub fn controller_status_txn(
    cfg: &Config,
    status: &std::collections::HashMap<String, ControllerStatus>,
    replica: &Replica,
) -> Transaction {
    let mut txn = Transaction::new();
    for c in cfg.bridges.iter().flat_map(|b| &b.controllers) {
        let Some(u) = parse(&c.uuid).filter(|u| replica.row("Controller", u).is_some()) else {
            continue;
        };
        let st = status.get(&c.uuid).cloned().unwrap_or_default();
        let pairs = st
            .status
            .iter()
            .map(|(k, v)| (Atom::string(k), Atom::string(v)))
            .collect();
        txn.update(
            "Controller",
            u,
            [
                (
                    "is_connected",
                    Datum::scalar(Atom::Boolean(st.is_connected)),
                ),
                ("role", st.role.map_or_else(Datum::empty, string)),
                (
                    "status",
                    Datum::from_map(pairs).unwrap_or_else(|_| Datum::empty()),
                ),
            ],
        );
    }
    txn
}

/// The status transaction after a reconfiguration: interface and bridge
/// status, the capabilities, and `cur_cfg` = `next_cfg`. Rows gone from the
/// replica are skipped.
pub fn status_txn(
    cfg: &Config,
    status: &bridge::Status,
    caps: Capabilities,
    replica: &Replica,
) -> Transaction {
    let mut txn = Transaction::new();
    for (uuid, st) in &status.ifaces {
        let Some(u) = parse(uuid).filter(|u| replica.row("Interface", u).is_some()) else {
            continue;
        };
        let columns: Vec<(&str, Datum)> = match st {
            IfaceStatus::Up {
                ofport,
                mtu,
                ifindex,
                admin_down,
                error,
                ..
            } => vec![
                ("ofport", int(i64::from(*ofport))),
                ("error", error.as_deref().map_or_else(Datum::empty, string)),
                (
                    "admin_state",
                    string(if *admin_down { "down" } else { "up" }),
                ),
                (
                    "link_state",
                    string(if *admin_down { "down" } else { "up" }),
                ),
                ("mac_in_use", string(&st.mac_string().unwrap_or_default())),
                ("mtu", mtu.map_or_else(Datum::empty, int)),
                ("ifindex", int(*ifindex)),
                ("link_resets", int(0)),
            ],
            IfaceStatus::Failed { error } => vec![
                ("ofport", int(-1)),
                ("error", string(error)),
                ("admin_state", Datum::empty()),
                ("link_state", Datum::empty()),
                ("mac_in_use", Datum::empty()),
                ("mtu", Datum::empty()),
                ("ifindex", Datum::empty()),
            ],
        };
        txn.update("Interface", u, columns);
    }
    for (uuid, dpid, version) in &status.bridges {
        let Some(u) = parse(uuid).filter(|u| replica.row("Bridge", u).is_some()) else {
            continue;
        };
        txn.update(
            "Bridge",
            u,
            [
                ("datapath_id", string(dpid)),
                ("datapath_version", string(version)),
            ],
        );
    }
    if let Some(u) = parse(&cfg.uuid).filter(|u| replica.row("Open_vSwitch", u).is_some()) {
        txn.update(
            "Open_vSwitch",
            u,
            [
                ("cur_cfg", int(cfg.next_cfg)),
                ("datapath_types", string_set(&caps.datapath_types())),
                ("iface_types", string_set(&caps.iface_types())),
                ("dpdk_initialized", Datum::scalar(Atom::Boolean(false))),
                ("dpdk_version", string("none")),
            ],
        );
    }
    txn
}
