//! Runtime configuration, read from environment variables (each also accepted as a
//! command-line flag). The names are part of Roost's public contract: keep them stable.
//!
//! This module only parses and validates; it does no I/O except reading or creating
//! the JWT secret key file (see [`load_or_create_secret`]).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::builder::BoolishValueParser;
use clap::{Args, ValueEnum};

/// Who may create an account through `POST /api/v1/accounts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RegistrationMode {
    /// Anyone may sign up and use the account at once.
    Open,
    /// Anyone may sign up; a moderator must approve the account before it can be used.
    Approval,
    /// Nobody may sign up; admins create accounts with `roost admin create-user`.
    Closed,
}

impl RegistrationMode {
    /// The name used in the environment variable and in documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Closed => "closed",
        }
    }
}

/// Where uploaded media files are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MediaStorageKind {
    /// A directory on this machine (`ROOST_MEDIA_DIR`), served by Roost itself.
    Local,
    /// An S3-compatible bucket (`ROOST_S3_*`).
    S3,
}

/// Whether ffmpeg and ffprobe process uploaded videos (`ROOST_FFMPEG`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FfmpegMode {
    /// Used when both are found on PATH.
    Auto,
    /// Never used: videos are stored as sent.
    Off,
}

/// Who may see a public list (Mastodon's `show_domain_blocks` setting and its kin).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShownTo {
    /// Nobody: the endpoint answers 404.
    Disabled,
    /// Signed-in users of this instance only.
    Users,
    /// Everyone, without a token.
    All,
}

impl ShownTo {
    /// Whether a caller, signed in or not, may see it.
    pub fn allows(self, signed_in: bool) -> bool {
        match self {
            ShownTo::Disabled => false,
            ShownTo::Users => signed_in,
            ShownTo::All => true,
        }
    }
}

/// Ten years: Mastodon apps never refresh their tokens, so a short default would sign
/// people out of every existing app. Revocation is checked on every request, so a long
/// lifetime does not weaken `POST /oauth/revoke`.
const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 10 * 365 * 24 * 3600;

/// Settings of the `serve` command (and of the database-using commands).
#[derive(Args, Clone)]
pub struct Config {
    /// PostgreSQL connection URL, e.g. postgres://roost@127.0.0.1/roost
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,

    /// Public host name of this instance, optionally with a port (e.g. social.example or
    /// localhost:8081). It appears in every account handle and URL: never change it once
    /// other servers know the instance.
    #[arg(long, env = "ROOST_DOMAIN", default_value = "localhost:8080")]
    pub domain: String,

    /// Address and port to listen on.
    #[arg(long, env = "ROOST_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Address and port of the Prometheus metrics listener (`GET /metrics`), e.g.
    /// 127.0.0.1:9464. Unset: no metrics listener. Keep it off the public network.
    #[arg(long, env = "ROOST_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Development and tests only: use http:// in all URLs and allow federation with
    /// loopback and private hosts.
    #[arg(long, env = "ROOST_INSECURE_HTTP", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub insecure_http: bool,

    /// Federate only with domains on the admins' allowlist (`/api/v1/admin/domain_allows`):
    /// everything from, to or about other domains is refused.
    #[arg(long, env = "ROOST_ALLOWLIST_MODE", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub allowlist_mode: bool,

    /// Who may sign up: open, approval (a moderator approves each account) or closed.
    #[arg(long, env = "ROOST_REGISTRATION", value_enum, default_value = "open")]
    pub registration: RegistrationMode,

    /// File holding the secret that signs access tokens (JWT, HS256). Created with a
    /// random key on first start when absent. Every process of one instance must share it.
    #[arg(
        long,
        env = "ROOST_SECRET_KEY_FILE",
        default_value = ".roost/secret.key"
    )]
    pub secret_key_file: PathBuf,

    /// Lifetime of access tokens in seconds (default ten years, because Mastodon apps
    /// never refresh; revocation still takes effect at once).
    #[arg(long = "access-token-ttl", env = "ROOST_ACCESS_TOKEN_TTL", default_value_t = DEFAULT_ACCESS_TOKEN_TTL_SECS)]
    pub access_token_ttl_secs: u64,

    /// Lifetime of refresh tokens in seconds (default 90 days); each use issues a new one.
    #[arg(long = "refresh-token-ttl", env = "ROOST_REFRESH_TOKEN_TTL", default_value_t = 90 * 24 * 3600)]
    pub refresh_token_ttl_secs: u64,

    /// Rate limits: "on" (defaults), "off" (for load tests), or overrides such as
    /// "sign_up=5/1800,oauth_token=30/300,sign_in=25/300" (requests per seconds, per IP).
    #[arg(long, env = "ROOST_RATE_LIMITS", default_value = "on")]
    pub rate_limits: String,

    /// Take the client IP for rate limits from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long, env = "ROOST_TRUST_PROXY", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Seconds a client has to send a request's headers, counted from when the server
    /// waits for them (a new connection, or an idle keep-alive one); then the
    /// connection is closed. Bounds slowloris clients and idle keep-alive sockets.
    #[arg(long = "header-read-timeout", env = "ROOST_HEADER_READ_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,

    /// Streaming connections without a token (public, public:local, hashtag; SSE and
    /// WebSocket) from one IP address (IPv6: one /64), per process.
    #[arg(long, env = "ROOST_STREAMING_MAX_ANONYMOUS_PER_IP", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub streaming_max_anonymous_per_ip: u32,

    /// Streaming connections without a token from all addresses together, per process.
    #[arg(long, env = "ROOST_STREAMING_MAX_ANONYMOUS", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub streaming_max_anonymous: u32,

    /// Streaming connections of one signed-in account, per process.
    #[arg(long, env = "ROOST_STREAMING_MAX_PER_ACCOUNT", default_value_t = 32,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub streaming_max_per_account: u32,

    /// Whether signed-out visitors of the landing page see a preview of the instance's
    /// recent public posts (Mastodon's "timeline preview").
    #[arg(
        long,
        env = "ROOST_TIMELINE_PREVIEW",
        default_value = "true",
        value_parser = BoolishValueParser::new(),
        action = clap::ArgAction::Set
    )]
    pub timeline_preview: bool,

    /// Whether `GET /api/graphql` serves the GraphiQL page (an in-browser editor of
    /// GraphQL queries): for development, off in production.
    #[arg(
        long,
        env = "ROOST_GRAPHIQL",
        default_value = "false",
        value_parser = BoolishValueParser::new(),
        action = clap::ArgAction::Set
    )]
    pub graphiql: bool,

    /// Days between a user deleting their own account and its data being purged
    /// (the account is suspended and gone for everyone at once; within the grace
    /// period an admin can still restore it). 0: purged at the next maintenance pass.
    #[arg(long, env = "ROOST_ACCOUNT_DELETION_GRACE_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub account_deletion_grace_days: u32,

    /// Instance name shown to apps.
    #[arg(long, env = "ROOST_INSTANCE_TITLE", default_value = "Roost")]
    pub instance_title: String,

    /// One-paragraph description shown to apps.
    #[arg(
        long,
        env = "ROOST_INSTANCE_DESCRIPTION",
        default_value = "A federated social server."
    )]
    pub instance_description: String,

    /// Who sees the list of moderated servers (`GET /api/v1/instance/domain_blocks`):
    /// disabled, users (signed in) or all.
    #[arg(
        long,
        env = "ROOST_SHOW_DOMAIN_BLOCKS",
        value_enum,
        default_value = "users"
    )]
    pub show_domain_blocks: ShownTo,

    /// Who sees the public comment (reason) of each listed domain block: disabled,
    /// users (signed in) or all.
    #[arg(
        long,
        env = "ROOST_SHOW_DOMAIN_BLOCKS_RATIONALE",
        value_enum,
        default_value = "users"
    )]
    pub show_domain_blocks_rationale: ShownTo,

    /// Contact e-mail address of the admins.
    #[arg(long, env = "ROOST_CONTACT_EMAIL", default_value = "")]
    pub contact_email: String,

    /// Run the background workers (deliveries, inbox processing, maintenance) inside
    /// `serve`. Turn off on HTTP-only nodes when `roost worker` processes do the work.
    #[arg(long, env = "ROOST_WORKERS", default_value = "true",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub workers: bool,

    /// Fetch link preview cards for posts with links (one fetch per URL for the whole
    /// instance, through a durable queue with a per-host rate limit). Off: no page is
    /// fetched; cards that arrive inside remote posts are still shown.
    #[arg(long, env = "ROOST_PREVIEW_CARDS", default_value = "true",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub preview_cards: bool,

    /// How long, in seconds, the `Create` of a new local post with a link waits for its
    /// preview card before it is sent without one (0: never wait).
    #[arg(long, env = "ROOST_PREVIEW_CARD_WAIT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=120))]
    pub preview_card_wait_secs: u32,

    /// The least time, in milliseconds, between two WebFinger resolutions of unknown
    /// accounts of one domain by CSV imports, across all processes (100: ten a second).
    #[arg(long, env = "ROOST_IMPORT_RESOLVE_INTERVAL_MS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(0..=60_000))]
    pub import_resolve_interval_ms: u32,

    /// Show as trends only the hashtags, statuses and links staff approved (Mastodon's
    /// default). Off: everything trends unless staff rejected it.
    #[arg(long, env = "ROOST_TRENDS_REVIEW", default_value = "true",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub trends_review: bool,

    /// Longest status accepted, counted as Mastodon counts (links as 23 characters).
    #[arg(long, env = "ROOST_MAX_STATUS_CHARACTERS", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_status_characters: u32,

    /// Maximum number of database connections of this process.
    #[arg(long, env = "ROOST_DB_POOL_SIZE", default_value_t = 20)]
    pub db_pool_size: u32,

    /// Longest wait, in seconds, for a database connection. While PostgreSQL is
    /// unreachable, requests answer 503 with `Retry-After` after at most this long.
    #[arg(long = "db-acquire-timeout", env = "ROOST_DB_ACQUIRE_TIMEOUT", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub db_acquire_timeout_secs: u64,

    /// Seconds a remote domain must have failed, with no successful delivery in between,
    /// before its circuit breaker opens (see `delivery::policy`).
    #[arg(long = "delivery-breaker-open-after", env = "ROOST_DELIVERY_BREAKER_OPEN_AFTER",
          default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub delivery_breaker_open_after_secs: u64,

    /// Seconds an opened breaker waits before one probe delivery (doubled after each
    /// failed probe of the same outage).
    #[arg(long = "delivery-breaker-cool-off", env = "ROOST_DELIVERY_BREAKER_COOL_OFF",
          default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub delivery_breaker_cool_off_secs: u64,

    /// Longest cool-off of the breaker, in seconds.
    #[arg(long = "delivery-breaker-max-cool-off", env = "ROOST_DELIVERY_BREAKER_MAX_COOL_OFF",
          default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub delivery_breaker_max_cool_off_secs: u64,

    /// Where uploaded media is stored: local (ROOST_MEDIA_DIR) or s3 (ROOST_S3_*).
    #[arg(long, env = "ROOST_MEDIA_STORAGE", value_enum, default_value = "local")]
    pub media_storage: MediaStorageKind,

    /// Directory of uploaded media with local storage (created when missing). Every
    /// process of one instance must see the same directory.
    #[arg(long, env = "ROOST_MEDIA_DIR", default_value = ".roost/media")]
    pub media_dir: PathBuf,

    /// S3 endpoint URL, e.g. https://s3.eu-central-1.amazonaws.com or a MinIO URL;
    /// empty for AWS's default endpoint of the region.
    #[arg(long, env = "ROOST_S3_ENDPOINT", default_value = "")]
    pub s3_endpoint: String,

    /// S3 bucket holding the media files.
    #[arg(long, env = "ROOST_S3_BUCKET", default_value = "")]
    pub s3_bucket: String,

    /// S3 region.
    #[arg(long, env = "ROOST_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// S3 access key id.
    #[arg(long, env = "ROOST_S3_ACCESS_KEY_ID", default_value = "")]
    pub s3_access_key_id: String,

    /// S3 secret access key.
    #[arg(
        long,
        env = "ROOST_S3_SECRET_ACCESS_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub s3_secret_access_key: String,

    /// Public base URL of the bucket (e.g. a CDN); media URLs point there. Empty:
    /// Roost serves the files itself under /system/.
    #[arg(long, env = "ROOST_S3_PUBLIC_URL", default_value = "")]
    pub s3_public_url: String,

    /// Largest media file accepted in one upload, in bytes (default 40 MiB).
    #[arg(long, env = "ROOST_MAX_UPLOAD_BYTES", default_value_t = 40 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=1024 * 1024 * 1024))]
    pub max_upload_bytes: u64,

    /// Largest image accepted, in pixels (width × height); bigger ones, including
    /// decompression bombs, are refused before decoding.
    #[arg(long, env = "ROOST_MAX_IMAGE_PIXELS", default_value_t = 33_177_600,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub max_image_pixels: u64,

    /// Most media attachments on one status (local posts and stored remote posts).
    #[arg(long, env = "ROOST_MAX_MEDIA_ATTACHMENTS", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub max_media_attachments: u32,

    /// Whether uploaded videos are probed (duration, frame rate, codecs), given a
    /// poster frame and turned into a web-playable MP4 with ffprobe and ffmpeg: `auto`
    /// (when both are on PATH) or `off` (stored as sent, described from the MP4
    /// header only).
    #[arg(long, env = "ROOST_FFMPEG", value_enum, default_value = "auto")]
    pub ffmpeg: FfmpegMode,

    /// Longest time, in seconds, one ffprobe or ffmpeg run on an upload may take; it is
    /// killed past it and the file is stored as sent.
    #[arg(long = "ffmpeg-timeout", env = "ROOST_FFMPEG_TIMEOUT", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub ffmpeg_timeout_secs: u64,

    /// Longest reel, in seconds (a reel's one video must not be longer).
    #[arg(long, env = "ROOST_REEL_MAX_SECONDS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub reel_max_seconds: u32,

    /// How long a story lives, in hours (default 24): past it, it disappears here and
    /// its deletion is sent wherever it went.
    #[arg(long, env = "ROOST_STORY_HOURS", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=168))]
    pub story_hours: u32,

    /// How old an inbound HTTP signature may be, in seconds, counted from the signed
    /// `Date` or `(created)` (default 3900: Mastodon's 5 minutes plus 1 hour of clock
    /// skew). Applies to inbox POSTs and signed GETs alike.
    #[arg(long = "signature-max-age", env = "ROOST_SIGNATURE_MAX_AGE",
          default_value_t = DEFAULT_SIGNATURE_MAX_AGE_SECS,
          value_parser = clap::value_parser!(u64).range(60..=LONGEST_SIGNATURE_MAX_AGE_SECS))]
    pub signature_max_age_secs: u64,

    /// Password hashes (sign-up, sign-in, password change) computed at the same time;
    /// each holds 19 MiB while it runs. Default: the number of CPU cores.
    #[arg(long, env = "ROOST_PASSWORD_HASH_CONCURRENCY",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub password_hash_concurrency: Option<u32>,

    /// Longest wait, in milliseconds, for a free password hasher; past it the request
    /// gets 503 with Retry-After.
    #[arg(long, env = "ROOST_PASSWORD_HASH_QUEUE_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub password_hash_queue_timeout_ms: u64,

    /// Most requests waiting for a password hasher; more get 503 at once.
    #[arg(long, env = "ROOST_PASSWORD_HASH_QUEUE_LENGTH", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub password_hash_queue_length: u32,

    /// Outgoing mail (`ROOST_SMTP_*`, see `mail::settings`).
    #[command(flatten)]
    pub smtp: crate::mail::settings::SmtpSettings,

    /// Text messages and phone verification (`ROOST_SMS_*`, `ROOST_PHONE_VERIFICATION`,
    /// see `sms::settings`).
    #[command(flatten)]
    pub sms: crate::sms::settings::SmsSettings,
}

/// [`crate::federation::signatures::DEFAULT_MAX_AGE`] in seconds (65 minutes).
const DEFAULT_SIGNATURE_MAX_AGE_SECS: u64 = crate::federation::signatures::DEFAULT_MAX_AGE
    .num_seconds()
    .unsigned_abs();
/// 12 hours: Mastodon's cap on how long any signature stays valid.
const LONGEST_SIGNATURE_MAX_AGE_SECS: u64 = 12 * 3600;

impl Config {
    /// How old an inbound HTTP signature may be (`ROOST_SIGNATURE_MAX_AGE`).
    pub fn signature_max_age(&self) -> chrono::TimeDelta {
        let seconds = self
            .signature_max_age_secs
            .min(LONGEST_SIGNATURE_MAX_AGE_SECS);
        // At most 12 hours (the parser bounds it too), so the conversion cannot fail.
        chrono::TimeDelta::seconds(i64::try_from(seconds).unwrap_or(0))
    }

    /// "http" under `ROOST_INSECURE_HTTP`, "https" otherwise.
    pub fn scheme(&self) -> &'static str {
        if self.insecure_http {
            "http"
        } else {
            "https"
        }
    }

    /// Base URL of the instance without a trailing slash, e.g. `https://social.example`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.domain)
    }
}

impl Config {
    /// The OAuth issuer identifier (RFC 8414) and JWT `iss`: the base URL with a
    /// trailing slash, as Mastodon publishes it.
    pub fn issuer(&self) -> String {
        format!("{}/", self.base_url())
    }
}

impl fmt::Debug for Config {
    // The database URL may carry a password: print only its host part.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let database = url::Url::parse(&self.database_url)
            .map(|u| format!("{}://{}", u.scheme(), u.host_str().unwrap_or("")))
            .unwrap_or_else(|_| "<unparsable>".to_owned());
        f.debug_struct("Config")
            .field("database_url", &database)
            .field("domain", &self.domain)
            .field("bind", &self.bind)
            .field("metrics_bind", &self.metrics_bind)
            .field("insecure_http", &self.insecure_http)
            .field("allowlist_mode", &self.allowlist_mode)
            .field("registration", &self.registration)
            .field("secret_key_file", &self.secret_key_file)
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_secs", &self.refresh_token_ttl_secs)
            .field("rate_limits", &self.rate_limits)
            .field("trust_proxy", &self.trust_proxy)
            .field("media_storage", &self.media_storage)
            .field("media_dir", &self.media_dir)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_bucket", &self.s3_bucket)
            .field("smtp", &self.smtp)
            .field("sms", &self.sms)
            .finish_non_exhaustive()
    }
}

/// The JWT signing secret. Its Debug output is redacted so it never reaches a log.
#[derive(Clone)]
pub struct SecretKey(pub Vec<u8>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// Reads the secret key file, or creates it with 64 random bytes (base64url, mode 0600)
/// when it does not exist. Errors when the file exists but is too short to be safe.
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<SecretKey> {
    use anyhow::Context;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = text.trim().as_bytes().to_vec();
            anyhow::ensure!(
                key.len() >= 32,
                "{} holds fewer than 32 bytes; delete it to generate a new key",
                path.display()
            );
            Ok(SecretKey(key))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let key = crate::auth::secrets::random_token(64);
            write_private_file(path, key.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a new secret key");
            Ok(SecretKey(key.into_bytes()))
        }
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")
}

/// Parses settings from command-line style arguments (falling back to the environment
/// and defaults, exactly as `roost serve` does). Tests and tools use it to build a
/// `Config` without a subprocess.
pub fn parse_from<I, T>(args: I) -> Result<Config, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    #[derive(clap::Parser)]
    struct Wrapper {
        #[command(flatten)]
        config: Config,
    }
    <Wrapper as clap::Parser>::try_parse_from(args).map(|w| w.config)
}
