//! The durable inbox (`inbox_activities`): verified activities are stored before the
//! 202 is sent, and processed afterwards by workers that claim rows like deliveries.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// Channel notified when an activity is stored, so idle inbox workers wake at once.
pub const NOTIFY_CHANNEL: &str = "roost_inbox";

/// A verified activity to store.
#[derive(Clone, Debug)]
pub struct NewActivity {
    pub activity_id: String,
    pub activity_type: String,
    pub actor_ap_id: String,
    pub payload: serde_json::Value,
    /// The FEP-8fcf `Collection-Synchronization` header, when the signature covered it.
    pub collection_synchronization: Option<String>,
}

/// Stores several verified activities in one statement (one commit for many inbound
/// requests) and returns the ids that were new; duplicates, of stored activities or
/// within `activities`, are dropped (a duplicate delivery is not processed twice).
pub async fn store_many(
    db: impl PgExecutor<'_>,
    activities: &[NewActivity],
) -> sqlx::Result<Vec<String>> {
    let ids: Vec<&str> = activities.iter().map(|a| a.activity_id.as_str()).collect();
    let types: Vec<&str> = activities
        .iter()
        .map(|a| a.activity_type.as_str())
        .collect();
    let actors: Vec<&str> = activities.iter().map(|a| a.actor_ap_id.as_str()).collect();
    let payloads: Vec<&serde_json::Value> = activities.iter().map(|a| &a.payload).collect();
    let syncs: Vec<Option<&str>> = activities
        .iter()
        .map(|a| a.collection_synchronization.as_deref())
        .collect();
    sqlx::query_scalar(
        "WITH inserted AS ( \
           INSERT INTO inbox_activities (activity_id, activity_type, actor_ap_id, payload, collection_synchronization) \
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $6::text[]) \
           ON CONFLICT (activity_id) DO NOTHING RETURNING activity_id) \
         SELECT activity_id FROM inserted, pg_notify($5, '') AS notified",
    )
    .bind(&ids)
    .bind(&types)
    .bind(&actors)
    .bind(&payloads)
    .bind(NOTIFY_CHANNEL)
    .bind(&syncs)
    .fetch_all(db)
    .await
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
    /// See [`NewActivity::collection_synchronization`].
    pub collection_synchronization: Option<String>,
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
         RETURNING a.id, a.activity_id, a.activity_type, a.actor_ap_id, a.payload, a.attempts, a.collection_synchronization",
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
