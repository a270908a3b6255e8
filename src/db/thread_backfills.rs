//! The thread backfill queue (`thread_backfills`), the async refreshes handed to viewers
//! (`async_refreshes`), when each post's replies were last read
//! (`status_reply_fetches`), the per-host rate limit (`backfill_hosts`), and replies
//! whose parent Roost lacks (`statuses.in_reply_to_ap_id` without `in_reply_to_id`).
//! What a backfill does is `services::thread_backfill`'s.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::reply_controls::COUNTED;

/// The NOTIFY channel that announces new backfills.
pub const NOTIFY_CHANNEL: &str = "thread_backfills";

/// How far a backfill reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only the unknown ancestors (a reply arrived whose parent Roost lacks).
    Parents,
    /// The ancestors and the replies below (someone opened the thread).
    Thread,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Parents => "parents",
            Scope::Thread => "thread",
        }
    }

    fn parse(text: &str) -> Scope {
        if text == "thread" {
            Scope::Thread
        } else {
            Scope::Parents
        }
    }
}

/// A backfill as the queue and the refresh endpoint see it.
#[derive(Clone, Debug)]
pub struct Backfill {
    pub id: i64,
    pub status_id: i64,
    pub scope: Scope,
    pub attempts: i32,
    pub result_count: i32,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

type BackfillTuple = (
    i64,
    i64,
    String,
    i32,
    i32,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

const BACKFILL_COLUMNS: &str =
    "b.id, b.status_id, b.scope, b.attempts, b.result_count, b.created_at, b.finished_at";

fn backfill(
    (id, status_id, scope, attempts, result_count, created_at, finished_at): BackfillTuple,
) -> Backfill {
    Backfill {
        id,
        status_id,
        scope: Scope::parse(&scope),
        attempts,
        result_count,
        created_at,
        finished_at,
    }
}

/// Queues a backfill of `scope` around `status_id`, or widens the unfinished one
/// (`Parents` to `Thread`); returns the unfinished backfill either way.
pub async fn enqueue(
    db: impl PgExecutor<'_>,
    status_id: i64,
    scope: Scope,
) -> sqlx::Result<Backfill> {
    let row: BackfillTuple = sqlx::query_as(&format!(
        "INSERT INTO thread_backfills AS b (status_id, scope) VALUES ($1, $2) \
         ON CONFLICT (status_id) WHERE finished_at IS NULL DO UPDATE \
           SET scope = CASE WHEN EXCLUDED.scope = 'thread' THEN 'thread' ELSE b.scope END \
         RETURNING {BACKFILL_COLUMNS}"
    ))
    .bind(status_id)
    .bind(scope.as_str())
    .fetch_one(db)
    .await?;
    Ok(backfill(row))
}

/// The newest backfill of `scope` `Thread` around `status_id` (finished or not).
pub async fn latest_thread(
    db: impl PgExecutor<'_>,
    status_id: i64,
) -> sqlx::Result<Option<Backfill>> {
    let row: Option<BackfillTuple> = sqlx::query_as(&format!(
        "SELECT {BACKFILL_COLUMNS} FROM thread_backfills b \
         WHERE b.status_id = $1 AND (b.scope = 'thread' OR b.finished_at IS NULL) \
         ORDER BY b.created_at DESC LIMIT 1"
    ))
    .bind(status_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(backfill))
}

/// Claims (and leases for `lease_secs`) up to `limit` due backfills. Commits on its own.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<Backfill>> {
    let rows: Vec<BackfillTuple> = sqlx::query_as(&format!(
        "UPDATE thread_backfills b SET locked_until = now() + make_interval(secs => $2) \
         WHERE b.id IN (SELECT id FROM thread_backfills \
           WHERE finished_at IS NULL AND next_attempt_at <= now() \
             AND (locked_until IS NULL OR locked_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING {BACKFILL_COLUMNS}"
    ))
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(backfill).collect())
}

/// The scope backfill `id` has now (a viewer may widen it while it runs).
pub async fn scope_of(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Scope>> {
    let scope: Option<String> =
        sqlx::query_scalar("SELECT scope FROM thread_backfills WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(scope.as_deref().map(Scope::parse))
}

/// Counts one more post stored by backfill `id`.
pub async fn count_result(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE thread_backfills SET result_count = result_count + 1 WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map(drop)
}

/// Marks backfill `id` done.
pub async fn finish(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE thread_backfills SET finished_at = now(), locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await
    .map(drop)
}

/// Puts backfill `id` back for `at`, counting a failed attempt.
pub async fn postpone(db: impl PgExecutor<'_>, id: i64, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE thread_backfills SET next_attempt_at = $2, locked_until = NULL, \
           attempts = attempts + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .execute(db)
    .await
    .map(drop)
}

/// The refresh id handed to `account_id` for backfill `backfill_id`: the one given
/// before, or `fresh` (stored now).
pub async fn refresh_id(
    db: impl PgExecutor<'_>,
    backfill_id: i64,
    account_id: i64,
    fresh: &str,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "INSERT INTO async_refreshes (id, backfill_id, account_id) VALUES ($1, $2, $3) \
         ON CONFLICT (backfill_id, account_id) DO UPDATE SET id = async_refreshes.id \
         RETURNING id",
    )
    .bind(fresh)
    .bind(backfill_id)
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// The backfill behind refresh `refresh_id` when it was handed to `account_id`.
pub async fn by_refresh(
    db: impl PgExecutor<'_>,
    refresh_id: &str,
    account_id: i64,
) -> sqlx::Result<Option<Backfill>> {
    let row: Option<BackfillTuple> = sqlx::query_as(&format!(
        "SELECT {BACKFILL_COLUMNS} FROM async_refreshes r \
         JOIN thread_backfills b ON b.id = r.backfill_id \
         WHERE r.id = $1 AND r.account_id = $2"
    ))
    .bind(refresh_id)
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(backfill))
}

/// Whether the replies of status `status_id` were read less than `minutes` ago;
/// records that they are being read now when not.
pub async fn claim_reply_fetch(
    db: impl PgExecutor<'_>,
    status_id: i64,
    minutes: i64,
) -> sqlx::Result<bool> {
    let taken: Option<bool> = sqlx::query_scalar(
        "INSERT INTO status_reply_fetches (status_id, fetched_at) VALUES ($1, now()) \
         ON CONFLICT (status_id) DO UPDATE SET fetched_at = now() \
         WHERE status_reply_fetches.fetched_at <= now() - make_interval(mins => $2) \
         RETURNING true",
    )
    .bind(status_id)
    .bind(minutes as i32)
    .fetch_optional(db)
    .await?;
    Ok(taken.is_some())
}

/// Takes the next backfill fetch slot of `host` (one every `interval_ms`); `false`
/// when another fetch from the host took it less than `interval_ms` ago.
pub async fn take_host_slot(
    db: impl PgExecutor<'_>,
    host: &str,
    interval_ms: i64,
) -> sqlx::Result<bool> {
    let taken: Option<bool> = sqlx::query_scalar(
        "INSERT INTO backfill_hosts (host, next_allowed_at) \
         VALUES ($1, now() + make_interval(secs => $2)) \
         ON CONFLICT (host) DO UPDATE SET next_allowed_at = now() + make_interval(secs => $2) \
         WHERE backfill_hosts.next_allowed_at <= now() RETURNING true",
    )
    .bind(host)
    .bind(interval_ms as f64 / 1000.0)
    .fetch_optional(db)
    .await?;
    Ok(taken.is_some())
}

/// Records that status `id` answers `parent_uri`, a post Roost does not have yet.
pub async fn record_orphan(conn: &mut PgConnection, id: i64, parent_uri: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE statuses SET in_reply_to_ap_id = $2 WHERE id = $1")
        .bind(id)
        .bind(parent_uri)
        .execute(conn)
        .await
        .map(drop)
}

/// The id of the post status `id` answers, when Roost does not have it (yet).
pub async fn missing_parent(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<String>> {
    let uri: Option<Option<String>> = sqlx::query_scalar(
        "SELECT in_reply_to_ap_id FROM statuses WHERE id = $1 AND in_reply_to_id IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(uri.flatten())
}

/// A reply linked to its parent after the fact.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct Adopted {
    pub id: i64,
    pub account_id: i64,
}

/// Links the replies waiting for the post `parent_uri` (now stored as `parent_id`, by
/// `parent_account_id`) to it; returns them. Run it in a transaction with
/// [`count_adopted`].
pub async fn adopt(
    conn: &mut PgConnection,
    parent_id: i64,
    parent_account_id: i64,
    parent_uri: &str,
) -> sqlx::Result<Vec<Adopted>> {
    sqlx::query_as(
        "UPDATE statuses SET in_reply_to_id = $1, in_reply_to_account_id = $2 \
         WHERE in_reply_to_ap_id = $3 AND in_reply_to_id IS NULL AND id <> $1 \
         RETURNING id, account_id",
    )
    .bind(parent_id)
    .bind(parent_account_id)
    .bind(parent_uri)
    .fetch_all(conn)
    .await
}

/// Adds the adopted replies `reply_ids` that count (live, not hidden, not by an
/// account the parent's author blocks) to the `replies_count` of `parent_id`.
pub async fn count_adopted(
    conn: &mut PgConnection,
    parent_id: i64,
    reply_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "UPDATE statuses p SET replies_count = p.replies_count + (SELECT count(*) FROM statuses r \
           WHERE r.id = ANY($2) AND r.deleted_at IS NULL AND {COUNTED}) \
         WHERE p.id = $1"
    ))
    .bind(parent_id)
    .bind(reply_ids)
    .execute(conn)
    .await
    .map(drop)
}
