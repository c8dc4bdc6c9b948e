//! Logging in Open vSwitch's vlog format, on top of `tracing`.
//!
//! Code logs with the `tracing` macros, naming the OVS module as the target:
//! `tracing::info!(target: "ovsdb_server", "...")`. This crate's layer turns
//! each event into OVS's lines (`2026-11-21T10:56:29.097Z|00002|ovsdb_server|
//! INFO|...`) on the console (stderr), syslog (`/dev/log`, best effort) and
//! the log file, with per-module, per-destination levels that can be changed
//! at run time exactly as with OVS's `-v` option and the `vlog/set`,
//! `vlog/list`, `vlog/list-pattern`, `vlog/reopen` and `vlog/close` appctl
//! commands, whose texts it reproduces.
//!
//! Levels map as: tracing ERROR → `err` (or `emer` with a field `emer =
//! true`), WARN → `warn`, INFO → `info`, DEBUG and TRACE → `dbg`. A target
//! with `::` in it (the default target of an event is its Rust module path)
//! is logged under its first path segment. Modules are registered up front
//! (see [`OVSDB_SERVER_MODULES`]) so that `vlog/list` shows what OVS shows;
//! a target never registered is added on first use.
//!
//! Differences from OVS, on purpose: the sequence number (`%N`) is one
//! counter for the process rather than one per thread (our threads are
//! anonymous runtime workers); `%d` prints UTC like `%D`; `%T` prints
//! nothing; rate limiting is not done, though its on/off state is kept and
//! listed.
//!
//! This crate does file and socket I/O but no `unsafe`; it must not depend on
//! any other ovs-rs crate.

#![forbid(unsafe_code)]

mod format;
mod layer;
mod level;
mod modules;
mod spec;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use layer::VlogLayer;
pub use level::{Destination, Level};
pub use modules::{OVSDB_SERVER_MODULES, VSWITCHD_MODULES};

use format::{Record, format_pattern, strftime_msec};
use spec::{SpecAction, parse_spec};

/// The prefix OVS shows for its syslog destination in `vlog/list-pattern`.
const SYSLOG_PREFIX: &str = "<%B> %D{%h %e %T} %E %A:";

/// The logging state of one program: module levels, patterns, log file.
///
/// Normally there is one, the global installed by [`init`]; tests create
/// their own with [`Vlog::with_console`].
pub struct Vlog {
    inner: Mutex<Inner>,
    /// The most verbose level enabled anywhere, to reject most disabled
    /// events without taking the lock.
    max_level: AtomicU8,
    started: Instant,
}

impl std::fmt::Debug for Vlog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vlog").finish_non_exhaustive()
    }
}

struct Module {
    levels: [Level; 3],
    honor_rate_limits: bool,
}

struct Inner {
    program: String,
    modules: BTreeMap<String, Module>,
    /// Levels given to modules registered later, following `ANY` settings.
    new_module_levels: [Level; 3],
    patterns: [String; 3],
    facility: u32,
    seq: u32,
    log_file_name: Option<PathBuf>,
    log_file: Option<File>,
    console: Box<dyn Write + Send>,
    syslog: Syslog,
    hostname: String,
    line: String,
}

enum Syslog {
    Disabled,
    NotConnected,
    Connected(UnixDatagram),
    Unavailable,
}

impl Vlog {
    /// A logger for `program` writing its console lines to stderr and its
    /// syslog lines to `/dev/log`.
    pub fn new(program: &str) -> Vlog {
        Vlog::build(program, Box::new(io::stderr()), Syslog::NotConnected)
    }

    /// A logger whose console output goes to `console` and that never
    /// writes to syslog (for tests and tools).
    pub fn with_console(program: &str, console: Box<dyn Write + Send>) -> Vlog {
        Vlog::build(program, console, Syslog::Disabled)
    }

    fn build(program: &str, console: Box<dyn Write + Send>, syslog: Syslog) -> Vlog {
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let mut modules = BTreeMap::new();
        modules.insert(
            "vlog".to_string(),
            Module {
                levels: [Level::Info; 3],
                honor_rate_limits: true,
            },
        );
        Vlog {
            inner: Mutex::new(Inner {
                program: program.to_string(),
                modules,
                new_module_levels: [Level::Info; 3],
                patterns: Destination::ALL.map(|d| d.default_pattern().to_string()),
                facility: 0,
                seq: 0,
                log_file_name: None,
                log_file: None,
                console,
                syslog,
                hostname,
                line: String::with_capacity(256),
            }),
            max_level: AtomicU8::new(Level::Info as u8),
            started: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while logging must not silence logging for good.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn program_name(&self) -> String {
        self.lock().program.clone()
    }

    pub fn set_program_name(&self, program: &str) {
        self.lock().program = program.to_string();
    }

    /// Adds modules (OVS registers each source file's module at start-up).
    pub fn register_modules<'a>(&self, names: impl IntoIterator<Item = &'a str>) {
        let mut inner = self.lock();
        for name in names {
            inner.module(name);
        }
    }

    /// Whether a message for `target` at `level` would go anywhere.
    pub fn enabled(&self, target: &str, level: Level) -> bool {
        if level == Level::Off || level as u8 > self.max_level.load(Ordering::Relaxed) {
            return false;
        }
        let inner = self.lock();
        let module = module_of_target(target);
        let levels = match inner.modules.get(module) {
            Some(m) => m.levels,
            None => inner.new_module_levels,
        };
        levels[Destination::Console.index()] >= level
            || levels[Destination::Syslog.index()] >= level
            || (levels[Destination::File.index()] >= level && inner.log_file.is_some())
    }

    /// Logs `message` for module `target` (see the crate doc for targets
    /// with `::`).
    pub fn log(&self, target: &str, level: Level, message: &str) {
        if level == Level::Off || level as u8 > self.max_level.load(Ordering::Relaxed) {
            return;
        }
        let mut inner = self.lock();
        self.log_locked(&mut inner, module_of_target(target), level, message);
    }

    fn log_locked(&self, inner: &mut Inner, module: &str, level: Level, message: &str) {
        let levels = inner.module(module).levels;
        let console = levels[Destination::Console.index()] >= level;
        let syslog = levels[Destination::Syslog.index()] >= level;
        let file = levels[Destination::File.index()] >= level && inner.log_file.is_some();
        if !(console || syslog || file) {
            return;
        }
        inner.seq = inner.seq.wrapping_add(1);
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let uptime_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);

        let mut line = std::mem::take(&mut inner.line);
        let record = Record {
            module,
            level,
            message,
            seq: inner.seq,
            unix_ms,
            program: &inner.program,
            facility: inner.facility,
            pid: std::process::id(),
            uptime_ms,
            hostname: &inner.hostname,
        };
        if console {
            format_pattern(
                &inner.patterns[Destination::Console.index()],
                &record,
                &mut line,
            );
            line.push('\n');
            // Nothing sensible can be done if stderr is gone.
            let _ = inner.console.write_all(line.as_bytes());
        }
        if syslog {
            format_pattern(
                &inner.patterns[Destination::Syslog.index()],
                &record,
                &mut line,
            );
            let facility = if inner.facility == 0 {
                level::LOG_DAEMON
            } else {
                inner.facility
            };
            let priority = facility | level.syslog_severity();
            let mut stamp = String::new();
            strftime_msec("%h %e %T", unix_ms, &mut stamp);
            let program = inner.program.clone();
            for part in line.split('\n').filter(|p| !p.is_empty()) {
                let datagram = format!("<{priority}>{stamp} {program}: {part}");
                inner.syslog.send(datagram.as_bytes());
            }
        }
        if file {
            format_pattern(
                &inner.patterns[Destination::File.index()],
                &record,
                &mut line,
            );
            line.push('\n');
            if let Some(f) = inner.log_file.as_mut() {
                let _ = f.write_all(line.as_bytes());
            }
        }
        inner.line = line;
    }

    /// Applies one `-v`/`vlog/set` spec.
    pub fn set(&self, spec: &str) -> Result<(), String> {
        let action = {
            let inner = self.lock();
            parse_spec(spec, |word| {
                inner
                    .modules
                    .keys()
                    .find(|name| name.eq_ignore_ascii_case(word))
                    .cloned()
            })?
        };
        match action {
            SpecAction::Levels {
                module,
                destination,
                level,
            } => self.set_levels(module.as_deref(), destination, level),
            SpecAction::Pattern {
                destination,
                pattern,
            } => self.set_pattern(destination, &pattern),
            SpecAction::Facility(value) => self.lock().facility = value,
        }
        Ok(())
    }

    /// `vlog/set` with its arguments: no argument sets every module and
    /// destination to `dbg`; otherwise each is a spec, stopping at the first
    /// bad one.
    pub fn set_args(&self, args: &[String]) -> Result<(), String> {
        if args.is_empty() {
            self.set_levels(None, None, Level::Dbg);
        }
        args.iter().try_for_each(|spec| self.set(spec))
    }

    /// `-v`/`--verbose[=SPEC]`: without a spec, everything to `dbg`.
    pub fn set_verbosity(&self, spec: Option<&str>) -> Result<(), String> {
        match spec {
            Some(spec) => self.set(spec),
            None => {
                self.set_levels(None, None, Level::Dbg);
                Ok(())
            }
        }
    }

    /// Sets `level` for `module` (`None`: all) on `destination` (`None`:
    /// all). An unknown module name is registered.
    pub fn set_levels(&self, module: Option<&str>, destination: Option<Destination>, level: Level) {
        let mut inner = self.lock();
        let indexes: Vec<usize> = match destination {
            Some(d) => vec![d.index()],
            None => (0..3).collect(),
        };
        match module {
            Some(name) => {
                let m = inner.module(name);
                for &i in &indexes {
                    m.levels[i] = level;
                }
            }
            None => {
                for m in inner.modules.values_mut() {
                    for &i in &indexes {
                        m.levels[i] = level;
                    }
                }
                for &i in &indexes {
                    inner.new_module_levels[i] = level;
                }
            }
        }
        let max = inner
            .modules
            .values()
            .flat_map(|m| m.levels)
            .chain(inner.new_module_levels)
            .max()
            .unwrap_or(Level::Off);
        self.max_level.store(max as u8, Ordering::Relaxed);
    }

    pub fn level(&self, module: &str, destination: Destination) -> Option<Level> {
        let inner = self.lock();
        inner
            .modules
            .get(module)
            .map(|m| m.levels[destination.index()])
    }

    pub fn set_pattern(&self, destination: Option<Destination>, pattern: &str) {
        let mut inner = self.lock();
        for d in Destination::ALL {
            if destination.is_none_or(|want| want == d) {
                inner.patterns[d.index()] = pattern.to_string();
            }
        }
    }

    /// `vlog/list`: a header, then one sorted line per module.
    pub fn list(&self) -> String {
        let inner = self.lock();
        let mut lines: Vec<String> = inner
            .modules
            .iter()
            .map(|(name, m)| {
                let mut line = format!(
                    "{:<16}  {:>4}       {:>4}       {:>4}",
                    name,
                    m.levels[Destination::Console.index()],
                    m.levels[Destination::Syslog.index()],
                    m.levels[Destination::File.index()],
                );
                if !m.honor_rate_limits {
                    line.push_str("    (rate limiting disabled)");
                }
                line.push('\n');
                line
            })
            .collect();
        lines.sort();
        let mut out = String::from(
            "                 console    syslog    file\n                 -------    ------    ------\n",
        );
        lines.iter().for_each(|l| out.push_str(l));
        out
    }

    /// `vlog/list-pattern`.
    pub fn list_patterns(&self) -> String {
        let inner = self.lock();
        let mut out = String::from(
            "         prefix                            format\n         ------                            ------\n",
        );
        for d in Destination::ALL {
            let prefix = if d == Destination::Syslog {
                SYSLOG_PREFIX
            } else {
                "none"
            };
            out.push_str(&format!(
                "{:<7}  {:<32}  {}\n",
                d.name(),
                prefix,
                inner.patterns[d.index()]
            ));
        }
        out
    }

    /// `vlog/enable-rate-limit` / `vlog/disable-rate-limit`: no argument or
    /// `ANY` means every module. (Only the listed state changes: this crate
    /// does not rate-limit.)
    pub fn set_rate_limit(&self, modules: &[String], enable: bool) -> Result<(), String> {
        let mut inner = self.lock();
        let all = modules.is_empty() || modules.iter().any(|m| m.eq_ignore_ascii_case("ANY"));
        let mut chosen = Vec::new();
        for word in modules.iter().filter(|m| !m.eq_ignore_ascii_case("ANY")) {
            match inner.modules.keys().find(|k| k.eq_ignore_ascii_case(word)) {
                Some(k) => chosen.push(k.clone()),
                None => return Err("unknown module".into()),
            }
        }
        for (name, m) in inner.modules.iter_mut() {
            if all || chosen.contains(name) {
                m.honor_rate_limits = enable;
            }
        }
        Ok(())
    }

    /// `--log-file[=FILE]`: opens `path` (default `$OVS_LOGDIR/<program>.log`)
    /// for appending and logs to it, announcing the switch in both files as
    /// OVS does. Reopening the file already in use does nothing.
    pub fn set_log_file(&self, path: Option<&Path>) -> io::Result<()> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => default_log_file(&self.program_name()),
        };
        self.switch_log_file(path)
    }

    fn switch_log_file(&self, path: PathBuf) -> io::Result<()> {
        let file = match OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o660)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) => {
                self.log(
                    "vlog",
                    Level::Warn,
                    &format!(
                        "failed to open {} for logging: {}",
                        path.display(),
                        strerror(&e)
                    ),
                );
                return Err(e);
            }
        };
        let mut inner = self.lock();
        if let Some(current) = &inner.log_file {
            let same = match (current.metadata(), file.metadata()) {
                (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
                _ => false,
            };
            if same {
                return Ok(());
            }
            self.log_locked(&mut inner, "vlog", Level::Info, "closing log file");
        }
        inner.log_file = Some(file);
        inner.log_file_name = Some(path.clone());
        let message = format!("opened log file {}", path.display());
        self.log_locked(&mut inner, "vlog", Level::Info, &message);
        Ok(())
    }

    pub fn log_file_name(&self) -> Option<PathBuf> {
        self.lock().log_file_name.clone()
    }

    /// `vlog/reopen`: reopens the configured log file by name (after log
    /// rotation). Errors are the texts `ovs-appctl` shows.
    pub fn reopen(&self) -> Result<(), String> {
        let name = self.lock().log_file_name.clone();
        match name {
            None => Err("Logging to file not configured".into()),
            Some(path) => {
                self.lock().syslog.reset();
                self.switch_log_file(path).map_err(|e| strerror(&e))
            }
        }
    }

    /// `vlog/close`: closes the log file but remembers its name, so that
    /// `vlog/reopen` opens it again.
    pub fn close(&self) {
        self.lock().log_file = None;
    }
}

impl Inner {
    fn module(&mut self, name: &str) -> &mut Module {
        let levels = self.new_module_levels;
        self.modules.entry(name.to_string()).or_insert(Module {
            levels,
            honor_rate_limits: true,
        })
    }
}

impl Syslog {
    fn send(&mut self, datagram: &[u8]) {
        if matches!(self, Syslog::NotConnected) {
            *self = UnixDatagram::unbound()
                .and_then(|s| s.connect("/dev/log").map(|()| s))
                .map_or(Syslog::Unavailable, Syslog::Connected);
        }
        if let Syslog::Connected(socket) = self {
            let _ = socket.send(datagram);
        }
    }

    /// Lets a later message try `/dev/log` again (e.g. after syslogd
    /// restarted).
    fn reset(&mut self) {
        if matches!(self, Syslog::Unavailable | Syslog::Connected(_)) {
            *self = Syslog::NotConnected;
        }
    }
}

/// The module an event's target names: the target itself, or its first
/// Rust path segment.
fn module_of_target(target: &str) -> &str {
    target.split("::").next().unwrap_or(target)
}

/// The text of an OS error without Rust's " (os error N)" suffix, as
/// `strerror` would print it.
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// `$OVS_LOGDIR/<program>.log`, `$OVS_LOGDIR` defaulting to
/// `/var/log/openvswitch`.
pub fn default_log_file(program: &str) -> PathBuf {
    let dir = std::env::var_os("OVS_LOGDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/log/openvswitch"));
    dir.join(format!("{program}.log"))
}

static GLOBAL: OnceLock<Arc<Vlog>> = OnceLock::new();

/// Errors from [`init`].
#[derive(Debug)]
pub struct InitError(String);

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InitError {}

/// Start-up logging configuration, built while parsing the command line
/// (`-v`/`--verbose[=SPEC]` and `--log-file[=FILE]` are applied in order, as
/// OVS does), then installed by [`init`].
pub struct Config {
    vlog: Vlog,
    logdir: PathBuf,
    log_file: Option<Option<PathBuf>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("logdir", &self.logdir)
            .field("log_file", &self.log_file)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Logging for `program`, with `logdir` for `--log-file`'s default
    /// (`<logdir>/<program>.log`). The modules OVS's program of that name
    /// registers are registered (see [`modules_for`]).
    pub fn new(program: &str, logdir: &Path) -> Config {
        let vlog = Vlog::new(program);
        vlog.register_modules(modules_for(program).iter().copied());
        Config {
            vlog,
            logdir: logdir.to_path_buf(),
            log_file: None,
        }
    }

    /// Registers more modules (they must exist before `-v` names them).
    pub fn modules(&mut self, names: &[&str]) -> &mut Self {
        self.vlog.register_modules(names.iter().copied());
        self
    }

    /// `-v`/`--verbose[=SPEC]`, applied now; the error is OVS's text.
    pub fn verbose(&mut self, spec: Option<&str>) -> Result<(), String> {
        self.vlog.set_verbosity(spec)
    }

    /// `--log-file[=FILE]`: opened by [`init`]. A relative name is taken
    /// as given (relative to the working directory), as in OVS.
    pub fn log_file<P: AsRef<Path>>(&mut self, file: Option<P>) {
        self.log_file = Some(file.map(|f| f.as_ref().to_path_buf()));
    }

    /// The logger being configured (e.g. to turn the console off).
    pub fn vlog(&self) -> &Vlog {
        &self.vlog
    }
}

/// The modules OVS 3.1's `program` lists in `vlog/list`, as far as this
/// crate knows them (`ovsdb-server`, `ovs-vswitchd`); other programs get
/// only `vlog`, and their modules appear as they first log.
pub fn modules_for(program: &str) -> &'static [&'static str] {
    match program {
        "ovsdb-server" => OVSDB_SERVER_MODULES,
        "ovs-vswitchd" => VSWITCHD_MODULES,
        _ => &["vlog"],
    }
}

/// Installs `config` as the process's logger and the vlog layer as the
/// global `tracing` subscriber, then opens the log file if one was asked
/// for. Call once, early in `main`. A log file that cannot be opened is
/// only warned about (on the console), as OVS does.
pub fn init(config: Config) -> Result<&'static Arc<Vlog>, InitError> {
    let Config {
        vlog,
        logdir,
        log_file,
    } = config;
    let program = vlog.program_name();
    GLOBAL
        .set(Arc::new(vlog))
        .map_err(|_| InitError("logging is already initialized".into()))?;
    let vlog = global();
    use tracing_subscriber::layer::SubscriberExt as _;
    let subscriber = tracing_subscriber::registry().with(VlogLayer::new(Arc::clone(vlog)));
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| InitError(format!("cannot install the vlog subscriber: {e}")))?;
    if let Some(file) = log_file {
        let path = file.unwrap_or_else(|| logdir.join(format!("{program}.log")));
        // Failure is logged by set_log_file itself.
        let _ = vlog.set_log_file(Some(&path));
    }
    Ok(vlog)
}

/// The process's logger (created on first use, named after the executable,
/// if [`init`] has not run).
pub fn global() -> &'static Arc<Vlog> {
    GLOBAL.get_or_init(|| {
        let program = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "ovs".to_string());
        Arc::new(Vlog::new(&program))
    })
}

/// [`Vlog::set`] on the global logger.
pub fn set(spec: &str) -> Result<(), String> {
    global().set(spec)
}

/// [`Vlog::set_args`] on the global logger.
pub fn set_args(args: &[String]) -> Result<(), String> {
    global().set_args(args)
}

/// [`Vlog::set_verbosity`] on the global logger.
pub fn set_verbosity(spec: Option<&str>) -> Result<(), String> {
    global().set_verbosity(spec)
}

/// [`Vlog::set_levels`] on the global logger.
pub fn set_levels(module: Option<&str>, destination: Option<Destination>, level: Level) {
    global().set_levels(module, destination, level)
}

/// [`Vlog::list`] on the global logger.
pub fn list() -> String {
    global().list()
}

/// [`Vlog::list_patterns`] on the global logger.
pub fn list_patterns() -> String {
    global().list_patterns()
}

/// [`Vlog::set_log_file`] on the global logger.
pub fn set_log_file(path: Option<&Path>) -> io::Result<()> {
    global().set_log_file(path)
}

/// [`Vlog::reopen`] on the global logger.
pub fn reopen() -> Result<(), String> {
    global().reopen()
}

/// [`Vlog::close`] on the global logger.
pub fn close() {
    global().close()
}

#[cfg(test)]
mod tests;

/// The `vlog/*` commands every daemon registers with unixctl:
/// `(name, usage, min_args, max_args)`.
pub const UNIXCTL_COMMANDS: [(&str, &str, usize, usize); 5] = [
    (
        "vlog/set",
        "{spec | PATTERN:destination:pattern}",
        0,
        usize::MAX,
    ),
    ("vlog/list", "", 0, 0),
    ("vlog/list-pattern", "", 0, 0),
    ("vlog/reopen", "", 0, 0),
    ("vlog/close", "", 0, 0),
];

/// Carries out a `vlog/*` unixctl command; `None` if `command` is not one.
pub fn unixctl(command: &str, args: &[String]) -> Option<Result<String, String>> {
    Some(match command {
        "vlog/set" => {
            let mut out = Ok(String::new());
            for spec in args {
                if let Err(e) = set(spec) {
                    out = Err(e);
                }
            }
            out
        }
        "vlog/list" => Ok(list()),
        "vlog/list-pattern" => Ok(list_patterns()),
        "vlog/reopen" => reopen().map(|()| String::new()),
        "vlog/close" => {
            close();
            Ok(String::new())
        }
        _ => return None,
    })
}
