//! `ovsdb-server`: serves OVSDB databases over JSON-RPC, a drop-in for Open
//! vSwitch's server of the same name (same flags, sockets, files, replies).
//!
//! ```text
//!   main thread: startup, then the tokio runtime
//!     core task ........ owns every database, session, monitor, lock
//!     remote tasks ..... one listener/connector per remote target
//!     session tasks .... a reader and a writer per connection
//!     unixctl task ..... ovs-appctl requests, forwarded to the core
//! ```

mod core;
mod locks;
mod options;
mod remote;
mod schema_text;
mod server_db;
mod storage;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use ovs_daemon::Paths;
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

use crate::core::{Core, Db, Event};
use crate::options::Options;
use crate::remote::Hub;
use crate::storage::Storage;
use ovs_stream::Target;

const PROGRAM: &str = "ovsdb-server";
const LOG: &str = "ovsdb_server";
/// The OVS release whose behaviour this server reproduces.
const OVS_VERSION: &str = "3.1.0";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            eprintln!("Try `{PROGRAM} --help' for more information.");
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
        // Like OVS's ovs_fatal(): stderr only.
        eprintln!("{PROGRAM}: {e:#}");
        std::process::exit(1);
    }
}

fn print_usage() {
    println!(
        "{PROGRAM}: Open vSwitch database server (ovs-rs)
usage: {PROGRAM} [OPTIONS] [DATABASE...]
where each DATABASE is a database file in ovsdb format.

JSON-RPC options (may be specified any number of times):
  --remote=REMOTE         connect or listen to REMOTE
    (punix:FILE, ptcp:PORT[:IP], unix:FILE, tcp:HOST:PORT, db:DB,TABLE,COLUMN)

Daemon options:
  --detach                run in background as daemon
  --no-chdir              do not chdir to '/'
  --pidfile[=FILE]        create pidfile
  --overwrite-pidfile     with --pidfile, start even if already running

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE

Other options:
  --unixctl=SOCKET        override default control socket name
  -h, --help              display this help message
  -V, --version           display version information"
    );
}

fn run(opts: Options) -> Result<()> {
    let paths = Paths::from_env();
    // Detach before logging starts, so that only the daemon opens the log;
    // the parent returns only once the daemon serves.
    let detached =
        ovs_daemon::detach_if_requested(opts.detach, !opts.no_chdir).context("could not detach")?;
    let mut vlog = ovs_vlog::Config::new(PROGRAM, &paths.logdir);
    if detached.is_some() {
        // A daemon's console is the terminal it left: OVS writes nothing
        // there, and fatal start-up errors still reach it through stderr.
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

    if opts.sync_from.is_some() {
        bail!("--sync-from (replication) is not supported by this ovsdb-server");
    }
    if opts.private_key.is_some() || opts.certificate.is_some() || opts.ca_cert.is_some() {
        warn!(target: LOG, "SSL options are accepted but SSL remotes are not supported yet");
    }

    let _pidfile = match &opts.pidfile {
        Some(name) => Some(
            ovs_daemon::Pidfile::create(&paths, PROGRAM, name.as_deref(), opts.overwrite_pidfile)
                .context("could not create pidfile")?,
        ),
        None => None,
    };

    let mut files: Vec<PathBuf> = opts.databases.clone();
    if files.is_empty() && !opts.no_dbs {
        files.push(paths.dbdir.join("conf.db"));
    }
    let started = std::time::Instant::now();
    let mut dbs = BTreeMap::new();
    for file in &files {
        let opened = Storage::open(file, 0, core::jitter()).map_err(anyhow::Error::msg)?;
        let name = opened.schema.name.clone();
        if dbs.contains_key(&name) {
            bail!("{}: duplicate database name {name}", file.display());
        }
        dbs.insert(
            name,
            Db {
                schema: opened.schema,
                schema_json: opened.schema_json,
                schema_text: opened.schema_text,
                data: opened.data,
                storage: Some(opened.storage),
            },
        );
    }
    info!(target: LOG, "opened {} database(s) in {} ms", dbs.len(), started.elapsed().as_millis());

    // One thread: a request's path (read, decode, execute, reply) then has
    // no cross-thread wake-ups, which dominate a one-at-a-time client.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start runtime")?;
    let remotes: BTreeSet<String> = opts.remotes.iter().cloned().collect();
    runtime.block_on(serve(opts, paths, dbs, remotes, detached))
}

async fn serve(
    opts: Options,
    paths: Paths,
    dbs: BTreeMap<String, Db>,
    remotes: BTreeSet<String>,
    detached: Option<ovs_daemon::Detached>,
) -> Result<()> {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let hub = Hub::new(events_tx.clone());
    let mut core = Core::new(dbs, remotes);

    let unixctl_path = match &opts.unixctl {
        Some(p) if p.contains('/') => PathBuf::from(p),
        Some(p) => paths.rundir.join(p),
        None => ovs_unixctl::default_path(&paths.rundir, PROGRAM),
    };
    let version = format!("{PROGRAM} (Open vSwitch) {OVS_VERSION}");
    let (unixctl, mut unixctl_requests) = ovs_unixctl::UnixctlServer::bind(&unixctl_path, version)
        .with_context(|| format!("{}: could not bind unixctl socket", unixctl_path.display()))?;
    for (name, usage, min, max) in [
        ("exit", "", 0, 0),
        ("ovsdb-server/compact", "", 0, 1),
        ("ovsdb-server/reconnect", "", 0, 0),
        ("ovsdb-server/add-remote", "REMOTE", 1, 1),
        ("ovsdb-server/remove-remote", "REMOTE", 1, 1),
        ("ovsdb-server/list-remotes", "", 0, 0),
        ("ovsdb-server/list-dbs", "", 0, 0),
        ("memory/show", "", 0, 0),
    ]
    .into_iter()
    .chain(ovs_vlog::UNIXCTL_COMMANDS)
    {
        unixctl.register(name, usage, min, max);
    }
    let unixctl_handle = unixctl.handle();
    tokio::spawn(unixctl.run());
    let unixctl_events = events_tx.clone();
    tokio::spawn(async move {
        while let Some(req) = unixctl_requests.recv().await {
            if unixctl_events.send(Event::Unixctl(req)).is_err() {
                break;
            }
        }
    });

    let mut running: HashMap<String, watch::Sender<bool>> = HashMap::new();
    reconfigure_remotes(&mut core, &hub, &mut running).await;

    if let Some(d) = detached {
        d.notify_ready();
    }
    info!(target: LOG, "{PROGRAM} (ovs-rs) {} started", env!("CARGO_PKG_VERSION"));

    let mut compaction_check = tokio::time::interval(Duration::from_secs(5));
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    loop {
        let deadline = core.next_deadline_ms().map(|d| {
            let wait = d.saturating_sub(core.now_ms());
            tokio::time::Instant::now() + Duration::from_millis(wait)
        });
        let timer = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = events.recv() => {
                let Some(ev) = ev else { break };
                core.handle(ev);
                // Take whatever else is already queued into the same batch.
                for _ in 0..4096 {
                    match events.try_recv() {
                        Ok(ev) => core.handle(ev),
                        Err(_) => break,
                    }
                }
            }
            _ = timer => {}
            _ = compaction_check.tick() => core.run_compaction(),
            _ = terminate.recv() => core.exiting = true,
            _ = interrupt.recv() => core.exiting = true,
            _ = hangup.recv() => core.exiting = true,
        }
        core.finish_batch();
        if core.remotes_changed || core.db_remotes_may_change() {
            reconfigure_remotes(&mut core, &hub, &mut running).await;
        }
        if core.exiting {
            break;
        }
    }
    core.shutdown();
    for (_, stop) in running.drain() {
        let _ = stop.send(true);
    }
    // The reply to "exit" must reach ovs-appctl before we go; listener
    // tasks also need a moment to unlink their socket files.
    let _ = tokio::time::timeout(Duration::from_secs(1), unixctl_handle.flush()).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _ = std::fs::remove_file(&unixctl_path);
    info!(target: LOG, "exiting");
    Ok(())
}

/// Starts what the configured remotes now ask for and stops the rest.
async fn reconfigure_remotes(
    core: &mut Core,
    hub: &Hub,
    running: &mut HashMap<String, watch::Sender<bool>>,
) {
    core.remotes_changed = false;
    let wanted = core.remote_targets();
    running.retain(|target, stop| {
        let keep = wanted.contains(target);
        if !keep {
            let _ = stop.send(true);
        }
        keep
    });
    for target in wanted {
        if running.contains_key(&target) {
            continue;
        }
        match Target::parse(&target, ovs_stream::OVSDB_PORT) {
            Ok(parsed) => {
                let (stop_tx, stop_rx) = watch::channel(false);
                match remote::start(hub.clone(), parsed, stop_rx).await {
                    Ok(()) => {
                        running.insert(target, stop_tx);
                    }
                    Err(e) => error!(target: LOG, "{target}: listen failed: {e}"),
                }
            }
            Err(e) => error!(target: LOG, "{e}"),
        }
    }
}
