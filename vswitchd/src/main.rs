//! `ovs-vswitchd`: the switch daemon, a drop-in for Open vSwitch's daemon of
//! the same name. It follows the Open_vSwitch database as an OVSDB client,
//! turns Bridge/Port/Interface rows into bridges and ports, and serves
//! OpenFlow on each bridge's management socket and controller connections.
//!
//! ```text
//!   main thread: start-up, then a single-threaded tokio runtime
//!     core task ........ bridges, ofprotos, OpenFlow sessions, unixctl
//!     idl task ......... the OVSDB connection (ovsdb-idl driver)
//!     ofconn tasks ..... per OpenFlow listener/connector, and per
//!                        connection a reader and a writer
//!     unixctl task ..... ovs-appctl requests, forwarded to the core
//!   per datapath type:
//!     pmd-main ......... the userspace datapath's poll thread; misses are
//!                        translated there against the published snapshot
//!     revalidator ...... datapath flow statistics, aging, re-translation
//! ```

mod bridge;
mod core;
mod datapath;
mod dbconfig;
mod dp_appctl;
mod dummy;
mod netdev;
mod ofconn;
mod options;
mod xlate_glue;

use std::path::PathBuf;

use anyhow::{Context, Result};
use ovs_daemon::Paths;

use crate::options::Options;

const PROGRAM: &str = "ovs-vswitchd";
/// The OVS release whose behaviour this daemon reproduces.
pub const OVS_VERSION: &str = "3.1.0";

/// The process clock, ms: OpenFlow rule times and datapath `used` times
/// both count from [`ovs_dpif::clock_epoch`].
pub fn now_ms() -> u64 {
    ovs_dpif::clock_epoch().elapsed().as_millis() as u64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            std::process::exit(1);
        }
    };
    if opts.help {
        print_usage();
        return;
    }
    if opts.version {
        println!("{PROGRAM} (Open vSwitch) {OVS_VERSION}");
        println!("ovs-rs {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if let Err(e) = run(opts) {
        eprintln!("{PROGRAM}: {e:#}");
        std::process::exit(1);
    }
}

fn print_usage() {
    println!(
        "{PROGRAM}: Open vSwitch daemon (ovs-rs)
usage: {PROGRAM} [OPTIONS] [DATABASE]
where DATABASE is a socket on which ovsdb-server is listening
      (default: \"unix:<rundir>/db.sock\").

Other options:
  --unixctl=SOCKET          override default control socket name
  --enable-dummy[=override] enable dummy datapath and netdev types
  --disable-system          disable the system (kernel) datapath
  --mlockall                accepted; memory is not locked
  -h, --help                display this help message
  -V, --version             display version information

Daemon options:
  --detach                run in background as daemon
  --no-chdir              do not chdir to '/'
  --pidfile[=FILE]        create pidfile
  --overwrite-pidfile     with --pidfile, start even if already running

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE"
    );
}

fn run(opts: Options) -> Result<()> {
    let paths = Paths::from_env();
    let detached =
        ovs_daemon::detach_if_requested(opts.detach, !opts.no_chdir).context("could not detach")?;
    let mut vlog = ovs_vlog::Config::new(PROGRAM, &paths.logdir);
    if detached.is_some() {
        vlog.verbose(Some("console:off"))
            .map_err(anyhow::Error::msg)?;
    }
    for spec in &opts.verbose {
        vlog.verbose(spec.as_deref()).map_err(anyhow::Error::msg)?;
    }
    if let Some(file) = &opts.log_file {
        vlog.log_file(file.as_deref());
    }
    ovs_vlog::init(vlog).map_err(anyhow::Error::msg)?;

    let _pidfile = match &opts.pidfile {
        Some(name) => Some(
            ovs_daemon::Pidfile::create(&paths, PROGRAM, name.as_deref(), opts.overwrite_pidfile)
                .context("could not create pidfile")?,
        ),
        None => None,
    };
    let unixctl_path = match &opts.unixctl {
        Some(p) if p.contains('/') => PathBuf::from(p),
        Some(p) => paths.rundir.join(p),
        None => ovs_unixctl::default_path(&paths.rundir, PROGRAM),
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start runtime")?;
    runtime.block_on(core::serve(opts, paths, unixctl_path, detached))
}
