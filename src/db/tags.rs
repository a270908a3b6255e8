//! The `tags` and `tag_follows` tables: hashtags, their use over the last days, and who
//! follows them. The rules are `services::tags`'s; a followed hashtag's posts reaching
//! home feeds is the `tag_follows` migration's trigger and `super::timelines`'s home
//! condition.

use sqlx::PgExecutor;

use super::{BindPage, Page};

/// A `tags` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TagRow {
    pub id: i64,
    pub name: String,
}

/// One day of a hashtag's use: statuses and distinct accounts.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DayOfUse {
    /// The day's start, in seconds since the epoch (UTC).
    pub day: i64,
    pub uses: i64,
    pub accounts: i64,
}

/// The hashtag named `name` (compared without case), if it was ever used.
pub async fn find_by_name(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<Option<TagRow>> {
    sqlx::query_as("SELECT id, name FROM tags WHERE lower(name) = lower($1)")
        .bind(name)
        .fetch_optional(db)
        .await
}

/// The hashtag named `name`, created when new.
pub async fn find_or_create(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<TagRow> {
    // The no-op update makes RETURNING yield an existing tag too.
    sqlx::query_as(
        "INSERT INTO tags (name) VALUES ($1) \
         ON CONFLICT ((lower(name))) DO UPDATE SET name = tags.name RETURNING id, name",
    )
    .bind(name)
    .fetch_one(db)
    .await
}

/// The last `days` days (today first) of each of `tags`' use in public statuses, in
/// one query for them all: (tag id, day) pairs.
pub async fn history(
    db: impl PgExecutor<'_>,
    tags: &[i64],
    days: i32,
) -> sqlx::Result<Vec<(i64, DayOfUse)>> {
    let rows: Vec<TagDay> = sqlx::query_as(
        "SELECT t.tag_id, extract(epoch FROM d.day)::bigint AS day, count(s.id) AS uses, \
           count(DISTINCT s.account_id) AS accounts \
         FROM unnest($1::bigint[]) AS t(tag_id) \
         CROSS JOIN generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') \
           - ($2 - 1) * interval '1 day', date_trunc('day', now() AT TIME ZONE 'UTC'), \
           interval '1 day') AS d(day) \
         LEFT JOIN status_tags st ON st.tag_id = t.tag_id \
         LEFT JOIN statuses s ON s.id = st.status_id AND s.deleted_at IS NULL \
           AND s.visibility = 'public' \
           AND s.created_at >= d.day AT TIME ZONE 'UTC' \
           AND s.created_at < (d.day + interval '1 day') AT TIME ZONE 'UTC' \
         GROUP BY t.tag_id, d.day ORDER BY t.tag_id, d.day DESC",
    )
    .bind(tags)
    .bind(days)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.tag_id, row.day)).collect())
}

#[derive(sqlx::FromRow)]
struct TagDay {
    tag_id: i64,
    #[sqlx(flatten)]
    day: DayOfUse,
}

/// `account_id` follows `tag` (again: nothing changes).
pub async fn follow(db: impl PgExecutor<'_>, account_id: i64, tag: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO tag_follows (account_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(tag)
    .execute(db)
    .await?;
    Ok(())
}

/// `account_id` stops following `tag`.
pub async fn unfollow(db: impl PgExecutor<'_>, account_id: i64, tag: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM tag_follows WHERE account_id = $1 AND tag_id = $2")
        .bind(account_id)
        .bind(tag)
        .execute(db)
        .await?;
    Ok(())
}

/// Which of `tags` `account_id` follows.
pub async fn followed_among(
    db: impl PgExecutor<'_>,
    account_id: i64,
    tags: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT tag_id FROM tag_follows WHERE account_id = $1 AND tag_id = ANY($2)")
        .bind(account_id)
        .bind(tags)
        .fetch_all(db)
        .await
}

/// How many hashtags `account_id` follows, counted with its row locked so two follows
/// at once cannot both pass a limit.
pub async fn count_followed_locked(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM tag_follows WHERE account_id = \
         (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// A page of the hashtags `account_id` follows, newest follow first, with the follows'
/// ids (the paging key).
pub async fn followed(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<(i64, TagRow)>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT f.id, t.id, t.name FROM tag_follows f JOIN tags t ON t.id = f.tag_id \
         WHERE f.account_id = $1 AND {cut}",
        cut = page.cut("f.id", 2)
    ))
    .bind(account_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    let pairs = rows
        .into_iter()
        .map(|(key, id, name)| (key, TagRow { id, name }));
    Ok(page.newest_first(pairs.collect()))
}
