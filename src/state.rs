//! The shared state every handler and worker sees. Cheap to clone (everything inside
//! is a handle or an `Arc`).
//!
//! Its members are named by the files that define them (`auth::tokens`,
//! `media::storage`, `events`…), and those files take explicit handles (a `PgPool`, a
//! `Config`) instead of `AppState`: the state sits above its members, so no import
//! circle runs through it.

use std::sync::Arc;

use sqlx::PgPool;

use crate::auth::tokens::TokenIssuer;
use crate::config::{Config, SecretKey};
use crate::rate_limit::RateLimiter;

/// Handles to the database, configuration and process-wide services: one shared
/// [`Services`] behind an `Arc`. Cloned for every request and task (axum hands each
/// extractor its own copy), so a clone is one reference count, not one per member.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What an [`AppState`] holds.
#[derive(Clone)]
pub struct Services {
    /// The PostgreSQL pool: the store, the queues and the event bus.
    pub db: PgPool,
    /// Configuration, fixed for the process's lifetime.
    pub config: Arc<Config>,
    /// Signs and verifies access tokens.
    pub tokens: TokenIssuer,
    /// This process's kept token checks (see `auth::token_cache`).
    pub token_checks: crate::auth::token_cache::TokenCache,
    /// This process's kept accounts of pages of statuses (see
    /// `api::entities::account_cache`).
    pub displayed_accounts: crate::api::entities::account_cache::AccountCache,
    /// This process's kept OAuth apps, for new statuses (see `auth::app_cache`).
    pub apps: crate::auth::app_cache::AppCache,
    /// Per-IP request budgets for sign-up and sign-in endpoints.
    pub rate_limiter: Arc<RateLimiter>,
    /// Fan-out of database changes to streaming clients of this process.
    pub stream: crate::events::Hub,
    /// Outbound HTTP client with Roost's User-Agent and timeouts; it follows no redirects.
    pub http: reqwest::Client,
    /// The Web Push VAPID key, loaded on first use (see `push::vapid_key`).
    pub vapid: Arc<tokio::sync::OnceCell<Arc<crate::push::vapid::VapidKey>>>,
    /// Parsed signing keys of this process's deliveries.
    pub signing_keys: crate::delivery::keys::SigningKeys,
    /// Local actors' parsed Ed25519 signing keys (RFC 9421), as `signing_keys`.
    pub ed25519_signing_keys: crate::delivery::keys::SigningKeys,
    /// The signature scheme each domain accepted last (double-knocking).
    pub signature_schemes: crate::delivery::schemes::SchemeMemory,
    /// Where media files are stored (local directory or S3 bucket).
    pub media: crate::media::storage::MediaStore,
    /// Stores inbound activities of concurrent requests together (group commit).
    pub inbox_writer: crate::federation::inbox::writer::InboxWriter,
    /// Hashes and verifies passwords, a bounded number at a time.
    pub passwords: crate::auth::password::PasswordPool,
    /// This process's copy of the `no_access` IP blocks (see `services::ip_blocks`).
    pub no_access: crate::services::ip_blocks::NoAccessList,
    /// Seal TOTP secrets and digest recovery codes (see `services::two_factor`).
    pub two_factor_keys: crate::auth::two_factor_keys::TwoFactorKeys,
    /// The SMTP transport of account e-mail (disabled without `ROOST_SMTP_HOST`).
    pub mail: crate::mail::Mailer,
    /// The SMS gateway of phone verification (disabled without `ROOST_SMS_GATEWAY_URL`).
    pub sms: crate::sms::SmsGateway,
    /// This process's metrics (see `metrics`).
    pub metrics: crate::metrics::Metrics,
    /// The background workers' pool (see [`crate::db::worker_pool`]).
    work_db: PgPool,
}

impl AppState {
    /// The state the background workers run on: the same, with [`Self::db`] on the
    /// workers' pool, whose commits do not wait for the WAL flush (see
    /// [`crate::db::worker_pool`] for why that loses nothing).
    pub fn for_workers(&self) -> AppState {
        AppState(Arc::new(Services {
            db: self.work_db.clone(),
            ..Services::clone(self)
        }))
    }

    /// The process's database pools by name: requests' and the workers'.
    pub fn pools(&self) -> [(&'static str, &PgPool); 2] {
        [("requests", &self.db), ("workers", &self.work_db)]
    }

    /// Builds the state from a pool, configuration and the loaded secret key.
    pub fn new(db: PgPool, config: Config, secret: &SecretKey) -> anyhow::Result<Self> {
        let tokens = TokenIssuer::new(
            secret,
            config.issuer(),
            config.access_token_ttl_secs,
            config.refresh_token_ttl_secs,
        );
        let rate_limiter = Arc::new(RateLimiter::from_setting(&config.rate_limits)?);
        let http = outbound_client(&config)?;
        let media = crate::media::storage::MediaStore::from_config(&config)?;
        let stream =
            crate::events::Hub::new(crate::events::slots::StreamLimits::from_config(&config));
        let mail = crate::mail::Mailer::from_config(&config)?;
        let sms = crate::sms::SmsGateway::from_config(&config)?;
        Ok(AppState(Arc::new(Services {
            mail,
            sms,
            media,
            passwords: crate::auth::password::PasswordPool::from_config(&config),
            work_db: crate::db::worker_pool(&db),
            metrics: crate::metrics::Metrics::new(),
            inbox_writer: Default::default(),
            no_access: Default::default(),
            two_factor_keys: crate::auth::two_factor_keys::TwoFactorKeys::derive(secret),
            db,
            config: Arc::new(config),
            tokens,
            token_checks: Default::default(),
            displayed_accounts: Default::default(),
            apps: Default::default(),
            rate_limiter,
            stream,
            http,
            vapid: Arc::default(),
            signing_keys: crate::delivery::keys::SigningKeys::default(),
            ed25519_signing_keys: crate::delivery::keys::SigningKeys::default(),
            signature_schemes: crate::delivery::schemes::SchemeMemory::default(),
        })))
    }
}

/// How long an idle outbound connection is kept for the next request to its server.
/// A fan-out reaches thousands of servers once; each kept connection holds about
/// 30 KB and a file descriptor (the default, 90 s, kept 5,000 of them after one post
/// in the S1 benchmark), while a busy peer is asked again within seconds.
const OUTBOUND_IDLE: std::time::Duration = std::time::Duration::from_secs(10);
/// Idle connections kept per server: deliveries to one server run a few at a time.
const OUTBOUND_IDLE_PER_HOST: usize = 4;

/// The outbound HTTP client: Roost's User-Agent, bounded times, no redirects followed
/// (they are followed by hand, at most one, after checking the target like any other
/// destination: see `federation::fetch`), and few idle connections kept.
pub fn outbound_client(config: &Config) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(format!(
            "Roost/{}; +{}/",
            env!("CARGO_PKG_VERSION"),
            config.base_url()
        ))
        .timeout(std::time::Duration::from_secs(10))
        .connect_timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(OUTBOUND_IDLE)
        .pool_max_idle_per_host(OUTBOUND_IDLE_PER_HOST)
        .build()
}
