//! Announcements (`announcements`), their readers' dismissals and their reactions.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// An `announcements` row, with what the reading account did about it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AnnouncementRow {
    pub id: i64,
    pub text: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether the reader dismissed it (false for the admins' listing).
    pub read: bool,
}

/// One reaction name on an announcement, counted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReactionRow {
    pub announcement_id: i64,
    pub name: String,
    pub count: i64,
    /// Whether the reader is among those who reacted.
    pub me: bool,
}

const COLUMNS: &str =
    "a.id, a.text, a.starts_at, a.ends_at, a.all_day, a.published_at, a.updated_at";

/// A new announcement.
pub struct NewAnnouncement<'a> {
    pub text: &'a str,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: bool,
}

/// Adds (publishes) an announcement.
pub async fn insert(
    db: impl PgExecutor<'_>,
    new: &NewAnnouncement<'_>,
) -> sqlx::Result<AnnouncementRow> {
    sqlx::query_as(&format!(
        "INSERT INTO announcements AS a (text, starts_at, ends_at, all_day) \
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}, false AS read"
    ))
    .bind(new.text)
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(new.all_day)
    .fetch_one(db)
    .await
}

/// Changes announcement `id` (its `updated_at` too); `None` when there is none.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: i64,
    changed: &NewAnnouncement<'_>,
) -> sqlx::Result<Option<AnnouncementRow>> {
    sqlx::query_as(&format!(
        "UPDATE announcements AS a SET text = $2, starts_at = $3, ends_at = $4, all_day = $5, \
             updated_at = now() \
         WHERE a.id = $1 RETURNING {COLUMNS}, false AS read"
    ))
    .bind(id)
    .bind(changed.text)
    .bind(changed.starts_at)
    .bind(changed.ends_at)
    .bind(changed.all_day)
    .fetch_optional(db)
    .await
}

/// Removes an announcement; false when there was none.
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM announcements WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Every announcement, newest first (for the admins), at most `limit`.
pub async fn all(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<AnnouncementRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, false AS read FROM announcements a ORDER BY a.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// SQL: the announcement `a` is still current (not ended).
const CURRENT: &str = "(a.ends_at IS NULL OR a.ends_at > now())";

/// The current announcements as `reader` sees them, oldest event first (Mastodon's
/// chronological order), at most `limit`.
pub async fn current(
    db: impl PgExecutor<'_>,
    reader: i64,
    limit: i64,
) -> sqlx::Result<Vec<AnnouncementRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, EXISTS (SELECT 1 FROM announcement_dismissals d \
           WHERE d.announcement_id = a.id AND d.account_id = $1) AS read \
         FROM announcements a WHERE {CURRENT} \
         ORDER BY coalesce(a.starts_at, a.published_at), a.id LIMIT $2"
    ))
    .bind(reader)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The announcement `id`, as nobody in particular has read it (for the stream).
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AnnouncementRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, false AS read FROM announcements a WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// How many accounts reacted to announcement `id` with `name`; `None` when the
/// announcement is gone (its reactions went with it).
pub async fn reaction_count(
    db: impl PgExecutor<'_>,
    id: i64,
    name: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM announcement_reactions r \
                 WHERE r.announcement_id = a.id AND r.name = $2) \
         FROM announcements a WHERE a.id = $1",
    )
    .bind(id)
    .bind(name)
    .fetch_optional(db)
    .await
}

/// Whether `id` is a current announcement.
pub async fn is_current(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM announcements a WHERE a.id = $1 AND {CURRENT})"
    ))
    .bind(id)
    .fetch_one(db)
    .await
}

/// Marks `id` read by `reader` (again is fine).
pub async fn dismiss(db: impl PgExecutor<'_>, id: i64, reader: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO announcement_dismissals (announcement_id, account_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(reader)
    .execute(db)
    .await?;
    Ok(())
}

/// The reactions on `ids`, counted per name, as `reader` sees them.
pub async fn reactions(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    reader: i64,
) -> sqlx::Result<Vec<ReactionRow>> {
    sqlx::query_as(
        "SELECT announcement_id, name, count(*) AS count, bool_or(account_id = $2) AS me \
         FROM announcement_reactions WHERE announcement_id = ANY($1) \
         GROUP BY announcement_id, name ORDER BY announcement_id, min(created_at), name",
    )
    .bind(ids)
    .bind(reader)
    .fetch_all(db)
    .await
}

/// Adds `reader`'s reaction `name` unless the announcement has `max_names` other
/// names already; false when refused for that.
pub async fn react(
    db: &sqlx::PgPool,
    id: i64,
    reader: i64,
    name: &str,
    max_names: i64,
) -> sqlx::Result<bool> {
    let inserted: Option<i32> = sqlx::query_scalar(
        "INSERT INTO announcement_reactions (announcement_id, account_id, name) \
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM announcement_reactions \
             WHERE announcement_id = $1 AND name = $3) \
           OR (SELECT count(DISTINCT name) FROM announcement_reactions \
               WHERE announcement_id = $1) < $4 \
         ON CONFLICT DO NOTHING RETURNING 1",
    )
    .bind(id)
    .bind(reader)
    .bind(name)
    .bind(max_names)
    .fetch_optional(db)
    .await?;
    if inserted.is_some() {
        return Ok(true);
    }
    // Nothing inserted: either already there (fine) or over the bound.
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM announcement_reactions \
           WHERE announcement_id = $1 AND account_id = $2 AND name = $3)",
    )
    .bind(id)
    .bind(reader)
    .bind(name)
    .fetch_one(db)
    .await
}

/// Removes `reader`'s reaction `name` (absent is fine).
pub async fn unreact(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: i64,
    name: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM announcement_reactions \
         WHERE announcement_id = $1 AND account_id = $2 AND name = $3",
    )
    .bind(id)
    .bind(reader)
    .bind(name)
    .execute(db)
    .await?;
    Ok(())
}
