//! The one chromedriver of a test process: found, started on a free loopback port the
//! first time a test opens a browser, shared by every test after that, and gone when
//! the test process ends, however it ends.
//!
//! Why a shell sits between the tests and chromedriver: Rust never drops statics, and a
//! test binary can end by panic, abort or SIGKILL, so nothing in this process can be
//! relied on to stop chromedriver. The shell is started in a process group of its own,
//! starts chromedriver in that group (Chromium, started by chromedriver, lands there
//! too), then blocks reading its stdin, a pipe whose writing end only this process
//! holds. When this process ends the kernel closes that pipe, `read` returns, and the
//! shell kills its whole group. So no chromedriver or Chromium outlives a test run.
//!
//! Does not: open sessions (see [`super::Browser`]).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where Debian's `chromium` package puts the browser.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian's `chromium-driver` package puts chromedriver.
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long chromedriver may take to answer `/status` after it was started.
const START_DEADLINE: Duration = Duration::from_secs(20);

/// Kills the process group (`$$` is the shell, the group's leader) once stdin ends.
/// `$0` is chromedriver, `$1` its port, `$2` its log file.
const SUPERVISOR: &str = r#""$0" --port="$1" --log-level=WARNING --log-path="$2" >/dev/null 2>&1 & read -r _; kill -- -$$"#;

/// A running chromedriver, kept for the rest of the test process.
pub struct Driver {
    /// Its loopback port.
    pub port: u16,
    /// The Chromium it starts sessions with.
    pub chromium: PathBuf,
    /// The supervising shell; its stdin is the pipe whose end stops everything.
    _supervisor: Child,
}

static DRIVER: OnceLock<Result<Driver, String>> = OnceLock::new();

/// The test process's chromedriver, started on first use. Panics (so the test fails)
/// when chromium or chromedriver is missing or does not start: browser tests never
/// pass without a browser.
pub fn driver() -> &'static Driver {
    match DRIVER.get_or_init(start) {
        Ok(driver) => driver,
        Err(reason) => panic!("{reason}"),
    }
}

/// A browser program: the environment variable's value, or Debian's path.
fn program(variable: &str, default: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing, so the browser tests cannot run: run scripts/test (it installs \
             Debian's chromium and chromium-driver), or set {variable}",
            path.display()
        ))
    }
}

fn start() -> Result<Driver, String> {
    let chromium = program("ROOST_TEST_CHROMIUM", DEFAULT_CHROMIUM)?;
    let chromedriver = program("ROOST_TEST_CHROMEDRIVER", DEFAULT_CHROMEDRIVER)?;
    let port = free_port().map_err(|error| format!("no free port for chromedriver: {error}"))?;
    let log = super::output_dir().join(format!("chromedriver-{port}.log"));
    let supervisor = Command::new("sh")
        .arg("-c")
        .arg(SUPERVISOR)
        .arg(&chromedriver)
        .arg(port.to_string())
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", chromedriver.display()))?;
    let driver = Driver {
        port,
        chromium,
        _supervisor: supervisor,
    };
    wait_until_ready(port, &chromedriver, &log)?;
    Ok(driver)
}

/// Polls chromedriver's `/status` until it says it is ready, within [`START_DEADLINE`].
fn wait_until_ready(port: u16, chromedriver: &Path, log: &Path) -> Result<(), String> {
    let deadline = Instant::now() + START_DEADLINE;
    loop {
        if let Ok(status) = request(port, "GET", "/status") {
            if status.contains("\"ready\":true") {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} did not answer on port {port} within {START_DEADLINE:?} (its log: {})",
                chromedriver.display(),
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A free TCP port on 127.0.0.1 (free when asked; chromedriver binds it right after).
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// One blocking HTTP/1.1 request without a body to chromedriver; returns the response
/// body. Blocking on purpose: it is also used from `Drop`. Reads exactly
/// `Content-Length` bytes, as chromedriver keeps connections open.
pub fn request(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        received.extend_from_slice(&chunk[..read]);
        if let Some(length) = complete_length(&received) {
            received.truncate(length);
            break;
        }
    }
    let text = String::from_utf8_lossy(&received);
    Ok(text
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned())
}

/// The length of the whole response once `received` holds it all (head and a body of
/// its `Content-Length`).
fn complete_length(received: &[u8]) -> Option<usize> {
    let head_end = received.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    (received.len() >= head_end + length).then_some(head_end + length)
}
