//! The `scheduled_statuses` table: posts waiting for their time, and the queue the
//! publishing worker claims them from (`services::scheduled_statuses`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::{BindPage, Page};

/// A `scheduled_statuses` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScheduledRow {
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: DateTime<Utc>,
    /// What was sent, in Mastodon's keys (`services::scheduled_statuses::Params`).
    pub params: serde_json::Value,
}

const COLUMNS: &str = "id, account_id, scheduled_at, params";

/// Inserts a scheduled status of `account_id`.
pub async fn insert(
    conn: &mut PgConnection,
    account_id: i64,
    scheduled_at: DateTime<Utc>,
    params: &serde_json::Value,
    idempotency_key: Option<&str>,
) -> sqlx::Result<ScheduledRow> {
    sqlx::query_as(&format!(
        "INSERT INTO scheduled_statuses (account_id, scheduled_at, params, idempotency_key) \
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    ))
    .bind(account_id)
    .bind(scheduled_at)
    .bind(params)
    .bind(idempotency_key)
    .fetch_one(conn)
    .await
}

/// The scheduled status an earlier request of `account_id` with this key created.
pub async fn find_by_idempotency_key(
    db: impl PgExecutor<'_>,
    account_id: i64,
    key: &str,
) -> sqlx::Result<Option<ScheduledRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE account_id = $1 AND idempotency_key = $2"
    ))
    .bind(account_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// How many statuses `account_id` has scheduled in all, and on the UTC day of `day`,
/// counted with the account row locked so two requests at once cannot both pass a limit.
pub async fn count_locked(
    conn: &mut PgConnection,
    account_id: i64,
    day: DateTime<Utc>,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE (scheduled_at AT TIME ZONE 'UTC')::date \
                                               = ($2 AT TIME ZONE 'UTC')::date) \
         FROM scheduled_statuses WHERE account_id = \
         (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)",
    )
    .bind(account_id)
    .bind(day)
    .fetch_one(conn)
    .await
}

/// A page of `account_id`'s scheduled statuses, newest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<ScheduledRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE account_id = $1 \
           AND {cut}",
        cut = page.cut("id", 2)
    ))
    .bind(account_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// One of `account_id`'s scheduled statuses.
pub async fn find_own(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<ScheduledRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Moves one of `account_id`'s scheduled statuses to `scheduled_at` (a claim on it is
/// dropped: the new time decides).
pub async fn reschedule(
    conn: &mut PgConnection,
    account_id: i64,
    id: i64,
    scheduled_at: DateTime<Utc>,
) -> sqlx::Result<Option<ScheduledRow>> {
    sqlx::query_as(&format!(
        "UPDATE scheduled_statuses SET scheduled_at = $3, leased_until = NULL, attempts = 0 \
         WHERE id = $1 AND account_id = $2 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .bind(scheduled_at)
    .fetch_optional(conn)
    .await
}

/// Deletes one of `account_id`'s scheduled statuses (its media are freed).
pub async fn delete_own(db: impl PgExecutor<'_>, account_id: i64, id: i64) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(db)
        .await?
        .rows_affected();
    Ok(deleted > 0)
}

/// A scheduled status claimed by the publishing worker.
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedScheduled {
    #[sqlx(flatten)]
    pub row: ScheduledRow,
    /// Claims so far, this one included.
    pub attempts: i32,
}

/// Claims (and leases for `lease_secs`, committing at once) up to `limit` due rows.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedScheduled>> {
    sqlx::query_as(
        "UPDATE scheduled_statuses s \
         SET leased_until = now() + make_interval(secs => $2), attempts = s.attempts + 1 \
         WHERE s.id IN ( \
           SELECT id FROM scheduled_statuses \
           WHERE scheduled_at <= now() AND (leased_until IS NULL OR leased_until < now()) \
           ORDER BY scheduled_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING s.id, s.account_id, s.scheduled_at, s.params, s.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Removes a scheduled status as it is published, in the transaction that writes the
/// status; `false` when it is gone (published by another worker, or deleted), so the
/// caller rolls back and nothing is published twice. Waits for a concurrent
/// publisher's transaction, as the row lock makes it.
pub async fn take(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    let taken = sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(taken > 0)
}

/// Drops a scheduled status that cannot be published (Mastodon drops it too).
pub async fn discard(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
