//! A minimal daemon for the `--detach` integration test:
//! `detach_demo [--detach] [--no-chdir] [--fail] --pidfile=ABS --out=ABS`.
//! Once ready it writes "<pid> <session id> <cwd>" to the --out file and
//! runs until a file named "<out>.stop" appears (at most 20 s).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ovs_daemon::{DaemonOptions, Paths};

fn main() {
    let mut options = DaemonOptions::default();
    let mut out = None;
    let mut fail = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--detach" => options.detach = true,
            "--no-chdir" => options.no_chdir = true,
            "--fail" => fail = true,
            _ => {
                if let Some(p) = arg.strip_prefix("--pidfile=") {
                    options.pidfile = Some(Some(p.to_string()));
                } else if let Some(p) = arg.strip_prefix("--out=") {
                    out = Some(PathBuf::from(p));
                } else {
                    eprintln!("detach_demo: unknown argument {arg}");
                    std::process::exit(1);
                }
            }
        }
    }
    let Some(out) = out else {
        eprintln!("detach_demo: --out is required");
        std::process::exit(1);
    };
    let (detached, pidfile) = match options.start(&Paths::from_env(), "detach_demo") {
        Ok(p) => p,
        Err(e) => {
            eprintln!("detach_demo: {e}");
            std::process::exit(1);
        }
    };
    if fail {
        eprintln!("detach_demo: failing on purpose");
        // process::exit skips destructors: remove the pidfile first.
        drop(pidfile);
        std::process::exit(3);
    }
    println!("starting up");
    // An unfinished line must not hide the readiness signal.
    print!("unfinished ");
    if let Some(detached) = detached {
        detached.notify_ready();
    }
    println!("this goes to /dev/null when detached");

    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Field 6 is the session id; the command name in field 2 has no spaces.
    let sid = stat.split_whitespace().nth(5).unwrap_or("?").to_string();
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let _ = std::fs::write(&out, format!("{} {sid} {cwd}\n", std::process::id()));

    let mut stop = out.into_os_string();
    stop.push(".stop");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::path::Path::new(&stop).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(pidfile);
}
