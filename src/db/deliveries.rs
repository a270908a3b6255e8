//! The durable outbox (`deliveries`) and per-domain health (`instances`).
//!
//! Rows are written in the same transaction as the change that caused them, claimed
//! by workers with `FOR UPDATE SKIP LOCKED` under a lease (a crashed worker's rows come
//! back when the lease ends), and end as `delivered` or `dead` — never deleted silently.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

pub use super::Failure;

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

/// Claims up to `limit` due deliveries to domains whose circuit breaker is closed,
/// plus one probe per domain whose breaker has just become half-open (its pending
/// delivery due first, even if not due yet), leasing them for `lease_secs`. Taking a
/// probe marks the domain as probing for the lease, in the same statement, so
/// concurrent workers of any process take one probe between them. Commits on its
/// own: the claim must be visible before any network I/O starts.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedDelivery>> {
    sqlx::query_as(
        "WITH probing AS ( \
           UPDATE instances i SET probing_until = now() + make_interval(secs => $2) \
           WHERE i.unavailable_until <= now() \
             AND (i.probing_until IS NULL OR i.probing_until < now()) \
             AND EXISTS (SELECT 1 FROM deliveries p WHERE p.domain = i.domain AND p.state = 'pending') \
           RETURNING i.domain), \
         probes AS ( \
           SELECT probe.id FROM probing, LATERAL ( \
             SELECT p.id FROM deliveries p \
             WHERE p.domain = probing.domain AND p.state = 'pending' \
               AND (p.locked_until IS NULL OR p.locked_until < now()) \
             ORDER BY p.next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) probe), \
         due AS ( \
           SELECT id FROM deliveries \
           WHERE state = 'pending' AND next_attempt_at <= now() \
             AND (locked_until IS NULL OR locked_until < now()) \
             AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.domain = deliveries.domain \
                             AND i.unavailable_until IS NOT NULL) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         UPDATE deliveries d SET locked_until = now() + make_interval(secs => $2), attempts = d.attempts + 1 \
         WHERE d.id IN (SELECT id FROM probes UNION ALL SELECT id FROM due) \
         RETURNING d.id, d.activity_id, d.actor_account_id, d.inbox_url, d.domain, d.payload, d.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Marks a delivery done and records the domain as healthy: its failure streak ends
/// and its circuit breaker closes. When the breaker was open or half-open, the
/// domain's deliveries that the outage pushed into the future become due now (except
/// those the server itself asked to wait, with 429). One statement: this runs once
/// per delivered request.
pub async fn mark_delivered(
    db: impl PgExecutor<'_>,
    delivery: &ClaimedDelivery,
    status: u16,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH done AS ( \
             UPDATE deliveries SET state = 'delivered', finished_at = now(), locked_until = NULL, \
               last_status = $2, last_error = NULL WHERE id = $1), \
         was AS (SELECT unavailable_until IS NOT NULL AS paused FROM instances WHERE domain = $3), \
         healthy AS ( \
             INSERT INTO instances (domain, last_success_at) VALUES ($3, now()) \
             ON CONFLICT (domain) DO UPDATE SET consecutive_failures = 0, last_success_at = now(), \
               failing_since = NULL, unavailable_until = NULL, probing_until = NULL, breaker_trips = 0) \
         UPDATE deliveries SET next_attempt_at = now() WHERE id IN ( \
             SELECT id FROM deliveries WHERE domain = $3 AND state = 'pending' AND id <> $1 \
               AND next_attempt_at > now() AND last_status IS DISTINCT FROM 429 \
               AND coalesce((SELECT paused FROM was), false) \
             FOR UPDATE SKIP LOCKED)",
    )
    .bind(delivery.id)
    .bind(i32::from(status))
    .bind(&delivery.domain)
    .execute(db)
    .await?;
    Ok(())
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
    let (state, next) = outcome.stored();
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

/// A domain's failure record right after a failure was counted.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct DomainFailure {
    /// When its current failure streak began.
    pub failing_since: DateTime<Utc>,
    /// Until when its circuit breaker is open (`None`: closed).
    pub unavailable_until: Option<DateTime<Utc>>,
    /// How often the breaker opened in this outage.
    pub breaker_trips: i32,
    /// The database's clock, to judge the record by.
    pub now: DateTime<Utc>,
}

/// Counts a failure (no answer, or a server error) against a domain, starting its
/// failure streak if none is running. The row stays locked until the caller's
/// transaction ends, so concurrent failures of one domain are judged one after another.
pub async fn record_domain_failure(
    conn: &mut PgConnection,
    domain: &str,
) -> sqlx::Result<DomainFailure> {
    sqlx::query_as(
        "INSERT INTO instances (domain, consecutive_failures, last_failure_at, failing_since) \
         VALUES ($1, 1, now(), now()) \
         ON CONFLICT (domain) DO UPDATE SET consecutive_failures = instances.consecutive_failures + 1, \
           last_failure_at = now(), failing_since = coalesce(instances.failing_since, now()) \
         RETURNING failing_since, unavailable_until, breaker_trips, now() AS now",
    )
    .bind(domain)
    .fetch_one(conn)
    .await
}

/// Opens a domain's circuit breaker until the given time (ending any probe) and
/// counts the opening.
pub async fn open_breaker(
    conn: &mut PgConnection,
    domain: &str,
    until: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE instances SET unavailable_until = $2, probing_until = NULL, \
         breaker_trips = breaker_trips + 1 WHERE domain = $1",
    )
    .bind(domain)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends a domain's probe without closing its breaker (the probe was answered with a
/// final client error), so the next claim probes with another delivery.
pub async fn end_probe(conn: &mut PgConnection, domain: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE instances SET probing_until = NULL WHERE domain = $1 AND probing_until IS NOT NULL",
    )
    .bind(domain)
    .execute(conn)
    .await?;
    Ok(())
}

/// The due, unclaimed deliveries to a domain (`(id, attempts)`), locked until the
/// caller's transaction ends.
pub async fn lock_due_for_domain(
    conn: &mut PgConnection,
    domain: &str,
) -> sqlx::Result<Vec<(i64, i32)>> {
    sqlx::query_as(
        "SELECT id, attempts FROM deliveries WHERE domain = $1 AND state = 'pending' \
           AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now()) \
         FOR UPDATE SKIP LOCKED",
    )
    .bind(domain)
    .fetch_all(conn)
    .await
}

/// Counts one failed attempt, without a request, for each of the given deliveries:
/// pending again at its time, or dead (`None`).
pub async fn count_failed_attempts(
    conn: &mut PgConnection,
    failures: &[(i64, Failure)],
    error: &str,
) -> sqlx::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = failures.iter().map(|(id, _)| *id).collect();
    let next: Vec<Option<DateTime<Utc>>> = failures
        .iter()
        .map(|(_, failure)| failure.stored().1)
        .collect();
    let error: String = error.chars().take(500).collect();
    sqlx::query(
        "UPDATE deliveries d SET attempts = d.attempts + 1, \
           state = CASE WHEN u.next IS NULL THEN 'dead' ELSE 'pending' END, \
           next_attempt_at = coalesce(u.next, d.next_attempt_at), last_status = NULL, \
           last_error = $3, finished_at = CASE WHEN u.next IS NULL THEN now() END \
         FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, next) WHERE d.id = u.id",
    )
    .bind(&ids)
    .bind(&next)
    .bind(error)
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

/// Puts dead deliveries back in the queue (all of them, or one domain's) and, when any
/// went back, wakes idle workers once the caller's statement commits.
pub async fn replay_dead(db: impl PgExecutor<'_>, domain: Option<&str>) -> sqlx::Result<u64> {
    let replayed: i64 = sqlx::query_scalar(
        "WITH replayed AS ( \
             UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), \
               finished_at = NULL \
             WHERE state = 'dead' AND ($1::text IS NULL OR domain = $1) RETURNING 1), \
         counted AS (SELECT count(*) AS n FROM replayed) \
         SELECT n FROM counted, LATERAL (SELECT CASE WHEN n > 0 THEN pg_notify($2, '') END) notified",
    )
    .bind(domain)
    .bind(NOTIFY_CHANNEL)
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(replayed).unwrap_or_default())
}

/// What admins see of the outbox: counts, the newest dead deliveries and the health
/// of the domains Roost delivers to (all, or one domain's), at most `limit` of each.
#[derive(Clone, Debug)]
pub struct Overview {
    pub pending: i64,
    pub dead_total: i64,
    pub dead: Vec<DeadDelivery>,
    pub domains: Vec<DomainHealth>,
}

/// The [`Overview`] of the outbox, read on one connection.
pub async fn overview(
    conn: &mut PgConnection,
    domain: Option<&str>,
    limit: i64,
) -> sqlx::Result<Overview> {
    Ok(Overview {
        pending: count_by_state(&mut *conn, "pending").await?,
        dead_total: count_by_state(&mut *conn, "dead").await?,
        dead: dead(&mut *conn, domain, limit).await?,
        domains: domain_health(&mut *conn, domain, limit).await?,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    /// Three deliveries to `down.example`, all scheduled an hour from now, and its
    /// breaker open until `until`.
    async fn backlog(db: &PgPool, until: &str) {
        let inbox = url::Url::parse("https://down.example/inbox").expect("valid");
        let mut conn = db.acquire().await.expect("connects");
        for n in 0..3 {
            let id = format!("https://roost.example/activities/{n}");
            let delivery = NewDelivery {
                activity_id: &id,
                actor_account_id: None,
                inbox_url: &inbox,
                payload: "{}",
            };
            enqueue(&mut conn, &[delivery]).await.expect("queues");
        }
        sqlx::query("UPDATE deliveries SET next_attempt_at = now() + interval '1 hour'")
            .execute(db)
            .await
            .expect("schedules");
        sqlx::query(&format!(
            "INSERT INTO instances (domain, consecutive_failures, failing_since, unavailable_until) \
             VALUES ('down.example', 3, now() - interval '1 hour', now() + interval '{until}')"
        ))
        .execute(db)
        .await
        .expect("opens");
    }

    #[sqlx::test]
    async fn an_open_breaker_lets_nothing_through(db: PgPool) {
        backlog(&db, "1 minute").await;
        sqlx::query("UPDATE deliveries SET next_attempt_at = now()")
            .execute(&db)
            .await
            .expect("makes them due");
        assert!(claim(&db, 10, 120).await.expect("claims").is_empty());
    }

    #[sqlx::test]
    async fn a_half_open_breaker_lets_exactly_one_probe_through_concurrent_claims(db: PgPool) {
        backlog(&db, "-1 second").await;
        let (first, second) = tokio::join!(claim(&db, 10, 120), claim(&db, 10, 120));
        let claimed: Vec<ClaimedDelivery> = first
            .expect("claims")
            .into_iter()
            .chain(second.expect("claims"))
            .collect();
        assert_eq!(claimed.len(), 1, "one probe, though none is due yet");
        assert!(
            claim(&db, 10, 120).await.expect("claims").is_empty(),
            "the rest wait for the probe"
        );

        // The probe succeeds: the breaker closes and the backlog is due at once.
        mark_delivered(&db, &claimed[0], 202)
            .await
            .expect("records");
        assert_eq!(claim(&db, 10, 120).await.expect("claims").len(), 2);
        let open: Option<DateTime<Utc>> =
            sqlx::query_scalar("SELECT unavailable_until FROM instances")
                .fetch_one(&db)
                .await
                .expect("reads");
        assert!(open.is_none());
    }
}
