//! Two-factor sign-in with TOTP (RFC 6238) — or a code texted to the user's verified
//! number (`services::phone_verification`), accepted here too — for local users:
//! setting it up (a secret the user's app reads from a QR code, confirmed by a first
//! code, which hands out ten single-use recovery codes), checking a code at sign-in,
//! new recovery codes, and
//! turning it off (by the user with their password, or by the operator for a lost
//! phone). The web settings pages, the web sign-in's second step and the OAuth
//! password grant (`auth::grants`) call these functions; nothing here renders.
//!
//! The rules, all here:
//! - a code is accepted for the current 30-second step and one step either side, and
//!   each step's code once: a code seen already (or an older one) is refused (replay);
//! - a recovery code works once (its digest row is deleted as it is spent);
//! - after [`MAX_FAILURES`] wrong codes within [`LOCKOUT_WINDOW_SECS`] the user is
//!   locked out until that window ends, right codes included: counted per user in
//!   PostgreSQL, so every process and every sign-in path shares the budget;
//! - the secret is stored sealed (`auth::two_factor_keys`), recovery codes as keyed
//!   digests; neither is ever logged.
//!
//! Does not: decide which sign-in paths ask for a code (`auth::grants`, the web
//! sign-in), nor draw the QR code (`web::qr`).
//!
//! Spec: <https://www.rfc-editor.org/rfc/rfc6238>; Mastodon's behaviour:
//! <https://docs.joinmastodon.org/user/preferences/#2fa>.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use crate::auth::password::{Busy, HashError};
use crate::db::two_factor as rows;
use crate::db::users::UserRow;
use crate::domain::totp;
use crate::error::ApiError;
use crate::state::AppState;

/// Wrong codes allowed per user within [`LOCKOUT_WINDOW_SECS`].
pub const MAX_FAILURES: i32 = 10;
/// The lockout window: 15 minutes.
pub const LOCKOUT_WINDOW_SECS: i64 = 15 * 60;
/// Recovery codes handed out at once.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Characters of a recovery code (lowercase base32, 60 bits), shown in groups of four.
const RECOVERY_CODE_CHARS: usize = 12;

/// A setup waiting for its first code: what the settings page shows.
#[derive(Clone)]
pub struct Setup {
    /// The secret in base32, for typing into an app by hand.
    pub secret_base32: String,
    /// The `otpauth://` URI, for the QR code (`web::qr::qr_svg`).
    pub otpauth_uri: String,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Setup(<redacted>)")
    }
}

/// Fresh recovery codes (`abcd-efgh-ijkl`), shown to the user once; only their digests
/// are stored.
#[derive(Clone)]
pub struct RecoveryCodes(pub Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes(<{} redacted>)", self.0.len())
    }
}

/// Where a user's two-factor sign-in stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwoFactorStatus {
    /// Not set up.
    Off,
    /// A setup waits for its first code.
    Pending,
    /// On, with this many unspent recovery codes.
    Enabled { recovery_codes_left: i64 },
}

/// Why a two-factor action failed.
#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    /// Setting up again while it is on (turn it off first).
    #[error("Two-factor authentication is already enabled")]
    AlreadyEnabled,
    /// Acting on two-factor sign-in the user does not have.
    #[error("Two-factor authentication is not enabled")]
    NotEnabled,
    /// Confirming when no setup is waiting.
    #[error("No two-factor setup is waiting for confirmation")]
    NoPendingSetup,
    /// A code that is wrong, malformed, or used already.
    #[error("Invalid two-factor authentication code")]
    InvalidCode,
    /// The password given to turn it off is wrong.
    #[error("Invalid password")]
    WrongPassword,
    /// Too many wrong codes: refused until `until`.
    #[error("Too many invalid two-factor authentication codes; try again later")]
    LockedOut { until: DateTime<Utc> },
    /// Every password hasher is busy.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// The database, or a secret that no longer opens.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for TwoFactorError {
    fn from(error: sqlx::Error) -> Self {
        TwoFactorError::Internal(error.into())
    }
}

impl From<HashError> for TwoFactorError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy(busy) => TwoFactorError::Busy(busy),
            HashError::Internal(error) => TwoFactorError::Internal(error),
        }
    }
}

impl From<TwoFactorError> for ApiError {
    fn from(error: TwoFactorError) -> Self {
        let message = error.to_string();
        match error {
            TwoFactorError::AlreadyEnabled
            | TwoFactorError::NotEnabled
            | TwoFactorError::NoPendingSetup => ApiError::Unprocessable(message),
            TwoFactorError::InvalidCode => {
                ApiError::validation("otp_attempt", "ERR_INVALID", message)
            }
            TwoFactorError::WrongPassword => {
                ApiError::validation("current_password", "ERR_INVALID", message)
            }
            TwoFactorError::LockedOut { until } => ApiError::RateLimited(lockout_headers(until)),
            TwoFactorError::Busy(busy) => busy.into(),
            TwoFactorError::Internal(cause) => ApiError::from(cause),
        }
    }
}

/// `Retry-After` (seconds) and Mastodon's `X-RateLimit-Reset` for a lockout.
pub fn lockout_headers(until: DateTime<Utc>) -> axum::http::HeaderMap {
    let mut headers = axum::http::HeaderMap::new();
    let seconds = (until - Utc::now()).num_seconds().max(1);
    headers.insert(axum::http::header::RETRY_AFTER, seconds.into());
    let reset = until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    if let Ok(value) = axum::http::HeaderValue::from_str(&reset) {
        headers.insert("x-ratelimit-reset", value);
    }
    headers
}

/// Whether `user_id` must give a code to sign in.
pub async fn is_enabled(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    rows::is_enabled(db, user_id).await
}

/// Where `user`'s two-factor sign-in stands (for the settings page).
pub async fn status(state: &AppState, user: &UserRow) -> Result<TwoFactorStatus, TwoFactorError> {
    let status = match rows::find(&state.db, user.id).await? {
        None => TwoFactorStatus::Off,
        Some(row) if row.enabled_at.is_none() => TwoFactorStatus::Pending,
        Some(_) => TwoFactorStatus::Enabled {
            recovery_codes_left: rows::recovery_codes_left(&state.db, user.id).await?,
        },
    };
    Ok(status)
}

/// Starts a setup with a new secret, replacing a pending one (an earlier QR code stops
/// working). Errors: `AlreadyEnabled`.
pub async fn begin_setup(state: &AppState, user: &UserRow) -> Result<Setup, TwoFactorError> {
    let account = crate::db::accounts::find_by_id(&state.db, user.account_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {} has no account", user.id))?;
    let secret = totp::new_secret();
    let sealed = state.two_factor_keys.seal(user.id, &secret);
    if !rows::store_pending(&state.db, user.id, &sealed).await? {
        return Err(TwoFactorError::AlreadyEnabled);
    }
    let secret_base32 = totp::base32_encode(&secret);
    let domain = &state.config.domain;
    let label = format!("{}@{domain}", account.username);
    Ok(Setup {
        otpauth_uri: totp::otpauth_uri(domain, &label, &secret_base32),
        secret_base32,
    })
}

/// Confirms the pending setup with a code from the app: two-factor sign-in is on from
/// now, and here are its recovery codes. Wrong codes count towards the lockout.
/// Errors: `NoPendingSetup`, `AlreadyEnabled`, `InvalidCode`, `LockedOut`.
pub async fn confirm_setup(
    state: &AppState,
    user: &UserRow,
    code: &str,
) -> Result<RecoveryCodes, TwoFactorError> {
    refuse_if_locked_out(state, user.id).await?;
    let row = rows::find(&state.db, user.id)
        .await?
        .ok_or(TwoFactorError::NoPendingSetup)?;
    if row.enabled_at.is_some() {
        return Err(TwoFactorError::AlreadyEnabled);
    }
    let Some(step) = matching_step(state, &row, code)? else {
        return Err(count_failure(state, user.id).await?);
    };
    let (codes, digests) = new_recovery_codes(state);
    let mut transaction = state.db.begin().await?;
    if !rows::enable(&mut transaction, user.id, step).await? {
        return Err(TwoFactorError::NoPendingSetup);
    }
    rows::replace_recovery_codes(&mut transaction, user.id, &digests).await?;
    transaction.commit().await?;
    tracing::info!(user_id = user.id, "two-factor sign-in enabled");
    Ok(codes)
}

/// Checks a sign-in code: a TOTP code (accepted once) or a recovery code (spent).
/// Errors: `NotEnabled`, `InvalidCode` (counted), `LockedOut` (checked first, so a
/// locked-out user's right code is refused too).
pub async fn verify(state: &AppState, user: &UserRow, code: &str) -> Result<(), TwoFactorError> {
    refuse_if_locked_out(state, user.id).await?;
    let totp = rows::find(&state.db, user.id)
        .await?
        .filter(|row| row.enabled_at.is_some());
    let sms = crate::db::phone_verifications::user_phone(&state.db, user.id)
        .await?
        .is_some_and(|phone| phone.two_factor);
    if totp.is_none() && !sms {
        return Err(TwoFactorError::NotEnabled);
    }
    let mut accepted = match &totp {
        Some(row) => match matching_step(state, row, code)? {
            Some(step) => rows::accept_step(&state.db, user.id, step).await?,
            None => spend_recovery_code(state, user.id, code).await?,
        },
        None => false,
    };
    if !accepted && sms {
        accepted = crate::services::phone_verification::accept_sign_in_code(state, user.id, code)
            .await
            .map_err(|error| TwoFactorError::Internal(anyhow::anyhow!("{error}")))?;
    }
    if accepted {
        Ok(())
    } else {
        Err(count_failure(state, user.id).await?)
    }
}

/// Replaces the recovery codes (the old ones stop working). Errors: `NotEnabled`.
pub async fn regenerate_recovery_codes(
    state: &AppState,
    user: &UserRow,
) -> Result<RecoveryCodes, TwoFactorError> {
    if !rows::is_enabled(&state.db, user.id).await? {
        return Err(TwoFactorError::NotEnabled);
    }
    let (codes, digests) = new_recovery_codes(state);
    let mut transaction = state.db.begin().await?;
    rows::replace_recovery_codes(&mut transaction, user.id, &digests).await?;
    transaction.commit().await?;
    Ok(codes)
}

/// Turns two-factor sign-in off (or drops a pending setup) once `password` proves it
/// is the user. Errors: `WrongPassword`, `NotEnabled` (nothing to turn off), `Busy`.
pub async fn disable(
    state: &AppState,
    user: &UserRow,
    password: &str,
) -> Result<(), TwoFactorError> {
    let too_long = password.chars().count() > crate::domain::Password::MAX_LEN;
    if too_long
        || !state
            .passwords
            .verify(password, &user.password_hash)
            .await?
    {
        return Err(TwoFactorError::WrongPassword);
    }
    remove(state, user.id).await?;
    tracing::info!(user_id = user.id, "two-factor sign-in disabled by the user");
    Ok(())
}

/// The operator turns a user's two-factor sign-in off (`roost admin
/// disable-two-factor`: a lost phone without recovery codes). Roost has no admin action
/// log yet, so the action is logged. Errors: `NotEnabled` when there was nothing.
pub async fn disable_by_operator(state: &AppState, user: &UserRow) -> Result<(), TwoFactorError> {
    remove(state, user.id).await?;
    tracing::warn!(
        user_id = user.id,
        "two-factor sign-in disabled by the operator"
    );
    Ok(())
}

async fn remove(state: &AppState, user_id: i64) -> Result<(), TwoFactorError> {
    let mut transaction = state.db.begin().await?;
    let removed = rows::delete(&mut transaction, user_id).await?;
    transaction.commit().await?;
    if removed {
        Ok(())
    } else {
        Err(TwoFactorError::NotEnabled)
    }
}

/// `LockedOut` when the user spent their wrong-code budget.
async fn refuse_if_locked_out(state: &AppState, user_id: i64) -> Result<(), TwoFactorError> {
    match rows::locked_until(&state.db, user_id, MAX_FAILURES, LOCKOUT_WINDOW_SECS).await? {
        Some(until) => Err(TwoFactorError::LockedOut { until }),
        None => Ok(()),
    }
}

/// Counts a wrong code; the error to answer with.
async fn count_failure(state: &AppState, user_id: i64) -> Result<TwoFactorError, TwoFactorError> {
    let failures = rows::record_failure(&state.db, user_id, LOCKOUT_WINDOW_SECS).await?;
    if failures >= MAX_FAILURES {
        tracing::warn!(user_id, "two-factor sign-in locked out after wrong codes");
    }
    Ok(TwoFactorError::InvalidCode)
}

/// The time step (near now) whose code `code` is, by the row's secret.
fn matching_step(
    state: &AppState,
    row: &rows::TwoFactorRow,
    code: &str,
) -> Result<Option<i64>, TwoFactorError> {
    let secret = state
        .two_factor_keys
        .open(row.user_id, &row.sealed_secret)
        .map_err(anyhow::Error::from)?;
    let now = totp::time_step(Utc::now().timestamp());
    Ok(totp::matching_step(&secret, code, now, totp::DIGITS))
}

/// Spends `code` if it is one of the user's recovery codes.
async fn spend_recovery_code(
    state: &AppState,
    user_id: i64,
    code: &str,
) -> Result<bool, TwoFactorError> {
    let Some(normalised) = normalise_recovery_code(code) else {
        return Ok(false);
    };
    let digest = state.two_factor_keys.recovery_digest(&normalised);
    let mut connection = state.db.acquire().await?;
    Ok(rows::spend_recovery_code(&mut connection, user_id, &digest).await?)
}

/// A recovery code as stored: lowercase, without spaces or hyphens; `None` when it
/// cannot be one.
fn normalise_recovery_code(code: &str) -> Option<String> {
    let normalised: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let plausible = normalised.len() == RECOVERY_CODE_CHARS
        && normalised.bytes().all(|b| b.is_ascii_alphanumeric());
    plausible.then_some(normalised)
}

/// New recovery codes (shown form) and their digests.
fn new_recovery_codes(state: &AppState) -> (RecoveryCodes, Vec<String>) {
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut digests = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let mut bytes = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let raw: String = totp::base32_encode(&bytes)
            .to_ascii_lowercase()
            .chars()
            .take(RECOVERY_CODE_CHARS)
            .collect();
        digests.push(state.two_factor_keys.recovery_digest(&raw));
        codes.push(format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..]));
    }
    (RecoveryCodes(codes), digests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_read_without_case_spaces_or_hyphens() {
        assert_eq!(
            normalise_recovery_code(" ABCD-efgh ijk2 ").as_deref(),
            Some("abcdefghijk2")
        );
        assert_eq!(normalise_recovery_code("123456"), None, "a TOTP code");
        assert_eq!(normalise_recovery_code("abcd-efgh-ijk!"), None);
    }
}
