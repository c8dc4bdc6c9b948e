//! The `dpctl/*` commands (OVS's `lib/dpctl.c`): what `ovs-appctl
//! dpctl/show`, `dpctl/dump-flows`, `dpctl/add-flow` and friends, and the
//! `ovs-dpctl` tool, do to datapaths, over the [`ovs_dpif::Dpif`] trait.
//!
//! It promises OVS 3.1's output and error texts byte for byte where the
//! datapath gives the same facts: the `show` report with its port
//! configuration and `-s` counters, the flow lines of `dump-flows` (headers
//! per poll thread, `-m` with the ufid and every attribute, port names,
//! `filter=`, `type=`, `pmd=`), the `program: what (strerror)` error lines,
//! and OVS's quirks (`get-flow` with a bad ufid reports the error but
//! succeeds; `add-flows` with an unreadable file too). A command's output
//! is a list of chunks, each marked normal or error, as `dpctl_params`'
//! output callback sees them: `ovs-appctl` concatenates them into one reply,
//! `ovs-dpctl` sends errors to stderr.
//!
//! It does no I/O and reads no clock: the datapaths, the device facts a
//! daemon knows ([`PortInfo`]) and the time (through [`Dpif::now_ms`]) come
//! in as arguments. It depends on the dpif trait and the datapath key and
//! action text (`ovs-odp`), never on netdev or dpif implementations,
//! OpenFlow messages or OVSDB.
#![forbid(unsafe_code)]

mod filter;
mod flows;
mod ports;
mod ufid;

#[cfg(test)]
mod testdp;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use ovs_dpif::{Dpif, DpifError};
use ovs_odp::OdpSupport;

pub use ufid::{format_ufid, parse_ufid, ufid_from_key};

/// A flow's statistics as OVS's `dpif_flow_stats_format` prints them
/// (`packets:N, bytes:N, used:X.XXXs|never[, flags:...]`), `used` counted
/// back from `now_ms` on the datapath's clock.
pub fn format_flow_stats(stats: &ovs_dpif::FlowStats, now_ms: u64) -> String {
    let mut out = String::new();
    flows::format_stats(&mut out, stats, now_ms);
    out
}

/// One port's device counters as `dpctl/show -s` prints them (OVS's
/// `netdev_stats`); `None` is a counter the device does not keep, printed
/// as `?`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortStats {
    pub rx_packets: Option<u64>,
    pub rx_bytes: Option<u64>,
    pub rx_errors: Option<u64>,
    pub rx_dropped: Option<u64>,
    pub rx_over_errors: Option<u64>,
    pub rx_frame_errors: Option<u64>,
    pub tx_packets: Option<u64>,
    pub tx_bytes: Option<u64>,
    pub tx_errors: Option<u64>,
    pub tx_dropped: Option<u64>,
    pub tx_aborted_errors: Option<u64>,
    pub tx_carrier_errors: Option<u64>,
    pub collisions: Option<u64>,
}

/// What dpctl needs from the daemon beside the datapaths: the devices
/// behind ports. `dp` is the datapath's full name (`dummy@ovs-dummy`).
/// Errors are the text OVS puts in parentheses (`strerror`).
pub trait PortInfo {
    /// The device's configuration (`netdev_get_config`), which `show`
    /// prints as ` (type: k=v, k=v)` in key order.
    fn config(&self, dp: &str, port: &str) -> Result<BTreeMap<String, String>, String>;
    /// The device's counters (`netdev_get_stats`), for `show -s`.
    fn stats(&self, dp: &str, port: &str) -> Result<PortStats, String>;
    /// Replaces the device's configuration (`netdev_set_config`), for
    /// `set-if`.
    fn set_config(
        &self,
        _dp: &str,
        _port: &str,
        _config: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        Err(Errno::EOPNOTSUPP.text().to_string())
    }
    /// The contents of a file named on the command line (`add-flows`,
    /// `mod-flows`, `del-flows FILE`), read as the daemon would.
    fn read_file(&self, _path: &str) -> Result<String, String> {
        Err(Errno::EOPNOTSUPP.text().to_string())
    }
}

/// A [`PortInfo`] that knows no devices: empty configurations, unknown
/// counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPortInfo;

impl PortInfo for NoPortInfo {
    fn config(&self, _dp: &str, _port: &str) -> Result<BTreeMap<String, String>, String> {
        Ok(BTreeMap::new())
    }
    fn stats(&self, _dp: &str, _port: &str) -> Result<PortStats, String> {
        Ok(PortStats::default())
    }
}

/// Who runs the commands.
#[derive(Clone, Debug)]
pub struct Params {
    /// Prefixes error lines (`ovs-vswitchd: ...`, `ovs-dpctl: ...`).
    pub program_name: String,
    /// True under `ovs-appctl` (OVS's `is_appctl`): allows `type=` in
    /// `dump-flows` and prefixes `list-commands` with `dpctl/`.
    pub is_appctl: bool,
    /// The datapath types the process knows (OVS's registered dpif
    /// classes), beside those of the datapaths passed in. Naming another
    /// type fails with `Address family not supported by protocol`; naming
    /// a missing datapath of a known type with `No such device` (`No such
    /// file or directory` for `system` when no kernel datapath is open, as
    /// OVS without the kernel module says).
    pub dp_types: Vec<String>,
    /// What the datapaths match on, for converting their flows to key
    /// text and back.
    pub support: OdpSupport,
}

impl Params {
    /// Inside `ovs-vswitchd`, under `ovs-appctl`.
    pub fn appctl() -> Params {
        Params {
            program_name: "ovs-vswitchd".to_string(),
            is_appctl: true,
            dp_types: vec!["netdev".to_string(), "system".to_string()],
            support: userspace_support(),
        }
    }
}

impl Default for Params {
    fn default() -> Self {
        Params::appctl()
    }
}

/// The userspace datapath's `odp_support` (`dp_netdev_support`): every
/// VLAN and MPLS header a flow holds, recirculation and all conntrack
/// fields, no ND extensions.
pub fn userspace_support() -> OdpSupport {
    OdpSupport {
        max_vlan_headers: usize::MAX,
        max_mpls_depth: usize::MAX,
        recirc: true,
        ct_state: true,
        ct_zone: true,
        ct_mark: true,
        ct_label: true,
        ct_orig_tuple: true,
        ct_orig_tuple6: true,
        nd_ext: false,
    }
}

/// Command options (OVS's `dpctl_params` flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `-s`, `--statistics`.
    pub statistics: bool,
    /// `--clear`: `mod-flow` zeroes the flow's statistics.
    pub clear: bool,
    /// `--may-create`: `mod-flow` may create the flow.
    pub may_create: bool,
    /// `--read-only` (`ovs-dpctl` only): refuse commands that change
    /// datapaths.
    pub read_only: bool,
    /// `-m`, `--more`, counted.
    pub verbosity: u32,
    /// `--names` / `--no-names`; unset means names with `-m` only.
    pub names: Option<bool>,
}

/// One piece of a command's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Printed through the error channel (`ovs-dpctl` writes it to
    /// stderr; `ovs-appctl` puts it in the same reply).
    pub error: bool,
    pub text: String,
}

/// What a command printed, and whether it failed (OVS's nonzero return).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub output: Vec<Chunk>,
    pub failed: bool,
}

impl Reply {
    /// Every chunk, in order, as one text (what `ovs-appctl` shows).
    pub fn text(&self) -> String {
        self.output.iter().map(|c| c.text.as_str()).collect()
    }

    /// `Ok(text)` or `Err(text)`, as the unixctl reply.
    pub fn into_result(self) -> Result<String, String> {
        let text = self.text();
        if self.failed { Err(text) } else { Ok(text) }
    }
}

/// OVS's `INT_MAX` argument limit.
const MANY: usize = i32::MAX as usize;

/// The commands this crate runs: name (register as `dpctl/<name>` with
/// unixctl), usage, and the least and most arguments, options included,
/// as OVS registers them. OVS's conntrack tuning, IP fragmentation,
/// cache-size, offload-statistics and `normalize-actions` commands are
/// not here.
pub const COMMANDS: &[(&str, &str, usize, usize)] = &[
    ("add-dp", "dp [iface...]", 1, MANY),
    ("del-dp", "dp", 1, 1),
    ("add-if", "dp iface...", 2, MANY),
    ("del-if", "dp iface...", 2, MANY),
    ("set-if", "dp iface...", 2, MANY),
    ("dump-dps", "", 0, 0),
    ("show", "[-s] [dp...]", 0, MANY),
    (
        "dump-flows",
        "[-m] [--names] [dp] [filter=..] [type=..] [pmd=..]",
        0,
        6,
    ),
    ("add-flow", "[dp] flow actions", 2, 3),
    ("mod-flow", "[dp] flow actions", 2, 3),
    ("get-flow", "[dp] ufid", 1, 2),
    ("del-flow", "[dp] flow", 1, 2),
    ("add-flows", "[dp] file", 1, 2),
    ("mod-flows", "[dp] file", 1, 2),
    ("del-flows", "[dp] [file]", 0, 2),
    ("dump-conntrack", "[-m] [-s] [dp] [zone=N]", 0, 4),
    ("list-commands", "", 0, MANY),
    ("parse-actions", "actions", 1, MANY),
];

/// Commands that change a datapath (OVS's `DP_RW`), refused under
/// `--read-only`.
fn is_read_write(name: &str) -> bool {
    matches!(
        name,
        "add-dp"
            | "del-dp"
            | "add-if"
            | "del-if"
            | "set-if"
            | "add-flow"
            | "mod-flow"
            | "del-flow"
            | "add-flows"
            | "mod-flows"
            | "del-flows"
    )
}

/// A command failed (OVS's nonzero return); what went wrong is already in
/// the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failed;

pub(crate) type Status = Result<(), Failed>;

type Handler = fn(&mut Ctx<'_>, &[&str]) -> Status;

fn handler(name: &str) -> Option<Handler> {
    Some(match name {
        "add-dp" => ports::add_dp,
        "del-dp" => ports::del_dp,
        "add-if" => ports::add_if,
        "del-if" => ports::del_if,
        "set-if" => ports::set_if,
        "dump-dps" => ports::dump_dps,
        "show" => ports::show,
        "dump-flows" => flows::dump_flows,
        "add-flow" => flows::add_flow,
        "mod-flow" => flows::mod_flow,
        "get-flow" => flows::get_flow,
        "del-flow" => flows::del_flow,
        "add-flows" | "mod-flows" => flows::process_flows,
        "del-flows" => flows::del_flows,
        "dump-conntrack" => flows::dump_conntrack,
        "list-commands" => list_commands,
        "parse-actions" => flows::parse_actions,
        _ => return None,
    })
}

/// Runs `dpctl/<cmd> args...` as `ovs-appctl` would inside
/// `ovs-vswitchd`: `Ok(output)` or `Err(output)` as the unixctl reply
/// body (the unixctl layer adds the final newline OVS adds). `cmd` may
/// carry the `dpctl/` prefix. Leading options in `args` (`-s`, `-m`,
/// `--names`, `--no-names`, `--more`, `--statistics`, `--clear`,
/// `--may-create`) are taken as OVS's unixctl handler takes them.
pub fn run(
    cmd: &str,
    args: &[String],
    dps: &[&dyn Dpif],
    info: &dyn PortInfo,
) -> Result<String, String> {
    run_appctl(&Params::appctl(), cmd, args, dps, info).into_result()
}

/// [`run`] with explicit [`Params`]. Argument counts are not checked here:
/// the unixctl server checks them against [`COMMANDS`] before (as OVS's
/// does, options included).
pub fn run_appctl(
    params: &Params,
    cmd: &str,
    args: &[String],
    dps: &[&dyn Dpif],
    info: &dyn PortInfo,
) -> Reply {
    let name = cmd.strip_prefix("dpctl/").unwrap_or(cmd);
    let Some(handler) = handler(name) else {
        return Reply {
            output: vec![Chunk {
                error: true,
                text: format!("\"{cmd}\" is not a valid command"),
            }],
            failed: true,
        };
    };
    let mut opts = Options::default();
    let mut rest = args;
    let mut bad = None;
    while let Some(arg) = rest.first() {
        if let Some(long) = arg.strip_prefix("--") {
            match long {
                "statistics" => opts.statistics = true,
                "clear" => opts.clear = true,
                "may-create" => opts.may_create = true,
                "more" => opts.verbosity += 1,
                "names" => opts.names = Some(true),
                "no-names" => opts.names = Some(false),
                _ => {
                    bad = Some(format!("Unrecognized option {arg}"));
                    break;
                }
            }
        } else if arg.len() > 1 && arg.starts_with('-') {
            for c in arg.chars().skip(1) {
                match c {
                    'm' => opts.verbosity += 1,
                    's' => opts.statistics = true,
                    _ => {
                        bad = Some(format!("Unrecognized option -{c}"));
                        break;
                    }
                }
            }
            if bad.is_some() {
                break;
            }
        } else {
            break;
        }
        rest = &rest[1..];
    }
    if let Some(text) = bad {
        return Reply {
            output: vec![Chunk { error: true, text }],
            failed: true,
        };
    }
    let mut argv: Vec<&str> = vec![cmd];
    argv.extend(rest.iter().map(String::as_str));
    let mut ctx = Ctx::new(params, opts, dps, info);
    let status = handler(&mut ctx, &argv);
    Reply {
        output: ctx.out,
        failed: status.is_err(),
    }
}

/// Runs one command as the `ovs-dpctl` tool does (`dpctl_run_command`):
/// `argv[0]` is the command name, options were parsed by the tool, and
/// argument counts and `--read-only` are checked here.
pub fn run_command(
    params: &Params,
    opts: &Options,
    argv: &[String],
    dps: &[&dyn Dpif],
    info: &dyn PortInfo,
) -> Reply {
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut ctx = Ctx::new(params, *opts, dps, info);
    let status = (|| {
        let Some(&name) = argv.first() else {
            ctx.error(None, "missing command name; use --help for help");
            return Err(Failed);
        };
        let Some(&(_, _, min, max)) = COMMANDS.iter().find(|c| c.0 == name) else {
            ctx.error(
                None,
                &format!("unknown command '{name}'; use --help for help"),
            );
            return Err(Failed);
        };
        let n = argv.len() - 1;
        if n < min {
            ctx.error(
                None,
                &format!("'{name}' command requires at least {min} arguments"),
            );
            return Err(Failed);
        }
        if n > max {
            ctx.error(
                None,
                &format!("'{name}' command takes at most {max} arguments"),
            );
            return Err(Failed);
        }
        if is_read_write(name) && opts.read_only {
            ctx.error(
                None,
                &format!("'{name}' command does not work in read only mode"),
            );
            return Err(Failed);
        }
        match handler(name) {
            Some(h) => h(&mut ctx, &argv),
            None => Err(Failed),
        }
    })();
    Reply {
        output: ctx.out,
        failed: status.is_err(),
    }
}

/// The errno values dpctl reports, with glibc's `strerror` text. Named as
/// in C, so they read as OVS's code does.
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Errno {
    ENOENT,
    EBUSY,
    EEXIST,
    ENODEV,
    EINVAL,
    EFBIG,
    EOPNOTSUPP,
    EAFNOSUPPORT,
    /// Text a device or the daemon supplied.
    Text(String),
}

impl Errno {
    pub(crate) fn text(&self) -> &str {
        match self {
            Errno::ENOENT => "No such file or directory",
            Errno::EBUSY => "Device or resource busy",
            Errno::EEXIST => "File exists",
            Errno::ENODEV => "No such device",
            Errno::EINVAL => "Invalid argument",
            Errno::EFBIG => "File too large",
            Errno::EOPNOTSUPP => "Operation not supported",
            Errno::EAFNOSUPPORT => "Address family not supported by protocol",
            Errno::Text(t) => t,
        }
    }

    /// A datapath's flow error. `NotFound` is `ENOENT` for flows.
    pub(crate) fn from_flow_error(e: &DpifError) -> Errno {
        match e {
            DpifError::Exists => Errno::EEXIST,
            DpifError::NotFound => Errno::ENOENT,
            DpifError::Invalid(_) => Errno::EINVAL,
            DpifError::TableFull => Errno::EFBIG,
            DpifError::NotSupported => Errno::EOPNOTSUPP,
            DpifError::Device { message, .. } => Errno::Text(message.clone()),
            other => Errno::Text(other.to_string()),
        }
    }

    /// A datapath's port error: the datapaths say `ENODEV` for a missing
    /// port.
    pub(crate) fn from_port_error(e: &DpifError) -> Errno {
        match e {
            DpifError::NotFound => Errno::ENODEV,
            other => Errno::from_flow_error(other),
        }
    }
}

/// A command's run: what it may touch, and what it printed.
pub(crate) struct Ctx<'a> {
    pub(crate) params: &'a Params,
    pub(crate) opts: Options,
    /// `--names`, resolved: names by default with `-m`.
    pub(crate) names: bool,
    dps: &'a [&'a dyn Dpif],
    pub(crate) info: &'a dyn PortInfo,
    pub(crate) out: Vec<Chunk>,
}

impl<'a> Ctx<'a> {
    fn new(
        params: &'a Params,
        opts: Options,
        dps: &'a [&'a dyn Dpif],
        info: &'a dyn PortInfo,
    ) -> Ctx<'a> {
        Ctx {
            params,
            opts,
            names: opts.names.unwrap_or(opts.verbosity > 0),
            dps,
            info,
            out: Vec::new(),
        }
    }

    /// `dpctl_print`.
    pub(crate) fn print(&mut self, text: &str) {
        self.out.push(Chunk {
            error: false,
            text: text.to_string(),
        });
    }

    /// `dpctl_error`: `program: message[ (strerror)]\n`.
    pub(crate) fn error(&mut self, errno: Option<&Errno>, message: &str) {
        let mut text = format!("{}: {message}", self.params.program_name);
        if let Some(e) = errno {
            text.push_str(" (");
            text.push_str(e.text());
            text.push(')');
        }
        text.push('\n');
        self.out.push(Chunk { error: true, text });
    }

    /// Every datapath, ordered by type, then name.
    pub(crate) fn all_dps(&self) -> Vec<&'a dyn Dpif> {
        let mut v: Vec<&'a dyn Dpif> = self.dps.to_vec();
        v.sort_by(|a, b| (a.dp_type(), a.name()).cmp(&(b.dp_type(), b.name())));
        v
    }

    fn type_known(&self, dp_type: &str) -> bool {
        self.params.dp_types.iter().any(|t| t == dp_type)
            || self.dps.iter().any(|d| d.dp_type() == dp_type)
    }

    /// `dp_exists`: `arg` names an open datapath.
    pub(crate) fn dp_exists(&self, arg: &str) -> bool {
        let (dp_type, name) = parse_dp_name(arg);
        self.dps
            .iter()
            .any(|d| d.dp_type() == dp_type && d.name() == name)
    }

    /// `parsed_dpif_open`: the datapath `arg` names, or why there is none.
    pub(crate) fn open(&self, arg: &str) -> Result<&'a dyn Dpif, Errno> {
        let (dp_type, name) = parse_dp_name(arg);
        if let Some(d) = self
            .dps
            .iter()
            .find(|d| d.dp_type() == dp_type && d.name() == name)
        {
            return Ok(*d);
        }
        Err(self.missing_dp_errno(dp_type))
    }

    /// Why a datapath of `dp_type` that is not open cannot be opened.
    pub(crate) fn missing_dp_errno(&self, dp_type: &str) -> Errno {
        if !self.type_known(dp_type) {
            Errno::EAFNOSUPPORT
        } else if dp_type == "system" && !self.dps.iter().any(|d| d.dp_type() == "system") {
            Errno::ENOENT
        } else {
            Errno::ENODEV
        }
    }

    /// `get_one_dp`: the only datapath's full name, if there is exactly
    /// one.
    fn one_dp(&mut self) -> Option<String> {
        match self.dps {
            [] => {
                self.error(None, "no datapaths exist");
                None
            }
            [one] => Some(dpif_name(*one)),
            _ => {
                self.error(None, "multiple datapaths, specify one");
                None
            }
        }
    }

    /// `opt_dpif_open`: the datapath in `argv[1]` if it names one, else
    /// the only datapath unless the command has all `max_args` words.
    pub(crate) fn opt_open(
        &mut self,
        argv: &[&str],
        max_args: usize,
    ) -> Result<&'a dyn Dpif, Failed> {
        let name = if argv.len() > 1 && self.dp_exists(argv[1]) {
            Some(argv[1].to_string())
        } else if argv.len() != max_args {
            self.one_dp()
        } else {
            None
        };
        let Some(name) = name else {
            self.error(Some(&Errno::EINVAL), "datapath not found");
            return Err(Failed);
        };
        match self.open(&name) {
            Ok(d) => Ok(d),
            Err(e) => {
                self.error(Some(&e), "opening datapath");
                Err(Failed)
            }
        }
    }

    /// Port number to name, for `--names`.
    pub(crate) fn port_names(&self, dp: &dyn Dpif) -> Option<BTreeMap<u32, String>> {
        self.names.then(|| {
            dp.ports()
                .into_iter()
                .map(|p| (p.port_no.0, p.name))
                .collect()
        })
    }
}

/// `dp_parse_name`: `type@name`, or `name` of type `system`.
pub fn parse_dp_name(arg: &str) -> (&str, &str) {
    match arg.split_once('@') {
        Some((dp_type, name)) => (dp_type, name),
        None => ("system", arg),
    }
}

/// `dpif_name`: `type@name`.
pub fn dpif_name(dp: &dyn Dpif) -> String {
    format!("{}@{}", dp.dp_type(), dp.name())
}

/// `dpctl/list-commands`.
fn list_commands(ctx: &mut Ctx<'_>, _argv: &[&str]) -> Status {
    let prefix = if ctx.params.is_appctl { "dpctl/" } else { "" };
    let mut text = String::from("The available commands are:\n");
    for (name, usage, _, _) in COMMANDS {
        text.push_str(&format!("  {prefix}{name:<23} {usage}\n"));
    }
    ctx.print(&text);
    Ok(())
}
