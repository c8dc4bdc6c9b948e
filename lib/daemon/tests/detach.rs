//! `--detach` end to end, with the `detach_demo` example as the daemon.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// `cargo test` builds examples next to the test binaries' `deps` folder.
fn demo() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let demo = profile_dir.join("examples").join("detach_demo");
    assert!(
        demo.exists(),
        "{} is missing: run the whole `cargo test -p ovs-daemon`, which builds examples",
        demo.display()
    );
    demo
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn detach_returns_when_ready_and_the_daemon_lives_on() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("demo.pid");
    let out = dir.path().join("out");
    let output = Command::new(demo())
        .arg("--detach")
        .arg(format!("--pidfile={}", pidfile.display()))
        .arg(format!("--out={}", out.display()))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "starting up\nunfinished "
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");

    // The pidfile exists (it was made before ready) and is held by the
    // daemon, which is not the process we started.
    let pid = ovs_daemon::read_pidfile(&pidfile).unwrap();
    wait_for("the daemon's report", || {
        out.exists() && std::fs::read_to_string(&out).unwrap().ends_with('\n')
    });
    let report = std::fs::read_to_string(&out).unwrap();
    let fields: Vec<&str> = report.split_whitespace().collect();
    assert_eq!(fields[0], pid.to_string());
    assert_eq!(
        fields[1],
        pid.to_string(),
        "the daemon leads its own session"
    );
    assert_eq!(fields[2], "/");

    // Real OVS tools agree about the pidfile, if installed.
    if Path::new("/usr/bin/ovs-appctl").exists() {
        // ovs-appctl reads <rundir>/<target>.pid, then fails to connect to
        // the (absent) control socket named after the pid it found.
        let o = Command::new("/usr/bin/ovs-appctl")
            .env("OVS_RUNDIR", dir.path())
            .args(["-t", "demo", "version"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(&format!("demo.{pid}.ctl")), "{stderr}");
    }

    let mut stop = out.clone().into_os_string();
    stop.push(".stop");
    std::fs::write(&stop, "").unwrap();
    wait_for("the pidfile to go", || !pidfile.exists());
}

#[test]
fn detach_reports_failure_before_ready() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(demo())
        .arg("--detach")
        .arg("--fail")
        .arg(format!(
            "--pidfile={}",
            dir.path().join("demo.pid").display()
        ))
        .arg(format!("--out={}", dir.path().join("out").display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "detach_demo: failing on purpose\n"
    );
    assert!(!dir.path().join("demo.pid").exists());
}

#[test]
fn second_instance_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("demo.pid");
    let run = |out: &str| {
        Command::new(demo())
            .args(["--detach", "--no-chdir"])
            .arg(format!("--pidfile={}", pidfile.display()))
            .arg(format!("--out={}", dir.path().join(out).display()))
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let first = run("out1");
    assert!(first.status.success(), "{first:?}");
    let pid = ovs_daemon::read_pidfile(&pidfile).unwrap();
    let second = run("out2");
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&second.stderr),
        format!(
            "detach_demo: {}: already running as pid {pid}, aborting\n",
            pidfile.display()
        )
    );
    let out1 = dir.path().join("out1");
    wait_for("the daemon's report", || {
        out1.exists() && std::fs::read_to_string(&out1).unwrap().ends_with('\n')
    });
    let report = std::fs::read_to_string(&out1).unwrap();
    assert!(
        report
            .trim_end()
            .ends_with(&dir.path().display().to_string()),
        "--no-chdir: {report}"
    );
    std::fs::write(dir.path().join("out1.stop"), "").unwrap();
    wait_for("the pidfile to go", || !pidfile.exists());
}

#[test]
fn foreground_run_keeps_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::write(dir.path().join("out.stop"), "").unwrap();
    let output = Command::new(demo())
        .arg(format!(
            "--pidfile={}",
            dir.path().join("demo.pid").display()
        ))
        .arg(format!("--out={}", out.display()))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "starting up\nunfinished this goes to /dev/null when detached\n"
    );
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report
            .trim_end()
            .ends_with(&dir.path().display().to_string())
    );
    assert!(!dir.path().join("demo.pid").exists());
}
