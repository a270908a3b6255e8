//! IP blocks (admins only): validating and writing them, what they mean for a
//! sign-up from an address, and the per-process list of `no_access` networks every
//! request is checked against.
//!
//! `no_access` is checked on every request, so it never costs a query there: each
//! process keeps the unexpired `no_access` blocks in memory ([`NoAccessList`]),
//! reloads them right after its own writes and at most [`REFRESH`] after another
//! process's (one query, by whichever request finds the list stale). Sign-up asks
//! the database (one indexed `>>=` query), so it always sees the latest blocks.
//! Spec: <https://docs.joinmastodon.org/methods/admin/ip_blocks/>.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::db::ip_blocks::{self, IpBlockRow, IpBlockSettings};
use crate::domain::IpRange;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The severities a block may have.
const SEVERITIES: [&str; 3] = ["sign_up_requires_approval", "sign_up_block", "no_access"];

/// How stale a process's `no_access` list may get before a request reloads it.
pub const REFRESH: Duration = Duration::from_secs(10);

/// A block as an admin sends it; each `None` keeps the block's current value (and
/// is an error for a new block's `ip` and `severity`).
#[derive(Clone, Debug, Default)]
pub struct IpBlockInput {
    /// An address or a network (`192.0.2.0/24`).
    pub ip: Option<String>,
    /// `sign_up_requires_approval`, `sign_up_block` or `no_access`.
    pub severity: Option<String>,
    pub comment: Option<String>,
    /// Seconds from now until the block expires; blank: never.
    pub expires_in: Option<String>,
}

impl IpBlockInput {
    /// The settings this input makes of `current` (`None`: a new block).
    /// Errors: Validation (`ip` or `severity` missing or invalid, bad `expires_in`).
    fn settings(&self, current: Option<&IpBlockRow>) -> ApiResult<IpBlockSettings> {
        let ip = match (self.ip.as_deref(), current) {
            (Some(ip), _) => IpRange::parse(ip)
                .ok_or_else(|| ApiError::validation("ip", "ERR_INVALID", "Ip is invalid"))?
                .to_string(),
            (None, Some(current)) => current.ip.clone(),
            (None, None) => {
                return Err(ApiError::validation("ip", "ERR_BLANK", "Ip can't be blank"))
            }
        };
        let severity = match (self.severity.as_deref(), current) {
            (Some(severity), _) if SEVERITIES.contains(&severity) => severity.to_owned(),
            (None, Some(current)) => current.severity.clone(),
            _ => {
                return Err(ApiError::validation(
                    "severity",
                    "ERR_INCLUSION",
                    "Severity is not included in the list",
                ))
            }
        };
        let expires_at = match (self.expires_in.as_deref(), current) {
            (Some(sent), _) => crate::services::filters::expires_at(sent)?,
            (None, current) => current.and_then(|c| c.expires_at),
        };
        Ok(IpBlockSettings {
            ip,
            severity,
            comment: self
                .comment
                .clone()
                .or_else(|| current.map(|c| c.comment.clone()))
                .unwrap_or_default(),
            expires_at,
        })
    }
}

/// The error of a network that is blocked already.
fn taken() -> ApiError {
    ApiError::validation("ip", "ERR_TAKEN", "Ip has already been taken")
}

/// Blocks an address or network. Errors: Validation (including a network that is
/// blocked already: `ERR_TAKEN`).
pub async fn create(state: &AppState, input: &IpBlockInput) -> ApiResult<IpBlockRow> {
    let settings = input.settings(None)?;
    let row = ip_blocks::create(&state.db, &settings)
        .await?
        .ok_or_else(taken)?;
    state.no_access.reload(&state.db).await;
    Ok(row)
}

/// Changes the block `id`. Errors: NotFound, Validation.
pub async fn update(state: &AppState, id: i64, input: &IpBlockInput) -> ApiResult<IpBlockRow> {
    let current = find(state, id).await?;
    let settings = input.settings(Some(&current))?;
    let row = match ip_blocks::update(&state.db, id, &settings).await {
        Ok(row) => row.ok_or(ApiError::NotFound)?,
        Err(error) if crate::db::violated_constraint(&error).is_some() => return Err(taken()),
        Err(error) => return Err(error.into()),
    };
    state.no_access.reload(&state.db).await;
    Ok(row)
}

/// Deletes the block `id`. Errors: NotFound.
pub async fn delete(state: &AppState, id: i64) -> ApiResult<()> {
    if !ip_blocks::delete(&state.db, id).await? {
        return Err(ApiError::NotFound);
    }
    state.no_access.reload(&state.db).await;
    Ok(())
}

/// The block `id`. Errors: NotFound.
pub async fn find(state: &AppState, id: i64) -> ApiResult<IpBlockRow> {
    ip_blocks::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// What the IP blocks allow a sign-up from one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpFromIp {
    /// No block applies.
    Allowed,
    /// The account waits for a moderator's approval.
    RequiresApproval,
    /// Sign-up is refused.
    Blocked,
}

/// What the unexpired blocks containing `ip` allow a sign-up from it (the strictest
/// one wins; `no_access` requests never get this far, but count as blocked). Text
/// that is no IP address meets no block.
pub async fn sign_up_from(db: &PgPool, ip: &str) -> sqlx::Result<SignUpFromIp> {
    // `::ffff:192.0.2.7` must meet the blocks of `192.0.2.7`.
    let ip = match ip.parse::<IpAddr>() {
        Ok(address) => address.to_canonical().to_string(),
        Err(_) => return Ok(SignUpFromIp::Allowed),
    };
    let severities = ip_blocks::severities_containing(db, &ip).await?;
    let has = |severity: &str| severities.iter().any(|s| s == severity);
    Ok(if has("sign_up_block") || has("no_access") {
        SignUpFromIp::Blocked
    } else if has("sign_up_requires_approval") {
        SignUpFromIp::RequiresApproval
    } else {
        SignUpFromIp::Allowed
    })
}

/// This process's copy of the unexpired `no_access` blocks (see the module doc).
/// Cloning shares the list.
#[derive(Clone, Debug, Default)]
pub struct NoAccessList {
    inner: Arc<Mutex<Snapshot>>,
}

#[derive(Debug, Default)]
struct Snapshot {
    blocks: Arc<Vec<(IpRange, Option<DateTime<Utc>>)>>,
    loaded_at: Option<Instant>,
    /// Numbers loads as they start, so a slow older load never replaces a newer one.
    started: u64,
    stored: u64,
}

impl NoAccessList {
    /// Whether `ip` may not use this server at all. Reloads the list first when it is
    /// older than [`REFRESH`] (one request does; the others meanwhile use the current
    /// list); a failed reload keeps the old list (and is logged).
    pub async fn refuses(&self, db: &PgPool, ip: IpAddr) -> bool {
        let stale = {
            let mut snapshot = self.lock();
            let stale = snapshot
                .loaded_at
                .is_none_or(|loaded| loaded.elapsed() >= REFRESH);
            // Claims the reload: other requests meanwhile use the current list. A
            // reload that fails or is cancelled is retried after REFRESH.
            if stale {
                snapshot.loaded_at = Some(Instant::now());
            }
            stale
        };
        if stale {
            self.reload(db).await;
        }
        let blocks = Arc::clone(&self.lock().blocks);
        let now = Utc::now();
        blocks.iter().any(|(range, expires_at)| {
            expires_at.is_none_or(|expires| expires > now) && range.contains(ip)
        })
    }

    /// Loads the list from the database now (after a write, and when stale).
    pub async fn reload(&self, db: &PgPool) {
        let generation = {
            let mut snapshot = self.lock();
            snapshot.started += 1;
            snapshot.started
        };
        let loaded = ip_blocks::active_no_access(db).await;
        let mut snapshot = self.lock();
        snapshot.loaded_at = Some(Instant::now());
        match loaded {
            Ok(rows) if generation > snapshot.stored => {
                snapshot.stored = generation;
                snapshot.blocks = Arc::new(
                    rows.iter()
                        .filter_map(|row| Some((IpRange::parse(&row.ip)?, row.expires_at)))
                        .collect(),
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not reload the no_access IP blocks"),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        // A panic while holding this lock leaves a consistent snapshot behind.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
