//! What the queues and destinations look like right now, for the metrics scrape
//! (`metrics::scrape`): each queue's backlog and the peers' delivery health. Every
//! figure is read through the queues' partial indexes on their waiting rows, so a
//! scrape costs in proportion to the backlog, not to the history kept.

use sqlx::PgExecutor;

/// One queue's waiting jobs.
#[derive(Clone, Copy, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct Backlog {
    /// Jobs waiting, due now or later.
    pub depth: i64,
    /// Seconds since the oldest waiting job was queued (for scheduled statuses: since
    /// the oldest due one fell due); 0 when none waits.
    pub oldest_age_secs: f64,
    /// Jobs kept after their last failed attempt (`None`: the queue keeps none apart).
    pub dead: Option<i64>,
}

/// The backlog of every queue the metrics name.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backlogs {
    pub inbox: Backlog,
    pub deliveries: Backlog,
    pub push: Backlog,
    pub email: Backlog,
    pub scheduled: Backlog,
}

/// The backlog query of a queue table: rows matching `waiting` counted and aged by
/// `oldest` (an aggregate: when the oldest of them began to wait), plus rows matching
/// `dead` when the queue keeps them.
fn backlog_sql(table: &str, waiting: &str, oldest: &str, dead: Option<&str>) -> String {
    let dead = dead.map_or_else(
        || "NULL::bigint".to_owned(),
        |dead| format!("(SELECT count(*) FROM {table} WHERE {dead})"),
    );
    format!(
        "SELECT count(*) AS depth, \
         coalesce(extract(epoch FROM now() - {oldest}), 0)::float8 AS oldest_age_secs, \
         {dead} AS dead FROM {table} WHERE {waiting}"
    )
}

/// Reads every queue's backlog, one statement per queue.
pub async fn backlogs<'c, E>(db: E) -> sqlx::Result<Backlogs>
where
    E: PgExecutor<'c> + Copy,
{
    let read = |sql: String| async move { sqlx::query_as::<_, Backlog>(&sql).fetch_one(db).await };
    const OLDEST: &str = "min(created_at)";
    let pending = "state = 'pending'";
    let dead = Some("state = 'dead'");
    Ok(Backlogs {
        inbox: read(backlog_sql(
            "inbox_activities",
            "processed_at IS NULL",
            "min(received_at)",
            None,
        ))
        .await?,
        deliveries: read(backlog_sql("deliveries", pending, OLDEST, dead)).await?,
        push: read(backlog_sql("push_deliveries", "true", OLDEST, None)).await?,
        email: read(backlog_sql("email_deliveries", pending, OLDEST, dead)).await?,
        // Every scheduled post waits, but only those already due are late.
        scheduled: read(backlog_sql(
            "scheduled_statuses",
            "true",
            "min(scheduled_at) FILTER (WHERE scheduled_at <= now())",
            None,
        ))
        .await?,
    })
}

/// Peer domains of one delivery health, and the deliveries waiting for them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DestinationHealth {
    /// `healthy`, `failing` (failed lately, still tried) or `unavailable` (its circuit
    /// breaker is open).
    pub health: String,
    pub domains: i64,
    pub pending: i64,
}

/// Known peer domains and waiting deliveries by destination health; a domain with no
/// record yet counts as healthy.
pub async fn destination_health(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<DestinationHealth>> {
    sqlx::query_as(
        "WITH classed AS ( \
           SELECT domain, CASE \
             WHEN unavailable_until > now() THEN 'unavailable' \
             WHEN consecutive_failures > 0 THEN 'failing' \
             ELSE 'healthy' END AS health \
           FROM instances), \
         pending AS ( \
           SELECT coalesce(c.health, 'healthy') AS health, count(*) AS pending \
           FROM deliveries d LEFT JOIN classed c ON c.domain = d.domain \
           WHERE d.state = 'pending' GROUP BY 1), \
         domains AS (SELECT health, count(*) AS domains FROM classed GROUP BY 1) \
         SELECT h.health, coalesce(d.domains, 0) AS domains, coalesce(p.pending, 0) AS pending \
         FROM (VALUES ('healthy'), ('failing'), ('unavailable')) AS h (health) \
         LEFT JOIN domains d ON d.health = h.health \
         LEFT JOIN pending p ON p.health = h.health",
    )
    .fetch_all(db)
    .await
}
