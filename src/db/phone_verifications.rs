//! Phone verification codes (`phone_verifications`) and the verified number of a user
//! (`users.phone_*`). Numbers and codes are stored as digests computed by the caller
//! (`auth::two_factor_keys`), plus the number's E.164 form.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A stored verification.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct VerificationRow {
    pub id: i64,
    /// `sign_up` or `user_phone`.
    pub purpose: String,
    pub phone_digest: String,
    pub phone_e164: String,
    pub code_digest: String,
    pub app_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Tries so far, this one included when read back from [`count_try`].
    pub attempts: i32,
    pub expires_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub used_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, purpose, phone_digest, phone_e164, code_digest, app_id, user_id, \
    attempts, expires_at, verified_at, used_at";

/// What a new verification records.
#[derive(Debug)]
pub struct NewVerification<'a> {
    pub purpose: &'a str,
    pub phone_digest: &'a str,
    pub phone_e164: &'a str,
    pub app_id: Option<i64>,
    pub user_id: Option<i64>,
    pub ip: &'a str,
    pub lifetime_secs: i64,
}

/// A fresh id for a verification, so its code digest can be bound to it.
pub async fn next_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT timestamp_id()")
        .fetch_one(db)
        .await
}

/// Stores verification `id` with its code's digest; returns when it expires.
pub async fn insert(
    db: impl PgExecutor<'_>,
    id: i64,
    new: &NewVerification<'_>,
    code_digest: &str,
) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar(
        "INSERT INTO phone_verifications (id, purpose, phone_digest, phone_e164, code_digest, \
           app_id, user_id, ip, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9)) \
         RETURNING expires_at",
    )
    .bind(id)
    .bind(new.purpose)
    .bind(new.phone_digest)
    .bind(new.phone_e164)
    .bind(code_digest)
    .bind(new.app_id)
    .bind(new.user_id)
    .bind(new.ip)
    .bind(new.lifetime_secs as f64)
    .fetch_one(db)
    .await
}

/// Forgets a verification whose code could not be sent (it does not count as a send).
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM phone_verifications WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Codes sent to the number `phone_digest` and from the address `ip` in the last
/// `window_secs` seconds.
pub async fn recent_sends(
    db: impl PgExecutor<'_>,
    phone_digest: &str,
    ip: &str,
    window_secs: i64,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE phone_digest = $1), count(*) FILTER (WHERE ip = $2) \
         FROM phone_verifications \
         WHERE (phone_digest = $1 OR ip = $2) AND created_at > now() - make_interval(secs => $3)",
    )
    .bind(phone_digest)
    .bind(ip)
    .bind(window_secs as f64)
    .fetch_one(db)
    .await
}

/// Serialises sends to one number across requests and processes until the caller's
/// transaction ends, so two requests at once cannot both pass the per-number limit.
pub async fn lock_number(conn: &mut PgConnection, phone_digest: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 8123))")
        .bind(phone_digest)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts one try at verification `id`, unless it is verified or used already;
/// returns the row as it now is.
pub async fn count_try(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<VerificationRow>> {
    sqlx::query_as(&format!(
        "UPDATE phone_verifications SET attempts = attempts + 1 \
         WHERE id = $1 AND verified_at IS NULL AND used_at IS NULL RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Marks verification `id` verified.
pub async fn mark_verified(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE phone_verifications SET verified_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses the verified verification `id` for `purpose` by its owner (the app for a
/// sign-up, the user for a new number, none for a web sign-up), at most
/// `max_age_secs` after it was verified: returns the number's digest and E.164 form,
/// once.
pub async fn take(
    conn: &mut PgConnection,
    id: i64,
    purpose: &str,
    owner: Option<i64>,
    max_age_secs: i64,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "UPDATE phone_verifications SET used_at = now() \
         WHERE id = $1 AND purpose = $2 AND coalesce(app_id, user_id) IS NOT DISTINCT FROM $3 \
           AND verified_at > now() - make_interval(secs => $4) AND used_at IS NULL \
         RETURNING phone_digest, phone_e164",
    )
    .bind(id)
    .bind(purpose)
    .bind(owner)
    .bind(max_age_secs as f64)
    .fetch_optional(conn)
    .await
}

/// Whether some user other than `except_user` has the number `phone_digest`.
pub async fn number_taken(
    db: impl PgExecutor<'_>,
    phone_digest: &str,
    except_user: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE phone_digest = $1 \
           AND id IS DISTINCT FROM $2)",
    )
    .bind(phone_digest)
    .bind(except_user)
    .fetch_one(db)
    .await
}

/// Gives user `user_id` the verified number (replacing any other).
pub async fn set_user_phone(
    conn: &mut PgConnection,
    user_id: i64,
    phone_digest: &str,
    phone_e164: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET phone_digest = $2, phone_e164 = $3, phone_verified_at = now() \
         WHERE id = $1",
    )
    .bind(user_id)
    .bind(phone_digest)
    .bind(phone_e164)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the number of user `user_id` (and with it two-factor sign-in by SMS);
/// false when it had none.
pub async fn clear_user_phone(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    let cleared = sqlx::query(
        "UPDATE users SET phone_digest = NULL, phone_e164 = NULL, phone_verified_at = NULL, \
           sms_two_factor = false \
         WHERE id = $1 AND phone_digest IS NOT NULL",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(cleared.rows_affected() > 0)
}

/// A user's verified number.
#[derive(Clone, Debug)]
pub struct UserPhone {
    pub e164: String,
    pub verified_at: DateTime<Utc>,
    /// Whether sign-in asks for a code texted to it.
    pub two_factor: bool,
}

/// The verified number of user `user_id`, if any.
pub async fn user_phone(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Option<UserPhone>> {
    let row: Option<(Option<String>, Option<DateTime<Utc>>, bool)> = sqlx::query_as(
        "SELECT phone_e164, phone_verified_at, sms_two_factor FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(number, at, two_factor)| {
        Some(UserPhone {
            e164: number?,
            verified_at: at?,
            two_factor,
        })
    }))
}

/// Turns two-factor sign-in by SMS on or off for user `user_id`; turning it on needs
/// a verified number (false when there is none).
pub async fn set_sms_two_factor(
    db: impl PgExecutor<'_>,
    user_id: i64,
    on: bool,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "UPDATE users SET sms_two_factor = $2 \
         WHERE id = $1 AND (NOT $2 OR phone_digest IS NOT NULL)",
    )
    .bind(user_id)
    .bind(on)
    .execute(db)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// The newest sign-in code of user `user_id` that can still be tried (not expired,
/// verified or used).
pub async fn pending_sign_in(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM phone_verifications \
         WHERE user_id = $1 AND purpose = 'sign_in' AND verified_at IS NULL AND used_at IS NULL \
           AND expires_at > now() \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Marks the sign-in code `id` verified and used: it signs in once.
pub async fn spend_sign_in(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let spent = sqlx::query(
        "UPDATE phone_verifications SET verified_at = now(), used_at = now() \
         WHERE id = $1 AND used_at IS NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(spent.rows_affected() > 0)
}
