//! `ovsdb-client`: the commands of OVS's `ovsdb/ovsdb-client.c`, with the
//! same arguments, output and error messages.

use std::io::Write as _;

use crate::getopt::{self, HasArg, LongOpt, opt};
use crate::json::{self, Flags, Json, Object};
use crate::ovsdb::{DatabaseSchema, Datum, OvsdbError, TableSchema, Type, Uuid, condition};
use crate::rpc::{Connection, Message, RecvError};
use crate::table::{Cell, Format, Printer, Style, Table};
use crate::util;

const PROGRAM: &str = "ovsdb-client";

/// How a command ends early: OVS's `ovs_fatal` (message, exit status 1).
#[derive(Debug)]
pub struct Fatal(pub String);

type R<T> = Result<T, Fatal>;

fn fatal<T>(msg: impl Into<String>) -> R<T> {
    Err(Fatal(msg.into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    None,
    Rpc,
    Database,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    ListDbs,
    GetSchema,
    GetSchemaVersion,
    GetSchemaCksum,
    ListTables,
    ListColumns,
    Transact,
    Query,
    Monitor,
    MonitorCond,
    MonitorCondSince,
    Wait,
    Convert,
    NeedsConversion,
    Dump,
    Backup,
    Restore,
    Lock,
    Steal,
    Unlock,
    Help,
}

const UNLIMITED: usize = usize::MAX;

const COMMANDS: &[(&str, Need, usize, usize, Cmd)] = &[
    ("list-dbs", Need::Rpc, 0, 0, Cmd::ListDbs),
    ("get-schema", Need::Database, 0, 0, Cmd::GetSchema),
    (
        "get-schema-version",
        Need::Database,
        0,
        0,
        Cmd::GetSchemaVersion,
    ),
    (
        "get-schema-cksum",
        Need::Database,
        0,
        0,
        Cmd::GetSchemaCksum,
    ),
    ("list-tables", Need::Database, 0, 0, Cmd::ListTables),
    ("list-columns", Need::Database, 0, 1, Cmd::ListColumns),
    ("transact", Need::None, 1, 2, Cmd::Transact),
    ("query", Need::None, 1, 2, Cmd::Query),
    ("monitor", Need::Database, 1, UNLIMITED, Cmd::Monitor),
    ("monitor-cond", Need::Database, 2, 3, Cmd::MonitorCond),
    (
        "monitor-cond-since",
        Need::Database,
        2,
        4,
        Cmd::MonitorCondSince,
    ),
    ("wait", Need::None, 2, 3, Cmd::Wait),
    ("convert", Need::None, 1, 2, Cmd::Convert),
    ("needs-conversion", Need::None, 1, 2, Cmd::NeedsConversion),
    ("dump", Need::Database, 0, UNLIMITED, Cmd::Dump),
    ("backup", Need::Database, 0, 0, Cmd::Backup),
    ("restore", Need::Database, 0, 0, Cmd::Restore),
    ("lock", Need::Rpc, 1, 1, Cmd::Lock),
    ("steal", Need::Rpc, 1, 1, Cmd::Steal),
    ("unlock", Need::Rpc, 1, 1, Cmd::Unlock),
    ("help", Need::None, 0, UNLIMITED, Cmd::Help),
];

const OPTIONS: &[LongOpt] = &[
    opt("help", HasArg::No, Some('h')),
    opt("version", HasArg::No, Some('V')),
    opt("timestamp", HasArg::No, None),
    opt("force", HasArg::No, None),
    opt("timeout", HasArg::Required, Some('t')),
    opt("db-change-aware", HasArg::No, None),
    opt("no-db-change-aware", HasArg::No, None),
    opt("leader-only", HasArg::No, None),
    opt("no-leader-only", HasArg::No, None),
    opt("verbose", HasArg::Optional, Some('v')),
    opt("log-file", HasArg::Optional, None),
    opt("syslog-method", HasArg::Required, None),
    opt("syslog-target", HasArg::Required, None),
    opt("detach", HasArg::No, None),
    opt("no-self-confinement", HasArg::No, None),
    opt("no-chdir", HasArg::No, None),
    opt("pidfile", HasArg::Optional, None),
    opt("overwrite-pidfile", HasArg::No, None),
    opt("monitor", HasArg::No, None),
    opt("user", HasArg::Required, None),
    opt("bootstrap-ca-cert", HasArg::Required, None),
    opt("private-key", HasArg::Required, Some('p')),
    opt("certificate", HasArg::Required, Some('c')),
    opt("ca-cert", HasArg::Required, Some('C')),
    opt("ssl-protocols", HasArg::Required, None),
    opt("ssl-ciphers", HasArg::Required, None),
    opt("format", HasArg::Required, Some('f')),
    opt("data", HasArg::Required, Some('d')),
    opt("no-headings", HasArg::No, None),
    opt("pretty", HasArg::No, None),
    opt("bare", HasArg::No, None),
    opt("max-column-width", HasArg::Required, None),
    opt("record", HasArg::Optional, None),
    opt("replay", HasArg::Optional, None),
];

/// Runs `ovsdb-client` with `args` (without the program name) and returns
/// the exit status.
pub fn main(args: &[String]) -> i32 {
    let mut client = Client::new();
    let result = client.run(args);
    client.flush();
    match result {
        Ok(()) => 0,
        Err(Fatal(msg)) => {
            eprintln!("{PROGRAM}: {msg}");
            1
        }
    }
}

/// The columns one monitored table shows.
#[derive(Debug, Clone)]
struct MonitoredTable {
    table: TableSchema,
    /// Names of the columns, in the order given (or sorted, `_version` last).
    columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MonitorVersion {
    V1,
    V2,
    V3,
}

struct Client {
    printer: Printer,
    timestamp: bool,
    db_change_aware: i32,
    force: bool,
    leader_only: bool,
    out: Vec<u8>,
}

impl Client {
    fn new() -> Client {
        Client {
            printer: Printer::new(Style {
                format: Format::Table,
                ..Style::default()
            }),
            timestamp: false,
            db_change_aware: -1,
            force: false,
            leader_only: true,
            out: Vec::new(),
        }
    }

    fn style(&self) -> Style {
        self.printer.style
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn puts(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'\n');
    }

    fn flush(&mut self) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(&self.out);
        let _ = stdout.flush();
        self.out.clear();
    }

    fn print_json(&mut self, json: &Json) {
        let text = json.to_ovs_string(self.style().json_flags);
        self.puts(&text);
    }

    fn print_table(&mut self, table: &Table) {
        let bytes = self.printer.format(table);
        self.emit(&bytes);
    }

    fn run(&mut self, args: &[String]) -> R<()> {
        let (options, operands) = getopt::parse(args, OPTIONS).map_err(Fatal)?;
        let mut timeout: u32 = 0;
        for o in options {
            let arg = o.arg.unwrap_or_default();
            match o.name {
                "help" => {
                    self.usage();
                    return Ok(());
                }
                "version" => {
                    self.puts("ovsdb-client (Open vSwitch) 3.1.0");
                    return Ok(());
                }
                "timestamp" => self.timestamp = true,
                "force" => self.force = true,
                "timeout" => match arg.parse::<u32>() {
                    Ok(t) if t > 0 && arg.bytes().all(|c| c.is_ascii_digit()) => timeout = t,
                    _ => return fatal(format!("value {arg} on -t or --timeout is invalid")),
                },
                "db-change-aware" => self.db_change_aware = 1,
                "no-db-change-aware" => self.db_change_aware = 0,
                "leader-only" => self.leader_only = true,
                "no-leader-only" => self.leader_only = false,
                "format" => self.printer.style.parse_format(&arg).map_err(Fatal)?,
                "data" => self.printer.style.parse_cell_format(&arg).map_err(Fatal)?,
                "no-headings" => self.printer.style.headings = false,
                "pretty" => self.printer.style.json_flags.pretty = true,
                "bare" => {
                    self.printer.style.format = Format::List;
                    self.printer.style.cell_format = crate::table::CellFormat::Bare;
                    self.printer.style.headings = false;
                }
                "max-column-width" => {
                    self.printer.style.max_column_width = atoi(&arg);
                }
                // Logging, daemon, SSL and replay options are accepted and
                // have no effect on what this implementation prints.
                _ => {}
            }
        }
        setup_timeout(timeout);

        let Some((name, rest)) = operands.split_first() else {
            return fatal("missing command name; use --help for help");
        };
        let Some(&(cname, need, min_args, max_args, cmd)) =
            COMMANDS.iter().find(|c| c.0 == name.as_str())
        else {
            return fatal(format!("unknown command '{name}'; use --help for help"));
        };

        let mut args: &[String] = rest;
        let mut rpc: Option<Connection> = None;
        let mut database: Option<String> = None;
        if need != Need::None {
            let (conn, db, used) = self.open_rpc(min_args, need, args, None)?;
            rpc = Some(conn);
            database = db;
            args = &args[used..];
        }
        if args.len() < min_args || args.len() > max_args {
            return fatal(format!(
                "invalid syntax for '{cname}' (use --help for help)"
            ));
        }
        let db = database.unwrap_or_default();
        match (cmd, rpc) {
            (Cmd::Transact, _) => self.do_transact(args),
            (Cmd::Query, _) => self.do_query(args),
            (Cmd::Wait, _) => self.do_wait(args),
            (Cmd::Convert, _) => self.do_convert(args),
            (Cmd::NeedsConversion, _) => self.do_needs_conversion(args),
            (Cmd::Help, _) => {
                self.usage();
                Ok(())
            }
            (cmd, Some(mut rpc)) => match cmd {
                Cmd::ListDbs => {
                    let dbs = fetch_dbs(&mut rpc)?;
                    for d in dbs {
                        self.puts(&d);
                    }
                    Ok(())
                }
                Cmd::GetSchema => {
                    let schema = fetch_schema(&mut rpc, &db, self.style().json_flags)?;
                    self.print_json(&schema.to_json());
                    Ok(())
                }
                Cmd::GetSchemaVersion => {
                    let schema = fetch_schema(&mut rpc, &db, self.style().json_flags)?;
                    self.puts(&schema.version);
                    Ok(())
                }
                Cmd::GetSchemaCksum => {
                    let schema = fetch_schema(&mut rpc, &db, self.style().json_flags)?;
                    self.puts(&schema.cksum);
                    Ok(())
                }
                Cmd::ListTables => self.do_list_tables(&mut rpc, &db),
                Cmd::ListColumns => self.do_list_columns(&mut rpc, &db, args),
                Cmd::Monitor => {
                    self.do_monitor(&mut rpc, &db, MonitorVersion::V1, args, None, None)
                }
                Cmd::MonitorCond => {
                    self.do_monitor_cond(&mut rpc, &db, MonitorVersion::V2, None, args)
                }
                Cmd::MonitorCondSince => {
                    let (last_id, args) = match Uuid::parse(&args[0]) {
                        Some(u) => (u, &args[1..]),
                        None => (Uuid::ZERO, args),
                    };
                    if args.len() < 2 {
                        return fatal(format!(
                            "invalid syntax for '{cname}' (use --help for help)"
                        ));
                    }
                    self.do_monitor_cond(&mut rpc, &db, MonitorVersion::V3, Some(last_id), args)
                }
                Cmd::Dump => self.do_dump(&mut rpc, &db, args),
                Cmd::Backup => self.do_backup(&mut rpc, &db),
                Cmd::Restore => self.do_restore(&mut rpc, &db),
                Cmd::Lock => self.do_lock(&mut rpc, "lock", &args[0]),
                Cmd::Steal => self.do_lock(&mut rpc, "steal", &args[0]),
                Cmd::Unlock => self.do_lock(&mut rpc, "unlock", &args[0]),
                _ => Ok(()),
            },
            (_, None) => Ok(()),
        }
    }

    /// `open_rpc`: picks the server (the first argument if it looks like a
    /// remote) and, when needed, the database. Returns how many arguments
    /// were used.
    fn open_rpc(
        &mut self,
        min_args: usize,
        need: Need,
        args: &[String],
        database: Option<String>,
    ) -> R<(Connection, Option<String>, usize)> {
        let mut argidx = 0;
        let remotes: Vec<String>;
        let mut cid = Uuid::ZERO;
        if args.len() > min_args && looks_like_remote(&args[0]) {
            let (r, c) = parse_remotes(&args[0]);
            remotes = r;
            cid = c;
            argidx = 1;
        } else {
            remotes = vec![default_remote()];
        }

        let mut database = database;
        if remotes.len() == 1 {
            let mut rpc = open_jsonrpc(&remotes[0])?;
            if need == Need::Database && database.is_none() {
                let dbs = fetch_dbs(&mut rpc)?;
                if args.len() - argidx > min_args && dbs.contains(&args[argidx]) {
                    database = Some(args[argidx].clone());
                    argidx += 1;
                } else if dbs.iter().any(|d| d == "Open_vSwitch") {
                    database = Some("Open_vSwitch".to_string());
                } else {
                    let candidates: Vec<&String> =
                        dbs.iter().filter(|d| !d.starts_with('_')).collect();
                    if candidates.len() != 1 {
                        return fatal(
                            "could not find a default database, please specify a database name",
                        );
                    }
                    database = Some(candidates[0].clone());
                }
            }
            return Ok((rpc, database, argidx));
        }

        if database.is_none() && need == Need::Database {
            if args.len() - argidx > min_args {
                database = Some(args[argidx].clone());
                argidx += 1;
            } else {
                return fatal("database name is required with multiple remotes");
            }
        }
        // OVS tries the remotes in random order; any acceptable one will do.
        for remote in &remotes {
            let Ok(mut rpc) = Connection::open(remote) else {
                continue;
            };
            let Some(db) = &database else {
                return Ok((rpc, database, argidx));
            };
            let request = database_info_request(&mut rpc, db);
            if let Ok(reply @ Message::Reply { .. }) = rpc.transact(request)
                && self.should_stay_connected(&reply, db, &cid)
            {
                return Ok((rpc, database, argidx));
            }
        }
        fatal("no servers were available")
    }

    fn should_stay_connected(&self, reply: &Message, database: &str, cid: &Uuid) -> bool {
        let Some(row) = parse_database_info_reply(reply, database, Some(cid)) else {
            return false;
        };
        if string_column(&row, "model") == "standalone" {
            return true;
        }
        if bool_column(&row, "connected") != Some(true) {
            return false;
        }
        if self.leader_only && bool_column(&row, "leader") != Some(true) {
            return false;
        }
        true
    }

    fn do_list_tables(&mut self, rpc: &mut Connection, db: &str) -> R<()> {
        let schema = fetch_schema(rpc, db, self.style().json_flags)?;
        let mut t = Table::new(vec!["Table".to_string()]);
        for ts in &schema.tables {
            t.add_row(vec![Cell::text(&ts.name)]);
        }
        self.print_table(&t);
        Ok(())
    }

    fn do_list_columns(&mut self, rpc: &mut Connection, db: &str, args: &[String]) -> R<()> {
        let table_name = args.first();
        let schema = fetch_schema(rpc, db, self.style().json_flags)?;
        let mut headings = Vec::new();
        if table_name.is_none() {
            headings.push("Table".to_string());
        }
        headings.push("Column".to_string());
        headings.push("Type".to_string());
        let mut t = Table::new(headings);
        for ts in &schema.tables {
            if table_name.is_some_and(|n| *n != ts.name) {
                continue;
            }
            for c in &ts.columns {
                let mut row = Vec::new();
                if table_name.is_none() {
                    row.push(Cell::text(&ts.name));
                }
                row.push(Cell::text(&c.name));
                row.push(Cell::datum(c.type_.to_json(), None));
                t.add_row(row);
            }
        }
        self.print_table(&t);
        Ok(())
    }

    fn send_db_change_aware(&mut self, rpc: &mut Connection) -> R<()> {
        if self.db_change_aware != 0 {
            let request = rpc.request("set_db_change_aware", Json::Array(vec![Json::Bool(true)]));
            let reply = rpc.transact(request).map_err(|e| {
                Fatal(format!(
                    "{}: error setting db_change_aware ({})",
                    rpc.name(),
                    e.text
                ))
            })?;
            if let Message::Error { error, .. } = &reply
                && self.db_change_aware == 1
            {
                return fatal(format!(
                    "{}: set_db_change_aware failed ({})",
                    rpc.name(),
                    error.to_ovs_string(Flags::NONE)
                ));
            }
        }
        Ok(())
    }

    fn transact_json(&mut self, args: &[String], transaction: Json) -> R<Json> {
        let db_name = match transaction.as_array() {
            Some([Json::String(db), ..]) => db.clone(),
            _ => return fatal("not a valid OVSDB query"),
        };
        let (mut rpc, _, _) = self.open_rpc(1, Need::Database, args, Some(db_name))?;
        if self.db_change_aware == 1 {
            self.send_db_change_aware(&mut rpc)?;
        }
        let request = rpc.request("transact", transaction);
        let reply = check_txn(rpc.transact(request), self.style().json_flags)?;
        Ok(reply)
    }

    fn do_transact(&mut self, args: &[String]) -> R<()> {
        let txn = parse_json_arg(&args[args.len() - 1])?;
        let result = self.transact_json(args, txn)?;
        self.print_json(&result);
        Ok(())
    }

    fn do_query(&mut self, args: &[String]) -> R<()> {
        let txn = parse_json_arg(&args[args.len() - 1])?;
        let Json::Array(mut ops) = txn else {
            return fatal("not a valid OVSDB query");
        };
        ops.push(Json::Object(
            Object::new().with("op", Json::string("abort")),
        ));
        let abort_idx = ops.len() - 2;
        let mut result = self.transact_json(args, Json::Array(ops))?;
        if let Json::Array(results) = &mut result
            && results.len() == abort_idx + 1
            && results[abort_idx]
                .as_object()
                .and_then(|o| o.get("error"))
                .and_then(Json::as_str)
                == Some("aborted")
        {
            results.pop();
        }
        self.print_json(&result);
        Ok(())
    }

    fn do_needs_conversion(&mut self, args: &[String]) -> R<()> {
        let file = &args[args.len() - 1];
        let schema1 = DatabaseSchema::from_file(file).map_err(|e| Fatal(e.to_string()))?;
        let (mut rpc, _, _) = self.open_rpc(1, Need::Database, args, Some(schema1.name.clone()))?;
        let schema2 = fetch_schema(&mut rpc, &schema1.name, self.style().json_flags)?;
        let mut s1 = schema1;
        if is_database_clustered(&mut rpc, &s1.name, self.style().json_flags)? {
            persist_ephemeral_columns(&mut s1);
        }
        self.puts(if s1.equal(&schema2) { "no" } else { "yes" });
        Ok(())
    }

    fn do_convert(&mut self, args: &[String]) -> R<()> {
        let file = &args[args.len() - 1];
        let mut schema = DatabaseSchema::from_file(file).map_err(|e| Fatal(e.to_string()))?;
        let (mut rpc, _, _) = self.open_rpc(1, Need::Database, args, Some(schema.name.clone()))?;
        if is_database_clustered(&mut rpc, &schema.name, self.style().json_flags)? {
            persist_ephemeral_columns(&mut schema);
        }
        self.send_db_change_aware(&mut rpc)?;
        let request = rpc.request(
            "convert",
            Json::Array(vec![Json::string(&schema.name), schema.to_json()]),
        );
        check_txn(rpc.transact(request), self.style().json_flags)?;
        Ok(())
    }

    fn do_wait(&mut self, args: &[String]) -> R<()> {
        let database = &args[args.len() - 2];
        let state = &args[args.len() - 1];
        if !matches!(state.as_str(), "connected" | "added" | "removed") {
            return fatal(format!("{state}: unknown state"));
        }
        let remote = if args.len() > 2 {
            args[0].clone()
        } else {
            default_remote()
        };
        // OVS keeps reconnecting until the server answers; so do we.
        loop {
            let Ok(mut rpc) = Connection::open(&remote) else {
                std::thread::sleep(std::time::Duration::from_millis(500));
                continue;
            };
            let sdca = rpc.request("set_db_change_aware", Json::Array(vec![Json::Bool(true)]));
            if rpc.send(&sdca).is_err() {
                continue;
            }
            let sdca_id = sdca.id().cloned();
            let txn = rpc.request("transact", wait_transaction(state, database));
            let txn_id = txn.id().cloned();
            if rpc.send(&txn).is_err() {
                continue;
            }
            while let Ok(msg) = rpc.recv() {
                if msg.id().is_some() && msg.id() == sdca_id.as_ref() {
                    if let Message::Error { error, .. } = &msg {
                        self.flush();
                        eprintln!(
                            "{PROGRAM}: {}: set_db_change_aware failed ({})",
                            rpc.name(),
                            error.to_ovs_string(Flags::NONE)
                        );
                        std::process::exit(1);
                    }
                } else if msg.id().is_some() && msg.id() == txn_id.as_ref() {
                    return check_transaction_reply(&msg);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }

    fn do_monitor_cond(
        &mut self,
        rpc: &mut Connection,
        db: &str,
        version: MonitorVersion,
        last_id: Option<Uuid>,
        args: &[String],
    ) -> R<()> {
        let table_name = &args[1];
        let schema = fetch_schema(rpc, db, self.style().json_flags)?;
        let Some(table) = schema.table(table_name) else {
            return fatal(format!("{db} does not have a table named \"{table_name}\""));
        };
        let condition = parse_json_arg(&args[0])?;
        condition::check(table, &condition).map_err(|e| Fatal(e.to_string()))?;
        self.do_monitor(rpc, db, version, &args[1..], Some(condition), last_id)
    }

    fn do_monitor(
        &mut self,
        rpc: &mut Connection,
        db: &str,
        version: MonitorVersion,
        args: &[String],
        condition: Option<Json>,
        last_id: Option<Uuid>,
    ) -> R<()> {
        let server = rpc.name().to_string();
        let table_name = &args[0];
        let schema = fetch_schema(rpc, db, self.style().json_flags)?;
        let mut requests = Object::new();
        let mut mts: Vec<MonitoredTable> = Vec::new();
        if table_name != "ALL" {
            let Some(table) = schema.table(table_name) else {
                return fatal(format!(
                    "{server}: {db} does not have a table named \"{table_name}\""
                ));
            };
            add_monitored_table(args, &server, db, condition, table, &mut requests, &mut mts)?;
        } else {
            if condition.is_some() {
                return fatal("ALL tables are not allowed with condition");
            }
            for table in schema.sorted_tables() {
                add_monitored_table(args, &server, db, None, table, &mut requests, &mut mts)?;
            }
        }

        self.send_db_change_aware(rpc)?;

        let mut params = vec![Json::string(db), Json::Null, Json::Object(requests)];
        let method = match version {
            MonitorVersion::V1 => "monitor",
            MonitorVersion::V2 => "monitor_cond",
            MonitorVersion::V3 => {
                params.push(Json::String(last_id.unwrap_or(Uuid::ZERO).to_string()));
                "monitor_cond_since"
            }
        };
        let request = rpc.request(method, Json::Array(params));
        let request_id = request.id().cloned();
        rpc.send(&request)
            .map_err(|e| Fatal(format!("{server}: receive failed ({})", e.text)))?;

        loop {
            let msg = rpc
                .recv()
                .map_err(|e| Fatal(format!("{server}: receive failed ({})", e.text)))?;
            match &msg {
                Message::Request { method, params, id } if method == "echo" => {
                    let reply = Message::Reply {
                        result: params.clone(),
                        id: id.clone(),
                    };
                    let _ = rpc.send(&reply);
                }
                Message::Reply { result, id } if Some(id) == request_id.as_ref() => {
                    match version {
                        MonitorVersion::V1 => self.monitor_print(result, &mts, true),
                        MonitorVersion::V2 => self.monitor2_print(result, &mts),
                        MonitorVersion::V3 => self.monitor3_print(result, &mts),
                    }
                    self.flush();
                }
                Message::Notify { method, params } => {
                    let p = params.as_array().unwrap_or(&[]);
                    match method.as_str() {
                        "update" if p.len() == 2 && p[0] == Json::Null => {
                            self.monitor_print(&p[1], &mts, false);
                            self.flush();
                        }
                        "update2"
                            if version == MonitorVersion::V2
                                && p.len() == 2
                                && p[0] == Json::Null =>
                        {
                            self.monitor2_print(&p[1], &mts);
                            self.flush();
                        }
                        "update3"
                            if version == MonitorVersion::V3
                                && p.len() == 3
                                && p[0] == Json::Null =>
                        {
                            let last = p[1].as_str().unwrap_or("").to_string();
                            self.emit(format!("\nlast_id: {last}").as_bytes());
                            self.monitor2_print(&p[2], &mts);
                            self.flush();
                        }
                        "monitor_canceled" => {
                            return fatal(format!("{server}: {db} database was removed"));
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    fn monitor_print(&mut self, updates: &Json, mts: &[MonitoredTable], initial: bool) {
        let Some(updates) = updates.as_object() else {
            self.error("<table-updates> is not object");
            return;
        };
        for mt in mts {
            if let Some(tu) = updates.get(&mt.table.name) {
                let caption = (mts.len() > 1).then(|| mt.table.name.clone());
                self.monitor_print_table(tu, mt, caption, initial);
            }
        }
    }

    fn error(&mut self, msg: &str) {
        // ovs_error() writes to stderr right away, while stdout is buffered.
        eprintln!("{PROGRAM}: {msg}");
    }

    fn new_monitor_table(&self, mt: &MonitoredTable, caption: Option<String>) -> Table {
        let mut headings = vec!["row".to_string(), "action".to_string()];
        headings.extend(mt.columns.iter().cloned());
        let mut t = Table::new(headings);
        t.caption = caption;
        t.timestamp = self.timestamp;
        t
    }

    fn monitor_print_table(
        &mut self,
        table_update: &Json,
        mt: &MonitoredTable,
        caption: Option<String>,
        initial: bool,
    ) {
        let Some(rows) = table_update.as_object() else {
            self.error(&format!(
                "<table-update> for table {} is not object",
                mt.table.name
            ));
            return;
        };
        let mut t = self.new_monitor_table(mt, caption);
        for (uuid, row_update) in rows.iter_hash_order() {
            let Some(ru) = row_update.as_object() else {
                self.error("<row-update> is not object");
                continue;
            };
            let old = ru.get("old");
            let new = ru.get("new");
            if initial {
                self.monitor_row(new, "initial", uuid, mt, &mut t);
            } else if old.is_none() {
                self.monitor_row(new, "insert", uuid, mt, &mut t);
            } else if new.is_none() {
                self.monitor_row(old, "delete", uuid, mt, &mut t);
            } else {
                self.monitor_row(old, "old", uuid, mt, &mut t);
                self.monitor_row(new, "new", "", mt, &mut t);
            }
        }
        self.print_table(&t);
    }

    fn monitor_row(
        &mut self,
        row: Option<&Json>,
        action: &str,
        uuid: &str,
        mt: &MonitoredTable,
        t: &mut Table,
    ) {
        let Some(row) = row else {
            self.error(&format!("missing {action} row"));
            return;
        };
        let Some(row) = row.as_object() else {
            self.error("<row> is not object");
            return;
        };
        let mut cells = vec![Cell::text(uuid), Cell::text(action)];
        for name in &mt.columns {
            let column_type = mt.table.column(name).map(|c| c.type_.clone());
            match row.get(name) {
                Some(v) => cells.push(Cell::datum(v.clone(), column_type)),
                None => cells.push(Cell::default()),
            }
        }
        t.add_row(cells);
    }

    fn monitor2_print(&mut self, updates: &Json, mts: &[MonitoredTable]) {
        let Some(updates) = updates.as_object() else {
            self.error("<table-updates2> is not object");
            return;
        };
        for mt in mts {
            if let Some(tu) = updates.get(&mt.table.name) {
                let caption = (mts.len() > 1).then(|| mt.table.name.clone());
                self.monitor2_print_table(tu, mt, caption);
            }
        }
    }

    fn monitor2_print_table(
        &mut self,
        table_update: &Json,
        mt: &MonitoredTable,
        caption: Option<String>,
    ) {
        let Some(rows) = table_update.as_object() else {
            self.error(&format!(
                "<table-update> for table {} is not object",
                mt.table.name
            ));
            return;
        };
        let mut t = self.new_monitor_table(mt, caption);
        for (uuid, row_update) in rows.iter_hash_order() {
            let Some(ru) = row_update.as_object() else {
                self.error("<row-update2> is not object");
                continue;
            };
            for op in ["delete", "initial", "modify", "insert"] {
                let Some(row) = ru.get(op) else { continue };
                if op == "delete" {
                    if *row != Json::Null {
                        self.error("delete method does not expect <row>");
                    } else {
                        t.add_row(vec![Cell::text(uuid), Cell::text(op)]);
                    }
                } else if row.as_object().is_none() {
                    self.error("<row> is not object");
                } else {
                    self.monitor_row(Some(row), op, uuid, mt, &mut t);
                }
                break;
            }
        }
        self.print_table(&t);
    }

    fn monitor3_print(&mut self, result: &Json, mts: &[MonitoredTable]) {
        let items = result.as_array().unwrap_or(&[]);
        if result.as_array().is_none() {
            self.error("<result> is not array");
        }
        if items.len() != 3 {
            self.error(&format!(
                "<result> should have 3 elements, but has {}.",
                items.len()
            ));
            return;
        }
        let found = items[0] == Json::Bool(true);
        let last_id = items[1].as_str().unwrap_or("").to_string();
        self.puts(&format!("found: {found}, last_id: {last_id}"));
        self.monitor2_print(&items[2], mts);
    }

    fn do_dump(&mut self, rpc: &mut Connection, db: &str, args: &[String]) -> R<()> {
        let schema = fetch_schema(rpc, db, self.style().json_flags)?;
        let tables: Vec<&TableSchema>;
        let mut custom: Vec<String> = Vec::new();
        if let Some(first) = args.first() {
            let Some(t) = schema.table(first) else {
                return fatal(format!("No table \"{first}\" found."));
            };
            for c in &args[1..] {
                if t.column(c).is_none() {
                    return fatal(format!("Table \"{first}\" has no column {c}."));
                }
                custom.push(c.clone());
            }
            tables = vec![t];
        } else {
            tables = schema.sorted_tables();
        }

        let mut ops = vec![Json::string(db)];
        for ts in &tables {
            let names: Vec<String> = if args.len() > 1 {
                custom.clone()
            } else {
                ts.columns.iter().map(|c| c.name.clone()).collect()
            };
            let columns = names
                .into_iter()
                .filter(|n| n != "_version")
                .map(Json::String)
                .collect();
            let op = Object::new()
                .with("op", Json::string("select"))
                .with("table", Json::string(&ts.name))
                .with("where", Json::Array(Vec::new()))
                .with("columns", Json::Array(columns));
            ops.push(Json::Object(op));
        }
        let request = rpc.request("transact", Json::Array(ops));
        let result = check_txn(rpc.transact(request), self.style().json_flags)?;
        let results = match result.as_array() {
            Some(r) if r.len() == tables.len() => r.to_vec(),
            _ => {
                return fatal(format!(
                    "reply is not array of {} elements: {}",
                    tables.len(),
                    result.to_ovs_string(Flags::NONE)
                ));
            }
        };
        for (ts, op_result) in tables.iter().zip(&results) {
            let rows = match op_result.as_object().and_then(|o| o.get("rows")) {
                Some(Json::Array(rows)) => rows,
                _ => {
                    return fatal(format!(
                        "{} table reply is not an object with a \"rows\" member array: {}",
                        ts.name,
                        op_result.to_ovs_string(Flags::NONE)
                    ));
                }
            };
            let columns: Vec<(String, Type)> = if args.len() > 1 {
                custom
                    .iter()
                    .filter_map(|n| ts.column(n).map(|c| (n.clone(), c.type_.clone())))
                    .collect()
            } else {
                ts.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.type_.clone()))
                    .collect()
            };
            self.dump_table(&ts.name, columns, rows)?;
        }
        Ok(())
    }

    fn dump_table(
        &mut self,
        table_name: &str,
        columns: Vec<(String, Type)>,
        rows: &[Json],
    ) -> R<()> {
        let mut columns: Vec<(String, Type)> = columns
            .into_iter()
            .filter(|(n, _)| n != "_version")
            .collect();
        columns.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

        let mut data: Vec<Vec<Datum>> = Vec::with_capacity(rows.len());
        for (y, row) in rows.iter().enumerate() {
            let Some(row) = row.as_object() else {
                return fatal(format!(
                    "row {y} in table {table_name} response is not a JSON object: {}",
                    row.to_ovs_string(Flags::NONE)
                ));
            };
            let mut values = Vec::with_capacity(columns.len());
            for (name, t) in &columns {
                let Some(json) = row.get(name) else {
                    return fatal(format!(
                        "row {y} in table {table_name} response lacks {name} column"
                    ));
                };
                values.push(
                    Datum::from_json_unconstrained(t, json).map_err(|e| Fatal(e.to_string()))?,
                );
            }
            data.push(values);
        }

        // Non-UUID columns decide the order first, since UUIDs are random.
        let is_uuid: Vec<bool> = columns
            .iter()
            .map(|(_, t)| t.key.atomic == crate::ovsdb::AtomicType::Uuid)
            .collect();
        data.sort_by(|a, b| {
            for pass_uuid in [false, true] {
                for x in 0..columns.len() {
                    if is_uuid[x] == pass_uuid {
                        let c = a[x].compare(&b[x]);
                        if c.is_ne() {
                            return c;
                        }
                    }
                }
            }
            std::cmp::Ordering::Equal
        });

        let mut t = Table::new(columns.iter().map(|(n, _)| n.clone()).collect());
        t.caption = Some(format!("{table_name} table"));
        for values in &data {
            let cells = values
                .iter()
                .zip(&columns)
                .map(|(d, (_, ty))| Cell::datum(d.to_json(ty), Some(ty.clone())))
                .collect();
            t.add_row(cells);
        }
        self.print_table(&t);
        Ok(())
    }

    fn do_backup(&mut self, rpc: &mut Connection, db: &str) -> R<()> {
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            return fatal("not writing backup to a terminal; please redirect stdout to a file");
        }
        let schema = fetch_schema(rpc, db, self.style().json_flags)?;
        let mut ops = vec![Json::string(db)];
        for ts in &schema.tables {
            let columns = ts
                .columns
                .iter()
                .filter(|c| c.persistent)
                .map(|c| Json::string(&c.name))
                .collect();
            ops.push(Json::Object(
                Object::new()
                    .with("op", Json::string("select"))
                    .with("table", Json::string(&ts.name))
                    .with("where", Json::Array(Vec::new()))
                    .with("columns", Json::Array(columns)),
            ));
        }
        let request = rpc.request("transact", Json::Array(ops));
        let result = check_txn(rpc.transact(request), self.style().json_flags)?;
        let results = match result.as_array() {
            Some(r) if r.len() == schema.tables.len() => r.to_vec(),
            _ => {
                return fatal(format!(
                    "reply is not array of {} elements: {}",
                    schema.tables.len(),
                    result.to_ovs_string(Flags::NONE)
                ));
            }
        };
        let mut data = Object::new();
        for (ts, op_result) in schema.tables.iter().zip(&results) {
            let rows = match op_result.as_object().and_then(|o| o.get("rows")) {
                Some(Json::Array(rows)) => rows,
                _ => {
                    return fatal(format!(
                        "{} table reply is not an object with a \"rows\" member array: {}",
                        ts.name,
                        op_result.to_ovs_string(Flags::NONE)
                    ));
                }
            };
            if rows.is_empty() {
                continue;
            }
            let mut table_rows = Object::new();
            for row in rows {
                let Some(row) = row.as_object() else {
                    return fatal(format!(
                        "{} table reply row is not an object: {}",
                        ts.name,
                        row.to_ovs_string(Flags::NONE)
                    ));
                };
                let mut row = row.clone();
                let Some(uuid_json) = row.remove("_uuid") else {
                    return fatal(format!(
                        "{} table reply row lacks _uuid member: {}",
                        ts.name,
                        Json::Object(row).to_ovs_string(Flags::NONE)
                    ));
                };
                let uuid = crate::ovsdb::Atom::from_json_unchecked(
                    crate::ovsdb::AtomicType::Uuid,
                    &uuid_json,
                )
                .map_err(|e| Fatal(e.to_string()))?;
                table_rows.put(uuid.to_ovs_string(), Json::Object(row));
            }
            data.put(ts.name.clone(), Json::Object(table_rows));
        }
        data.put(
            "_comment",
            Json::string("produced by \"ovsdb-client backup\""),
        );
        data.put("_is_diff", Json::Bool(true));
        data.put("_date", Json::Integer(wall_clock_ms()));
        let mut bytes = crate::logfile::compose_record(&schema.to_json());
        bytes.extend(crate::logfile::compose_record(&Json::Object(data)));
        self.emit(&bytes);
        Ok(())
    }

    fn do_restore(&mut self, rpc: &mut Connection, db: &str) -> R<()> {
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return fatal("not reading backup from a terminal; please redirect stdin from a file");
        }
        let backup = crate::tool::load_database("/dev/stdin", false, None)
            .map_err(|crate::tool::Fatal(msg, _)| Fatal(msg))?;
        let online = fetch_schema(rpc, db, self.style().json_flags)?;
        if !backup.schema.equal(&online) {
            let why = if backup.schema.version != online.version {
                format!(
                    "backup schema has version \"{}\" but database schema has version \"{}\"",
                    backup.schema.version, online.version
                )
            } else {
                format!(
                    "backup schema and database schema are both version {} but still differ",
                    backup.schema.version
                )
            };
            if !self.force {
                return fatal(format!(
                    "{why} (use --force to override differences, or \"ovsdb-client convert\" to change the schema)"
                ));
            }
        }
        let snapshot = json::from_serde(&backup.db.snapshot_record_with(None, None));
        let mut ops = vec![Json::string(&backup.schema.name)];
        for ts in ovs_shash::in_shash_order(&backup.schema.tables, |t| t.name.clone()) {
            ops.push(Json::Object(
                Object::new()
                    .with("op", Json::string("delete"))
                    .with("table", Json::string(&ts.name))
                    .with("where", Json::Array(Vec::new())),
            ));
            let rows = snapshot
                .as_object()
                .and_then(|o| o.get(&ts.name))
                .and_then(Json::as_object);
            let Some(rows) = rows else { continue };
            let order: Vec<Uuid> = backup
                .rows
                .get(&ts.name)
                .map(|o| o.uuids())
                .unwrap_or_default();
            for uuid in order {
                let Some(row) = rows.get(&uuid.to_string()).and_then(Json::as_object) else {
                    continue;
                };
                let mut row_json = Object::new();
                for c in &ts.columns {
                    if c.index < 2 || !c.persistent {
                        continue;
                    }
                    if let Some(v) = row.get(&c.name) {
                        let d = Datum::from_json_unconstrained(&c.type_, v)
                            .map_err(|e| Fatal(e.to_string()))?;
                        row_json.put(c.name.clone(), d.to_json_with_row_names(&c.type_));
                    }
                }
                ops.push(Json::Object(
                    Object::new()
                        .with("op", Json::string("insert"))
                        .with("table", Json::string(&ts.name))
                        .with(
                            "uuid-name",
                            Json::String(crate::ovsdb::data::row_name(&uuid)),
                        )
                        .with("row", Json::Object(row_json)),
                ));
            }
        }
        let request = rpc.request("transact", Json::Array(ops));
        let reply = rpc.transact(request);
        let reply = match reply {
            Ok(m @ Message::Reply { .. }) => m,
            other => {
                check_txn(other, self.style().json_flags)?;
                return Ok(());
            }
        };
        check_transaction_reply(&reply)
    }

    fn do_lock(&mut self, rpc: &mut Connection, method: &str, lock: &str) -> R<()> {
        let request = rpc.request(method, Json::Array(vec![Json::string(lock)]));
        let request_id = request.id().cloned();
        rpc.send(&request)
            .map_err(|e| Fatal(format!("{}: receive failed ({})", rpc.name(), e.text)))?;
        loop {
            let msg = rpc
                .recv()
                .map_err(|e| Fatal(format!("{}: receive failed ({})", rpc.name(), e.text)))?;
            match &msg {
                Message::Request { method, params, id } if method == "echo" => {
                    let _ = rpc.send(&Message::Reply {
                        result: params.clone(),
                        id: id.clone(),
                    });
                }
                Message::Reply { result, id } if Some(id) == request_id.as_ref() => {
                    self.print_json(result);
                    self.flush();
                }
                Message::Notify { method, params } => {
                    self.puts(method);
                    self.print_json(params);
                    self.flush();
                }
                _ => {}
            }
        }
    }

    fn usage(&mut self) {
        let rundir = util::rundir();
        let logdir = match std::env::var("OVS_LOGDIR") {
            Ok(v) if !v.is_empty() => v,
            _ => "/var/log/openvswitch".to_string(),
        };
        let text = USAGE
            .replace("{P}", PROGRAM)
            .replace("{RUNDIR}", &rundir)
            .replace("{LOGDIR}", &logdir);
        self.emit(text.as_bytes());
    }
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn atoi(s: &str) -> i32 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n: i64 = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, c| {
            acc.saturating_mul(10).saturating_add(i64::from(c - b'0'))
        });
    let n = if neg { -n } else { n };
    n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `ctl_timeout_setup`: after `secs` seconds (or `$OVS_CTL_TIMEOUT`) the
/// process dies of SIGALRM, as OVS's tools do.
fn setup_timeout(secs: u32) {
    let mut secs = secs;
    if secs == 0
        && let Ok(env) = std::env::var("OVS_CTL_TIMEOUT")
        && !env.is_empty()
    {
        secs = env.parse().unwrap_or(0);
    }
    if secs == 0 {
        return;
    }
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(u64::from(secs)));
        let _ = std::io::stdout().flush();
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGALRM);
        // Not reached: SIGALRM's default action ends the process.
        std::process::exit(128 + 14);
    });
}

/// `isalpha(s[0]) && strchr(s, ':')`.
fn looks_like_remote(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) && s.contains(':')
}

fn default_remote() -> String {
    format!("unix:{}/db.sock", util::rundir())
}

/// `ovsdb_session_parse_remote`: comma-separated remotes (a comma inside
/// brackets does not split), plus an optional `cid:UUID` entry.
fn parse_remotes(s: &str) -> (Vec<String>, Uuid) {
    let mut remotes = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth <= 0 => {
                let r = current.trim_start_matches([' ', '\t']).to_string();
                if !r.is_empty() {
                    remotes.push(r);
                }
                current.clear();
            }
            _ => current.push(c),
        }
    }
    let r = current.trim_start_matches([' ', '\t']).to_string();
    if !r.is_empty() {
        remotes.push(r);
    }
    let mut cid = Uuid::ZERO;
    if let Some(i) = remotes
        .iter()
        .position(|r| r.strip_prefix("cid:").and_then(Uuid::parse).is_some())
    {
        cid = remotes[i]
            .strip_prefix("cid:")
            .and_then(Uuid::parse)
            .unwrap_or_default();
        remotes.remove(i);
    }
    (remotes, cid)
}

fn open_jsonrpc(server: &str) -> R<Connection> {
    Connection::open(server).map_err(|e| Fatal(e.message))
}

/// `check_txn`: the result of a reply, or OVS's fatal message.
fn check_txn(reply: Result<Message, RecvError>, flags: Flags) -> R<Json> {
    match reply {
        Err(e) => fatal(format!("transaction failed ({})", e.text)),
        Ok(Message::Error { error, .. }) => fatal(format!(
            "transaction returned error: {}",
            error.to_ovs_string(flags)
        )),
        Ok(Message::Reply { result, .. }) => Ok(result),
        Ok(_) => fatal("transaction failed"),
    }
}

/// `parse_json`: a command-line JSON argument.
fn parse_json_arg(s: &str) -> R<Json> {
    json::parse(s).map_err(|e| Fatal(format!("\"{s}\": {e}")))
}

fn fetch_dbs(rpc: &mut Connection) -> R<Vec<String>> {
    let request = rpc.request("list_dbs", Json::Array(Vec::new()));
    let result = check_txn(rpc.transact(request), Flags::SORT)?;
    let Some(items) = result.as_array() else {
        return fatal("list_dbs response is not array");
    };
    let mut dbs = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(s) = item.as_str() else {
            return fatal(format!("list_dbs response {i} is not string"));
        };
        dbs.push(s.to_string());
    }
    dbs.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(dbs)
}

fn fetch_schema(rpc: &mut Connection, db: &str, flags: Flags) -> R<DatabaseSchema> {
    let request = rpc.request("get_schema", Json::Array(vec![Json::string(db)]));
    let result = check_txn(rpc.transact(request), flags)?;
    DatabaseSchema::from_json(&result).map_err(|e: OvsdbError| Fatal(e.to_string()))
}

fn database_info_request(rpc: &mut Connection, database: &str) -> Message {
    let cond = Json::Array(vec![
        Json::string("name"),
        Json::string("=="),
        Json::string(database),
    ]);
    let op = Object::new()
        .with("op", Json::string("select"))
        .with("table", Json::string("Database"))
        .with("where", Json::Array(vec![cond]));
    rpc.request(
        "transact",
        Json::Array(vec![Json::string("_Server"), Json::Object(op)]),
    )
}

fn string_column(row: &Object, name: &str) -> String {
    row.get(name)
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string()
}

fn bool_column(row: &Object, name: &str) -> Option<bool> {
    match row.get(name) {
        Some(Json::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn parse_database_info_reply(
    reply: &Message,
    database: &str,
    cid: Option<&Uuid>,
) -> Option<Object> {
    let Message::Reply { result, .. } = reply else {
        return None;
    };
    let op = match result.as_array() {
        Some([op @ Json::Object(_)]) => op.as_object()?,
        _ => return None,
    };
    let rows = op.get("rows")?.as_array()?;
    for row in rows {
        let Some(row) = row.as_object() else { continue };
        if string_column(row, "name") != database {
            continue;
        }
        if let Some(cid) = cid
            && !cid.is_zero()
        {
            let t = Type {
                n_min: 0,
                ..Type::scalar(crate::ovsdb::AtomicType::Uuid)
            };
            let cid2 = row
                .get("cid")
                .and_then(|j| Datum::from_json(&t, j).ok())
                .and_then(|d| match d.keys.first() {
                    Some(crate::ovsdb::Atom::Uuid(u)) => Some(*u),
                    _ => None,
                })
                .unwrap_or_default();
            if cid2 != *cid {
                continue;
            }
        }
        return Some(row.clone());
    }
    None
}

fn is_database_clustered(rpc: &mut Connection, database: &str, flags: Flags) -> R<bool> {
    let request = database_info_request(rpc, database);
    let reply = rpc.transact(request);
    let reply = match reply {
        Ok(m @ Message::Reply { .. }) => m,
        other => {
            check_txn(other, flags)?;
            return Ok(false);
        }
    };
    Ok(parse_database_info_reply(&reply, database, None)
        .is_some_and(|row| string_column(&row, "model") == "clustered"))
}

/// `ovsdb_schema_persist_ephemeral_columns`, without its warning log.
fn persist_ephemeral_columns(schema: &mut DatabaseSchema) {
    for t in &mut schema.tables {
        for c in &mut t.columns {
            if c.index >= 2 && !c.persistent {
                c.persistent = true;
            }
        }
    }
}

fn wait_transaction(state: &str, database: &str) -> Json {
    let mut op = Object::new()
        .with("op", Json::string("wait"))
        .with("table", Json::string("Database"))
        .with(
            "where",
            Json::Array(vec![Json::Array(vec![
                Json::string("name"),
                Json::string("=="),
                Json::string(database),
            ])]),
        );
    if state == "connected" {
        op.put("columns", Json::Array(vec![Json::string("connected")]));
        op.put("until", Json::string("=="));
        op.put(
            "rows",
            Json::Array(vec![Json::Object(
                Object::new().with("connected", Json::Bool(true)),
            )]),
        );
    } else {
        op.put("columns", Json::Array(Vec::new()));
        op.put("until", Json::string("=="));
        op.put(
            "rows",
            if state == "added" {
                Json::Array(vec![Json::Object(Object::new())])
            } else {
                Json::Array(Vec::new())
            },
        );
    }
    Json::Array(vec![Json::string("_Server"), Json::Object(op)])
}

/// `check_transaction_reply` (of `wait` and `restore`).
fn check_transaction_reply(reply: &Message) -> R<()> {
    let result = match reply {
        Message::Reply { result, .. } => result,
        _ => return fatal("result is not array"),
    };
    let Some(results) = result.as_array() else {
        return fatal("result is not array");
    };
    for r in results {
        let Some(obj) = r.as_object() else {
            return fatal("result array element is not object");
        };
        if obj.contains("error") {
            return fatal(format!(
                "server returned error reply: {}",
                r.to_sorted_string()
            ));
        }
    }
    Ok(())
}

/// `parse_monitor_columns` and `add_monitored_table`.
fn add_monitored_table(
    args: &[String],
    server: &str,
    database: &str,
    condition: Option<Json>,
    table: &TableSchema,
    requests: &mut Object,
    mts: &mut Vec<MonitoredTable>,
) -> R<()> {
    let mut mt = MonitoredTable {
        table: table.clone(),
        columns: Vec::new(),
    };
    let specs: Vec<&str> = if args.len() > 1 {
        args[1..].iter().map(String::as_str).collect()
    } else {
        vec![""]
    };
    let mut request_array = Vec::new();
    let mut condition = condition;
    for spec in specs {
        let mut mr = parse_monitor_columns(spec, server, database, table, &mut mt.columns)?;
        if let Some(c) = condition.take() {
            mr.put("where", c);
        }
        request_array.push(Json::Object(mr));
    }
    requests.put(table.name.clone(), Json::Array(request_array));
    mts.push(mt);
    Ok(())
}

fn parse_monitor_columns(
    spec: &str,
    server: &str,
    database: &str,
    table: &TableSchema,
    columns: &mut Vec<String>,
) -> R<Object> {
    let (mut initial, mut insert, mut delete, mut modify) = (true, true, true, true);
    let mut columns_json = Vec::new();
    let add = |name: &str, columns: &mut Vec<String>, columns_json: &mut Vec<Json>| -> R<()> {
        if columns.iter().any(|c| c == name) {
            return fatal(format!(
                "{server}: column \"{name}\" mentioned multiple times"
            ));
        }
        columns.push(name.to_string());
        columns_json.push(Json::string(name));
        Ok(())
    };
    for token in spec.split(',').filter(|t| !t.is_empty()) {
        match token {
            "!initial" => initial = false,
            "!insert" => insert = false,
            "!delete" => delete = false,
            "!modify" => modify = false,
            name => {
                if table.column(name).is_none() {
                    return fatal(format!(
                        "{server}: table \"{}\" in {database} does not have a column named \"{name}\"",
                        table.name
                    ));
                }
                add(name, columns, &mut columns_json)?;
            }
        }
    }
    if columns_json.is_empty() {
        for c in table.sorted_columns() {
            if c.name != "_uuid" && c.name != "_version" {
                add(&c.name, columns, &mut columns_json)?;
            }
        }
        add("_version", columns, &mut columns_json)?;
    }
    let mut mr = Object::new().with("columns", Json::Array(columns_json));
    if !initial || !insert || !delete || !modify {
        mr.put(
            "select",
            Json::Object(
                Object::new()
                    .with("initial", Json::Bool(initial))
                    .with("insert", Json::Bool(insert))
                    .with("delete", Json::Bool(delete))
                    .with("modify", Json::Bool(modify)),
            ),
        );
    }
    Ok(mr)
}

const USAGE: &str = r#"{P}: Open vSwitch database JSON-RPC client
usage: {P} [OPTIONS] COMMAND [ARG...]

Valid commands are:

  list-dbs [SERVER]
    list databases available on SERVER

  get-schema [SERVER] [DATABASE]
    retrieve schema for DATABASE from SERVER

  get-schema-version [SERVER] [DATABASE]
    retrieve schema for DATABASE from SERVER and report only its
    version number on stdout

  get-schema-cksum [SERVER] [DATABASE]
    retrieve schema for DATABASE from SERVER and report only its
    checksum on stdout

  list-tables [SERVER] [DATABASE]
    list tables for DATABASE on SERVER

  list-columns [SERVER] [DATABASE] [TABLE]
    list columns in TABLE (or all tables) in DATABASE on SERVER

  transact [SERVER] TRANSACTION
    run TRANSACTION (params for "transact" request) on SERVER
    and print the results as JSON on stdout

  query [SERVER] TRANSACTION
    run TRANSACTION (params for "transact" request) on SERVER,
    as read-only, and print the results as JSON on stdout

  monitor [SERVER] [DATABASE] TABLE [COLUMN,...]...
    monitor contents of COLUMNs in TABLE in DATABASE on SERVER.
    COLUMNs may include !initial, !insert, !delete, !modify
    to avoid seeing the specified kinds of changes.

  monitor-cond [SERVER] [DATABASE] CONDITION TABLE [COLUMN,...]...
    monitor contents that match CONDITION of COLUMNs in TABLE in
    DATABASE on SERVER.
    COLUMNs may include !initial, !insert, !delete, !modify
    to avoid seeing the specified kinds of changes.

  monitor-cond-since [SERVER] [DATABASE] [LASTID] CONDITION TABLE [COLUMN,...]...
    monitor contents that match CONDITION of COLUMNs in TABLE in
    DATABASE on SERVER, since change after LASTID.
    LASTID specifies transaction ID after which the monitoring
    starts, which works only for cluster mode. If ignored, it
    defaults to an all-zero uuid.
    Other arguments are the same as in monitor-cond.

  convert [SERVER] SCHEMA
    convert database on SERVER named in SCHEMA to SCHEMA.

  needs-conversion [SERVER] SCHEMA
    tests whether SCHEMA's db on SERVER needs conversion.

  monitor [SERVER] [DATABASE] ALL
    monitor all changes to all columns in all tables

  wait [SERVER] DATABASE STATE
    wait until DATABASE reaches STATE ("added" or "connected" or "removed")
    in DATBASE on SERVER.

  dump [SERVER] [DATABASE]
    dump contents of DATABASE on SERVER to stdout

  backup [SERVER] [DATABASE] > SNAPSHOT
    dump database contents in the form of a database file

  [--force] restore [SERVER] [DATABASE] < SNAPSHOT
    restore database contents from a database file

  lock [SERVER] LOCK
    create or wait for LOCK in SERVER

  steal [SERVER] LOCK
    steal LOCK from SERVER

  unlock [SERVER] LOCK
    unlock LOCK from SERVER

The default SERVER is unix:{RUNDIR}/db.sock.
The default DATABASE is Open_vSwitch.

Active SERVER connection methods:
  tcp:HOST:PORT           PORT at remote HOST
  ssl:HOST:PORT           SSL PORT at remote HOST
  unix:FILE               Unix domain socket named FILE
Passive SERVER connection methods:
  ptcp:PORT[:IP]          listen to TCP PORT on IP
  pssl:PORT[:IP]          listen for SSL on PORT on IP
  punix:FILE              listen on Unix domain socket FILE
PKI configuration (required to use SSL):
  -p, --private-key=FILE  file with private key
  -c, --certificate=FILE  file with certificate for private key
  -C, --ca-cert=FILE      file with peer CA certificate
  --bootstrap-ca-cert=FILE  file with peer CA certificate to read or create
SSL options:
  --ssl-protocols=PROTOS  list of SSL protocols to enable
  --ssl-ciphers=CIPHERS   list of SSL ciphers to enable

Output formatting options:
  -f, --format=FORMAT         set output formatting to FORMAT
                              ("table", "html", "csv", or "json")
  -d, --data=FORMAT           set table cell output formatting to
                              FORMAT ("string", "bare", or "json")
  --no-headings               omit table heading row
  --pretty                    pretty-print JSON in output
  --bare                      equivalent to "--format=list --data=bare --no-headings"
  --timestamp                 timestamp "monitor" output
Daemon options:
  --detach                run in background as daemon
  --monitor               creates a process to monitor this daemon
  --user=username[:group] changes the effective daemon user:group
  --no-chdir              do not chdir to '/'
  --pidfile[=FILE]        create pidfile (default: {RUNDIR}/{P}.pid)
  --overwrite-pidfile     with --pidfile, start even if already running

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE
                           (default: {LOGDIR}/{P}.log)
  --syslog-method=(libc|unix:file|udp:ip:port)
                           specify how to send messages to syslog daemon
  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT via UDP

Replay options:
  --record[=DIR]            turn on writing replay files
  --replay[=DIR]            run from replay files

Other options:
  -h, --help                  display this help message
  -V, --version               display version information
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_split_on_commas() {
        let (r, cid) =
            parse_remotes("unix:a,tcp:[::1]:6640, cid:00000000-0000-0000-0000-000000000001");
        assert_eq!(r, vec!["unix:a".to_string(), "tcp:[::1]:6640".to_string()]);
        assert!(!cid.is_zero());
    }

    #[test]
    fn remote_detection() {
        assert!(looks_like_remote("unix:/x"));
        assert!(!looks_like_remote("Open_vSwitch"));
        assert!(!looks_like_remote("[\"x\"]"));
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("  -3"), -3);
        assert_eq!(atoi("x"), 0);
    }
}
