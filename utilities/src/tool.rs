//! `ovsdb-tool`: the standalone-database commands of OVS's
//! `ovsdb/ovsdb-tool.c`, with the same arguments, output, files and error
//! messages. Transactions run on the workspace's OVSDB engine; reading and
//! writing the file, schemas and all printing are done here so that the
//! text matches OVS.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use crate::getopt::{self, HasArg, LongOpt, opt};
use crate::json::{self, Flags, Json, Object};
use crate::logfile::{self, Lockfile, LogFile, OVSDB_MAGIC, RAFT_MAGIC};
use crate::ovsdb::{DatabaseSchema, Datum, OvsdbError, Uuid, schema::is_valid_version};
use crate::table::format_timestamp;
use crate::util;
use ovs_shash as shash;

const PROGRAM: &str = "ovsdb-tool";
const VERSION: &str = "3.1.0";

#[derive(Debug)]
pub struct Fatal(pub String, pub i32);

type R<T> = Result<T, Fatal>;

fn fatal<T>(msg: impl Into<String>) -> R<T> {
    Err(Fatal(msg.into(), 1))
}

fn check<T>(r: Result<T, OvsdbError>) -> R<T> {
    r.map_err(|e| Fatal(e.to_string(), 1))
}

const OPTIONS: &[LongOpt] = &[
    opt("more", HasArg::No, Some('m')),
    opt("rbac-role", HasArg::Required, None),
    opt("cid", HasArg::Required, None),
    opt("election-timer", HasArg::Required, None),
    opt("verbose", HasArg::Optional, Some('v')),
    opt("help", HasArg::No, Some('h')),
    opt("option", HasArg::No, Some('o')),
    opt("version", HasArg::No, Some('V')),
];

/// (name, usage, min args, max args)
const COMMANDS: &[(&str, Option<&str>, usize, usize)] = &[
    ("create", Some("[db [schema]]"), 0, 2),
    ("create-cluster", Some("db contents local"), 3, 3),
    (
        "join-cluster",
        Some("db name local remote..."),
        4,
        usize::MAX,
    ),
    ("compact", Some("[db [dst]]"), 0, 2),
    ("convert", Some("[db [schema [dst]]]"), 0, 3),
    ("needs-conversion", None, 0, 2),
    ("db-name", Some("[db]"), 0, 1),
    ("db-version", Some("[db]"), 0, 1),
    ("db-cksum", Some("[db]"), 0, 1),
    ("db-cid", Some("db"), 1, 1),
    ("db-sid", Some("db"), 1, 1),
    ("db-local-address", Some("db"), 1, 1),
    ("db-is-clustered", Some("db"), 1, 1),
    ("db-is-standalone", Some("db"), 1, 1),
    ("schema-name", Some("[schema]"), 0, 1),
    ("schema-version", Some("[schema]"), 0, 1),
    ("schema-cksum", Some("[schema]"), 0, 1),
    ("query", Some("[db] trns"), 1, 2),
    ("transact", Some("[db] trns"), 1, 2),
    ("show-log", Some("[db]"), 0, 1),
    ("check-cluster", Some("db..."), 1, usize::MAX),
    ("compare-versions", Some("a op b"), 3, 3),
    ("help", None, 0, usize::MAX),
    ("list-commands", None, 0, usize::MAX),
    ("cluster-to-standalone", Some("db clusterdb"), 2, 2),
];

/// Runs `ovsdb-tool` with `args` (without the program name) and returns the
/// exit status.
pub fn main(args: &[String]) -> i32 {
    let mut tool = Tool {
        verbosity: 0,
        out: Vec::new(),
    };
    let result = tool.run(args);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(&tool.out);
    let _ = stdout.flush();
    match result {
        Ok(code) => code,
        Err(Fatal(msg, code)) => {
            if !msg.is_empty() {
                eprintln!("{PROGRAM}: {msg}");
            }
            code
        }
    }
}

struct Tool {
    verbosity: u32,
    out: Vec<u8>,
}

fn default_db() -> String {
    format!("{}/conf.db", util::dbdir())
}

fn default_schema() -> String {
    format!("{}/vswitch.ovsschema", util::pkgdatadir())
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Tool {
    fn puts(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'\n');
    }

    fn print(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn run(&mut self, args: &[String]) -> R<i32> {
        let (options, operands) = getopt::parse(args, OPTIONS).map_err(|m| Fatal(m, 1))?;
        for o in options {
            let arg = o.arg.unwrap_or_default();
            match o.name {
                "more" => self.verbosity += 1,
                "cid" if Uuid::parse(&arg).is_none_or(|u| u.is_zero()) => {
                    return fatal(format!("{arg}: not a valid UUID"));
                }
                "help" => {
                    self.usage();
                    return Ok(0);
                }
                "option" => {
                    for o in OPTIONS {
                        let a = match o.has_arg {
                            HasArg::Required => "=ARG",
                            HasArg::Optional => "=[ARG]",
                            HasArg::No => "",
                        };
                        self.puts(&format!("--{}{a}", o.name));
                        if let Some(c) = o.short {
                            let a = match o.has_arg {
                                HasArg::Required => "ARG",
                                HasArg::Optional => "[ARG]",
                                HasArg::No => "",
                            };
                            self.puts(&format!("-{c} {a}"));
                        }
                    }
                    return Ok(0);
                }
                "version" => {
                    self.puts(&format!("{PROGRAM} (Open vSwitch) {VERSION}"));
                    return Ok(0);
                }
                _ => {}
            }
        }

        let Some(name) = operands.first() else {
            return fatal("missing command name; use --help for help");
        };
        let Some(&(cname, _, min, max)) = COMMANDS.iter().find(|c| c.0 == name.as_str()) else {
            return fatal(format!("unknown command '{name}'; use --help for help"));
        };
        let n_args = operands.len() - 1;
        if n_args < min {
            return fatal(format!(
                "'{cname}' command requires at least {min} arguments"
            ));
        }
        if n_args > max {
            return fatal(format!("'{cname}' command takes at most {max} arguments"));
        }
        let argv = &operands;
        let arg = |i: usize, default: fn() -> String| -> String {
            argv.get(i).cloned().unwrap_or_else(default)
        };

        match cname {
            "create" => self.do_create(&arg(1, default_db), &arg(2, default_schema)),
            "compact" => {
                let db = arg(1, default_db);
                compact_or_convert(&db, argv.get(2).map(String::as_str), None)
            }
            "convert" => {
                let db = arg(1, default_db);
                let schema_file = arg(2, default_schema);
                let schema = check(DatabaseSchema::from_file(&schema_file))?;
                compact_or_convert(&db, argv.get(3).map(String::as_str), Some(schema))
            }
            "needs-conversion" => {
                let s1 = read_standalone_schema(&arg(1, default_db))?;
                let s2 = check(DatabaseSchema::from_file(&arg(2, default_schema)))?;
                self.puts(if s1.equal(&s2) { "no" } else { "yes" });
                Ok(0)
            }
            "db-name" => {
                let db = arg(1, default_db);
                let mut log = check(logfile::open_any(&db, false))?;
                if log.magic() == RAFT_MAGIC {
                    return fatal(format!("{db}: clustered databases are not supported"));
                }
                let record = check(logfile::read(&mut log))?;
                let schema = match record {
                    Some(j) => check(DatabaseSchema::from_json(&j))?,
                    None => return fatal("unexpected end of file reading schema"),
                };
                self.puts(&schema.name);
                Ok(0)
            }
            "db-version" => {
                let s = read_standalone_schema(&arg(1, default_db))?;
                self.puts(&s.version);
                Ok(0)
            }
            "db-cksum" => {
                let s = read_standalone_schema(&arg(1, default_db))?;
                self.puts(&s.cksum);
                Ok(0)
            }
            "db-cid" | "db-sid" | "db-local-address" => {
                let db = &argv[1];
                let log = check(logfile::open_any(db, false))?;
                if log.magic() != RAFT_MAGIC {
                    return fatal(format!("{db}: not a clustered database"));
                }
                fatal(format!("{db}: clustered databases are not supported"))
            }
            "db-is-clustered" | "db-is-standalone" => {
                let log = check(logfile::open_any(&argv[1], false))?;
                let want = if cname == "db-is-clustered" {
                    RAFT_MAGIC
                } else {
                    OVSDB_MAGIC
                };
                Ok(if log.magic() == want { 0 } else { 2 })
            }
            "schema-name" | "schema-version" | "schema-cksum" => {
                let s = check(DatabaseSchema::from_file(&arg(1, default_schema)))?;
                let v = match cname {
                    "schema-name" => s.name,
                    "schema-version" => s.version,
                    _ => s.cksum,
                };
                self.puts(&v);
                Ok(0)
            }
            "query" | "transact" => {
                let db = if argv.len() >= 3 {
                    argv[1].clone()
                } else {
                    default_db()
                };
                let txn = &argv[argv.len() - 1];
                self.do_transact(&db, txn, cname == "transact")
            }
            "show-log" => self.do_show_log(&arg(1, default_db)),
            "compare-versions" => {
                let a = parse_version(&argv[1])?;
                let b = parse_version(&argv[3])?;
                let cmp = a.cmp(&b);
                let result = match argv[2].as_str() {
                    "<" => cmp.is_lt(),
                    "<=" => cmp.is_le(),
                    "==" => cmp.is_eq(),
                    ">=" => cmp.is_ge(),
                    ">" => cmp.is_gt(),
                    "!=" => cmp.is_ne(),
                    op => return fatal(format!("{op}: not a relational operator")),
                };
                Ok(if result { 0 } else { 2 })
            }
            "help" => {
                self.usage();
                Ok(0)
            }
            "list-commands" => {
                self.print("The available commands are:\n");
                for (n, usage, _, _) in COMMANDS {
                    self.puts(&format!("  {n:<23} {}", usage.unwrap_or("")));
                }
                Ok(0)
            }
            _ => fatal(format!(
                "{cname}: clustered databases are not supported by this implementation"
            )),
        }
    }

    fn do_create(&mut self, db: &str, schema_file: &str) -> R<i32> {
        let schema = check(DatabaseSchema::from_file(schema_file))?;
        let mut log = check(logfile::create(db, true, true))?;
        check(logfile::write(&mut log, &schema.to_json()))?;
        check(logfile::commit(&mut log))?;
        Ok(0)
    }

    fn do_transact(&mut self, db_file: &str, txn: &str, rw: bool) -> R<i32> {
        let mut loaded = load_database(db_file, rw, None)?;
        let request = json::parse(txn).map_err(|e| Fatal(format!("\"{txn}\": {e}"), 1))?;
        let result = execute(&mut loaded, &request, rw)?;
        self.puts(&result.to_ovs_string(Flags::SORT));
        Ok(0)
    }

    fn do_show_log(&mut self, db: &str) -> R<i32> {
        let mut log = check(logfile::open_any(db, false))?;
        if log.magic() == RAFT_MAGIC {
            return fatal(format!("{db}: clustered databases are not supported"));
        }
        let mut names: Vec<(String, String)> = Vec::new();
        let mut schema: Option<DatabaseSchema> = None;
        let mut i: u32 = 0;
        loop {
            let record = match logfile::read(&mut log) {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => return fatal(e.to_string()),
            };
            self.print(&format!("record {i}:"));
            if i == 0 {
                let s = check(DatabaseSchema::from_json(&record))?;
                self.print(&format!(
                    " \"{}\" schema, version=\"{}\", cksum=\"{}\"\n",
                    s.name, s.version, s.cksum
                ));
                schema = Some(s);
            } else {
                self.print_change_record(&record, schema.as_ref(), &mut names);
            }
            self.print("\n");
            i += 1;
        }
        Ok(0)
    }

    fn print_change_record(
        &mut self,
        record: &Json,
        schema: Option<&DatabaseSchema>,
        names: &mut Vec<(String, String)>,
    ) {
        let Some(obj) = record.as_object() else {
            return;
        };
        if let Some(Json::Integer(t)) = obj.get("_date") {
            let mut t = *t;
            if t < i64::from(i32::MAX) {
                // Older versions of ovsdb wrote timestamps in seconds.
                t *= 1000;
            }
            self.print(&format!(" {}", format_timestamp(t)));
        }
        if let Some(Json::String(c)) = obj.get("_comment") {
            self.print(&format!(" \"{c}\""));
        }
        if self.verbosity > 0 {
            self.print_db_changes(obj, schema, names);
        }
    }

    fn print_db_changes(
        &mut self,
        tables: &Object,
        schema: Option<&DatabaseSchema>,
        names: &mut Vec<(String, String)>,
    ) {
        let diff = matches!(tables.get("_is_diff"), Some(Json::Bool(true)));
        let lookup = |names: &Vec<(String, String)>, k: &str| {
            names.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        };
        let mut i = 0;
        for (table, rows) in tables.iter_hash_order() {
            let Some(rows) = rows.as_object() else {
                continue;
            };
            if table.starts_with('_') {
                continue;
            }
            if i == 0 {
                self.print("\n");
            }
            i += 1;
            let table_schema = schema.and_then(|s| s.table(table));
            for (row_uuid, columns) in rows.iter_hash_order() {
                let old_name = lookup(names, row_uuid);
                let new_name = columns
                    .as_object()
                    .and_then(|c| c.get("name"))
                    .map(Json::to_sorted_string);
                let short: String = row_uuid.chars().take(8).collect();
                self.print(&format!("  table {table}"));
                match &old_name {
                    None => match &new_name {
                        Some(n) => self.print(&format!(" insert row {n} ({short}):\n")),
                        None => self.print(&format!(" insert row {short}:\n")),
                    },
                    Some(o) => self.print(&format!(
                        " row {o} ({short}){}:\n",
                        if diff { " diff" } else { "" }
                    )),
                }
                if let Some(cols) = columns.as_object() {
                    if self.verbosity > 1 {
                        for (column, value) in cols.iter_hash_order() {
                            let text = table_schema
                                .and_then(|t| t.column(column))
                                .and_then(|c| {
                                    Datum::from_json(&c.type_, value)
                                        .ok()
                                        .map(|d| d.to_ovs_string(&c.type_))
                                })
                                .unwrap_or_else(|| value.to_sorted_string());
                            self.print(&format!("    {column}={text}\n"));
                        }
                    }
                    match (&new_name, &old_name) {
                        (Some(n), o) if o.as_deref() != Some(n.as_str()) => {
                            names.retain(|(k, _)| k != row_uuid);
                            names.push((row_uuid.to_string(), n.clone()));
                        }
                        (_, None) => names.push((row_uuid.to_string(), short.clone())),
                        _ => {}
                    }
                } else if *columns == Json::Null {
                    self.print("    delete row\n");
                    names.retain(|(k, _)| k != row_uuid);
                }
            }
        }
    }

    fn usage(&mut self) {
        let text = USAGE
            .replace("{P}", PROGRAM)
            .replace("{DB}", &default_db())
            .replace("{SCHEMA}", &default_schema())
            .replace("{LOGDIR}", &logdir());
        self.print(&text);
    }
}

fn logdir() -> String {
    match std::env::var("OVS_LOGDIR") {
        Ok(v) if !v.is_empty() => v,
        _ => "/var/log/openvswitch".to_string(),
    }
}

fn parse_version(s: &str) -> R<(u32, u32, u32)> {
    if !is_valid_version(s) {
        return fatal(format!("{s}: not an OVSDB version number in format x.y.z"));
    }
    let parts: Vec<u32> = s
        .split('.')
        .map(|p| p.trim_start().trim_start_matches('+').parse().unwrap_or(0))
        .collect();
    Ok((parts[0], parts[1], parts[2]))
}

/// `read_standalone_schema`.
fn read_standalone_schema(db: &str) -> R<DatabaseSchema> {
    let mut log = check(logfile::open_any(db, false))?;
    if log.magic() == RAFT_MAGIC {
        return fatal(format!(
            "ovsdb error: {db}: cannot apply this operation to clustered database file"
        ));
    }
    match check(logfile::read(&mut log))? {
        Some(j) => check(DatabaseSchema::from_json(&j)),
        None => fatal("unexpected end of file reading schema"),
    }
}

/// A standalone database read from its file into the engine.
pub(crate) struct Loaded {
    pub(crate) file: String,
    pub(crate) schema: DatabaseSchema,
    pub(crate) db: ovsdb::Database,
    /// Where the next record goes (after the last record that applied).
    pub(crate) offset: u64,
    /// The log, open for appending when the database was loaded for
    /// writing (it holds the lock file).
    pub(crate) log: Option<LogFile>,
    /// The order of each table's rows in OVS's hash map, which decides the
    /// order of rows in a compacted file.
    pub(crate) rows: std::collections::HashMap<String, RowOrder>,
}

/// `ovsdb_file_read` (or `ovsdb_file_read_as_schema` with `new_schema`):
/// the schema record, then every transaction record replayed.
pub(crate) fn load_database(file: &str, rw: bool, new_schema: Option<DatabaseSchema>) -> R<Loaded> {
    let mut log = check(logfile::open_any(file, rw))?;
    if log.magic() == RAFT_MAGIC {
        return fatal(format!(
            "ovsdb error: {file}: cannot apply this operation to clustered database file"
        ));
    }
    let schema_json = match check(logfile::read(&mut log))? {
        Some(j) => j,
        None => return fatal("unexpected end of file reading schema"),
    };
    let file_schema = check(DatabaseSchema::from_json(&schema_json))?;
    let converting = new_schema.is_some();
    let schema = new_schema.unwrap_or(file_schema);
    let engine_schema = ovsdb::DatabaseSchema::from_json(&json::to_serde(&schema.to_json()))
        .map_err(|e| Fatal(e.to_string(), 1))?;
    let mut db = ovsdb::Database::new(Arc::new(engine_schema));
    // A `select` without "sort" compares rows column by column in the
    // order OVS's schema map walks them.
    for ts in &schema.tables {
        let names: Vec<&str> = ts.columns.iter().map(|c| c.name.as_str()).collect();
        db.set_column_order(&ts.name, &names)
            .map_err(|e| Fatal(e.to_string(), 1))?;
    }
    let mut rows: std::collections::HashMap<String, RowOrder> = std::collections::HashMap::new();
    loop {
        let record = match logfile::read(&mut log) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => return fatal(e.to_string()),
        };
        check(validate_record(&record, &schema, &db, converting))?;
        let record = if converting {
            filter_record_for_schema(&record, &schema)
        } else {
            record
        };
        // As text in the file's member order, from which the engine places
        // the rows in its model of OVS's table hash maps.
        if db
            .apply_log_record_text(text_in_member_order(&record).as_bytes())
            .is_err()
        {
            // A transaction that does not commit ends the readable part of
            // the log, as in OVS; the next write replaces it.
            log.unread();
            break;
        }
        track_rows(&mut rows, &record, &schema, &db);
    }
    Ok(Loaded {
        file: file.to_string(),
        schema,
        db,
        offset: log.offset(),
        log: rw.then_some(log),
        rows,
    })
}

/// `json` as compact JSON text with every object's members in insertion
/// order (the order they were read in).
fn text_in_member_order(json: &Json) -> String {
    fn write(out: &mut String, json: &Json) {
        match json {
            Json::Object(obj) => {
                out.push('{');
                for (i, (name, value)) in obj.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json::write_string(out, name);
                    out.push(':');
                    write(out, value);
                }
                out.push('}');
            }
            Json::Array(elems) => {
                out.push('[');
                for (i, e) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(out, e);
                }
                out.push(']');
            }
            // Shortest text that reads back as the same double.
            Json::Real(r) => out.push_str(&format!("{r:?}")),
            other => out.push_str(&other.to_ovs_string(Flags::NONE)),
        }
    }
    let mut out = String::new();
    write(&mut out, json);
    out
}

/// The checks `ovsdb_file_txn_from_json` makes while turning a record into
/// a transaction, in its order; their failures end `ovsdb-tool` (whereas a
/// transaction that fails to commit only ends the readable log).
fn validate_record(
    record: &Json,
    schema: &DatabaseSchema,
    db: &ovsdb::Database,
    converting: bool,
) -> Result<(), OvsdbError> {
    let Some(obj) = record.as_object() else {
        return Err(OvsdbError::syntax(Some(record), "object expected"));
    };
    for (table, rows) in obj.iter_hash_order() {
        let Some(ts) = schema.table(table) else {
            let ignorable = match table {
                "_date" => matches!(rows, Json::Integer(_)),
                "_is_diff" => matches!(rows, Json::Bool(_)),
                _ => table == "_comment" || converting,
            };
            if ignorable {
                continue;
            }
            let mut e = OvsdbError::syntax(Some(record), format!("No table named {table}."));
            e.tag = "unknown table".to_string();
            return Err(e);
        };
        let Some(rows_obj) = rows.as_object() else {
            return Err(OvsdbError::syntax(Some(rows), "object expected"));
        };
        for (uuid_text, row) in rows_obj.iter_hash_order() {
            let Some(uuid) = Uuid::parse(uuid_text) else {
                return Err(OvsdbError::syntax(
                    Some(rows),
                    format!("\"{uuid_text}\" is not a valid UUID"),
                ));
            };
            let exists = db
                .row(table, &ovsdb::Uuid::from_u128(uuid.as_u128()))
                .is_some();
            if *row == Json::Null {
                if !exists {
                    return Err(OvsdbError::syntax(
                        None,
                        format!("transaction deletes row {uuid} that does not exist"),
                    ));
                }
                continue;
            }
            let Some(cols) = row.as_object() else {
                return Err(OvsdbError::syntax(Some(row), "row must be JSON object"));
            };
            for (column, value) in cols.iter_hash_order() {
                let Some(c) = ts.column(column) else {
                    if converting {
                        continue;
                    }
                    let mut e = OvsdbError::syntax(
                        Some(row),
                        format!("No column {column} in table {table}."),
                    );
                    e.tag = "unknown column".to_string();
                    return Err(e);
                };
                Datum::from_json(&c.type_, value)?;
            }
        }
    }
    Ok(())
}

/// When converting, tables and columns the new schema lacks are dropped.
fn filter_record_for_schema(record: &Json, schema: &DatabaseSchema) -> Json {
    let Some(obj) = record.as_object() else {
        return record.clone();
    };
    let mut out = Object::new();
    for (table, rows) in obj.iter() {
        if table.starts_with('_') {
            out.put(table, rows.clone());
            continue;
        }
        let Some(ts) = schema.table(table) else {
            continue;
        };
        let Some(rows_obj) = rows.as_object() else {
            out.put(table, rows.clone());
            continue;
        };
        let mut new_rows = Object::new();
        for (uuid, row) in rows_obj.iter() {
            match row.as_object() {
                Some(cols) => {
                    let kept: Object = cols
                        .iter()
                        .filter(|(c, _)| ts.column(c).is_some())
                        .map(|(c, v)| (c.to_string(), v.clone()))
                        .collect();
                    new_rows.put(uuid, Json::Object(kept));
                }
                None => new_rows.put(uuid, row.clone()),
            }
        }
        out.put(table, Json::Object(new_rows));
    }
    Json::Object(out)
}

/// One table's rows in the order OVS's `hmap` (keyed by the first word of
/// the UUID) iterates them, given the same insertions and removals.
#[derive(Debug, Default)]
pub(crate) struct RowOrder {
    order: shash::HashOrder,
    ids: std::collections::HashMap<Uuid, usize>,
    uuids: Vec<Uuid>,
}

impl RowOrder {
    fn insert(&mut self, uuid: Uuid) {
        if !self.ids.contains_key(&uuid) {
            let id = self.uuids.len();
            self.uuids.push(uuid);
            self.ids.insert(uuid, id);
            self.order.insert(uuid.0[0], id);
        }
    }

    fn remove(&mut self, uuid: &Uuid) {
        if let Some(id) = self.ids.remove(uuid) {
            self.order.remove(id);
        }
    }

    pub(crate) fn uuids(&self) -> Vec<Uuid> {
        self.order
            .order()
            .into_iter()
            .map(|i| self.uuids[i])
            .collect()
    }
}

/// Follows a replayed record the way `ovsdb_file_txn_from_json` touches
/// rows (tables, then rows, in the record's hash order), then drops rows
/// the commit's garbage collection removed.
fn track_rows(
    rows: &mut std::collections::HashMap<String, RowOrder>,
    record: &Json,
    schema: &DatabaseSchema,
    db: &ovsdb::Database,
) {
    let Some(tables) = record.as_object() else {
        return;
    };
    for (table, table_rows) in tables.iter_hash_order() {
        if schema.table(table).is_none() {
            continue;
        }
        let Some(table_rows) = table_rows.as_object() else {
            continue;
        };
        let order = rows.entry(table.to_string()).or_default();
        for (uuid, row) in table_rows.iter_hash_order() {
            let Some(uuid) = Uuid::parse(uuid) else {
                continue;
            };
            if *row == Json::Null {
                order.remove(&uuid);
            } else {
                order.insert(uuid);
            }
        }
    }
    for ts in &schema.tables {
        let order = rows.entry(ts.name.clone()).or_default();
        if order.ids.len() != db.n_rows(&ts.name) {
            let gone: Vec<Uuid> = order
                .ids
                .keys()
                .filter(|u| {
                    db.row(&ts.name, &ovsdb::Uuid::from_u128(u.as_u128()))
                        .is_none()
                })
                .copied()
                .collect();
            for u in gone {
                order.remove(&u);
            }
        }
    }
}

/// `ovsdb_execute` on a loaded database; a committed change is appended to
/// the file when `rw`.
fn execute(loaded: &mut Loaded, request: &Json, rw: bool) -> R<Json> {
    let ops = match request.as_array() {
        Some([Json::String(name), ops @ ..]) if *name == loaded.schema.name => ops.to_vec(),
        Some(_) => {
            return Ok(OvsdbError::syntax(
                Some(request),
                "database name expected as first parameter",
            )
            .to_json());
        }
        None => return Ok(OvsdbError::syntax(Some(request), "array expected").to_json()),
    };
    let ops: Vec<serde_json::Value> = ops.iter().map(json::to_serde).collect();
    let now = wall_clock_ms();
    let no_locks = |_: &str| false;
    let ctx = ovsdb::TxnContext {
        now_ms: now.max(0) as u64,
        owns_lock: &no_locks,
    };
    match loaded.db.transact(&ops, &ctx) {
        ovsdb::TxnOutcome::Committed { reply, changes } => {
            let mut reply = json::from_serde(&reply);
            let record = changes.log_record(&loaded.db, None, now.max(0) as u64);
            if !rw && record.is_some() {
                // OVS commits even a query, to a file it opened read-only:
                // making room for the record fails.
                let mut e = OvsdbError::new(
                    "I/O error",
                    format!(
                        "{}: cannot truncate to length {}",
                        loaded.file, loaded.offset
                    ),
                );
                e.io_error = Some(util::errno_text(libc::EINVAL));
                if let Json::Array(results) = &mut reply {
                    results.push(e.to_json());
                }
            }
            if rw && let Some(record) = record {
                let record = order_record(&json::from_serde(&record), &loaded.schema, None);
                let written = match loaded.log.as_mut() {
                    Some(log) => logfile::write(log, &record).and_then(|()| logfile::commit(log)),
                    None => Ok(()),
                };
                if let Err(e) = written
                    && let Json::Array(results) = &mut reply
                {
                    results.push(e.to_json());
                }
            }
            Ok(reply)
        }
        ovsdb::TxnOutcome::Failed { reply } => Ok(json::from_serde(&reply)),
        ovsdb::TxnOutcome::Blocked { .. } => {
            // Without triggers (as here), OVS fails the first unsatisfied
            // "wait" with "not supported". Rerunning with every timeout at
            // zero finds that operation: it is the one that times out.
            let zeroed: Vec<serde_json::Value> = ops
                .iter()
                .map(|op| {
                    let mut op = op.clone();
                    if op.get("op").and_then(|o| o.as_str()) == Some("wait")
                        && let Some(obj) = op.as_object_mut()
                    {
                        obj.insert("timeout".to_string(), serde_json::Value::from(0));
                    }
                    op
                })
                .collect();
            let reply = match loaded.db.transact(&zeroed, &ctx) {
                ovsdb::TxnOutcome::Failed { reply }
                | ovsdb::TxnOutcome::Committed { reply, .. } => reply,
                ovsdb::TxnOutcome::Blocked { .. } => return Ok(Json::Null),
            };
            let mut reply = json::from_serde(&reply);
            if let Json::Array(results) = &mut reply
                && let Some(k) = results
                    .iter()
                    .position(|r| r.as_object().is_some_and(|o| o.contains("error")))
            {
                let last = &mut results[k];
                let original_timeout = ops.get(k).and_then(|op| op.get("timeout"));
                let timed_out = last
                    .as_object()
                    .and_then(|o| o.get("error"))
                    .and_then(Json::as_str)
                    == Some("timed out");
                if timed_out && original_timeout.is_none_or(|t| t.as_i64() != Some(0)) {
                    *last = OvsdbError::new("not supported", "triggers not supported").to_json();
                }
            }
            Ok(reply)
        }
    }
}

/// Rebuilds a record with tables, rows and columns inserted in the order
/// OVS builds them (tables and columns in schema hash order, `_`-members
/// last), so that it prints with OVS's member order.
fn order_record(
    record: &Json,
    schema: &DatabaseSchema,
    rows_order: Option<&std::collections::HashMap<String, RowOrder>>,
) -> Json {
    let Some(obj) = record.as_object() else {
        return record.clone();
    };
    let mut out = Object::new();
    for ts in shash::in_shash_order(&schema.tables, |t| t.name.clone()) {
        let Some(rows) = obj.get(&ts.name).and_then(Json::as_object) else {
            continue;
        };
        let mut new_rows = Object::new();
        let mut uuids: Vec<&str> = rows.names();
        uuids.sort_by_key(|u| Uuid::parse(u).unwrap_or_default());
        if let Some(order) = rows_order.and_then(|o| o.get(&ts.name)) {
            let texts: Vec<String> = order.uuids().iter().map(Uuid::to_string).collect();
            let position: std::collections::HashMap<&str, usize> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| (t.as_str(), i))
                .collect();
            uuids.sort_by_key(|u| position.get(u).copied().unwrap_or(usize::MAX));
        }
        for uuid in uuids {
            let Some(row) = rows.get(uuid) else { continue };
            match row.as_object() {
                Some(cols) => {
                    let mut new_cols = Object::new();
                    for c in &ts.columns {
                        if let Some(v) = cols.get(&c.name) {
                            new_cols.put(c.name.clone(), v.clone());
                        }
                    }
                    new_rows.put(uuid, Json::Object(new_cols));
                }
                None => new_rows.put(uuid, row.clone()),
            }
        }
        out.put(ts.name.clone(), Json::Object(new_rows));
    }
    for key in ["_comment", "_is_diff", "_date"] {
        if let Some(v) = obj.get(key) {
            out.put(key, v.clone());
        }
    }
    Json::Object(out)
}

/// `compact_or_convert`.
fn compact_or_convert(src: &str, dst: Option<&str>, new_schema: Option<DatabaseSchema>) -> R<i32> {
    let in_place = dst.is_none();
    let resolve = |name: &str| {
        logfile::follow_symlinks(Path::new(name))
            .to_string_lossy()
            .into_owned()
    };
    let src_name = resolve(src);
    let dst_name = match dst {
        None => format!("{src_name}.tmp"),
        Some(d) => resolve(d),
    };
    let lock = |name: &str| {
        // ovs_fatal(retval, "%s: failed to lock lockfile", name): the
        // errno text without ovsdb_error's "I/O error: " tag.
        Lockfile::acquire(Path::new(name)).map_err(|e| {
            let e = logfile::error(e);
            let text = match e.io_error {
                Some(why) => format!("{} ({why})", e.details.unwrap_or_default()),
                None => e.to_string(),
            };
            Fatal(text, 1)
        })
    };
    let _src_lock = if in_place {
        Some(lock(&src_name)?)
    } else {
        None
    };
    let _dst_lock = lock(&dst_name)?;

    let comment = if new_schema.is_some() {
        format!("converted by ovsdb-tool {VERSION}")
    } else {
        format!("compacted by ovsdb-tool {VERSION}")
    };
    let loaded = load_database(&src_name, false, new_schema)?;
    let snapshot = loaded
        .db
        .snapshot_record_with(Some(&comment), Some(wall_clock_ms().max(0) as u64));
    let mut snapshot = json::from_serde(&snapshot);
    // A compacted file holds whole rows, never diffs.
    if let Json::Object(o) = &mut snapshot {
        o.remove("_is_diff");
    }
    let snapshot = order_record(&snapshot, &loaded.schema, Some(&loaded.rows));

    let written = (|| -> Result<(), OvsdbError> {
        let mut w = logfile::create(&dst_name, false, false)?;
        logfile::write(&mut w, &loaded.schema.to_json())?;
        logfile::write(&mut w, &snapshot)?;
        logfile::commit(&mut w)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&dst_name);
        return fatal(e.to_string());
    }
    if in_place && let Err(e) = std::fs::rename(&dst_name, &src_name) {
        return fatal(format!(
            "failed to rename \"{dst_name}\" to \"{src_name}\" ({})",
            util::strerror(&e)
        ));
    }
    Ok(0)
}

const USAGE: &str = r#"{P}: Open vSwitch database management utility
usage: {P} [OPTIONS] COMMAND [ARG...]
  create [DB [SCHEMA]]    create DB with the given SCHEMA
  [--election-timer=ms] create-cluster DB CONTENTS LOCAL
    create clustered DB with given CONTENTS and LOCAL address
  [--cid=UUID] join-cluster DB NAME LOCAL REMOTE...
    join clustered DB with given NAME and LOCAL and REMOTE addrs
  compact [DB [DST]]      compact DB in-place (or to DST)
  convert [DB [SCHEMA [DST]]]   convert DB to SCHEMA (to DST)
  db-name [DB]            report name of schema used by DB
  db-version [DB]         report version of schema used by DB
  db-cksum [DB]           report checksum of schema used by DB
  db-cid DB               report cluster ID of clustered DB
  db-sid DB               report server ID of clustered DB
  db-local-address DB     report local address of clustered DB
  db-is-clustered DB      test whether DB is clustered
  db-is-standalone DB     test whether DB is standalone
  schema-name [SCHEMA]    report SCHEMA's name
  schema-version [SCHEMA] report SCHEMA's schema version
  schema-cksum [SCHEMA]   report SCHEMA's checksum
  compare-versions A OP B  compare OVSDB schema version numbers
  query [DB] TRNS         execute read-only transaction on DB
  transact [DB] TRNS      execute read/write transaction on DB
  cluster-to-standalone DB DB    Convert clustered DB to
      standalone DB when cluster is down and cannot be
        revived
  [-m]... show-log [DB]   print DB's log entries
The default DB is {DB}.
The default SCHEMA is {SCHEMA}.

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE
                           (default: {LOGDIR}/{P}.log)
  --syslog-method=(libc|unix:file|udp:ip:port)
                           specify how to send messages to syslog daemon
  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT via UDP

Other options:
  -m, --more                  increase show-log verbosity
  --rbac-role=ROLE            RBAC role for transact and query commands
  -h, --help                  display this help message
  -V, --version               display version information
"#;
