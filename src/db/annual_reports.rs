//! The `annual_reports` table and the queries an annual report is computed from: one
//! account's statuses, follows, hashtags and interactions in one calendar year (UTC).
//! What the numbers mean is `services::annual_reports`'s.

use serde_json::Value;
use sqlx::PgExecutor;

/// A stored report.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub year: i32,
    pub data: Value,
    pub schema_version: i32,
}

/// SQL: `created_at` of the row aliased `table` falls in year `$2`.
fn in_year(table: &str) -> String {
    format!(
        "{table}.created_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'UTC') \
         AND {table}.created_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'UTC')"
    )
}

/// `account`'s report of `year`, if stored.
pub async fn find(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
) -> sqlx::Result<Option<ReportRow>> {
    sqlx::query_as(
        "SELECT year, data, schema_version FROM annual_reports WHERE account_id = $1 AND year = $2",
    )
    .bind(account)
    .bind(year)
    .fetch_optional(db)
    .await
}

/// Keeps `account`'s report of `year` (a report already kept stays).
pub async fn store(db: impl PgExecutor<'_>, account: i64, report: &ReportRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO annual_reports (account_id, year, data, schema_version) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account)
    .bind(report.year)
    .bind(&report.data)
    .bind(report.schema_version)
    .execute(db)
    .await?;
    Ok(())
}

/// `account`'s kept reports it has not marked read, newest year first.
pub async fn unread(db: impl PgExecutor<'_>, account: i64) -> sqlx::Result<Vec<ReportRow>> {
    sqlx::query_as(
        "SELECT year, data, schema_version FROM annual_reports \
         WHERE account_id = $1 AND viewed_at IS NULL ORDER BY year DESC",
    )
    .bind(account)
    .fetch_all(db)
    .await
}

/// Marks `account`'s report of `year` read; false when none is kept.
pub async fn mark_read(db: impl PgExecutor<'_>, account: i64, year: i32) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE annual_reports SET viewed_at = coalesce(viewed_at, now()) \
         WHERE account_id = $1 AND year = $2",
    )
    .bind(account)
    .bind(year)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// How `account`'s statuses of `year` split: (all, boosts, replies to others,
/// standalone posts).
pub async fn type_distribution(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
) -> sqlx::Result<(i64, i64, i64, i64)> {
    sqlx::query_as(&format!(
        "SELECT count(*), count(*) FILTER (WHERE s.reblog_of_id IS NOT NULL), \
           count(*) FILTER (WHERE s.in_reply_to_id IS NOT NULL \
             AND s.in_reply_to_account_id IS DISTINCT FROM $1), \
           count(*) FILTER (WHERE s.reblog_of_id IS NULL AND s.in_reply_to_id IS NULL) \
         FROM statuses s WHERE s.account_id = $1 AND s.deleted_at IS NULL AND {}",
        in_year("s")
    ))
    .bind(account)
    .bind(year)
    .fetch_one(db)
    .await
}

/// For each month (1–12) of `year`: `account`'s statuses, follows made and followers
/// gained.
pub async fn months(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
) -> sqlx::Result<Vec<(i32, i64, i64, i64)>> {
    sqlx::query_as(&format!(
        "SELECT m.month, \
           (SELECT count(*) FROM statuses s WHERE s.account_id = $1 AND s.deleted_at IS NULL \
             AND {s} AND date_part('month', s.created_at AT TIME ZONE 'UTC') = m.month), \
           (SELECT count(*) FROM follows f WHERE f.account_id = $1 AND f.accepted \
             AND {f} AND date_part('month', f.created_at AT TIME ZONE 'UTC') = m.month), \
           (SELECT count(*) FROM follows f WHERE f.target_account_id = $1 AND f.accepted \
             AND {f} AND date_part('month', f.created_at AT TIME ZONE 'UTC') = m.month) \
         FROM generate_series(1, 12) AS m(month)",
        s = in_year("s"),
        f = in_year("f")
    ))
    .bind(account)
    .bind(year)
    .fetch_all(db)
    .await
}

/// `account`'s hashtags of `year` used more than once, most used first (at most
/// `limit`).
pub async fn top_hashtags(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
    limit: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(&format!(
        "SELECT t.name, count(*) AS uses FROM statuses s \
         JOIN status_tags st ON st.status_id = s.id JOIN tags t ON t.id = st.tag_id \
         WHERE s.account_id = $1 AND s.deleted_at IS NULL AND {} \
         GROUP BY t.name HAVING count(*) > 1 ORDER BY uses DESC, t.name LIMIT $3",
        in_year("s")
    ))
    .bind(account)
    .bind(year)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// `account`'s public statuses of `year` that were boosted, favourited and replied to
/// most: three distinct statuses, each `None` when there is none left.
pub async fn top_statuses(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
) -> sqlx::Result<(Option<i64>, Option<i64>, Option<i64>)> {
    let base = format!(
        "FROM statuses s WHERE s.account_id = $1 AND s.deleted_at IS NULL \
         AND s.visibility = 'public' AND s.reblog_of_id IS NULL AND {}",
        in_year("s")
    );
    sqlx::query_as(&format!(
        "WITH by_reblogs AS (SELECT s.id {base} AND s.reblogs_count > 0 \
             ORDER BY s.reblogs_count DESC, s.id DESC LIMIT 1), \
           by_favourites AS (SELECT s.id {base} AND s.favourites_count > 0 \
             AND s.id NOT IN (SELECT id FROM by_reblogs) \
             ORDER BY s.favourites_count DESC, s.id DESC LIMIT 1), \
           by_replies AS (SELECT s.id {base} AND s.replies_count > 0 \
             AND s.id NOT IN (SELECT id FROM by_reblogs UNION ALL SELECT id FROM by_favourites) \
             ORDER BY s.replies_count DESC, s.id DESC LIMIT 1) \
         SELECT (SELECT id FROM by_reblogs), (SELECT id FROM by_favourites), \
           (SELECT id FROM by_replies)"
    ))
    .bind(account)
    .bind(year)
    .fetch_one(db)
    .await
}

/// The accounts `account` replied to most in `year` (not itself), most first.
pub async fn replied_to(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(&format!(
        "SELECT s.in_reply_to_account_id, count(*) AS replies FROM statuses s \
         WHERE s.account_id = $1 AND s.deleted_at IS NULL AND s.in_reply_to_account_id IS NOT NULL \
           AND s.in_reply_to_account_id <> $1 AND {} \
         GROUP BY s.in_reply_to_account_id ORDER BY replies DESC LIMIT $3",
        in_year("s")
    ))
    .bind(account)
    .bind(year)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The apps `account` posted with most in `year` (by app name), most first.
pub async fn apps(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
    limit: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(&format!(
        "SELECT a.name, count(*) AS uses FROM statuses s JOIN oauth_apps a ON a.id = s.application_id \
         WHERE s.account_id = $1 AND s.deleted_at IS NULL AND {} \
         GROUP BY a.name ORDER BY uses DESC, a.name LIMIT $3",
        in_year("s")
    ))
    .bind(account)
    .bind(year)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The accounts whose statuses `account` boosted most in `year`, most first.
pub async fn boosted(
    db: impl PgExecutor<'_>,
    account: i64,
    year: i32,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(&format!(
        "SELECT o.account_id, count(*) AS boosts FROM statuses s \
         JOIN statuses o ON o.id = s.reblog_of_id \
         WHERE s.account_id = $1 AND s.deleted_at IS NULL AND o.account_id <> $1 AND {} \
         GROUP BY o.account_id ORDER BY boosts DESC LIMIT $3",
        in_year("s")
    ))
    .bind(account)
    .bind(year)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// For the percentiles: of the local accounts that posted (got followers) in `year`,
/// how many posted fewer statuses than `statuses` (gained fewer than `followers`), and
/// how many there are: (fewer statuses, with statuses, fewer followers, with followers).
pub async fn standing(
    db: impl PgExecutor<'_>,
    year: i32,
    statuses: i64,
    followers: i64,
) -> sqlx::Result<(i64, i64, i64, i64)> {
    sqlx::query_as(&format!(
        "WITH posting AS (SELECT s.account_id, count(*) AS n FROM statuses s \
             JOIN accounts a ON a.id = s.account_id AND a.domain IS NULL \
             WHERE s.deleted_at IS NULL AND {s} GROUP BY s.account_id), \
           followed AS (SELECT f.target_account_id, count(*) AS n FROM follows f \
             JOIN accounts a ON a.id = f.target_account_id AND a.domain IS NULL \
             WHERE f.accepted AND {f} GROUP BY f.target_account_id) \
         SELECT (SELECT count(*) FROM posting WHERE n < $2), (SELECT count(*) FROM posting), \
           (SELECT count(*) FROM followed WHERE n < $3), (SELECT count(*) FROM followed)",
        s = in_year("s").replace("$2", "$1"),
        f = in_year("f").replace("$2", "$1")
    ))
    .bind(year)
    .bind(statuses)
    .bind(followers)
    .fetch_one(db)
    .await
}
