//! Datapaths and their ports: `show`, `dump-dps`, `add-dp`, `del-dp`,
//! `add-if`, `del-if`, `set-if`.

use std::collections::BTreeMap;
use std::fmt::Write;

use ovs_dpif::{Dpif, OdpPort, PortSpec};

use crate::{Ctx, Errno, Failed, PortStats, Status, dpif_name};

/// `dps_for_each`: every datapath, in type then name order (OVS walks its
/// hash tables; with one datapath per type, as switches have, the order is
/// the same).
fn for_each_dp(ctx: &mut Ctx<'_>, f: fn(&mut Ctx<'_>, &dyn Dpif)) -> Status {
    for dp in ctx.all_dps() {
        f(ctx, dp);
    }
    Ok(())
}

/// `dpctl/dump-dps`.
pub(crate) fn dump_dps(ctx: &mut Ctx<'_>, _argv: &[&str]) -> Status {
    for_each_dp(ctx, |ctx, dp| {
        let line = format!("{}\n", dpif_name(dp));
        ctx.print(&line);
    })
}

/// `dpctl/show [-s] [dp...]`.
pub(crate) fn show(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    if argv.len() <= 1 {
        return for_each_dp(ctx, show_dp);
    }
    let mut status = Ok(());
    for name in &argv[1..] {
        match ctx.open(name) {
            Ok(dp) => show_dp(ctx, dp),
            Err(e) => {
                ctx.error(Some(&e), &format!("opening datapath {name} failed"));
                status = Err(Failed);
            }
        }
    }
    status
}

/// A counter, `?` if unknown.
fn stat(out: &mut String, leader: &str, value: Option<u64>) {
    out.push_str(leader);
    match value {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push('?'),
    }
}

/// ` (1.5 KiB)` and so on, for byte counts of 1 KiB and up.
fn human_size(out: &mut String, value: Option<u64>) {
    let Some(v) = value else { return };
    const KIB: u64 = 1024;
    let units = [
        (KIB * KIB * KIB * KIB, "TiB"),
        (KIB * KIB * KIB, "GiB"),
        (KIB * KIB, "MiB"),
        (KIB, "KiB"),
    ];
    if let Some((scale, unit)) = units.iter().find(|(scale, _)| v >= *scale) {
        let _ = write!(out, " ({:.1} {unit})", v as f64 / *scale as f64);
    }
}

fn port_stats(out: &mut String, s: &PortStats) {
    stat(out, "    RX packets:", s.rx_packets);
    stat(out, " errors:", s.rx_errors);
    stat(out, " dropped:", s.rx_dropped);
    stat(out, " overruns:", s.rx_over_errors);
    stat(out, " frame:", s.rx_frame_errors);
    out.push('\n');
    stat(out, "    TX packets:", s.tx_packets);
    stat(out, " errors:", s.tx_errors);
    stat(out, " dropped:", s.tx_dropped);
    stat(out, " aborted:", s.tx_aborted_errors);
    stat(out, " carrier:", s.tx_carrier_errors);
    out.push('\n');
    stat(out, "    collisions:", s.collisions);
    out.push('\n');
    stat(out, "    RX bytes:", s.rx_bytes);
    human_size(out, s.rx_bytes);
    stat(out, "  TX bytes:", s.tx_bytes);
    human_size(out, s.tx_bytes);
    out.push('\n');
}

/// `show_dpif`.
fn show_dp(ctx: &mut Ctx<'_>, dp: &dyn Dpif) {
    let full = dpif_name(dp);
    let mut out = format!("{full}:\n");
    let st = dp.stats();
    let _ = write!(
        out,
        "  lookups: hit:{} missed:{} lost:{}\n  flows: {}\n",
        st.n_hit, st.n_missed, st.n_lost, st.n_flows
    );
    if let Some(n_masks) = st.n_masks {
        let n_pkts = st.n_hit.wrapping_add(st.n_missed);
        let mask_hit = st.n_mask_hit.unwrap_or(u64::MAX);
        let avg = if n_pkts != 0 {
            mask_hit as f64 / n_pkts as f64
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "  masks: hit:{mask_hit} total:{n_masks} hit/pkt:{avg:.2}"
        );
        if let Some(cache_hit) = st.n_cache_hit {
            let rate = if n_pkts != 0 {
                cache_hit as f64 / n_pkts as f64 * 100.0
            } else {
                0.0
            };
            let _ = writeln!(out, "  cache: hit:{cache_hit} hit-rate:{rate:.2}%");
        }
    }
    let mut ports = dp.ports();
    ports.sort_by_key(|p| p.port_no);
    for port in ports {
        let _ = write!(out, "  port {}: {}", port.port_no.0, port.name);
        if port.port_type != "system" {
            let _ = write!(out, " ({}", port.port_type);
            match ctx.info.config(&full, &port.name) {
                Ok(config) => {
                    for (i, (k, v)) in config.iter().enumerate() {
                        let sep = if i == 0 { ':' } else { ',' };
                        let _ = write!(out, "{sep} {k}={v}");
                    }
                }
                Err(e) => {
                    let _ = write!(out, ", could not retrieve configuration ({e})");
                }
            }
            out.push(')');
        }
        out.push('\n');
        if ctx.opts.statistics {
            match ctx.info.stats(&full, &port.name) {
                Ok(s) => port_stats(&mut out, &s),
                // OVS prints this after the port line's newline.
                Err(e) => {
                    let _ = write!(out, ", could not retrieve stats ({e})");
                }
            }
        }
    }
    ctx.print(&out);
}

/// `dpctl/add-dp dp [iface...]`. The [`Dpif`] trait cannot create
/// datapaths: an existing one is `File exists` and a new one `Operation
/// not supported`.
pub(crate) fn add_dp(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let arg = argv.get(1).copied().unwrap_or("");
    let errno = match ctx.open(arg) {
        Ok(_) => Errno::EEXIST,
        Err(Errno::ENODEV) => Errno::EOPNOTSUPP,
        Err(e) => e,
    };
    ctx.error(Some(&errno), "add_dp");
    Err(Failed)
}

/// `dpctl/del-dp dp`. The [`Dpif`] trait cannot delete datapaths.
pub(crate) fn del_dp(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let arg = argv.get(1).copied().unwrap_or("");
    match ctx.open(arg) {
        Ok(_) => ctx.error(Some(&Errno::EOPNOTSUPP), "del_dp"),
        Err(e) => ctx.error(Some(&e), "opening datapath"),
    }
    Err(Failed)
}

/// C's `atoi`: leading blanks, a sign, digits; anything else stops it.
fn atoi(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for d in digits.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    let v = if neg { -v } else { v };
    // atoi returns an int.
    v as i32 as i64
}

/// An interface argument, `name[,key=value...]`, split as OVS's
/// `strtok_r` does: empty pieces vanish.
struct IfaceArg<'s> {
    name: Option<&'s str>,
    options: Vec<(&'s str, &'s str)>,
}

fn parse_iface(arg: &str) -> IfaceArg<'_> {
    let mut pieces = arg.split(',').filter(|p| !p.is_empty());
    let name = pieces.next();
    let options = pieces
        .map(|opt| {
            let opt = opt.trim_start_matches('=');
            match opt.split_once('=') {
                Some((k, v)) => (k, v),
                None => (opt, ""),
            }
        })
        .collect();
    IfaceArg { name, options }
}

/// `dpctl/add-if dp iface[,type=T][,port_no=N][,key=value]...`.
pub(crate) fn add_if(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let dp_arg = argv.get(1).copied().unwrap_or("");
    let dp = match ctx.open(dp_arg) {
        Ok(dp) => dp,
        Err(e) => {
            ctx.error(Some(&e), "opening datapath");
            return Err(Failed);
        }
    };
    let mut status = Ok(());
    for arg in argv.iter().skip(2) {
        let iface = parse_iface(arg);
        let Some(name) = iface.name else {
            ctx.error(None, &format!("{arg} is not a valid network device name"));
            status = Err(Failed);
            continue;
        };
        let mut port_type = "system";
        let mut requested = None;
        let mut options = BTreeMap::new();
        for (k, v) in iface.options {
            match k {
                "type" => port_type = v,
                "port_no" => requested = Some(OdpPort(atoi(v) as u32)),
                _ => {
                    if options.contains_key(k) {
                        ctx.error(None, &format!("duplicate \"{k}\" option"));
                    } else {
                        options.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        // OVS opens the device first: a device by that name of another
        // type is already open.
        if let Ok(existing) = dp.port_by_name(name)
            && existing.port_type != port_type
        {
            ctx.error(
                Some(&Errno::EEXIST),
                &format!("{name}: failed to open network device"),
            );
            status = Err(Failed);
            continue;
        }
        if let Some(no) = requested
            && dp.port_by_number(no).is_ok()
        {
            ctx.error(
                Some(&Errno::EBUSY),
                &format!("adding {name} to {dp_arg} failed"),
            );
            status = Err(Failed);
            continue;
        }
        let spec = PortSpec {
            name: name.to_string(),
            port_type: port_type.to_string(),
            options,
        };
        if let Err(e) = dp.port_add(&spec, requested) {
            let errno = Errno::from_port_error(&e);
            let what = match e {
                ovs_dpif::DpifError::Device { .. } => {
                    format!("{name}: failed to open network device")
                }
                _ => format!("adding {name} to {dp_arg} failed"),
            };
            ctx.error(Some(&errno), &what);
            status = Err(Failed);
        }
    }
    status
}

/// `dpctl/del-if dp iface...`: by name, or by number if all digits.
pub(crate) fn del_if(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let dp_arg = argv.get(1).copied().unwrap_or("");
    let dp = match ctx.open(dp_arg) {
        Ok(dp) => dp,
        Err(e) => {
            ctx.error(Some(&e), "opening datapath");
            return Err(Failed);
        }
    };
    let mut status = Ok(());
    for name in argv.iter().skip(2) {
        let port = if name.bytes().all(|b| b.is_ascii_digit()) {
            OdpPort(atoi(name) as u32)
        } else {
            match dp.port_by_name(name) {
                Ok(p) => p.port_no,
                Err(_) => {
                    ctx.error(None, &format!("no port named {name}"));
                    status = Err(Failed);
                    continue;
                }
            }
        };
        if let Err(e) = dp.port_del(port) {
            ctx.error(
                Some(&Errno::from_port_error(&e)),
                &format!("deleting port {name} from {dp_arg} failed"),
            );
            status = Err(Failed);
        }
    }
    status
}

/// `dpctl/set-if dp iface,key=value...`: changes a device's
/// configuration through [`crate::PortInfo::set_config`]; an empty value
/// removes the key; the type and port number cannot change.
pub(crate) fn set_if(ctx: &mut Ctx<'_>, argv: &[&str]) -> Status {
    let dp_arg = argv.get(1).copied().unwrap_or("");
    let dp = match ctx.open(dp_arg) {
        Ok(dp) => dp,
        Err(e) => {
            ctx.error(Some(&e), "opening datapath");
            return Err(Failed);
        }
    };
    let full = dpif_name(dp);
    let mut status = Ok(());
    for arg in argv.iter().skip(2) {
        let iface = parse_iface(arg);
        let Some(name) = iface.name else {
            // OVS reports this but does not count it as a failure.
            ctx.error(None, &format!("{arg} is not a valid network device name"));
            continue;
        };
        let port = match dp.port_by_name(name) {
            Ok(p) => p,
            Err(e) => {
                ctx.error(
                    Some(&Errno::from_port_error(&e)),
                    &format!("{name}: failed to query port in {dp_arg}"),
                );
                status = Err(Failed);
                continue;
            }
        };
        let mut config = match ctx.info.config(&full, name) {
            Ok(c) => c,
            Err(e) => {
                ctx.error(
                    Some(&Errno::Text(e)),
                    &format!("{name}: failed to fetch configuration"),
                );
                status = Err(Failed);
                continue;
            }
        };
        let mut bad = false;
        for (k, v) in iface.options {
            match k {
                "type" => {
                    if v != port.port_type {
                        let t = &port.port_type;
                        ctx.error(None, &format!("{name}: can't change type from {t} to {v}"));
                        bad = true;
                        break;
                    }
                }
                "port_no" => {
                    let n = atoi(v);
                    if port.port_no.0 != n as u32 {
                        let p = port.port_no.0;
                        ctx.error(
                            None,
                            &format!("{name}: can't change port number from {p} to {n}"),
                        );
                        bad = true;
                        break;
                    }
                }
                _ if v.is_empty() => {
                    config.remove(k);
                }
                _ => {
                    config.insert(k.to_string(), v.to_string());
                }
            }
        }
        if bad {
            status = Err(Failed);
            continue;
        }
        if let Err(e) = ctx.info.set_config(&full, name, &config) {
            ctx.error(Some(&Errno::Text(e)), "Error updating configuration");
            status = Err(Failed);
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_as_c() {
        assert_eq!(atoi("12"), 12);
        assert_eq!(atoi(" -3x"), -3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi(""), 0);
    }

    #[test]
    fn iface_args_split_like_strtok() {
        let a = parse_iface(",x,,type=dummy,k=v=w,flag");
        assert_eq!(a.name, Some("x"));
        assert_eq!(
            a.options,
            vec![("type", "dummy"), ("k", "v=w"), ("flag", "")]
        );
        assert_eq!(parse_iface(",,").name, None);
    }

    #[test]
    fn human_sizes() {
        let f = |v| {
            let mut s = String::new();
            human_size(&mut s, Some(v));
            s
        };
        assert_eq!(f(1023), "");
        assert_eq!(f(1024), " (1.0 KiB)");
        assert_eq!(f(1536), " (1.5 KiB)");
        assert_eq!(f(5 * 1024 * 1024 * 1024), " (5.0 GiB)");
        assert_eq!(f(3 << 40), " (3.0 TiB)");
    }
}
