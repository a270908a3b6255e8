//! The durable inbox (`inbox_activities`): verified activities are stored before the
//! 202 is sent, and processed afterwards by workers that claim rows like deliveries.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// Channel notified when an activity is stored, so idle inbox workers wake at once.
pub const NOTIFY_CHANNEL: &str = "roost_inbox";

/// Stores a verified activity. Returns false when an activity with the same id was
/// already stored (a duplicate delivery): it is dropped, not processed twice.
pub async fn store(
    db: impl PgExecutor<'_>,
    activity_id: &str,
    activity_type: &str,
    actor_ap_id: &str,
    payload: &serde_json::Value,
) -> sqlx::Result<bool> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "WITH inserted AS ( \
           INSERT INTO inbox_activities (activity_id, activity_type, actor_ap_id, payload) \
           VALUES ($1, $2, $3, $4) ON CONFLICT (activity_id) DO NOTHING RETURNING id) \
         SELECT id FROM inserted, pg_notify($5, '') AS notified",
    )
    .bind(activity_id)
    .bind(activity_type)
    .bind(actor_ap_id)
    .bind(payload)
    .bind(NOTIFY_CHANNEL)
    .fetch_optional(db)
    .await?;
    Ok(inserted.is_some())
}

/// A stored activity leased to one worker.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedActivity {
    pub id: i64,
    pub activity_id: String,
    pub activity_type: String,
    pub actor_ap_id: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
}

/// Claims up to `limit` unprocessed activities, oldest first, for `lease_secs`.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedActivity>> {
    sqlx::query_as(
        "UPDATE inbox_activities a SET locked_until = now() + make_interval(secs => $2), attempts = a.attempts + 1 \
         WHERE a.id IN ( \
           SELECT id FROM inbox_activities \
           WHERE processed_at IS NULL AND (locked_until IS NULL OR locked_until < now()) \
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING a.id, a.activity_id, a.activity_type, a.actor_ap_id, a.payload, a.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Marks an activity processed (also when it was rejected: `error` says why).
pub async fn mark_processed(
    db: impl PgExecutor<'_>,
    id: i64,
    error: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE inbox_activities SET processed_at = now(), locked_until = NULL, last_error = $2 WHERE id = $1")
        .bind(id)
        .bind(error.map(|e| e.chars().take(500).collect::<String>()))
        .execute(db)
        .await?;
    Ok(())
}

/// Releases an activity whose processing failed for a passing reason, to be retried
/// at `retry_at`.
pub async fn mark_retry(
    db: impl PgExecutor<'_>,
    id: i64,
    error: &str,
    retry_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE inbox_activities SET locked_until = $3, last_error = $2 WHERE id = $1")
        .bind(id)
        .bind(error.chars().take(500).collect::<String>())
        .bind(retry_at)
        .execute(db)
        .await?;
    Ok(())
}

/// Number of activities not yet processed.
pub async fn count_pending(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM inbox_activities WHERE processed_at IS NULL")
        .fetch_one(db)
        .await
}
