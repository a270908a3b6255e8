//! The `featured_tags` table: the hashtags an account shows on its profile (local and
//! remote accounts), with their use computed from the account's statuses when read, and
//! a remote actor's `featuredTags` collection URL (`accounts.featured_tags_url`). The
//! rules (limits, names, deliveries) are `services::featured_tags`'s.

use chrono::NaiveDate;
use sqlx::PgExecutor;

use super::tags::TagRow;

/// A featured hashtag with its use by the account in public and unlisted statuses.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FeaturedTagRow {
    pub id: i64,
    pub tag_id: i64,
    pub name: String,
    pub statuses_count: i64,
    /// The day (UTC) of the newest such status.
    pub last_status_at: Option<NaiveDate>,
}

/// Every hashtag `account_id` features, most used first, with its use, in one query.
pub async fn list(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Vec<FeaturedTagRow>> {
    sqlx::query_as(
        "SELECT f.id, f.tag_id, t.name, u.statuses_count, u.last_status_at \
         FROM featured_tags f JOIN tags t ON t.id = f.tag_id \
         CROSS JOIN LATERAL ( \
           SELECT count(s.id) AS statuses_count, \
             (max(s.created_at) AT TIME ZONE 'UTC')::date AS last_status_at \
           FROM status_tags st JOIN statuses s ON s.id = st.status_id \
           WHERE st.tag_id = f.tag_id AND s.account_id = f.account_id \
             AND s.deleted_at IS NULL AND s.visibility IN ('public', 'unlisted')) u \
         WHERE f.account_id = $1 ORDER BY u.statuses_count DESC, f.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// How many hashtags `account_id` features, counted with its row locked so two
/// features at once cannot both pass the limit.
pub async fn count_locked(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM featured_tags WHERE account_id = \
         (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// `account_id` features `tag`; false when it already did (nothing changes).
pub async fn add(db: impl PgExecutor<'_>, account_id: i64, tag: i64) -> sqlx::Result<bool> {
    let added = sqlx::query(
        "INSERT INTO featured_tags (account_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(tag)
    .execute(db)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// Removes `account_id`'s featured hashtag `id` (the row's id), returning its hashtag.
pub async fn remove_by_id(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<TagRow>> {
    sqlx::query_as(
        "DELETE FROM featured_tags f USING tags t \
         WHERE f.id = $2 AND f.account_id = $1 AND t.id = f.tag_id RETURNING t.id, t.name",
    )
    .bind(account_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Removes `tag` from `account_id`'s featured hashtags; false when it was not there.
pub async fn remove(db: impl PgExecutor<'_>, account_id: i64, tag: i64) -> sqlx::Result<bool> {
    let removed = sqlx::query("DELETE FROM featured_tags WHERE account_id = $1 AND tag_id = $2")
        .bind(account_id)
        .bind(tag)
        .execute(db)
        .await?;
    Ok(removed.rows_affected() == 1)
}

/// Replaces every hashtag `account_id` features with `tags` (a remote account's
/// collection as fetched).
pub async fn replace(
    db: &mut sqlx::PgConnection,
    account_id: i64,
    tags: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM featured_tags WHERE account_id = $1 AND NOT tag_id = ANY($2)")
        .bind(account_id)
        .bind(tags)
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "INSERT INTO featured_tags (account_id, tag_id) SELECT $1, unnest($2::bigint[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(tags)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Which of `tags` `account_id` features.
pub async fn featured_among(
    db: impl PgExecutor<'_>,
    account_id: i64,
    tags: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT tag_id FROM featured_tags WHERE account_id = $1 AND tag_id = ANY($2)",
    )
    .bind(account_id)
    .bind(tags)
    .fetch_all(db)
    .await
}

/// The hashtags of `account_id`'s newest `recent` statuses it does not feature yet,
/// most used first, at most `limit`.
pub async fn suggestions(
    db: impl PgExecutor<'_>,
    account_id: i64,
    recent: i64,
    limit: i64,
) -> sqlx::Result<Vec<TagRow>> {
    sqlx::query_as(
        "SELECT t.id, t.name FROM ( \
           SELECT id FROM statuses WHERE account_id = $1 AND deleted_at IS NULL \
           ORDER BY id DESC LIMIT $2) s \
         JOIN status_tags st ON st.status_id = s.id JOIN tags t ON t.id = st.tag_id \
         WHERE NOT EXISTS (SELECT 1 FROM featured_tags f \
           WHERE f.account_id = $1 AND f.tag_id = t.id) \
         GROUP BY t.id, t.name ORDER BY count(*) DESC, max(s.id) DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(recent)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Records a remote account's `featuredTags` collection URL (`None`: it has none).
pub async fn set_collection_url(
    db: impl PgExecutor<'_>,
    account_id: i64,
    url: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE accounts SET featured_tags_url = $2 WHERE id = $1")
        .bind(account_id)
        .bind(url)
        .execute(db)
        .await?;
    Ok(())
}

/// A remote account's `featuredTags` collection URL, if known.
pub async fn collection_url(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT featured_tags_url FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(db)
        .await
}
