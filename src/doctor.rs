//! `roost doctor`: checks what a server needs before it can serve (its configuration,
//! the database and its migrations, the secret key, the media store, the tools it
//! runs, outbound reach and the clocks) and says, for each problem, what is wrong and
//! how to fix it. It changes nothing but a probe object it writes to the media store
//! and removes at once: it never creates the secret key or applies migrations.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::{Config, FfmpegMode};
use crate::db::doctor as db;

/// How long each network step (connecting to the database, one outbound request) may
/// take before it counts as failed.
const STEP_TIME: Duration = Duration::from_secs(10);

/// Clock skew worth a warning: signatures still pass, but logs and expiries disagree.
const SKEW_WARNING_SECS: i64 = 30;

/// Clock skew that breaks federation: peers refuse signed requests dated this far off.
const SKEW_FAILURE_SECS: i64 = 300;

/// The oldest PostgreSQL Roost is tested with.
const TESTED_POSTGRES: i32 = 150_000;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warning,
    Failure,
}

/// One check's result: what was checked, how it came out, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub verdict: Verdict,
    pub detail: String,
    pub fix: Option<String>,
}

impl Finding {
    fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
        Finding {
            check,
            verdict: Verdict::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    fn warning(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            check,
            verdict: Verdict::Warning,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    fn failure(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            check,
            verdict: Verdict::Failure,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Runs every check; `reach` names domains to try outbound requests to.
pub async fn examine(config: &Config, reach: &[String]) -> Vec<Finding> {
    let mut findings = configuration(config);
    findings.push(secret_key(&config.secret_key_file));
    let database = database(config).await;
    findings.extend(database);
    findings.push(media_store(config).await);
    findings.push(video_tools(config));
    for domain in reach {
        findings.extend(outbound(config, domain).await);
    }
    findings
}

/// The settings themselves: the domain, the listeners, and every part built from them.
fn configuration(config: &Config) -> Vec<Finding> {
    let mut findings = vec![domain(config)];
    if config.insecure_http {
        findings.push(Finding::warning(
            "configuration",
            "ROOST_INSECURE_HTTP is on: plain http:// URLs, and federation with private addresses",
            "development only: unset ROOST_INSECURE_HTTP on an instance others can reach",
        ));
    }
    if let Some(metrics) = config.metrics_bind {
        if !is_private(metrics.ip()) {
            findings.push(Finding::warning(
                "configuration",
                format!("ROOST_METRICS_BIND={metrics} is reachable from other networks"),
                "bind the metrics listener to 127.0.0.1 or a private address",
            ));
        }
    }
    // The media store's settings are checked with the store itself (`media_store`).
    let parts: [(&str, anyhow::Result<()>); 3] = [
        (
            "ROOST_RATE_LIMITS",
            crate::rate_limit::RateLimiter::from_setting(&config.rate_limits).map(drop),
        ),
        (
            "e-mail (ROOST_SMTP_*)",
            crate::mail::Mailer::from_config(config).map(drop),
        ),
        (
            "SMS (ROOST_SMS_*)",
            crate::sms::SmsGateway::from_config(config).map(drop),
        ),
    ];
    for (part, built) in parts {
        if let Err(error) = built {
            findings.push(Finding::failure(
                "configuration",
                format!("{part}: {error:#}"),
                "correct the setting (see docs/configuration.md)",
            ));
        }
    }
    findings
}

/// `ROOST_DOMAIN`: a host (and port) other servers can reach.
fn domain(config: &Config) -> Finding {
    let base = config.base_url();
    let parsed = url::Url::parse(&format!("{base}/"));
    let host = match &parsed {
        Ok(url) if url.path() == "/" && url.query().is_none() => url.host_str().map(str::to_owned),
        _ => None,
    };
    let Some(host) = host else {
        return Finding::failure(
            "configuration",
            format!("ROOST_DOMAIN={} is not a host name", config.domain),
            "set ROOST_DOMAIN to the public host name alone, e.g. social.example.org",
        );
    };
    let local = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(is_private);
    if local && !config.insecure_http {
        return Finding::warning(
            "configuration",
            format!(
                "ROOST_DOMAIN={} is not reachable from other servers",
                config.domain
            ),
            "set ROOST_DOMAIN to the instance's public host name before the first start",
        );
    }
    Finding::ok(
        "configuration",
        format!("instance {base}, listening on {}", config.bind),
    )
}

/// Loopback, private, link-local or unspecified: not reachable from the internet.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// The secret key file: present, long enough, and readable by its owner only.
fn secret_key(path: &Path) -> Finding {
    const CHECK: &str = "secret key";
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Finding::warning(
                CHECK,
                format!("{shown} does not exist yet"),
                "`roost serve` creates it at its first start; every process of the instance must then share that file",
            )
        }
        Err(error) => {
            return Finding::failure(
                CHECK,
                format!("cannot read {shown}: {error}"),
                "let the user running roost read it (and no one else: chmod 600)",
            )
        }
    };
    if text.trim().len() < 32 {
        return Finding::failure(
            CHECK,
            format!("{shown} holds fewer than 32 bytes"),
            "delete it to have a new one generated (this signs everyone out)",
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path) {
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Finding::warning(
                    CHECK,
                    format!("{shown} is readable by others (mode {mode:o})"),
                    format!("chmod 600 {shown}"),
                );
            }
        }
    }
    Finding::ok(CHECK, format!("{shown}"))
}

/// The database: reachable, a tested version, its clock, and its migrations.
async fn database(config: &Config) -> Vec<Finding> {
    const CHECK: &str = "database";
    use sqlx::Connection;
    let fix =
        "start PostgreSQL, or correct DATABASE_URL (host, port, user, password, database name)";
    let connected =
        tokio::time::timeout(STEP_TIME, sqlx::PgConnection::connect(&config.database_url)).await;
    let mut connection = match connected {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => {
            return vec![Finding::failure(
                CHECK,
                format!("cannot connect: {error}"),
                fix,
            )]
        }
        Err(_) => {
            return vec![Finding::failure(
                CHECK,
                "cannot connect: no answer within 10 s",
                fix,
            )]
        }
    };
    let mut findings = Vec::new();
    match db::server_version(&mut connection).await {
        Ok(version) if version < TESTED_POSTGRES => findings.push(Finding::warning(
            CHECK,
            format!(
                "PostgreSQL {} is older than the tested 15",
                version / 10_000
            ),
            "upgrade PostgreSQL to 15 or later",
        )),
        Ok(version) => findings.push(Finding::ok(
            CHECK,
            format!("connected, PostgreSQL {}", version / 10_000),
        )),
        Err(error) => findings.push(Finding::failure(
            CHECK,
            format!("cannot query: {error}"),
            "check that DATABASE_URL's user may use its database",
        )),
    }
    findings.push(migrations(&mut connection).await);
    let before = Utc::now();
    if let Ok(theirs) = db::now(&mut connection).await {
        findings.push(clock("database clock", before, theirs));
    }
    let _ = connection.close().await;
    findings
}

/// Which of this binary's migrations the database has applied, and whether it has any
/// this binary does not know.
async fn migrations(connection: &mut sqlx::PgConnection) -> Finding {
    const CHECK: &str = "migrations";
    let applied = match db::applied_migrations(connection).await {
        Ok(applied) => applied,
        Err(error) => {
            return Finding::failure(
                CHECK,
                format!("cannot read them: {error}"),
                "check that DATABASE_URL's user owns the database",
            )
        }
    };
    let known: HashMap<i64, &[u8]> = crate::db::MIGRATOR
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .map(|migration| (migration.version, migration.checksum.as_ref()))
        .collect();
    let recorded: HashMap<i64, &db::AppliedMigration> =
        applied.iter().map(|row| (row.version, row)).collect();
    if let Some(failed) = applied.iter().find(|row| !row.success) {
        return Finding::failure(
            CHECK,
            format!("migration {} failed half-way", failed.version),
            "restore the last backup, or fix the database by hand and remove that row from _sqlx_migrations",
        );
    }
    let unknown: Vec<i64> = applied
        .iter()
        .map(|row| row.version)
        .filter(|version| !known.contains_key(version))
        .collect();
    if let Some(newest) = unknown.iter().max() {
        return Finding::failure(
            CHECK,
            format!(
                "the database has {} migration(s) this roost does not know (up to {newest})",
                unknown.len()
            ),
            "a newer Roost migrated this database: run that version (downgrades are not supported)",
        );
    }
    let changed: Vec<i64> = applied
        .iter()
        .filter(|row| {
            known
                .get(&row.version)
                .is_some_and(|sum| *sum != row.checksum.as_slice())
        })
        .map(|row| row.version)
        .collect();
    if let Some(first) = changed.first() {
        return Finding::failure(
            CHECK,
            format!("migration {first} differs from the one applied"),
            "run the Roost release that applied it; migrations are never edited once released",
        );
    }
    let pending = known
        .keys()
        .filter(|version| !recorded.contains_key(version))
        .count();
    if pending > 0 {
        return Finding::warning(
            CHECK,
            format!("{pending} of {} migrations not applied yet", known.len()),
            "`roost migrate` applies them (`roost serve` and `roost worker` also do at start)",
        );
    }
    Finding::ok(CHECK, format!("all {} applied", known.len()))
}

/// The media store takes, returns and deletes an object.
async fn media_store(config: &Config) -> Finding {
    const CHECK: &str = "media store";
    let fix = match config.media_storage {
        crate::config::MediaStorageKind::Local => format!(
            "let the user running roost create and write files in {}",
            config.media_dir.display()
        ),
        crate::config::MediaStorageKind::S3 => {
            "check ROOST_S3_ENDPOINT, the bucket, and that the key may put, get and delete objects"
                .to_owned()
        }
    };
    let store = match crate::media::storage::MediaStore::from_config(config) {
        Ok(store) => store,
        Err(error) => {
            let location = media_location(config);
            return Finding::failure(CHECK, format!("{location}: {error:#}"), fix);
        }
    };
    let key = format!("doctor/probe-{}", crate::auth::random_token(12));
    let probe = async {
        let mut file = tempfile::tempfile()?;
        std::io::Write::write_all(&mut file, b"roost doctor")?;
        store.put_file(&key, "text/plain", file).await?;
        let read = store.read(&key).await?;
        store.delete(&key).await?;
        anyhow::ensure!(
            read.as_deref() == Some(b"roost doctor".as_slice()),
            "an object written could not be read back"
        );
        Ok(())
    };
    match tokio::time::timeout(STEP_TIME, probe).await {
        Ok(Ok(())) => Finding::ok(
            CHECK,
            format!(
                "{} takes, returns and deletes a file",
                media_location(config)
            ),
        ),
        Ok(Err(error)) => {
            Finding::failure(CHECK, format!("{}: {error:#}", media_location(config)), fix)
        }
        Err(_) => Finding::failure(
            CHECK,
            format!("{}: no answer within 10 s", media_location(config)),
            fix,
        ),
    }
}

/// Where the media store keeps files: a directory or a bucket.
fn media_location(config: &Config) -> String {
    match config.media_storage {
        crate::config::MediaStorageKind::Local => config.media_dir.display().to_string(),
        crate::config::MediaStorageKind::S3 => format!("bucket {}", config.s3_bucket),
    }
}

/// ffmpeg and ffprobe, which turn uploaded videos into web-playable ones.
fn video_tools(config: &Config) -> Finding {
    const CHECK: &str = "video tools";
    if config.ffmpeg == FfmpegMode::Off {
        return Finding::ok(CHECK, "off (ROOST_FFMPEG=off): videos are stored as sent");
    }
    match crate::media::ffmpeg::on_path() {
        Some((ffprobe, ffmpeg)) => Finding::ok(
            CHECK,
            format!("{} and {}", ffmpeg.display(), ffprobe.display()),
        ),
        None => Finding::warning(
            CHECK,
            "ffmpeg or ffprobe is not on PATH: videos are stored as sent, without poster or web version",
            "install ffmpeg (apt install ffmpeg), or set ROOST_FFMPEG=off to silence this",
        ),
    }
}

/// An outbound request to `domain` (its NodeInfo discovery document), checked as
/// deliveries are, and the clock skew its `Date` shows.
async fn outbound(config: &Config, domain: &str) -> Vec<Finding> {
    const CHECK: &str = "outbound";
    let scheme = if config.insecure_http {
        "http"
    } else {
        "https"
    };
    let url = match url::Url::parse(&format!("{scheme}://{domain}/.well-known/nodeinfo")) {
        Ok(url) if url.host_str().is_some() => url,
        _ => {
            return vec![Finding::failure(
                CHECK,
                format!("{domain} is not a host name"),
                "give a domain such as mastodon.social",
            )]
        }
    };
    if let Err(error) = crate::federation::fetch::check_destination(config, &url).await {
        return vec![Finding::failure(
            CHECK,
            format!("{domain}: {error}"),
            "Roost never contacts private addresses (unless ROOST_INSECURE_HTTP, for development)",
        )];
    }
    let client = match crate::state::outbound_client(config) {
        Ok(client) => client,
        Err(error) => return vec![Finding::failure(CHECK, error.to_string(), "report this")],
    };
    let started = Instant::now();
    let sent_at = Utc::now();
    let answer = client
        .get(url.clone())
        .header("Accept", "application/json")
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => {
            return vec![Finding::failure(
                CHECK,
                format!("{url}: {error}"),
                "check DNS, outgoing HTTPS (port 443) and any proxy or firewall between this host and the internet",
            )]
        }
    };
    let elapsed = started.elapsed().as_millis();
    let mut findings = vec![if answer.status().is_success() {
        Finding::ok(CHECK, format!("{url}: {} in {elapsed} ms", answer.status()))
    } else {
        Finding::warning(
            CHECK,
            format!("{url}: {} in {elapsed} ms", answer.status()),
            "the server answered, so the network works; it may not be a fediverse server",
        )
    }];
    let date = answer
        .headers()
        .get("date")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| httpdate::parse_http_date(value).ok());
    if let Some(theirs) = date {
        findings.push(clock("clock", sent_at, DateTime::<Utc>::from(theirs)));
    }
    findings
}

/// This machine's clock against `theirs`, read at about `ours`.
fn clock(check: &'static str, ours: DateTime<Utc>, theirs: DateTime<Utc>) -> Finding {
    let skew = (theirs - ours).num_seconds();
    let detail = match skew {
        0 => "in step with this machine's".to_owned(),
        ahead if ahead > 0 => format!("{ahead} s ahead of this machine's"),
        behind => format!("{} s behind this machine's", -behind),
    };
    let fix = "keep the clocks synchronised (systemd-timesyncd, chrony or ntpd)";
    match skew.abs() {
        gap if gap > SKEW_FAILURE_SECS => Finding::failure(
            check,
            format!("{detail}: peers refuse signatures dated this far off"),
            fix,
        ),
        gap if gap > SKEW_WARNING_SECS => Finding::warning(check, detail, fix),
        _ => Finding::ok(check, detail),
    }
}

/// The findings as the command prints them, and whether any failed.
pub fn report(findings: &[Finding]) -> (String, bool) {
    let mut text = String::new();
    for finding in findings {
        let mark = match finding.verdict {
            Verdict::Ok => "ok  ",
            Verdict::Warning => "WARN",
            Verdict::Failure => "FAIL",
        };
        text.push_str(&format!(
            "{mark}  {:<16} {}\n",
            finding.check, finding.detail
        ));
        if let Some(fix) = &finding.fix {
            text.push_str(&format!("      {:<16} fix: {fix}\n", ""));
        }
    }
    let count = |verdict| findings.iter().filter(|f| f.verdict == verdict).count();
    let failures = count(Verdict::Failure);
    text.push_str(&format!(
        "{} ok, {} warning(s), {failures} problem(s)\n",
        count(Verdict::Ok),
        count(Verdict::Warning)
    ));
    (text, failures > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_minutes_off_breaks_federation_and_seconds_off_do_not() {
        let now = Utc::now();
        let off = |seconds| clock("clock", now, now + chrono::Duration::seconds(seconds));
        assert_eq!(off(2).verdict, Verdict::Ok);
        assert_eq!(off(-45).verdict, Verdict::Warning);
        assert!(off(-45).detail.contains("45 s behind"));
        assert_eq!(off(600).verdict, Verdict::Failure);
    }

    #[test]
    fn private_addresses_are_told_apart() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "::1",
            "fd00::1",
            "0.0.0.0",
        ] {
            assert!(is_private(private.parse().expect("ip")), "{private}");
        }
        for public in ["203.0.113.9", "2001:db8::1"] {
            assert!(!is_private(public.parse().expect("ip")), "{public}");
        }
    }
}
