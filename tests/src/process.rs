//! Running external programs under a deadline, and background processes
//! whose output is collected while the test goes on.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Deadline for one client command. Real OVS answers in milliseconds; this
/// only stops a broken server from hanging the suite.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// What a finished (or timed-out) command produced.
#[derive(Debug)]
pub struct Output {
    /// The command line, for messages.
    pub command: String,
    /// `None` when it was killed at the deadline.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// True if it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// The exit code, `None` if killed by a signal or at the deadline.
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Stdout of a command that must have succeeded; panics with everything
    /// known about it otherwise.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert!(self.success(), "command failed:\n{self}");
        &self.stdout
    }

    /// Stderr of a command that must have failed; panics otherwise.
    #[track_caller]
    pub fn failed(&self) -> &str {
        assert!(
            self.status.is_some() && !self.success(),
            "command should have failed:\n{self}"
        );
        &self.stderr
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "$ {}", self.command)?;
        match self.status {
            Some(status) => writeln!(f, "exit: {status}")?,
            None => writeln!(f, "exit: killed after {COMMAND_TIMEOUT:?} deadline")?,
        }
        writeln!(f, "--- stdout\n{}", self.stdout)?;
        write!(f, "--- stderr\n{}", self.stderr)
    }
}

/// Renders a command line for messages.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

fn reader_thread<R: Read + Send + 'static>(mut r: R) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error only truncates what we show; the exit status tells
        // the test what happened.
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Runs `cmd` to completion with `stdin` as its input, killing it after
/// `timeout`.
pub fn run(mut cmd: Command, stdin: Option<&[u8]>, timeout: Duration) -> Output {
    let command = describe(&cmd);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot start {command}: {e}"),
    };
    let writer = match (stdin, child.stdin.take()) {
        (Some(data), Some(mut pipe)) => {
            let data = data.to_vec();
            Some(thread::spawn(move || {
                // The child may exit without reading everything.
                let _ = pipe.write_all(&data);
            }))
        }
        _ => None,
    };
    let out = child.stdout.take().map(reader_thread);
    let err = child.stderr.take().map(reader_thread);
    let status = wait_deadline(&mut child, timeout);
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Some(w) = writer {
        let _ = w.join();
    }
    let collect = |h: Option<JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Output {
        command,
        status,
        stdout: collect(out),
        stderr: collect(err),
    }
}

/// Waits for `child` to exit, at most `timeout`.
pub fn wait_deadline(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => {}
            Err(_) => return None,
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Sends SIGTERM to `pid` (std only offers SIGKILL).
pub fn sigterm(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Stops a child: SIGTERM, up to `grace` to exit, then SIGKILL. Returns its
/// exit status when it exited by itself.
pub fn terminate(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    if let Ok(Some(status)) = child.try_wait() {
        return Some(status);
    }
    sigterm(child.id());
    if let Some(status) = wait_deadline(child, grace) {
        return Some(status);
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A process running beside the test whose stdout and stderr are collected
/// as they come; killed when dropped.
pub struct Background {
    command: String,
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

fn collector<R: Read + Send + 'static>(mut r: R, sink: Arc<Mutex<String>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Ok(mut s) = sink.lock() {
                        s.push_str(&String::from_utf8_lossy(&buf[..n]));
                    }
                }
            }
        }
    })
}

impl Background {
    /// Starts `cmd` with its output collected.
    pub fn spawn(mut cmd: Command) -> Background {
        let command = describe(&cmd);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start {command}: {e}"),
        };
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            readers.push(collector(out, Arc::clone(&stdout)));
        }
        if let Some(err) = child.stderr.take() {
            readers.push(collector(err, Arc::clone(&stderr)));
        }
        Background {
            command,
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// Stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until `pred(stdout)` holds; panics with the output so far after
    /// `timeout` or if the process exits first without satisfying it.
    #[track_caller]
    pub fn wait_for(&mut self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            if pred(&self.stdout()) {
                return;
            }
            let exited = matches!(self.child.try_wait(), Ok(Some(_)));
            if exited || Instant::now() >= deadline {
                // One last look: output may have arrived with the exit.
                thread::sleep(Duration::from_millis(50));
                if pred(&self.stdout()) {
                    return;
                }
                panic!(
                    "{}: {what} (process {})\n$ {}\n--- stdout\n{}\n--- stderr\n{}",
                    if exited {
                        "exited before"
                    } else {
                        "timed out waiting for"
                    },
                    if exited { "exited" } else { "still running" },
                    self.command,
                    self.stdout(),
                    self.stderr()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the process and returns everything it printed.
    pub fn finish(mut self) -> (String, String) {
        self.stop();
        (self.stdout(), self.stderr())
    }

    fn stop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(2));
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop();
    }
}
