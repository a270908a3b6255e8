//! The Debian package, installed as an admin installs it: `scripts/package-deb`
//! builds it around this build's `roost` binary, `dpkg -i` installs it, and the server
//! is started as its systemd unit describes — the unit's `ExecStart` as the unit's
//! `User`, with its `EnvironmentFile`, `WorkingDirectory` and `UMask`, no new
//! privileges and no capabilities — because PID 1 of the test machine need not be
//! systemd. It answers `/health`, stops on SIGTERM with status 0, and `dpkg --remove`
//! then `dpkg --purge` leave nothing behind.
//!
//! The other sandboxing lines of the unit take effect only under systemd: the test
//! checks that they are there and, where `systemd-analyze verify` works, that systemd
//! reads every line of the unit without a complaint.
//!
//! Installing a package changes the machine, so the test needs root and purges the
//! package however it ends.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::process::{Child, Command};

use crate::helpers::process::free_port;
use crate::helpers::shell::test_database_url;

const UNIT: &str = "/lib/systemd/system/roost.service";
const ENV_FILE: &str = "/etc/roost/roost.env";
const STATE: &str = "/var/lib/roost";

/// Service and sandboxing lines the unit must carry in `[Service]`.
const HARDENING: &[&str] = &[
    "User=roost",
    "Group=roost",
    "EnvironmentFile=/etc/roost/roost.env",
    "WorkingDirectory=/var/lib/roost",
    "ExecStart=/usr/bin/roost serve",
    "Restart=on-failure",
    "UMask=0077",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/lib/roost",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "RestrictNamespaces=yes",
    "LockPersonality=yes",
    "MemoryDenyWriteExecute=yes",
    "SystemCallArchitectures=native",
];

#[sqlx::test]
async fn the_debian_package_installs_serves_stops_and_purges_cleanly(db: PgPool) {
    assert_eq!(
        std::fs::metadata("/proc/self").expect("/proc/self").uid(),
        0,
        "tests/api/package.rs installs a Debian package (dpkg -i) and needs root"
    );
    let _installation = Installation::begin();
    let out = tempfile::tempdir().expect("temp dir");
    let deb = build_package(out.path()).await;

    let note = assert_success("dpkg -i", run(&["dpkg", "-i", &deb], 120).await);
    assert!(
        note.contains("systemctl enable --now roost") && note.contains(ENV_FILE),
        "no post-install note: {note}"
    );
    let roost = SystemUser::named("roost").expect("postinst created the roost user");
    assert_installed_files(&roost);
    let service = assert_unit_hardened();
    verify_unit_with_systemd().await;

    let port = free_port();
    configure(&test_database_url(&db), port);
    let mut server = Server::start_as_unit(&service, out.path()).await;
    server.wait_for_health(port).await;
    let key = std::fs::metadata(format!("{STATE}/secret.key")).expect("secret key created");
    assert_eq!((key.uid(), key.gid()), (roost.uid, roost.gid));
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    server.stop().await;

    remove_then_purge().await;
}

/// Runs `scripts/package-deb` on the test's binary; returns the path of the `.deb`.
async fn build_package(out: &Path) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/package-deb");
    let out = out.to_str().expect("a UTF-8 temp path");
    let binary = env!("CARGO_BIN_EXE_roost");
    // No compression: the package is installed at once, and xz on a debug binary
    // takes most of a minute.
    let args = [
        script,
        "--binary",
        binary,
        "--out",
        out,
        "--compression",
        "none",
    ];
    let printed = assert_success("scripts/package-deb", run(&args, 300).await);
    let deb = printed
        .lines()
        .last()
        .expect("the path of the .deb")
        .to_owned();
    assert!(deb.ends_with(".deb") && Path::new(&deb).is_file(), "{deb}");
    deb
}

/// The files of the package, with the owners and modes postinst gave them.
fn assert_installed_files(roost: &SystemUser) {
    assert_eq!(roost.home, STATE);
    assert_eq!(roost.shell, "/usr/sbin/nologin");
    assert!(roost.uid < 1000, "roost is a system user: {}", roost.uid);
    let binary = std::fs::metadata("/usr/bin/roost").expect("/usr/bin/roost");
    assert_eq!(binary.permissions().mode() & 0o777, 0o755);
    for doc in ["copyright", "README.Debian"] {
        assert!(
            Path::new("/usr/share/doc/roost").join(doc).is_file(),
            "{doc}"
        );
    }
    let settings = std::fs::metadata(ENV_FILE).expect("the settings file");
    assert_eq!(
        (settings.uid(), settings.gid()),
        (0, roost.gid),
        "root:roost"
    );
    assert_eq!(settings.permissions().mode() & 0o777, 0o640);
    for directory in [STATE, "/var/lib/roost/media"] {
        let state = std::fs::metadata(directory).expect("state directory");
        assert_eq!(
            (state.uid(), state.gid()),
            (roost.uid, roost.gid),
            "{directory}"
        );
        assert_eq!(state.permissions().mode() & 0o777, 0o750, "{directory}");
    }
}

/// The installed unit's `[Service]` entries, checked for each line of `HARDENING`.
fn assert_unit_hardened() -> Vec<(String, String)> {
    let unit = std::fs::read_to_string(UNIT).expect("the unit is installed");
    let service = service_entries(&unit);
    for line in HARDENING {
        let found = service
            .iter()
            .any(|(key, value)| format!("{key}={value}") == *line);
        assert!(found, "{UNIT} lacks {line}");
    }
    service
}

/// `systemd-analyze verify` of the installed unit: it must accept every line. The
/// tool works without systemd as PID 1, but not everywhere (a container without it,
/// an old version): when it cannot verify even a trivial unit, the check is skipped.
async fn verify_unit_with_systemd() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let trivial = scratch.path().join("trivial.service");
    std::fs::write(&trivial, "[Service]\nExecStart=/bin/true\n").expect("unit written");
    let trivial = trivial.to_str().expect("a UTF-8 temp path");
    let works = Command::new("systemd-analyze")
        .args(["verify", trivial])
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(Duration::from_secs(60), works).await {
        Ok(Ok(output)) if output.status.success() => {}
        _ => {
            eprintln!("systemd-analyze verify does not work here; unit left unverified");
            return;
        }
    }
    let verified = run(&["systemd-analyze", "verify", UNIT], 60).await;
    let complaints = String::from_utf8_lossy(&verified.stderr).into_owned();
    assert!(verified.status.success(), "{complaints}");
    assert!(!complaints.contains("roost.service:"), "{complaints}");
}

/// Points the installed settings at the test's database and a free loopback port (a
/// later line wins, in systemd's reading and in `environment`).
fn configure(database_url: &str, port: u16) {
    let mut settings = std::fs::OpenOptions::new()
        .append(true)
        .open(ENV_FILE)
        .expect("the settings file opens");
    writeln!(
        settings,
        "\n# tests/api/package.rs\nDATABASE_URL={database_url}\n\
         ROOST_DOMAIN=127.0.0.1:{port}\nROOST_BIND=127.0.0.1:{port}\nROOST_INSECURE_HTTP=true"
    )
    .expect("settings written");
}

/// `roost serve` started as systemd would start the unit.
struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    /// Starts the unit's `ExecStart` as its `User` and `Group`, with its
    /// `EnvironmentFile` (and the variables systemd sets for a `User=` service), its
    /// `WorkingDirectory` and `UMask`, no new privileges and an empty capability
    /// bounding set. Its output goes to a file in `scratch`.
    async fn start_as_unit(service: &[(String, String)], scratch: &Path) -> Server {
        let entry = |key: &str| {
            service
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, value)| value.clone())
                .unwrap_or_else(|| panic!("the unit has no {key}="))
        };
        let user = entry("User");
        let home = SystemUser::named(&user).expect("the unit's user").home;
        let settings = std::fs::read_to_string(entry("EnvironmentFile")).expect("settings");
        let log = scratch.join("roost.log");
        let output = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new("sh");
        command
            .args([
                "-c",
                r#"umask "$1"; shift; exec "$@""#,
                "sh",
                &entry("UMask"),
            ])
            .arg("setpriv")
            .args([
                &format!("--reuid={user}"),
                &format!("--regid={}", entry("Group")),
            ])
            .args([
                "--init-groups",
                "--no-new-privs",
                "--bounding-set=-all",
                "--",
            ])
            .args(entry("ExecStart").split_whitespace())
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("HOME", home)
            .envs([("USER", &user), ("LOGNAME", &user)])
            .envs(environment(&settings))
            .current_dir(entry("WorkingDirectory"))
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("log file"))
            .stderr(output)
            .kill_on_drop(true);
        let child = command.spawn().expect("roost serve starts");
        Server { child, log }
    }

    /// Waits (at most 30 s) for `GET /health` to answer 200.
    async fn wait_for_health(&mut self, port: u16) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("roost serve exited ({status}):\n{}", self.log());
            }
            let answer = client
                .get(format!("http://127.0.0.1:{port}/health"))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answer.is_ok_and(|answer| answer.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no /health within 30 s; log:\n{}", self.log());
    }

    /// Sends SIGTERM, as `systemctl stop` does, and expects exit status 0 within 20 s.
    async fn stop(mut self) {
        let pid = self.child.id().expect("still running").to_string();
        assert_success("kill -TERM", run(&["kill", "-TERM", &pid], 10).await);
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("still running 20 s after SIGTERM:\n{}", self.log()))
            .expect("waited");
        assert!(status.success(), "{status} after SIGTERM:\n{}", self.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    /// Kills the server and waits (at most 10 s) for it to go, so that a purge after a
    /// failed assertion finds no process of the roost user.
    fn drop(&mut self) {
        if self.child.start_kill().is_err() {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The package under test: purged on drop, however the test ends.
struct Installation;

impl Installation {
    /// Purges what an earlier run may have left installed.
    fn begin() -> Installation {
        let purged = purge_package();
        assert!(purged.status.success(), "dpkg --purge roost: {purged:?}");
        Installation
    }
}

impl Drop for Installation {
    fn drop(&mut self) {
        let purged = purge_package();
        if !purged.status.success() {
            eprintln!("dpkg --purge roost failed: {purged:?}");
        }
    }
}

/// `dpkg --purge roost` (succeeds when it is not installed). Blocking, for `Drop`.
fn purge_package() -> Output {
    std::process::Command::new("dpkg")
        .args(["--purge", "roost"])
        .stdin(Stdio::null())
        .output()
        .expect("dpkg runs")
}

/// `dpkg --remove` keeps the settings, the state and the user; `dpkg --purge` then
/// removes them too.
async fn remove_then_purge() {
    assert_success(
        "dpkg --remove",
        run(&["dpkg", "--remove", "roost"], 60).await,
    );
    for gone in ["/usr/bin/roost", UNIT] {
        assert!(!Path::new(gone).exists(), "{gone} is left after remove");
    }
    for kept in [ENV_FILE, "/var/lib/roost/secret.key"] {
        assert!(Path::new(kept).exists(), "remove deleted {kept}");
    }
    assert!(SystemUser::named("roost").is_some(), "remove deleted roost");
    assert_success("dpkg --purge", run(&["dpkg", "--purge", "roost"], 60).await);
    assert_purged();
}

/// After the purge: no package, no files, no user, no group, no systemd state.
fn assert_purged() {
    let gone = [
        "/usr/bin/roost",
        UNIT,
        "/etc/roost",
        STATE,
        "/usr/share/doc/roost",
        "/var/lib/systemd/deb-systemd-helper-enabled/roost.service.dsh-also",
    ];
    for path in gone {
        assert!(!Path::new(path).exists(), "{path} is left after purge");
    }
    assert!(
        SystemUser::named("roost").is_none(),
        "the roost user is left"
    );
    let group = std::process::Command::new("getent")
        .args(["group", "roost"])
        .output()
        .expect("getent runs");
    assert!(!group.status.success(), "the roost group is left");
    let status = std::process::Command::new("dpkg")
        .args(["--status", "roost"])
        .output()
        .expect("dpkg runs");
    assert!(!status.status.success(), "dpkg still knows roost");
}

/// An entry of the user database (`getent passwd`).
struct SystemUser {
    uid: u32,
    gid: u32,
    home: String,
    shell: String,
}

impl SystemUser {
    fn named(name: &str) -> Option<SystemUser> {
        let output = std::process::Command::new("getent")
            .args(["passwd", name])
            .output()
            .expect("getent runs");
        let line = String::from_utf8(output.stdout).ok()?;
        let fields: Vec<&str> = line.trim_end().split(':').collect();
        let [_, _, uid, gid, _, home, shell] = fields[..] else {
            return None;
        };
        Some(SystemUser {
            uid: uid.parse().ok()?,
            gid: gid.parse().ok()?,
            home: home.to_owned(),
            shell: shell.to_owned(),
        })
    }
}

/// The `Key=value` entries of a unit's `[Service]` section, in order.
fn service_entries(unit: &str) -> Vec<(String, String)> {
    let mut section = "";
    let mut entries = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section == "[Service]" && !line.starts_with(['#', ';']) {
            if let Some((key, value)) = line.split_once('=') {
                entries.push((key.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }
    entries
}

/// The variables of an environment file as systemd reads the plain `KEY=value` lines
/// the package uses: comments and blank lines skipped, the last value of a key wins.
fn environment(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(['#', ';']))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

/// Runs `command` (program and arguments), killed after `seconds`.
async fn run(command: &[&str], seconds: u64) -> Output {
    let (program, args) = command.split_first().expect("a program");
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(seconds), output)
        .await
        .unwrap_or_else(|_| panic!("{command:?} took more than {seconds} s"))
        .unwrap_or_else(|error| panic!("{command:?} did not run: {error}"))
}

/// Asserts that `what` succeeded (its output on failure); returns its stdout.
fn assert_success(what: &str, output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
