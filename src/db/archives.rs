//! The `account_archives` table: requested account archives as a durable queue
//! (claimed with `FOR UPDATE SKIP LOCKED`, leased) and, once made, the key of their
//! .zip in the media store.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// The NOTIFY channel a trigger announces new archives on.
pub const NOTIFY_CHANNEL: &str = "account_archives";

/// An `account_archives` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ArchiveRow {
    pub id: i64,
    pub account_id: i64,
    /// `pending`, `ready` or `failed`.
    pub state: String,
    pub file_key: Option<String>,
    pub file_size: Option<i64>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, account_id, state, file_key, file_size, attempts, created_at, finished_at";

/// Requests an archive for `account_id` unless one was requested less than
/// `min_age_days` ago; returns the new row's id, `None` when refused. Two requests at
/// once: the account's row lock makes the second see the first.
pub async fn request(
    conn: &mut sqlx::PgConnection,
    account_id: i64,
    min_age_days: i32,
) -> sqlx::Result<Option<i64>> {
    sqlx::query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "INSERT INTO account_archives (account_id) SELECT $1 WHERE NOT EXISTS ( \
           SELECT 1 FROM account_archives WHERE account_id = $1 \
             AND created_at > now() - make_interval(days => $2))  RETURNING id",
    )
    .bind(account_id)
    .bind(min_age_days)
    .fetch_optional(conn)
    .await
}

/// Whether `account_id` may request an archive now (none in the last `min_age_days`).
pub async fn may_request(
    db: impl PgExecutor<'_>,
    account_id: i64,
    min_age_days: i32,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM account_archives WHERE account_id = $1 \
           AND created_at > now() - make_interval(days => $2))",
    )
    .bind(account_id)
    .bind(min_age_days)
    .fetch_one(db)
    .await
}

/// Claims (and leases for `lease_secs`) up to `limit` due archives.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ArchiveRow>> {
    sqlx::query_as(&format!(
        "UPDATE account_archives SET locked_until = now() + make_interval(secs => $2) \
         WHERE id IN (SELECT id FROM account_archives WHERE state = 'pending' \
           AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING {COLUMNS}"
    ))
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Marks an archive made: its file is `key`, `size` bytes.
pub async fn finish(db: impl PgExecutor<'_>, id: i64, key: &str, size: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE account_archives SET state = 'ready', file_key = $2, file_size = $3, \
           locked_until = NULL, finished_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(key)
    .bind(size)
    .execute(db)
    .await
    .map(drop)
}

/// Puts a failed archive back for `at`, or (`None`) marks it failed for good.
pub async fn retry_or_fail(
    db: impl PgExecutor<'_>,
    id: i64,
    at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE account_archives SET attempts = attempts + 1, locked_until = NULL, \
           next_attempt_at = coalesce($2, next_attempt_at), \
           state = CASE WHEN $2::timestamptz IS NULL THEN 'failed' ELSE state END, \
           finished_at = CASE WHEN $2::timestamptz IS NULL THEN now() END WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .execute(db)
    .await
    .map(drop)
}

/// The account's archives, newest first.
pub async fn of_account(
    db: impl PgExecutor<'_>,
    account_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<ArchiveRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM account_archives WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One archive of the account, if it is theirs.
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<ArchiveRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM account_archives WHERE account_id = $1 AND id = $2"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(db)
    .await
}
