use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::layer::SubscriberExt as _;

use super::*;

/// A console that tests can read back.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

fn test_vlog() -> (Arc<Vlog>, Capture) {
    let capture = Capture::default();
    let vlog = Arc::new(Vlog::with_console(
        "ovsdb-server",
        Box::new(capture.clone()),
    ));
    vlog.register_modules(OVSDB_SERVER_MODULES.iter().copied());
    (vlog, capture)
}

/// Checks `line` is `<timestamp>|<seq>|<rest>` with the console timestamp.
fn strip_console_stamp(line: &str) -> &str {
    let (stamp, rest) = line.split_once('|').unwrap();
    assert_eq!(stamp.len(), "2026-11-21T10:56:29Z".len(), "{line}");
    assert!(
        stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
        "{line}"
    );
    rest
}

fn strip_file_stamp(line: &str) -> &str {
    let (stamp, rest) = line.split_once('|').unwrap();
    assert_eq!(stamp.len(), "2026-11-21T10:56:29.097Z".len(), "{line}");
    assert!(
        stamp.ends_with('Z') && stamp.as_bytes()[19] == b'.',
        "{line}"
    );
    rest
}

#[test]
fn list_matches_ovs_layout() {
    let (vlog, _) = test_vlog();
    vlog.set_levels(None, Some(Destination::Console), Level::Off);
    vlog.set("jsonrpc:file:dbg").unwrap();
    vlog.set_rate_limit(&["vlog".to_string()], false).unwrap();
    let list = vlog.list();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2 + OVSDB_SERVER_MODULES.len());
    assert_eq!(lines[0], "                 console    syslog    file");
    assert_eq!(lines[1], "                 -------    ------    ------");
    assert_eq!(lines[2], "backtrace          OFF       INFO       INFO");
    assert!(lines.contains(&"jsonrpc            OFF       INFO        DBG"));
    assert!(lines.contains(&"ovsdb_jsonrpc_server   OFF       INFO       INFO"));
    assert!(
        lines.contains(&"vlog               OFF       INFO       INFO    (rate limiting disabled)")
    );
    assert!(list.ends_with('\n'));
}

#[test]
fn list_patterns_matches_ovs() {
    let (vlog, _) = test_vlog();
    vlog.set("PATTERN:file:%m").unwrap();
    assert_eq!(
        vlog.list_patterns(),
        "         prefix                            format\n\
         \x20        ------                            ------\n\
         SYSLOG   <%B> %D{%h %e %T} %E %A:          ovs|%05N|%c%T|%p|%m\n\
         CONSOLE  none                              %D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m\n\
         FILE     none                              %m\n"
    );
}

#[test]
fn set_errors_and_wildcards() {
    let (vlog, _) = test_vlog();
    assert_eq!(
        vlog.set("nosuch"),
        Err("no destination, level, or module \"nosuch\"".into())
    );
    vlog.set("ANY:syslog:warn").unwrap();
    assert_eq!(vlog.level("raft", Destination::Syslog), Some(Level::Warn));
    assert_eq!(vlog.level("raft", Destination::File), Some(Level::Info));
    vlog.set_args(&[]).unwrap();
    assert_eq!(vlog.level("raft", Destination::Syslog), Some(Level::Dbg));
    assert_eq!(
        vlog.set_args(&["raft:off".into(), "bad".into(), "vlog:off".into()]),
        Err("no destination, level, or module \"bad\"".into())
    );
    assert_eq!(vlog.level("raft", Destination::Console), Some(Level::Off));
    assert_eq!(vlog.level("vlog", Destination::Console), Some(Level::Dbg));
    assert_eq!(
        vlog.set_rate_limit(&["nosuch".into()], true),
        Err("unknown module".into())
    );
}

#[test]
fn console_lines_and_sequence_numbers() {
    let (vlog, console) = test_vlog();
    vlog.log("ovsdb_server", Level::Info, "hello\n");
    vlog.log("ovsdb_server", Level::Dbg, "not shown");
    vlog.log("ovsdb_server", Level::Warn, "second");
    let out = console.take();
    let lines: Vec<&str> = out.lines().map(strip_console_stamp).collect();
    assert_eq!(
        lines,
        vec![
            "00001|ovsdb_server|INFO|hello",
            "00002|ovsdb_server|WARN|second"
        ]
    );
}

#[test]
fn log_file_open_reopen_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ovsdb-server.log");
    let (vlog, console) = test_vlog();
    vlog.set("console:off").unwrap();
    assert_eq!(vlog.reopen(), Err("Logging to file not configured".into()));

    vlog.set_log_file(Some(&path)).unwrap();
    vlog.log("ovsdb_server", Level::Info, "one");
    // Opening the same file again is a no-op.
    vlog.set_log_file(Some(&path)).unwrap();

    // Log rotation: move the file away, then vlog/reopen.
    let rotated = dir.path().join("ovsdb-server.log.1");
    std::fs::rename(&path, &rotated).unwrap();
    vlog.reopen().unwrap();
    vlog.log("ovsdb_server", Level::Info, "two");

    vlog.close();
    vlog.log("ovsdb_server", Level::Info, "lost");
    vlog.reopen().unwrap();
    vlog.log("ovsdb_server", Level::Info, "three");

    let read = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| strip_file_stamp(l).to_string())
            .collect()
    };
    let name = path.display();
    assert_eq!(
        read(&rotated),
        vec![
            format!("00001|vlog|INFO|opened log file {name}"),
            "00002|ovsdb_server|INFO|one".to_string(),
            "00003|vlog|INFO|closing log file".to_string(),
        ]
    );
    assert_eq!(
        read(&path),
        vec![
            format!("00004|vlog|INFO|opened log file {name}"),
            "00005|ovsdb_server|INFO|two".to_string(),
            format!("00007|vlog|INFO|opened log file {name}"),
            "00008|ovsdb_server|INFO|three".to_string(),
        ]
    );
    assert_eq!(console.take(), "");
}

#[test]
fn unopenable_log_file_is_reported() {
    let (vlog, console) = test_vlog();
    let err = vlog
        .set_log_file(Some(Path::new("/nonexistent/dir/x.log")))
        .unwrap_err();
    assert_eq!(strerror(&err), "No such file or directory");
    let out = console.take();
    assert!(
        out.ends_with(
            "|vlog|WARN|failed to open /nonexistent/dir/x.log for logging: No such file or directory\n"
        ),
        "{out}"
    );
}

#[test]
fn tracing_events_become_vlog_lines() {
    let (vlog, console) = test_vlog();
    let subscriber = tracing_subscriber::registry().with(VlogLayer::new(Arc::clone(&vlog)));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "ovsdb_server", "ovsdb-server (Open vSwitch) {}", "3.1.0");
        tracing::debug!(target: "ovsdb_server", "hidden");
        tracing::warn!(target: "jsonrpc", peer = "unix#0", "connection dropped");
        tracing::error!(target: "ovsdb_log", emer = true, "fatal");
        tracing::error!(target: "ovsdb_server::session", "from a module path");
        vlog.set("jsonrpc:console:dbg").unwrap();
        tracing::trace!(target: "jsonrpc", "now shown");
        tracing::debug!(target: "ovsdb_server", "still hidden");
    });
    let out = console.take();
    let lines: Vec<&str> = out.lines().map(strip_console_stamp).collect();
    assert_eq!(
        lines,
        vec![
            "00001|ovsdb_server|INFO|ovsdb-server (Open vSwitch) 3.1.0",
            "00002|jsonrpc|WARN|connection dropped peer=unix#0",
            "00003|ovsdb_log|EMER|fatal",
            "00004|ovsdb_server|ERR|from a module path",
            "00005|jsonrpc|DBG|now shown",
        ]
    );
}

#[test]
fn facility_changes_syslog_priority_in_patterns() {
    let (vlog, console) = test_vlog();
    vlog.set("PATTERN:console:<%B>%m").unwrap();
    vlog.log("vlog", Level::Warn, "a");
    vlog.set("FACILITY:daemon").unwrap();
    vlog.log("vlog", Level::Warn, "b");
    assert_eq!(console.take(), "<132>a\n<28>b\n");
}

#[test]
fn default_log_file_follows_ovs_logdir() {
    let path = default_log_file("ovsdb-server");
    assert!(path.ends_with("ovsdb-server.log"));
}

/// The only test that touches the process-wide logger.
#[test]
fn config_then_init_installs_the_global_logger() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new("ovsdb-server", dir.path());
    assert_eq!(
        config.verbose(Some("nosuch:dbg")),
        Err("no destination, level, or module \"nosuch\"".into())
    );
    config.verbose(Some("raft:file:dbg")).unwrap();
    config.verbose(Some("console:off")).unwrap();
    config.log_file(None::<&str>);
    let vlog = init(config).unwrap();
    assert!(init(Config::new("x", dir.path())).is_err());

    tracing::info!(target: "ovsdb_server", "hello from tracing");
    let log = std::fs::read_to_string(dir.path().join("ovsdb-server.log")).unwrap();
    let lines: Vec<&str> = log.lines().map(strip_file_stamp).collect();
    assert_eq!(
        lines,
        vec![
            format!(
                "00001|vlog|INFO|opened log file {}",
                dir.path().join("ovsdb-server.log").display()
            ),
            "00002|ovsdb_server|INFO|hello from tracing".to_string(),
        ]
    );
    assert!(list().contains("raft               OFF       INFO        DBG\n"));
    set("raft:file:warn").unwrap();
    assert_eq!(vlog.level("raft", Destination::File), Some(Level::Warn));
    assert_eq!(
        global().log_file_name(),
        Some(dir.path().join("ovsdb-server.log"))
    );
    close();
    reopen().unwrap();
}
