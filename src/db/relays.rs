//! `relays`: the relays this server subscribes to (Mastodon's Relay), their
//! subscription state and the id of the `Follow` that subscribed. What the states
//! mean and when they change is `services::relays`' business.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// A `relays` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RelayRow {
    pub id: i64,
    /// Where the subscription and public posts are delivered.
    pub inbox_url: String,
    /// `mastodon` (the Follow's object is Public) or `litepub` (the relay's actor).
    pub kind: String,
    /// `idle`, `pending`, `accepted` or `rejected`.
    pub state: String,
    /// The id of the last `Follow` sent (none while idle).
    pub follow_activity_id: Option<String>,
    /// The relay's actor, once known.
    pub actor_ap_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, inbox_url, kind, state, follow_activity_id, actor_ap_id, created_at";

/// A relay to be stored.
#[derive(Clone, Debug)]
pub struct NewRelay<'a> {
    pub inbox_url: &'a str,
    pub kind: &'a str,
    pub actor_ap_id: Option<&'a str>,
}

/// Stores a new idle relay; `None` when that inbox is a relay already.
pub async fn insert(db: impl PgExecutor<'_>, new: &NewRelay<'_>) -> sqlx::Result<Option<RelayRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO relays (inbox_url, kind, actor_ap_id) VALUES ($1, $2, $3) \
         ON CONFLICT (inbox_url) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(new.inbox_url)
    .bind(new.kind)
    .bind(new.actor_ap_id)
    .fetch_optional(db)
    .await
}

/// How many relays there are.
pub async fn count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM relays")
        .fetch_one(db)
        .await
}

/// Every relay, oldest first (their number is bounded by the service).
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<RelayRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM relays ORDER BY id"))
        .fetch_all(db)
        .await
}

/// The relay `id`.
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<RelayRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM relays WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The relay delivered to at `inbox_url`.
pub async fn find_by_inbox(
    db: impl PgExecutor<'_>,
    inbox_url: &str,
) -> sqlx::Result<Option<RelayRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM relays WHERE inbox_url = $1"
    ))
    .bind(inbox_url)
    .fetch_optional(db)
    .await
}

/// The relay whose last `Follow` had the id `follow_activity_id`.
pub async fn find_by_follow(
    db: impl PgExecutor<'_>,
    follow_activity_id: &str,
) -> sqlx::Result<Option<RelayRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM relays WHERE follow_activity_id = $1"
    ))
    .bind(follow_activity_id)
    .fetch_optional(db)
    .await
}

/// Whether `actor_ap_id` is the actor of an accepted relay.
pub async fn is_accepted_actor(db: impl PgExecutor<'_>, actor_ap_id: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM relays WHERE actor_ap_id = $1 AND state = 'accepted')",
    )
    .bind(actor_ap_id)
    .fetch_one(db)
    .await
}

/// Marks the relay `id` pending under the new `Follow` `follow_activity_id`.
pub async fn set_pending(
    db: impl PgExecutor<'_>,
    id: i64,
    follow_activity_id: &str,
) -> sqlx::Result<Option<RelayRow>> {
    sqlx::query_as(&format!(
        "UPDATE relays SET state = 'pending', follow_activity_id = $2, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(follow_activity_id)
    .fetch_optional(db)
    .await
}

/// Marks the relay `id` idle and forgets its `Follow`.
pub async fn set_idle(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<RelayRow>> {
    sqlx::query_as(&format!(
        "UPDATE relays SET state = 'idle', follow_activity_id = NULL, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Records the relay's answer to its `Follow`: `accepted` (with the actor that
/// accepted) or `rejected`. Returns whether the relay `id` exists.
pub async fn answer(
    db: impl PgExecutor<'_>,
    id: i64,
    state: &str,
    actor_ap_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE relays SET state = $2, actor_ap_id = $3, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(actor_ap_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the relay `id`; whether there was one.
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM relays WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}
