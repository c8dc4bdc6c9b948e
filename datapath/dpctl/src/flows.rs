//! Datapath flows: `dump-flows`, `add-flow`, `mod-flow`, `get-flow`,
//! `del-flow`, `add-flows`, `mod-flows`, `del-flows`, and the two
//! commands without a datapath-side state here, `dump-conntrack` and
//! `parse-actions`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use ovs_dpif::{DpFlow, Dpif, DpifError, FlowPut, FlowStats, NON_PMD_CORE_ID, PutMode};
use ovs_odp::{
    format_actions_with_names, format_key_with_names, key_from_flow, key_to_flow, mask_from_flow,
    mask_to_flow, parse_key_with_names,
};

use crate::filter::Filter;
use crate::{Ctx, Errno, Failed, Status, format_ufid, parse_ufid, ufid_from_key};

/// `dpif_flow_stats_format`: `packets:N, bytes:N, used:X.XXXs|never[,
/// flags:...]`, `used` counted back from the datapath's clock.
pub(crate) fn format_stats(out: &mut String, s: &FlowStats, now_ms: u64) {
    let _ = write!(out, "packets:{}, bytes:{}, used:", s.n_packets, s.n_bytes);
    match s.used {
        // OVS keeps 0 for "never"; a flow used at time 0 reads the same.
        Some(used) if used != 0 => {
            let ago = (i128::from(now_ms) - i128::from(used)) as f64 / 1000.0;
            let _ = write!(out, "{ago:.3}s");
        }
        _ => out.push_str("never"),
    }
    if s.tcp_flags != 0 {
        out.push_str(", flags:");
        format_tcp_flags(out, s.tcp_flags);
    }
}

/// `packet_format_tcp_flags`: tcpdump's letters.
fn format_tcp_flags(out: &mut String, flags: u16) {
    const LETTERS: [(u16, &str); 12] = [
        (0x002, "S"),
        (0x001, "F"),
        (0x008, "P"),
        (0x004, "R"),
        (0x020, "U"),
        (0x010, "."),
        (0x040, "E"),
        (0x080, "C"),
        (0x100, "N"),
        (0x200, "[200]"),
        (0x400, "[400]"),
        (0x800, "[800]"),
    ];
    for (bit, s) in LETTERS {
        if flags & bit != 0 {
            out.push_str(s);
        }
    }
}

/// `format_dpif_flow`: one flow as `dump-flows` and `get-flow` print it.
pub(crate) fn format_flow(
    ctx: &Ctx<'_>,
    dp: &dyn Dpif,
    f: &DpFlow,
    names: Option<&BTreeMap<u32, String>>,
) -> String {
    let verbose = ctx.opts.verbosity > 0;
    let namer = |p: u32| names.and_then(|n| n.get(&p).cloned());
    let support = &ctx.params.support;
    let mut out = String::new();
    if verbose {
        out.push_str(&format_ufid(f.ufid));
        out.push_str(", ");
    }
    let flow = f.key.unpack();
    let key = key_from_flow(&flow, Some(&f.mask), support);
    let mask = mask_from_flow(&flow, &f.mask, support);
    out.push_str(&format_key_with_names(&key, Some(&mask), verbose, &namer));
    out.push_str(", ");
    format_stats(&mut out, &f.stats, dp.now_ms());
    if verbose {
        // Both of OVS's datapaths say "ovs" for flows they run themselves
        // (only hardware offload says otherwise).
        out.push_str(", dp:ovs");
    }
    out.push_str(", actions:");
    out.push_str(&format_actions_with_names(&f.actions, &namer));
    if verbose && let Some(extra) = &f.extra_info {
        out.push_str(", dp-extra-info:");
        out.push_str(extra);
    }
    out
}

/// The `type=` list of `dump-flows`.
#[derive(Clone, Copy, Debug, Default)]
struct DumpTypes {
    ovs: bool,
    tc: bool,
    dpdk: bool,
    offloaded: bool,
    non_offloaded: bool,
    partially_offloaded: bool,
}

impl DumpTypes {
    const ALL: DumpTypes = DumpTypes {
        ovs: true,
        tc: true,
        dpdk: true,
        offloaded: true,
        non_offloaded: true,
        partially_offloaded: true,
    };

    /// Flows here are never offloaded and run in the "ovs" layer.
    fn passes(&self) -> bool {
        self.ovs || self.non_offloaded
    }
}

fn parse_dump_types(ctx: &mut Ctx<'_>, list: Option<&str>) -> Result<DumpTypes, Failed> {
    let Some(list) = list else {
        return Ok(DumpTypes::ALL);
    };
    let mut t = DumpTypes::default();
    // OVS walks comma-separated words; an empty word ends the list.
    for word in list.split(',') {
        if word.is_empty() {
            break;
        }
        match word {
            "ovs" => t.ovs = true,
            "tc" => t.tc = true,
            "dpdk" => t.dpdk = true,
            "offloaded" => t.offloaded = true,
            "non-offloaded" => t.non_offloaded = true,
            "partially-offloaded" => t.partially_offloaded = true,
            "all" => t = DumpTypes::ALL,
            _ => {
                ctx.error(
                    Some(&Errno::EINVAL),
                    &format!("Failed to parse type ({word})"),
                );
                return Err(Failed);
            }
        }
    }
    Ok(t)
}

/// `%d` as `ovs_scan` reads it: blanks, a sign, digits, then anything.
fn scan_int(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let v: i64 = digits[..n].parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// `dpctl/dump-flows [-m] [--names] [dp] [filter=..] [type=..] [pmd=..]`.
pub(crate) fn dump_flows(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let mut argc = argv.len();
    let mut filter_s: Option<&str> = None;
    let mut types_s: Option<&str> = None;
    let mut pmd_filter: Option<u32> = None;
    let mut last = 0;
    // Trailing keyword arguments, last first, as OVS takes them.
    while argc > 1 && last != argc {
        last = argc;
        let arg = argv[argc - 1];
        if let Some(f) = arg.strip_prefix("filter=").filter(|_| filter_s.is_none()) {
            filter_s = Some(f);
            argc -= 1;
        } else if let Some(t) = arg.strip_prefix("type=").filter(|_| types_s.is_none()) {
            if !ctx.params.is_appctl {
                ctx.error(
                    None,
                    "Invalid argument 'type'. Use 'ovs-appctl dpctl/dump-flows' instead.",
                );
                return Err(Failed);
            }
            types_s = Some(t);
            argc -= 1;
        } else if let Some(p) = arg.strip_prefix("pmd=") {
            argc -= 1;
            // A bad number fails without a message, as in OVS.
            let n = scan_int(p).ok_or(Failed)?;
            pmd_filter = Some(if n == -1 { NON_PMD_CORE_ID } else { n as u32 });
        }
    }
    let argv = &argv[..argc];
    let dp = ctx.opt_open(argv, 2)?;
    let names = ctx.port_names(dp);

    let filter = match filter_s {
        Some(s) => {
            let ports: Vec<(String, u32)> = dp
                .ports()
                .into_iter()
                .map(|p| (p.name, p.port_no.0))
                .collect();
            match Filter::parse(s, &ports) {
                Ok(f) => Some(f),
                Err(e) => {
                    ctx.error(None, &format!("Failed to parse filter ({e})"));
                    return Err(Failed);
                }
            }
        }
        None => None,
    };
    let types = parse_dump_types(ctx, types_s)?;

    let mut flows = Vec::new();
    dp.flow_dump(&mut |f| {
        flows.push(f.clone());
        true
    });
    // The poll thread whose flows are being printed; `None` is OVS's
    // PMD_ID_NULL (datapaths without poll threads).
    let mut current: Option<u32> = pmd_filter;
    for f in &flows {
        if let Some(filter) = &filter
            && !filter.matches(&f.key.unpack(), &f.mask)
        {
            continue;
        }
        let mut text = String::new();
        if pmd_filter.is_none() && current != f.pmd_id {
            match f.pmd_id {
                Some(NON_PMD_CORE_ID) => text.push_str("flow-dump from the main thread:\n"),
                Some(id) => {
                    let _ = writeln!(text, "flow-dump from pmd on cpu core: {}", id as i32);
                }
                // A flow without a thread after flows with one: OVS's
                // PMD_ID_NULL is INT_MAX, printed as such.
                None => {
                    let _ = writeln!(text, "flow-dump from pmd on cpu core: {}", i32::MAX);
                }
            }
            current = f.pmd_id;
        }
        if current == f.pmd_id && types.passes() {
            text.push_str(&format_flow(ctx, dp, f, names.as_ref()));
            text.push('\n');
            ctx.print(&text);
        }
    }
    Ok(())
}

/// Port name to number, for keys written with names.
fn name_lookup(dp: &dyn Dpif) -> BTreeMap<String, u32> {
    dp.ports()
        .into_iter()
        .map(|p| (p.name, p.port_no.0))
        .collect()
}

/// `dpctl_put_flow_dpif`.
fn put_flow(
    ctx: &mut Ctx<'_>,
    dp: &dyn Dpif,
    key_s: &str,
    actions_s: &str,
    mode: PutMode,
    zero_stats: bool,
) -> Status {
    let (ufid, key_s) = match parse_ufid(key_s) {
        Ok(Some((u, n))) => (Some(u), &key_s[n..]),
        Ok(None) => (None, key_s),
        Err(()) => {
            ctx.error(Some(&Errno::EINVAL), "parsing flow ufid");
            return Err(Failed);
        }
    };
    let ports = name_lookup(dp);
    let lookup = |name: &str| ports.get(name).copied();
    let (key, mask) = match parse_key_with_names(key_s, &lookup) {
        Ok(km) => km,
        Err(e) => {
            ctx.error(Some(&Errno::EINVAL), &format!("parsing flow key ({e})"));
            return Err(Failed);
        }
    };
    // OVS reads actions without port names.
    let actions = match ovs_odp::parse_actions(actions_s) {
        Ok(a) => a,
        Err(_) => {
            ctx.error(Some(&Errno::EINVAL), "parsing actions");
            return Err(Failed);
        }
    };
    let ufid = ufid.unwrap_or_else(|| ufid_from_key(&key));
    let support = ctx.params.support;
    // The datapath converts the key in OVS, and a key that does not
    // convert is its EINVAL.
    let converted = key_to_flow(&key, &support).and_then(|flow| {
        let m = mask_to_flow(&mask, &key, &flow, &support)?;
        Ok((flow, m))
    });
    let result = match converted {
        Ok((flow, flow_mask)) => dp.flow_put(FlowPut {
            ufid,
            key: flow,
            mask: flow_mask,
            actions: Arc::from(actions),
            mode,
            zero_stats,
        }),
        Err(e) => Err(DpifError::Invalid(e.to_string())),
    };
    match result {
        Ok(stats) => {
            if ctx.opts.statistics {
                let mut s = String::new();
                format_stats(&mut s, &stats.unwrap_or_default(), dp.now_ms());
                s.push('\n');
                ctx.print(&s);
            }
            Ok(())
        }
        Err(e) => {
            ctx.error(Some(&Errno::from_flow_error(&e)), "updating flow table");
            Err(Failed)
        }
    }
}

fn put_cmd(ctx: &mut Ctx<'_>, argv: &[&str], mode: PutMode, zero_stats: bool) -> Status {
    let dp = ctx.opt_open(argv, 4)?;
    let n = argv.len();
    if n < 3 {
        ctx.error(Some(&Errno::EINVAL), "parsing flow key (missing flow)");
        return Err(Failed);
    }
    put_flow(ctx, dp, argv[n - 2], argv[n - 1], mode, zero_stats)
}

/// `dpctl/add-flow [dp] flow actions`.
pub(crate) fn add_flow(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    put_cmd(ctx, argv, PutMode::Create, false)
}

/// `dpctl/mod-flow [--may-create] [--clear] [dp] flow actions`.
pub(crate) fn mod_flow(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let mode = if ctx.opts.may_create {
        PutMode::CreateOrModify
    } else {
        PutMode::Modify
    };
    let clear = ctx.opts.clear;
    put_cmd(ctx, argv, mode, clear)
}

/// `dpctl/get-flow [dp] ufid`.
pub(crate) fn get_flow(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let dp = ctx.opt_open(argv, 3)?;
    let names = ctx.port_names(dp);
    let key_s = argv.last().copied().unwrap_or("");
    // A missing or bad ufid is reported, but OVS's command still succeeds.
    let ufid = match parse_ufid(key_s) {
        Ok(Some((u, _))) => u,
        Ok(None) => {
            ctx.error(None, "parsing flow ufid");
            return Ok(());
        }
        Err(()) => {
            ctx.error(Some(&Errno::EINVAL), "parsing flow ufid");
            return Ok(());
        }
    };
    match dp.flow_get(ufid) {
        Ok(f) => {
            let mut text = format_flow(ctx, dp, &f, names.as_ref());
            text.push('\n');
            ctx.print(&text);
            Ok(())
        }
        Err(e) => {
            ctx.error(Some(&Errno::from_flow_error(&e)), "getting flow");
            Err(Failed)
        }
    }
}

/// `dpctl_del_flow_dpif`.
fn del_flow_dp(ctx: &mut Ctx<'_>, dp: &dyn Dpif, key_s: &str) -> Status {
    let (ufid, key_s) = match parse_ufid(key_s) {
        Ok(Some((u, n))) => (Some(u), &key_s[n..]),
        Ok(None) => (None, key_s),
        Err(()) => {
            ctx.error(Some(&Errno::EINVAL), "parsing flow ufid");
            return Err(Failed);
        }
    };
    let ports = name_lookup(dp);
    let lookup = |name: &str| ports.get(name).copied();
    let key = match parse_key_with_names(key_s, &lookup) {
        Ok((key, _)) => key,
        Err(e) => {
            ctx.error(Some(&Errno::EINVAL), &e.to_string());
            return Err(Failed);
        }
    };
    let ufid = ufid.unwrap_or_else(|| ufid_from_key(&key));
    match dp.flow_del(ufid) {
        Ok(stats) => {
            if ctx.opts.statistics {
                let mut s = String::new();
                format_stats(&mut s, &stats, dp.now_ms());
                s.push('\n');
                ctx.print(&s);
            }
            Ok(())
        }
        Err(e) => {
            let errno = Errno::from_flow_error(&e);
            ctx.error(Some(&errno), "deleting flow");
            // OVS means to give this hint only for a ufid it made up, but
            // reads an uninitialized flag when one was given: OVS 3.1 as
            // built by Debian prints it for any missing flow.
            if errno == Errno::ENOENT {
                ctx.print("Perhaps you need to specify a UFID?\n");
            }
            Err(Failed)
        }
    }
}

/// `dpctl/del-flow [dp] flow`.
pub(crate) fn del_flow(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let dp = ctx.opt_open(argv, 3)?;
    let key_s = argv.last().copied().unwrap_or("");
    del_flow_dp(ctx, dp, key_s)
}

/// `dpctl/del-flows [dp] [file]`: without a file, flushes the datapath.
pub(crate) fn del_flows(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let argc = argv.len();
    let dp_arg = argc > 1 && ctx.dp_exists(argv[1]);
    if (!dp_arg && argc == 2) || argc > 2 {
        return process_flows(ctx, argv);
    }
    let dp = ctx.opt_open(argv, 2)?;
    dp.flow_flush();
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineCommand {
    Add,
    Modify,
    Delete,
}

/// `dpctl_parse_flow_line`: `[add|modify|delete] flow [actions]`, where a
/// first word that is a prefix of a command name (even an empty one) is
/// that command, as OVS's `strncmp` makes it.
fn parse_flow_line(default: LineCommand, line: &str) -> (LineCommand, Option<&str>, Option<&str>) {
    const BLANKS: [char; 4] = [' ', '\t', '\r', '\n'];
    let line = line.trim_start_matches(BLANKS);
    let len = line
        .find([',', ' ', '\t', '\r', '\n'])
        .unwrap_or(line.len());
    let word = &line[..len];
    let (cmd, line) = if "add".starts_with(word) {
        (LineCommand::Add, &line[len..])
    } else if "delete".starts_with(word) {
        (LineCommand::Delete, &line[len..])
    } else if "modify".starts_with(word) {
        (LineCommand::Modify, &line[len..])
    } else {
        (default, line)
    };
    let line = line.trim_start_matches(BLANKS);
    let len = line.find(BLANKS).unwrap_or(line.len());
    if len == 0 {
        return (cmd, None, None);
    }
    let flow = &line[..len];
    let rest = line[len..].trim_start_matches(BLANKS);
    (cmd, Some(flow), (!rest.is_empty()).then_some(rest))
}

/// `dpctl/add-flows`, `dpctl/mod-flows`, `dpctl/del-flows` with a file:
/// one flow per line. Like OVS, it reports bad lines and failed flows
/// but always succeeds, even when the file cannot be read.
pub(crate) fn process_flows(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let default = if argv[0].contains("mod-flows") {
        LineCommand::Modify
    } else if argv[0].contains("del-flows") {
        LineCommand::Delete
    } else {
        LineCommand::Add
    };
    let dp = ctx.opt_open(argv, 4)?;
    let file_name = argv.last().copied().unwrap_or("");
    let text = match ctx.info.read_file(file_name) {
        Ok(t) => t,
        Err(e) => {
            ctx.error(
                Some(&Errno::Text(e)),
                &format!("Opening file \"{file_name}\" failed"),
            );
            return Ok(());
        }
    };
    // A final line without a newline still counts.
    for (i, raw) in text.split_terminator('\n').enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        if line.trim_start_matches([' ', '\t', '\n']).is_empty() {
            continue;
        }
        let (cmd, flow, actions) = parse_flow_line(default, line);
        match (cmd, flow, actions) {
            (LineCommand::Add, Some(f), Some(a)) => {
                let _ = put_flow(ctx, dp, f, a, PutMode::Create, false);
            }
            (LineCommand::Modify, Some(f), Some(a)) => {
                let _ = put_flow(ctx, dp, f, a, PutMode::Modify, false);
            }
            (LineCommand::Delete, Some(f), None) => {
                let _ = del_flow_dp(ctx, dp, f);
            }
            _ => ctx.error(
                None,
                &format!("Failed parsing line number {}, skipped!", i + 1),
            ),
        }
    }
    Ok(())
}

/// `dpctl/dump-conntrack [-m] [-s] [dp] [zone=N]`. No datapath behind the
/// [`Dpif`] trait tracks connections yet, so the dump is always empty.
pub(crate) fn dump_conntrack(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let mut argc = argv.len();
    if argc > 1
        && let Some(z) = argv[argc - 1].strip_prefix("zone=")
        && scan_int(z).is_some_and(|n| (0..=i64::from(u16::MAX)).contains(&n))
    {
        argc -= 1;
    }
    ctx.opt_open(&argv[..argc], 2)?;
    Ok(())
}

/// `dpctl/parse-actions actions...`: each argument parsed and printed
/// back.
pub(crate) fn parse_actions(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    for s in argv.iter().skip(1) {
        match ovs_odp::parse_actions(s) {
            Ok(a) => {
                let mut text = ovs_odp::format_actions(&a);
                text.push('\n');
                ctx.print(&text);
            }
            Err(_) => {
                ctx.error(Some(&Errno::EINVAL), "odp_actions_from_string");
                return Err(Failed);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_flags_like_tcpdump() {
        let mut s = String::new();
        format_tcp_flags(&mut s, 0x1ff);
        assert_eq!(s, "SFPRU.ECN");
        s.clear();
        format_tcp_flags(&mut s, 0x012);
        assert_eq!(s, "S.");
        s.clear();
        format_tcp_flags(&mut s, 0xe00);
        assert_eq!(s, "[200][400][800]");
    }

    #[test]
    fn stats_text() {
        let mut s = String::new();
        format_stats(&mut s, &FlowStats::default(), 5000);
        assert_eq!(s, "packets:0, bytes:0, used:never");
        s.clear();
        let st = FlowStats {
            n_packets: 2,
            n_bytes: 108,
            used: Some(4792),
            tcp_flags: 0x1ff,
        };
        format_stats(&mut s, &st, 5000);
        assert_eq!(s, "packets:2, bytes:108, used:0.208s, flags:SFPRU.ECN");
    }

    #[test]
    fn flow_lines() {
        use LineCommand::*;
        assert_eq!(
            parse_flow_line(Add, "in_port(1) 2"),
            (Add, Some("in_port(1)"), Some("2"))
        );
        assert_eq!(
            parse_flow_line(Add, "  delete in_port(1)"),
            (Delete, Some("in_port(1)"), None)
        );
        assert_eq!(
            parse_flow_line(Add, "mod in_port(1) 2,3  "),
            (Modify, Some("in_port(1)"), Some("2,3  "))
        );
        // "in_port(1)" is no command word: the default command applies.
        assert_eq!(
            parse_flow_line(Delete, "in_port(1)"),
            (Delete, Some("in_port(1)"), None)
        );
        assert_eq!(parse_flow_line(Add, "add"), (Add, None, None));
    }

    #[test]
    fn scan_int_like_ovs_scan() {
        assert_eq!(scan_int("-1"), Some(-1));
        assert_eq!(scan_int("3x"), Some(3));
        assert_eq!(scan_int("x"), None);
        assert_eq!(scan_int(""), None);
    }
}
