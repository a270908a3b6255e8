//! The weekly activity numbers of `GET /api/v1/instance/activity`, counted from the
//! rows themselves (Roost keeps no separate counters).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// One week's numbers.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WeekRow {
    /// Monday 00:00 UTC that starts the week.
    pub week: DateTime<Utc>,
    /// Local statuses (not boosts) created that week and not deleted.
    pub statuses: i64,
    /// Local accounts that signed in that week: issued an access token (a sign-in, a
    /// sign-up or a token refresh) or recorded a sign-in.
    pub logins: i64,
    /// Local users created that week.
    pub registrations: i64,
}

/// The last `weeks` weeks, the current (partial) one first. Statuses are counted by
/// id range: local ids are made from their creation time (`timestamp_id`).
pub async fn weeks(db: impl PgExecutor<'_>, weeks: i32) -> sqlx::Result<Vec<WeekRow>> {
    sqlx::query_as(
        "WITH w AS ( \
           SELECT gs AS week, gs + interval '1 week' AS next \
           FROM generate_series(date_trunc('week', now(), 'UTC') - make_interval(weeks => $1 - 1), \
                                date_trunc('week', now(), 'UTC'), interval '1 week') gs) \
         SELECT w.week, \
           (SELECT count(*) FROM statuses s WHERE s.local AND s.deleted_at IS NULL \
              AND s.reblog_of_id IS NULL \
              AND s.id >= (floor(extract(epoch FROM w.week) * 1000)::bigint << 16) \
              AND s.id < (floor(extract(epoch FROM w.next) * 1000)::bigint << 16)) AS statuses, \
           (SELECT count(*) FROM users u WHERE \
              EXISTS (SELECT 1 FROM oauth_access_tokens t WHERE t.account_id = u.account_id \
                        AND t.created_at >= w.week AND t.created_at < w.next) \
              OR (u.last_sign_in_at >= w.week AND u.last_sign_in_at < w.next)) AS logins, \
           (SELECT count(*) FROM users u WHERE u.created_at >= w.week \
              AND u.created_at < w.next) AS registrations \
         FROM w ORDER BY w.week DESC",
    )
    .bind(weeks)
    .fetch_all(db)
    .await
}
