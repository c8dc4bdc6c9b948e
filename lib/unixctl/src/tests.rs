use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::sync::mpsc;

use super::*;

const VERSION: &str = "ovsdb-server (Open vSwitch) 3.1.0";

/// Starts a server with `echo` (0-3 args, echoes them) and `fail` (always
/// an error) served by a stand-in daemon task.
fn start(dir: &Path) -> (PathBuf, UnixctlHandle, tokio::task::JoinHandle<()>) {
    let path = dir.join("test.ctl");
    let (server, requests) = UnixctlServer::bind(&path, VERSION.to_string()).unwrap();
    server.register("echo", "[ARG...]", 0, 3);
    server.register("fail", "", 0, 0);
    let handle = server.handle();
    tokio::spawn(daemon(requests));
    let run = tokio::spawn(server.run());
    (path, handle, run)
}

async fn daemon(mut requests: mpsc::Receiver<UnixctlRequest>) {
    while let Some(r) = requests.recv().await {
        let answer = match r.command.as_str() {
            "echo" => Ok(r.args.join(" ")),
            _ => Err(format!("{} failed", r.command)),
        };
        let _ = r.reply.send(answer);
    }
}

async fn call(path: &Path, command: &str, args: &[&str]) -> Result<String, String> {
    let mut client = UnixctlClient::connect(path).await.unwrap();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    client.call(command, &args).await.unwrap()
}

/// Sends raw bytes and returns everything the server sends back before it
/// closes the connection (within a timeout).
async fn raw(path: &Path, bytes: &[u8]) -> String {
    let mut s = UnixStream::connect(path).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut out)).await;
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn commands_builtins_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _, _run) = start(dir.path());

    assert_eq!(call(&path, "echo", &["a", "b"]).await, Ok("a b\n".into()));
    assert_eq!(call(&path, "echo", &[]).await, Ok(String::new()));
    assert_eq!(call(&path, "fail", &[]).await, Err("fail failed\n".into()));
    assert_eq!(
        call(&path, "version", &[]).await,
        Ok(format!("{VERSION}\n"))
    );
    assert_eq!(
        call(&path, "list-commands", &[]).await,
        Ok("The available commands are:\n  \
            echo                    [ARG...]\n  \
            fail                    \n  \
            list-commands           \n  \
            version                 \n"
            .into())
    );
    assert_eq!(
        call(&path, "nosuch", &[]).await,
        Err("\"nosuch\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n".into())
    );
    assert_eq!(
        call(&path, "echo", &["1", "2", "3", "4"]).await,
        Err("\"echo\" command takes at most 3 arguments\n".into())
    );
    assert_eq!(
        call(&path, "version", &["x"]).await,
        Err("\"version\" command takes at most 0 arguments\n".into())
    );
}

#[tokio::test]
async fn wire_format_and_bad_clients() {
    let dir = tempfile::tempdir().unwrap();
    let (path, handle, _run) = start(dir.path());
    handle.register("two", "A B", 2, 2);

    // Two pipelined requests on one connection, answered in order.
    let mut s = UnixStream::connect(&path).await.unwrap();
    s.write_all(
        br#"{"method":"echo","params":["x"],"id":7}{"method":"two","params":["a"],"id":"s"}"#,
    )
    .await
    .unwrap();
    let expected = concat!(
        r#"{"id":7,"result":"x\n","error":null}"#,
        r#"{"id":"s","error":"\"two\" command requires at least 2 arguments\n"}"#
    );
    let mut got = vec![0u8; expected.len()];
    s.read_exact(&mut got).await.unwrap();
    assert_eq!(String::from_utf8(got).unwrap(), expected);

    let expected = r#"{"id":1,"error":"\"echo\" command has non-string argument\n"}"#;
    let mut s = UnixStream::connect(&path).await.unwrap();
    s.write_all(br#"{"method":"echo","params":[1],"id":1}"#)
        .await
        .unwrap();
    let mut got = vec![0u8; expected.len()];
    s.read_exact(&mut got).await.unwrap();
    assert_eq!(String::from_utf8(got).unwrap(), expected);
    // Not a request, or not JSON: the connection is closed without a word.
    assert_eq!(
        raw(&path, br#"{"method":"echo","params":[],"id":null}"#).await,
        ""
    );
    assert_eq!(raw(&path, b"hello").await, "");
    // The server keeps serving others.
    assert_eq!(call(&path, "echo", &["still"]).await, Ok("still\n".into()));
}

#[tokio::test]
async fn socket_file_is_removed_on_drop_and_replaced_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.ctl");
    std::fs::write(&path, b"stale").unwrap();
    let (server, _requests) = UnixctlServer::bind(&path, VERSION.into()).unwrap();
    let run = tokio::spawn(server.run());
    assert_eq!(
        call(&path, "version", &[]).await,
        Ok(format!("{VERSION}\n"))
    );
    run.abort();
    let _ = run.await;
    assert!(!path.exists());

    let (server, _requests) = UnixctlServer::bind(&path, VERSION.into()).unwrap();
    assert!(path.exists());
    drop(server);
    assert!(!path.exists());
}

#[tokio::test]
async fn flush_waits_for_the_reply_to_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.ctl");
    let (server, mut requests) = UnixctlServer::bind(&path, VERSION.into()).unwrap();
    server.register("exit", "", 0, 0);
    let handle = server.handle();
    let run = tokio::spawn(server.run());
    let client = tokio::spawn({
        let path = path.clone();
        async move { call(&path, "exit", &[]).await }
    });
    let request = requests.recv().await.unwrap();
    request.reply.send(Ok(String::new())).unwrap();
    drop(requests);
    tokio::time::timeout(Duration::from_secs(5), handle.flush())
        .await
        .unwrap();
    run.abort();
    assert_eq!(client.await.unwrap(), Ok(String::new()));
}

#[test]
fn paths() {
    let rundir = Path::new("/run/ovs");
    assert_eq!(
        server_path(rundir, None, "ovsdb-server", 42),
        Some(PathBuf::from("/run/ovs/ovsdb-server.42.ctl"))
    );
    assert_eq!(server_path(rundir, Some("none"), "x", 1), None);
    assert_eq!(
        default_path(rundir, "ovsdb-server"),
        PathBuf::from(format!("/run/ovs/ovsdb-server.{}.ctl", std::process::id()))
    );
    assert_eq!(
        server_path(rundir, Some("db.ctl"), "x", 1),
        Some(PathBuf::from("/run/ovs/db.ctl"))
    );
    assert_eq!(
        server_path(rundir, Some("/tmp/a.ctl"), "x", 1),
        Some(PathBuf::from("/tmp/a.ctl"))
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ovsdb-server.pid"), "1234\n").unwrap();
    assert_eq!(
        target_path(dir.path(), "ovsdb-server").unwrap(),
        dir.path().join("ovsdb-server.1234.ctl")
    );
    assert_eq!(
        target_path(dir.path(), "/x/y.ctl").unwrap(),
        PathBuf::from("/x/y.ctl")
    );
    assert!(target_path(dir.path(), "nosuch").is_err());
}

/// The real `ovs-appctl` accepts our answers (skipped where OVS is not
/// installed).
#[tokio::test]
async fn real_ovs_appctl() {
    let appctl = Path::new("/usr/bin/ovs-appctl");
    if !appctl.exists() {
        eprintln!("skipping: {} not installed", appctl.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, _, _run) = start(dir.path());
    let run = |args: Vec<&str>| {
        let mut command = tokio::process::Command::new(appctl);
        command.arg("-t").arg(&path).args(args);
        async move { command.output().await.unwrap() }
    };

    let out = run(vec!["echo", "a", "b c"]).await;
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a b c\n");

    let out = run(vec!["version"]).await;
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{VERSION}\n"));

    let out = run(vec!["fail"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "fail failed\novs-appctl: {}: server returned an error\n",
            path.display()
        )
    );

    let out = run(vec!["echo", "1", "2", "3", "4"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("\"echo\" command takes at most 3 arguments\n")
    );
}
