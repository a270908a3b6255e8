//! The durable outbox (`deliveries`) and per-domain health (`instances`).
//!
//! Rows are written in the same transaction as the change that caused them, claimed
//! by workers with `FOR UPDATE SKIP LOCKED` under a lease (a crashed worker's rows come
//! back when the lease ends), and end as `delivered` or `dead` — never deleted silently.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// Channel notified when new deliveries are queued, so idle workers wake at once.
pub const NOTIFY_CHANNEL: &str = "roost_deliveries";

/// One activity to send to one inbox.
#[derive(Clone, Debug)]
pub struct NewDelivery<'a> {
    pub activity_id: &'a str,
    /// Local account whose key signs; `None` for the instance actor.
    pub actor_account_id: Option<i64>,
    pub inbox_url: &'a url::Url,
    /// The exact JSON bytes to POST.
    pub payload: &'a str,
}

/// Queues deliveries (duplicates of the same activity and inbox are ignored) and
/// notifies waiting workers when the caller's transaction commits.
pub async fn enqueue(conn: &mut PgConnection, deliveries: &[NewDelivery<'_>]) -> sqlx::Result<u64> {
    if deliveries.is_empty() {
        return Ok(0);
    }
    let activity_ids: Vec<&str> = deliveries.iter().map(|d| d.activity_id).collect();
    let actors: Vec<Option<i64>> = deliveries.iter().map(|d| d.actor_account_id).collect();
    let inboxes: Vec<&str> = deliveries.iter().map(|d| d.inbox_url.as_str()).collect();
    let domains: Vec<String> = deliveries
        .iter()
        .map(|d| {
            d.inbox_url
                .host_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
        .collect();
    let payloads: Vec<&str> = deliveries.iter().map(|d| d.payload).collect();
    // One statement however many inboxes (a post to a thousand followers on a hundred
    // servers is one round trip, not a hundred), and the NOTIFY only if rows went in.
    let queued: i64 = sqlx::query_scalar(
        "WITH queued AS ( \
             INSERT INTO deliveries (activity_id, actor_account_id, inbox_url, domain, payload) \
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) \
             ON CONFLICT (activity_id, inbox_url) DO NOTHING RETURNING 1), \
         counted AS (SELECT count(*) AS n FROM queued) \
         SELECT n FROM counted, LATERAL (SELECT CASE WHEN n > 0 THEN pg_notify($6, '') END) notified",
    )
    .bind(&activity_ids)
    .bind(&actors)
    .bind(&inboxes)
    .bind(&domains)
    .bind(&payloads)
    .bind(NOTIFY_CHANNEL)
    .fetch_one(&mut *conn)
    .await?;
    Ok(queued as u64)
}

/// A claimed delivery, leased to one worker.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub activity_id: String,
    pub actor_account_id: Option<i64>,
    pub inbox_url: String,
    pub domain: String,
    pub payload: String,
    pub attempts: i32,
}

/// Claims up to `limit` due deliveries whose domain is not marked unavailable, leasing
/// them for `lease_secs`. Commits on its own: the claim must be visible before any
/// network I/O starts.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedDelivery>> {
    sqlx::query_as(
        "UPDATE deliveries d SET locked_until = now() + make_interval(secs => $2), attempts = d.attempts + 1 \
         WHERE d.id IN ( \
           SELECT id FROM deliveries \
           WHERE state = 'pending' AND next_attempt_at <= now() \
             AND (locked_until IS NULL OR locked_until < now()) \
             AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.domain = deliveries.domain \
                             AND i.unavailable_until > now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING d.id, d.activity_id, d.actor_account_id, d.inbox_url, d.domain, d.payload, d.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Marks a delivery done and records the domain as healthy, in one statement (this
/// runs once per delivered request, so it is one round trip and no transaction).
pub async fn mark_delivered(
    db: impl PgExecutor<'_>,
    delivery: &ClaimedDelivery,
    status: u16,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH done AS ( \
             UPDATE deliveries SET state = 'delivered', finished_at = now(), locked_until = NULL, \
               last_status = $2, last_error = NULL WHERE id = $1) \
         INSERT INTO instances (domain, last_success_at) VALUES ($3, now()) \
         ON CONFLICT (domain) DO UPDATE SET consecutive_failures = 0, last_success_at = now(), \
         unavailable_until = NULL",
    )
    .bind(delivery.id)
    .bind(i32::from(status))
    .bind(&delivery.domain)
    .execute(db)
    .await?;
    Ok(())
}

/// How a failed attempt ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Try again at `next_attempt_at`.
    Retry { next_attempt_at: DateTime<Utc> },
    /// Give up: kept as a dead letter an admin can list and replay.
    Dead,
}

/// Records a failed attempt: schedules the retry or marks the row dead.
pub async fn mark_failed(
    conn: &mut PgConnection,
    delivery: &ClaimedDelivery,
    status: Option<u16>,
    error: &str,
    outcome: Failure,
) -> sqlx::Result<()> {
    let error: String = error.chars().take(500).collect();
    let (state, next) = match outcome {
        Failure::Retry { next_attempt_at } => ("pending", Some(next_attempt_at)),
        Failure::Dead => ("dead", None),
    };
    sqlx::query(
        "UPDATE deliveries SET state = $2, next_attempt_at = coalesce($3, next_attempt_at), \
         locked_until = NULL, last_status = $4, last_error = $5, \
         finished_at = CASE WHEN $2 = 'dead' THEN now() END WHERE id = $1",
    )
    .bind(delivery.id)
    .bind(state)
    .bind(next)
    .bind(status.map(i32::from))
    .bind(error)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts a failure (no answer, or a server error) against a domain and returns its
/// consecutive failures so far.
pub async fn record_domain_failure(conn: &mut PgConnection, domain: &str) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "INSERT INTO instances (domain, consecutive_failures, last_failure_at) VALUES ($1, 1, now()) \
         ON CONFLICT (domain) DO UPDATE SET consecutive_failures = instances.consecutive_failures + 1, \
         last_failure_at = now() RETURNING consecutive_failures",
    )
    .bind(domain)
    .fetch_one(conn)
    .await
}

/// Skips a domain until the given time (the circuit breaker opens).
pub async fn mark_domain_unavailable(
    conn: &mut PgConnection,
    domain: &str,
    until: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE instances SET unavailable_until = $2 WHERE domain = $1")
        .bind(domain)
        .bind(until)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts of deliveries by state (for tests, the admin API and benchmarks).
pub async fn count_by_state(db: impl PgExecutor<'_>, state: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE state = $1")
        .bind(state)
        .fetch_one(db)
        .await
}

/// The earliest time a pending delivery becomes due, if any (lets a worker sleep
/// exactly until then).
pub async fn next_due_at(db: impl PgExecutor<'_>) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) FROM deliveries WHERE state = 'pending'")
        .fetch_one(db)
        .await
}

/// Puts dead deliveries back in the queue (all of them, or one domain's).
pub async fn replay_dead(db: impl PgExecutor<'_>, domain: Option<&str>) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL \
         WHERE state = 'dead' AND ($1::text IS NULL OR domain = $1)",
    )
    .bind(domain)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// A dead delivery, as admins see it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeadDelivery {
    pub id: i64,
    pub activity_id: String,
    pub inbox_url: String,
    pub domain: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The newest dead deliveries (all, or one domain's), at most `limit`.
pub async fn dead(
    db: impl PgExecutor<'_>,
    domain: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<DeadDelivery>> {
    sqlx::query_as(
        "SELECT id, activity_id, inbox_url, domain, attempts, last_status, last_error, created_at, \
           finished_at FROM deliveries WHERE state = 'dead' AND ($1::text IS NULL OR domain = $1) \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(domain)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Delivery health of one remote domain.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainHealth {
    pub domain: String,
    pub consecutive_failures: i32,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub unavailable_until: Option<DateTime<Utc>>,
    pub pending: i64,
    pub dead: i64,
}

/// Health of the domains Roost delivers to (all, or one), the least healthy first.
pub async fn domain_health(
    db: impl PgExecutor<'_>,
    domain: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<DomainHealth>> {
    sqlx::query_as(
        "SELECT i.domain, i.consecutive_failures, i.last_success_at, i.last_failure_at, \
           i.unavailable_until, \
           (SELECT count(*) FROM deliveries d WHERE d.domain = i.domain AND d.state = 'pending') AS pending, \
           (SELECT count(*) FROM deliveries d WHERE d.domain = i.domain AND d.state = 'dead') AS dead \
         FROM instances i WHERE ($1::text IS NULL OR i.domain = $1) \
         ORDER BY i.consecutive_failures DESC, i.domain LIMIT $2",
    )
    .bind(domain)
    .bind(limit)
    .fetch_all(db)
    .await
}
