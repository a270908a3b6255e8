//! Web Push: the instance's VAPID key, subscriptions (one per access token) and the
//! durable push queue. Queue rows are written by a trigger on `notifications`
//! (migration `web_push`), in the transaction that creates the notification, whatever
//! code path creates it: a crash between "notified" and "pushed" loses nothing.
//!
//! Spec: <https://docs.joinmastodon.org/methods/push/>.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// The NOTIFY channel that wakes push workers when rows are queued (the trigger
/// sends it).
pub const NOTIFY_CHANNEL: &str = "roost_push";

/// The stored VAPID private key (PKCS#8), if one was made yet.
pub async fn vapid_key(db: impl PgExecutor<'_>) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT private_key FROM vapid_keys WHERE singleton")
        .fetch_optional(db)
        .await
}

/// Stores `private_key` as the VAPID key unless another process stored one first;
/// returns the key that won, so every process signs with the same one.
pub async fn store_vapid_key(conn: &mut PgConnection, private_key: &[u8]) -> sqlx::Result<Vec<u8>> {
    sqlx::query("INSERT INTO vapid_keys (private_key) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(private_key)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT private_key FROM vapid_keys WHERE singleton")
        .fetch_one(&mut *conn)
        .await
}

/// A `push_subscriptions` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub access_token_id: Uuid,
    pub account_id: i64,
    pub endpoint: String,
    pub p256dh: Vec<u8>,
    pub auth_secret: Vec<u8>,
    pub standard: bool,
    pub alerts: Vec<String>,
    pub policy: String,
}

const COLUMNS: &str =
    "id, access_token_id, account_id, endpoint, p256dh, auth_secret, standard, alerts, policy";

/// What a client asks to be pushed, and how.
#[derive(Clone, Debug)]
pub struct NewSubscription<'a> {
    pub access_token_id: Uuid,
    pub account_id: i64,
    pub endpoint: &'a str,
    pub p256dh: &'a [u8],
    pub auth_secret: &'a [u8],
    pub standard: bool,
    pub alerts: &'a [String],
    pub policy: &'a str,
}

/// Creates the subscription of an access token, replacing the token's previous one
/// (Mastodon: "if you create a new subscription, the old subscription is deleted"),
/// queued pushes included. Call it inside a transaction.
pub async fn replace(
    conn: &mut PgConnection,
    new: &NewSubscription<'_>,
) -> sqlx::Result<SubscriptionRow> {
    delete_by_token(&mut *conn, new.access_token_id).await?;
    sqlx::query_as(&format!(
        "INSERT INTO push_subscriptions \
           (access_token_id, account_id, endpoint, p256dh, auth_secret, standard, alerts, policy) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(new.access_token_id)
    .bind(new.account_id)
    .bind(new.endpoint)
    .bind(new.p256dh)
    .bind(new.auth_secret)
    .bind(new.standard)
    .bind(new.alerts)
    .bind(new.policy)
    .fetch_one(&mut *conn)
    .await
}

/// The subscription of an access token.
pub async fn find_by_token(
    db: impl PgExecutor<'_>,
    access_token_id: Uuid,
) -> sqlx::Result<Option<SubscriptionRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE access_token_id = $1"
    ))
    .bind(access_token_id)
    .fetch_optional(db)
    .await
}

/// Changes what an access token's subscription pushes; `None` when it has none.
pub async fn update_data(
    db: impl PgExecutor<'_>,
    access_token_id: Uuid,
    alerts: &[String],
    policy: &str,
) -> sqlx::Result<Option<SubscriptionRow>> {
    sqlx::query_as(&format!(
        "UPDATE push_subscriptions SET alerts = $2, policy = $3, updated_at = now() \
         WHERE access_token_id = $1 RETURNING {COLUMNS}"
    ))
    .bind(access_token_id)
    .bind(alerts)
    .bind(policy)
    .fetch_optional(db)
    .await
}

/// Removes a subscription (and its queued pushes) by access token. Idempotent.
pub async fn delete_by_token(db: impl PgExecutor<'_>, access_token_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE access_token_id = $1")
        .bind(access_token_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes a subscription the push service reported gone (404/410).
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A queued push, leased to one worker.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedPush {
    pub id: i64,
    pub subscription_id: i64,
    pub notification_id: i64,
    pub attempts: i32,
}

/// Claims up to `limit` due pushes for `lease_secs`. Commits on its own, before any
/// network I/O, like the delivery queue.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedPush>> {
    sqlx::query_as(
        "UPDATE push_deliveries p \
         SET leased_until = now() + make_interval(secs => $2), attempts = p.attempts + 1 \
         WHERE p.id IN ( \
           SELECT id FROM push_deliveries \
           WHERE next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING p.id, p.subscription_id, p.notification_id, p.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// The subscription a claimed push goes to (it may have been deleted meanwhile).
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<SubscriptionRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Removes a push that was sent or given up.
pub async fn finish(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM push_deliveries WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Schedules another attempt of a push at `next_attempt_at`.
pub async fn retry_at(
    db: impl PgExecutor<'_>,
    id: i64,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE push_deliveries SET next_attempt_at = $2, leased_until = NULL, last_error = $3 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Queued pushes (for tests and the admin view).
pub async fn queued(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM push_deliveries")
        .fetch_one(db)
        .await
}
