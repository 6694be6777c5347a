//! Processes of an end-to-end run: a private X server, free ports, and a
//! teardown that stops exactly the processes this run started.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// Name of the environment variable that marks every process of one run
/// (driver, WebKitWebDriver, the app and its WebKit helpers inherit it).
pub const RUN_MARKER: &str = "HYPERCARE_E2E_RUN";

/// A free TCP port on loopback (bound, read, released).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// Wait until something accepts connections on `port`, while `child` lives.
pub fn wait_for_port(child: &mut Child, port: u16, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            bail!("process exited ({status}) before listening on port {port}");
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listened on port {port} within {timeout:?}")
}

/// A private Xvfb on a display it picks itself (`-displayfd`), so parallel
/// runs and other sessions on the machine never collide.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Start Xvfb and wait until it accepts clients.
    pub fn start(log: &Path) -> Result<Self> {
        let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .context("starting Xvfb (apt package xvfb; run scripts/setup.sh)")?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("Xvfb has no stdout"))?;
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = tx.send(read);
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok(line)) if !line.trim().is_empty() => line,
            other => {
                terminate(&mut child, Duration::from_secs(2));
                bail!("Xvfb did not report a display within 20 s ({other:?}); see {}", log.display());
            }
        };
        Ok(Self { child, display: format!(":{}", line.trim()) })
    }

    /// The `DISPLAY` value for clients, e.g. `:3`.
    pub fn display(&self) -> &str {
        &self.display
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(3));
    }
}

/// SIGTERM `child`, wait up to `grace`, then SIGKILL; always reaps it.
pub fn terminate(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    signal(child.id() as i32, libc::SIGTERM);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn signal(pid: i32, sig: i32) {
    // SAFETY: kill(2) with a concrete pid has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, sig);
    }
}

/// Processes whose environment carries `RUN_MARKER=<marker>` (this run only).
pub fn marked_processes(marker: &str) -> Vec<i32> {
    let needle = format!("{RUN_MARKER}={marker}");
    let me = std::process::id() as i32;
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

/// Stop every process left over from the run `marker` (an app that outlived
/// its session, an orphaned WebKitWebDriver): SIGTERM, a grace period, SIGKILL.
pub fn kill_marked(marker: &str, grace: Duration) -> usize {
    let pids = marked_processes(marker);
    for &pid in &pids {
        signal(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && !marked_processes(marker).is_empty() {
        thread::sleep(Duration::from_millis(50));
    }
    for pid in marked_processes(marker) {
        signal(pid, libc::SIGKILL);
    }
    pids.len()
}

/// The parent process id of `pid` (from `/proc/PID/stat`).
pub fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Proportional set size of `pid` in KiB (`Pss` of `/proc/PID/smaps_rollup`).
pub fn pss_kib(pid: i32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find(|l| l.starts_with("Pss:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
