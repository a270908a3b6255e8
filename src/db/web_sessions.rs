//! Browser sessions of the web pages (`web_sessions`): created at sign-in, looked up on
//! every signed-in page by the hash of the cookie's token, deleted at sign-out or when
//! the user revokes one. Nothing here knows about cookies (see `web::session`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// What signing in writes.
pub struct NewSession<'a> {
    pub token_hash: &'a [u8],
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub awaiting_second_factor: bool,
    pub user_agent: &'a str,
    pub ip: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
}

/// A live session with what every page needs to know about its user.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LiveSession {
    pub id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub username: String,
    pub role: String,
    pub csrf_token: String,
    pub awaiting_second_factor: bool,
    pub last_seen_at: DateTime<Utc>,
    /// False when the user may not use the account now (disabled, suspended, not
    /// approved, address not confirmed): the session is then treated as signed out.
    pub usable: bool,
}

/// A session as its user's settings list it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionSummary {
    pub id: i64,
    pub user_agent: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Stores a new session; returns its id.
pub async fn create(db: impl PgExecutor<'_>, new: &NewSession<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO web_sessions (token_hash, user_id, csrf_token, awaiting_second_factor, \
             user_agent, ip, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.token_hash)
    .bind(new.user_id)
    .bind(new.csrf_token)
    .bind(new.awaiting_second_factor)
    .bind(new.user_agent)
    .bind(new.ip)
    .bind(new.expires_at)
    .fetch_one(db)
    .await
}

/// The unexpired session whose token hashes to `token_hash`.
pub async fn find_live(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> sqlx::Result<Option<LiveSession>> {
    sqlx::query_as(
        "SELECT s.id, s.user_id, u.account_id, a.username, u.role, s.csrf_token, \
                s.awaiting_second_factor, s.last_seen_at, \
                (u.approved AND NOT u.disabled AND u.confirmed_at IS NOT NULL \
                 AND a.suspended_at IS NULL) AS usable \
         FROM web_sessions s \
         JOIN users u ON u.id = s.user_id \
         JOIN accounts a ON a.id = u.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Records a use of the session and slides its expiry forward.
pub async fn touch(
    db: impl PgExecutor<'_>,
    id: i64,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE web_sessions SET last_seen_at = now(), expires_at = $2 WHERE id = $1")
        .bind(id)
        .bind(expires_at)
        .execute(db)
        .await
        .map(drop)
}

/// Marks the second factor as given. False when the session is gone.
pub async fn complete_second_factor(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query("UPDATE web_sessions SET awaiting_second_factor = false WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map(|done| done.rows_affected() == 1)
}

/// Deletes one session of `user_id`. False when it was not theirs or is gone.
pub async fn delete(db: impl PgExecutor<'_>, user_id: i64, id: i64) -> sqlx::Result<bool> {
    sqlx::query("DELETE FROM web_sessions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await
        .map(|done| done.rows_affected() == 1)
}

/// Deletes every session of `user_id` but `keep` (a password change signs out the
/// other browsers). Returns how many were deleted.
pub async fn delete_all_but(
    db: impl PgExecutor<'_>,
    user_id: i64,
    keep: Option<i64>,
) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2")
        .bind(user_id)
        .bind(keep)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}

/// The user's live sessions, most recently used first (at most 100).
pub async fn list(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Vec<SessionSummary>> {
    sqlx::query_as(
        "SELECT id, user_agent, ip, created_at, last_seen_at FROM web_sessions \
         WHERE user_id = $1 AND expires_at > now() ORDER BY last_seen_at DESC LIMIT 100",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Deletes expired sessions (maintenance). Returns how many.
pub async fn purge_expired(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM web_sessions WHERE expires_at <= now()")
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
