//! The admin dashboard's numbers, computed from stored rows when asked: per-day
//! measures, ranked dimensions and sign-up cohorts' retention. Which measure reads
//! which rows is `services::admin_dashboard`'s catalogue; here are the generic queries
//! and the event sources they run on.
//!
//! An event source is a `SELECT at, who` (a time and a text counted, distinctly or
//! not) that may use `$1` (text: a hashtag id or a domain). A dimension source is a
//! `SELECT key, value` over the window `$2`..`$3` (timestamps), `$1` as above.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;

/// Local users' activity: signing in (a new token), using a token (its last use),
/// posting, favouriting and following. Roost keeps no per-day log of sign-ins, so a
/// user who only read is seen on the day of their token's last use.
pub const ACTIVITY: &str = "SELECT t.created_at AS at, t.account_id::text AS who \
      FROM oauth_access_tokens t JOIN users u ON u.account_id = t.account_id \
    UNION ALL SELECT t.last_used_at, t.account_id::text FROM oauth_access_tokens t \
      JOIN users u ON u.account_id = t.account_id WHERE t.last_used_at IS NOT NULL \
    UNION ALL SELECT s.created_at, s.account_id::text FROM statuses s WHERE s.local \
    UNION ALL SELECT f.created_at, f.account_id::text FROM favourites f \
      JOIN users u ON u.account_id = f.account_id \
    UNION ALL SELECT f.created_at, f.account_id::text FROM follows f \
      JOIN users u ON u.account_id = f.account_id";

/// A measure over a window: the total, the previous window's total, and one value per
/// day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureRow {
    pub total: i64,
    pub previous_total: i64,
    /// One value per day of the window, in order.
    pub data: Vec<i64>,
}

/// Runs the event source `events` over the days `start..=end` (UTC) and the as long
/// window before it, counting `who` (distinct ones when `distinct`).
pub async fn measure(
    db: impl PgExecutor<'_>,
    events: &str,
    distinct: bool,
    param: Option<&str>,
    start: NaiveDate,
    end: NaiveDate,
) -> sqlx::Result<MeasureRow> {
    let counted = if distinct { "DISTINCT who" } else { "who" };
    let (total, previous_total, data): (i64, i64, Vec<i64>) = sqlx::query_as(&format!(
        "WITH bounds AS (SELECT $2::date::timestamp AT TIME ZONE 'UTC' AS start_at, \
           ($3::date + 1)::timestamp AT TIME ZONE 'UTC' AS end_at, \
           ($2::date - ($3::date - $2::date + 1))::timestamp AT TIME ZONE 'UTC' AS previous_at), \
         ev AS (SELECT e.at, e.who FROM ({events}) e, bounds b \
           WHERE e.at >= b.previous_at AND e.at < b.end_at) \
         SELECT (SELECT count({counted}) FROM ev, bounds b WHERE ev.at >= b.start_at), \
           (SELECT count({counted}) FROM ev, bounds b WHERE ev.at < b.start_at), \
           (SELECT coalesce(array_agg(n ORDER BY day), '{{}}') FROM (\
              SELECT d.day, count({counted}) AS n \
              FROM generate_series($2::date::timestamp, $3::date::timestamp, interval '1 day') d(day) \
              LEFT JOIN ev ON ev.at >= d.day AT TIME ZONE 'UTC' \
                AND ev.at < (d.day + interval '1 day') AT TIME ZONE 'UTC' \
              GROUP BY d.day) days)"
    ))
    .bind(param)
    .bind(start)
    .bind(end)
    .fetch_one(db)
    .await?;
    Ok(MeasureRow {
        total,
        previous_total,
        data,
    })
}

/// Runs the dimension source `source` over the days `start..=end` (UTC): its `limit`
/// largest keys with their values.
pub async fn dimension(
    db: impl PgExecutor<'_>,
    source: &str,
    param: Option<&str>,
    start: NaiveDate,
    end: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(&format!(
        "SELECT key, value FROM ({source}) d WHERE key IS NOT NULL \
         ORDER BY value DESC, key LIMIT $4"
    ))
    .bind(param)
    .bind(start.and_hms_opt(0, 0, 0).map(|at| at.and_utc()))
    .bind(
        end.succ_opt()
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map(|at| at.and_utc()),
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The size of this database, in bytes.
pub async fn database_size(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(db)
        .await
}

/// The bytes of every stored media file, as recorded at upload.
pub async fn media_size(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT coalesce(sum(file_size), 0)::bigint FROM media_attachments")
        .fetch_one(db)
        .await
}

/// PostgreSQL's version, as `server_version` reports it.
pub async fn postgres_version(db: impl PgExecutor<'_>) -> sqlx::Result<String> {
    sqlx::query_scalar("SHOW server_version")
        .fetch_one(db)
        .await
}

/// One cohort of sign-ups: its period's start, its size, and how many of it were
/// active in each period from its own to the window's last.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CohortRow {
    pub period: DateTime<Utc>,
    pub size: i64,
    pub active: Vec<i64>,
}

/// Local users grouped by the `unit` (`day` or `month`) they signed up in, over
/// `start..=end`, with how many of each were active ([`ACTIVITY`]) in every later
/// period up to `end`.
pub async fn retention(
    db: impl PgExecutor<'_>,
    unit: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> sqlx::Result<Vec<CohortRow>> {
    let step = if unit == "month" { "1 month" } else { "1 day" };
    sqlx::query_as(&format!(
        "WITH periods AS (SELECT p AS period FROM generate_series(\
             date_trunc('{unit}', $1::date::timestamp), date_trunc('{unit}', $2::date::timestamp), \
             interval '{step}') p), \
         cohorts AS (SELECT p.period, u.account_id FROM periods p \
           JOIN users u ON date_trunc('{unit}', u.created_at AT TIME ZONE 'UTC') = p.period), \
         activity AS (SELECT DISTINCT date_trunc('{unit}', a.at AT TIME ZONE 'UTC') AS period, a.who \
           FROM ({ACTIVITY}) a WHERE a.at >= $1::date::timestamp AT TIME ZONE 'UTC') \
         SELECT p.period AT TIME ZONE 'UTC' AS period, \
           (SELECT count(*) FROM cohorts c WHERE c.period = p.period) AS size, \
           (SELECT coalesce(array_agg(n ORDER BY later), '{{}}') FROM (\
              SELECT l.period AS later, count(a.who) AS n FROM periods l \
              LEFT JOIN activity a ON a.period = l.period AND a.who IN \
                (SELECT c.account_id::text FROM cohorts c WHERE c.period = p.period) \
              WHERE l.period >= p.period GROUP BY l.period) counts) AS active \
         FROM periods p ORDER BY p.period"
    ))
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await
}
