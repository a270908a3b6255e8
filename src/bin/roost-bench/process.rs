//! The server under test as a child process, and what /proc says about it: CPU time
//! (utime + stime) and resident memory (current and peak).

use std::os::fd::AsFd;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// A running `roost serve`.
pub struct Server {
    pub child: Child,
    pub pid: u32,
    pub base: String,
    /// From spawn to the first `200` of `/health`.
    pub cold_start: Duration,
}

/// Starts `binary serve` with `env` on `port` and waits (at most 30 s) until it answers.
pub async fn start(binary: &Path, port: u16, env: &[(&str, String)]) -> anyhow::Result<Server> {
    let address = format!("127.0.0.1:{port}");
    let own = [("ROOST_BIND", address.clone()), ("ROOST_DOMAIN", address)];
    spawn(binary, "serve", &own, env, port, "/health").await
}

/// Starts `binary worker` (the background workers without HTTP, see
/// docs/deployment.md) with `env`, its `/metrics` on 127.0.0.1:`metrics_port`, and
/// waits (at most 30 s) until that answers: a worker serves no `/health`, and its
/// metrics are how the scale test S3 tells the workers' shares apart. The returned
/// server's `base` is the metrics listener.
pub async fn start_worker(
    binary: &Path,
    metrics_port: u16,
    env: &[(&str, String)],
) -> anyhow::Result<Server> {
    let own = [("ROOST_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))];
    spawn(binary, "worker", &own, env, metrics_port, "/metrics").await
}

/// Spawns `binary command` with the suite's settings, `own` and `env`, and waits (at
/// most 30 s) until `ready` on 127.0.0.1:`port` answers a success.
async fn spawn(
    binary: &Path,
    command_name: &str,
    own: &[(&str, String)],
    env: &[(&str, String)],
    port: u16,
    ready: &str,
) -> anyhow::Result<Server> {
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let mut command = Command::new(binary);
    command
        .arg(command_name)
        .env("ROOST_INSECURE_HTTP", "true")
        .env("ROOST_RATE_LIMITS", "off")
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    // ROOST_BENCH_LOG sets the servers' log filter and sends their log (on stdout) to
    // the suite's stderr, for looking into a run; otherwise only warnings, dropped.
    match std::env::var("ROOST_BENCH_LOG") {
        Ok(filter) => command
            .env("ROOST_LOG", filter)
            .stdout(Stdio::from(std::io::stderr().as_fd().try_clone_to_owned()?)),
        Err(_) => command.env("ROOST_LOG", "warn").stdout(Stdio::null()),
    };
    for (name, value) in own.iter().chain(env) {
        command.env(name, value);
    }
    let child = command.spawn()?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow::anyhow!("roost {command_name} exited at once"))?;
    let client = reqwest::Client::new();
    let deadline = started + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(format!("{base}{ready}")).send().await {
            if response.status().is_success() {
                break;
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "roost {command_name} did not answer {ready} within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(Server {
        cold_start: started.elapsed(),
        child,
        pid,
        base,
    })
}

impl Server {
    /// Stops the server (SIGKILL: the benchmark's database is thrown away anyway).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// CPU time the process used so far, in microseconds.
pub fn cpu_micros(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command name (which may contain spaces) start after ") ".
    let Some(rest) = stat.rsplit_once(") ").map(|(_, rest)| rest) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 1_000_000 / clock_ticks()
}

fn clock_ticks() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// Resident memory in MB: (current, peak).
pub fn memory_mb(pid: u32) -> (f64, f64) {
    let field = status_fields_mb(pid);
    (field("VmRSS:"), field("VmHWM:"))
}

/// The current resident memory in MB split into (anonymous, file-backed): the file
/// part is mostly the binary's code, and it counts whole page-cache folios, so a
/// binary freshly written (just built or copied) shows several MB more than the
/// same binary read back from disk (see docs/benchmarks.md, B6).
pub fn memory_split_mb(pid: u32) -> (f64, f64) {
    let field = status_fields_mb(pid);
    (field("RssAnon:"), field("RssFile:") + field("RssShmem:"))
}

/// A reader of `/proc/PID/status`'s kB fields, in MB (0 when absent).
fn status_fields_mb(pid: u32) -> impl Fn(&str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    move |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}
