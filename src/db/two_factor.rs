//! The `user_two_factor` and `user_recovery_codes` tables (migration
//! `20261207200000_two_factor`): a user's sealed TOTP secret, whether it is confirmed,
//! the last accepted time step, the wrong-code counter of the lockout, and the digests
//! of their unspent recovery codes. The rules are `services::two_factor`'s.
//!
//! Every check-and-change is one conditional statement, so two requests racing with
//! the same code or recovery code cannot both succeed.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A `user_two_factor` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TwoFactorRow {
    pub user_id: i64,
    /// Nonce, ciphertext and tag (see `auth::two_factor_keys`).
    pub sealed_secret: Vec<u8>,
    /// `None` while the setup waits for its first code.
    pub enabled_at: Option<DateTime<Utc>>,
    /// The last time step whose code was accepted.
    pub last_used_step: Option<i64>,
}

/// The user's row, pending or enabled.
pub async fn find(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Option<TwoFactorRow>> {
    sqlx::query_as(
        "SELECT user_id, sealed_secret, enabled_at, last_used_step FROM user_two_factor \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Whether the user has confirmed two-factor sign-in.
pub async fn is_enabled(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_two_factor \
         WHERE user_id = $1 AND enabled_at IS NOT NULL) \
         OR EXISTS (SELECT 1 FROM users WHERE id = $1 AND sms_two_factor \
           AND phone_digest IS NOT NULL)",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
}

/// Stores a new pending setup, replacing a pending one; `false` (nothing changed) when
/// two-factor sign-in is already enabled.
pub async fn store_pending(
    db: impl PgExecutor<'_>,
    user_id: i64,
    sealed_secret: &[u8],
) -> sqlx::Result<bool> {
    let stored: Option<bool> = sqlx::query_scalar(
        "INSERT INTO user_two_factor (user_id, sealed_secret) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET sealed_secret = EXCLUDED.sealed_secret, \
           last_used_step = NULL, created_at = now() \
         WHERE user_two_factor.enabled_at IS NULL \
         RETURNING true",
    )
    .bind(user_id)
    .bind(sealed_secret)
    .fetch_optional(db)
    .await?;
    Ok(stored.is_some())
}

/// Turns a pending setup on, recording `step` as used; `false` when there was no
/// pending setup (none, or enabled meanwhile).
pub async fn enable(conn: &mut PgConnection, user_id: i64, step: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE user_two_factor SET enabled_at = now(), last_used_step = $2, \
           failed_attempts = 0, failures_since = NULL \
         WHERE user_id = $1 AND enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records `step` as the last accepted one and clears the wrong-code counter; `false`
/// when a code of this step (or a later one) was accepted already: a replay.
pub async fn accept_step(db: impl PgExecutor<'_>, user_id: i64, step: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE user_two_factor SET last_used_step = $2, failed_attempts = 0, \
           failures_since = NULL \
         WHERE user_id = $1 AND enabled_at IS NOT NULL \
           AND (last_used_step IS NULL OR last_used_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one wrong code in the window of `window_secs` (a new window starts when the
/// last one is over) and returns the count in the current window.
pub async fn record_failure(
    db: impl PgExecutor<'_>,
    user_id: i64,
    window_secs: i64,
) -> sqlx::Result<i32> {
    let count: Option<i32> = sqlx::query_scalar(
        "UPDATE user_two_factor SET \
           failed_attempts = CASE WHEN failures_since IS NULL \
             OR failures_since <= now() - make_interval(secs => $2) \
             THEN 1 ELSE failed_attempts + 1 END, \
           failures_since = CASE WHEN failures_since IS NULL \
             OR failures_since <= now() - make_interval(secs => $2) \
             THEN now() ELSE failures_since END \
         WHERE user_id = $1 RETURNING failed_attempts",
    )
    .bind(user_id)
    .bind(window_secs as f64)
    .fetch_optional(db)
    .await?;
    Ok(count.unwrap_or(0))
}

/// When the lockout of a user with at least `limit` wrong codes in the current window
/// of `window_secs` ends; `None` when they are not locked out.
pub async fn locked_until(
    db: impl PgExecutor<'_>,
    user_id: i64,
    limit: i32,
    window_secs: i64,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT failures_since + make_interval(secs => $3) FROM user_two_factor \
         WHERE user_id = $1 AND failed_attempts >= $2 \
           AND failures_since > now() - make_interval(secs => $3)",
    )
    .bind(user_id)
    .bind(limit)
    .bind(window_secs as f64)
    .fetch_optional(db)
    .await
}

/// Removes the user's two-factor row and recovery codes; `true` when there was a row.
pub async fn delete(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM user_two_factor WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the user's recovery codes with these digests.
pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user_id: i64,
    digests: &[String],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO user_recovery_codes (user_id, code_digest) \
         SELECT $1, digest FROM unnest($2::text[]) AS digest ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(digests)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Spends the recovery code with this digest (deleting it) and clears the wrong-code
/// counter; `false` when the user has no such unspent code.
pub async fn spend_recovery_code(
    conn: &mut PgConnection,
    user_id: i64,
    digest: &str,
) -> sqlx::Result<bool> {
    let spent = sqlx::query(
        "DELETE FROM user_recovery_codes WHERE user_id = $1 AND code_digest = $2 \
         AND EXISTS (SELECT 1 FROM user_two_factor t \
           WHERE t.user_id = $1 AND t.enabled_at IS NOT NULL)",
    )
    .bind(user_id)
    .bind(digest)
    .execute(&mut *conn)
    .await?;
    if spent.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE user_two_factor SET failed_attempts = 0, failures_since = NULL \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// How many unspent recovery codes the user has.
pub async fn recovery_codes_left(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
}
