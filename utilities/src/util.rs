//! Small helpers shared by both tools: C-style error texts and directories.

use std::io;

/// The C library's `strerror` text for an I/O error (Rust's `Display` adds
/// " (os error N)", which OVS output never has).
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// OVS's `ovs_retval_to_string` for an errno value.
pub fn errno_text(errno: i32) -> String {
    strerror(&io::Error::from_raw_os_error(errno))
}

fn dir_from_env(var: &str, default: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => default.to_string(),
    }
}

/// `ovs_rundir()`.
pub fn rundir() -> String {
    dir_from_env("OVS_RUNDIR", "/var/run/openvswitch")
}

/// `ovs_dbdir()`: `$OVS_DBDIR`, else `$OVS_SYSCONFDIR/openvswitch`, else
/// the build default.
pub fn dbdir() -> String {
    match std::env::var("OVS_DBDIR") {
        Ok(v) if !v.is_empty() => v,
        _ => match std::env::var("OVS_SYSCONFDIR") {
            // OVS uses OVS_SYSCONFDIR even when it is set but empty.
            Ok(v) => format!("{v}/openvswitch"),
            Err(_) => "/etc/openvswitch".to_string(),
        },
    }
}

/// `ovs_pkgdatadir()`.
pub fn pkgdatadir() -> String {
    dir_from_env("OVS_PKGDATADIR", "/usr/share/openvswitch")
}

/// `abs_file_name(dir, name)`: `name` if already absolute, else `dir/name`.
pub fn abs_file_name(dir: &str, name: &str) -> String {
    if name.starts_with('/') {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
