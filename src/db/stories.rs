// SPDX-License-Identifier: AGPL-3.0-or-later
//! Stories (`stories`, `story_recipients`, `story_views`) and close friends lists
//! (`close_friends`): the SQL of `services::stories`. Who may see a story is one SQL
//! rule, [`VISIBLE_TO`], used by every read a viewer makes.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgExecutor, Row};

use super::media::{MediaRow, COLUMNS as MEDIA_COLUMNS};
use super::{BindPage, Page};

/// One story row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoryRow {
    pub id: i64,
    pub account_id: i64,
    pub uri: String,
    /// 'public', 'followers' or 'close_friends'.
    pub audience: String,
    pub duration: i32,
    pub can_reply: bool,
    pub bearer_token: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str = "s.id, s.account_id, s.uri, s.audience, s.duration, s.can_reply, \
    s.bearer_token, s.created_at, s.expires_at";

/// The rule of who may see story `s` (by author `s.account_id`), for the viewer bound
/// as `$1`: a live story of an account that is not suspended, seen by its author, or
/// by anyone signed in for 'public', an accepted follower for 'followers', a recipient
/// for 'close_friends' — never across a block either way.
const VISIBLE_TO: &str = "s.expires_at > now() \
    AND EXISTS (SELECT 1 FROM accounts author WHERE author.id = s.account_id \
                AND author.suspended_at IS NULL) \
    AND (s.account_id = $1 OR ( \
        NOT EXISTS (SELECT 1 FROM blocks b WHERE \
            (b.account_id = $1 AND b.target_account_id = s.account_id) \
            OR (b.account_id = s.account_id AND b.target_account_id = $1)) \
        AND (s.audience = 'public' \
            OR (s.audience = 'followers' AND EXISTS (SELECT 1 FROM follows f \
                WHERE f.account_id = $1 AND f.target_account_id = s.account_id AND f.accepted)) \
            OR (s.audience = 'close_friends' AND EXISTS (SELECT 1 FROM story_recipients r \
                WHERE r.story_id = s.id AND r.account_id = $1)))))";

/// A story to insert.
#[derive(Debug)]
pub struct NewStory<'a> {
    pub id: i64,
    pub account_id: i64,
    pub uri: &'a str,
    pub audience: &'a str,
    pub duration: i32,
    pub can_reply: bool,
    pub bearer_token: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A fresh id for a story (its URI is made from it before the insert).
pub async fn next_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT timestamp_id()")
        .fetch_one(db)
        .await
}

/// Inserts `story`; `None` when a story with its URI exists already (a redelivery).
pub async fn insert(
    db: impl PgExecutor<'_>,
    story: &NewStory<'_>,
) -> sqlx::Result<Option<StoryRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO stories AS s (id, account_id, uri, audience, duration, can_reply, \
           bearer_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (uri) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(story.id)
    .bind(story.account_id)
    .bind(story.uri)
    .bind(story.audience)
    .bind(story.duration)
    .bind(story.can_reply)
    .bind(story.bearer_token)
    .bind(story.created_at)
    .bind(story.expires_at)
    .fetch_optional(db)
    .await
}

/// Makes upload `media_id` of `account_id` the picture or video of `story_id`. Returns
/// `false` when it is not the account's, is remote, or is used by a post, a scheduled
/// post or another story.
pub async fn attach_upload(
    db: impl PgExecutor<'_>,
    account_id: i64,
    story_id: i64,
    media_id: i64,
) -> sqlx::Result<bool> {
    let attached = sqlx::query(
        "UPDATE media_attachments SET story_id = $3 WHERE id = $2 AND account_id = $1 \
           AND remote_url IS NULL AND status_id IS NULL AND scheduled_status_id IS NULL \
           AND story_id IS NULL",
    )
    .bind(account_id)
    .bind(media_id)
    .bind(story_id)
    .execute(db)
    .await?
    .rows_affected();
    Ok(attached == 1)
}

/// Adds `account_ids` to the recipients of `story_id`.
pub async fn add_recipients(
    db: impl PgExecutor<'_>,
    story_id: i64,
    account_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO story_recipients (story_id, account_id) \
         SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
    )
    .bind(story_id)
    .bind(account_ids)
    .execute(db)
    .await?;
    Ok(())
}

/// The recipients of a 'close_friends' story.
pub async fn recipients(db: impl PgExecutor<'_>, story_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT account_id FROM story_recipients WHERE story_id = $1")
        .bind(story_id)
        .fetch_all(db)
        .await
}

/// Story `id` if `viewer` may see it.
pub async fn find_visible(
    db: impl PgExecutor<'_>,
    viewer: i64,
    id: i64,
) -> sqlx::Result<Option<StoryRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stories s WHERE s.id = $2 AND {VISIBLE_TO}"
    ))
    .bind(viewer)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Story `id`, whoever may see it (for its author's own actions and for federation).
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<StoryRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM stories s WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The story whose ActivityPub id is `uri`.
pub async fn find_by_uri(db: impl PgExecutor<'_>, uri: &str) -> sqlx::Result<Option<StoryRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM stories s WHERE s.uri = $1"))
        .bind(uri)
        .fetch_optional(db)
        .await
}

/// The live stories of `account_id` that `viewer` may see, oldest first (the order
/// they are watched in), at most `limit`.
pub async fn of_account(
    db: impl PgExecutor<'_>,
    viewer: i64,
    account_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<StoryRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stories s WHERE s.account_id = $2 AND {VISIBLE_TO} \
         ORDER BY s.id LIMIT $3"
    ))
    .bind(viewer)
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One account in the row of stories: how many live stories the viewer may see, how
/// many of them the viewer has not seen, and when the newest was posted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TrayRow {
    pub account_id: i64,
    pub stories: i64,
    pub unseen: i64,
    pub latest_at: DateTime<Utc>,
}

/// The row of stories of `viewer`: their own account, and the accounts they follow or
/// that addressed a story to them (and they have not muted), with live stories they
/// may see; the viewer first, then accounts
/// with unseen stories, newest first, then those seen already. At most `limit`.
pub async fn tray(db: impl PgExecutor<'_>, viewer: i64, limit: i64) -> sqlx::Result<Vec<TrayRow>> {
    sqlx::query_as(&format!(
        "SELECT s.account_id, count(*) AS stories, \
           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM story_views v \
             WHERE v.story_id = s.id AND v.account_id = $1)) AS unseen, \
           max(s.created_at) AS latest_at \
         FROM stories s \
         WHERE (s.account_id = $1 OR ((EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 \
             AND f.target_account_id = s.account_id AND f.accepted) \
             OR EXISTS (SELECT 1 FROM story_recipients r WHERE r.story_id = s.id \
               AND r.account_id = $1)) \
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 \
             AND m.target_account_id = s.account_id \
             AND (m.expires_at IS NULL OR m.expires_at > now())))) \
           AND {VISIBLE_TO} \
         GROUP BY s.account_id \
         ORDER BY s.account_id = $1 DESC, \
           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM story_views v \
             WHERE v.story_id = s.id AND v.account_id = $1)) > 0 DESC, \
           max(s.created_at) DESC \
         LIMIT $2"
    ))
    .bind(viewer)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Of `story_ids`, those `viewer` has seen.
pub async fn seen(
    db: impl PgExecutor<'_>,
    viewer: i64,
    story_ids: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT story_id FROM story_views WHERE account_id = $1 AND story_id = ANY($2)",
    )
    .bind(viewer)
    .bind(story_ids)
    .fetch_all(db)
    .await
}

/// The picture or video of each of `story_ids`, as `(story id, media)`.
pub async fn media_of(
    db: impl PgExecutor<'_>,
    story_ids: &[i64],
) -> sqlx::Result<Vec<(i64, MediaRow)>> {
    let rows: Vec<PgRow> = sqlx::query(&format!(
        "SELECT story_id, {MEDIA_COLUMNS} FROM media_attachments WHERE story_id = ANY($1)"
    ))
    .bind(story_ids)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("story_id")?, MediaRow::from_row(row)?)))
        .collect()
}

/// Records that `account_id` saw `story_id`; `true` the first time.
pub async fn record_view(
    db: impl PgExecutor<'_>,
    story_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO story_views (story_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(story_id)
    .bind(account_id)
    .execute(db)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// One viewer of a story.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ViewRow {
    pub account_id: i64,
    pub viewed_at: DateTime<Utc>,
}

/// Who saw `story_id`, most recent first, at most `limit`.
pub async fn viewers(
    db: impl PgExecutor<'_>,
    story_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<ViewRow>> {
    sqlx::query_as(
        "SELECT account_id, viewed_at FROM story_views WHERE story_id = $1 \
         ORDER BY viewed_at DESC LIMIT $2",
    )
    .bind(story_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Deletes story `id` of `account_id`; its media row is detached (the orphan sweep
/// removes it). Returns the deleted row.
pub async fn delete(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<StoryRow>> {
    sqlx::query_as(&format!(
        "DELETE FROM stories s WHERE s.id = $1 AND s.account_id = $2 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// The close friends of `account_id`.
pub async fn close_friends(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT friend_id FROM close_friends WHERE account_id = $1")
        .bind(account_id)
        .fetch_all(db)
        .await
}

/// A page of `account_id`'s close friends, by account id.
pub async fn close_friends_page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(&format!(
        "SELECT friend_id FROM close_friends WHERE account_id = $1 AND {}",
        page.cut("friend_id", 2)
    ))
    .bind(account_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page
        .newest_first(rows)
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// Adds `friend_ids` to `account_id`'s close friends (those there already stay).
pub async fn add_close_friends(
    db: impl PgExecutor<'_>,
    account_id: i64,
    friend_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO close_friends (account_id, friend_id) \
         SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(friend_ids)
    .execute(db)
    .await?;
    Ok(())
}

/// Removes `friend_ids` from `account_id`'s close friends.
pub async fn remove_close_friends(
    db: impl PgExecutor<'_>,
    account_id: i64,
    friend_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM close_friends WHERE account_id = $1 AND friend_id = ANY($2)")
        .bind(account_id)
        .bind(friend_ids)
        .execute(db)
        .await?;
    Ok(())
}

/// How many live stories `account_id` has.
pub async fn live_count(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM stories WHERE account_id = $1 AND expires_at > now()")
        .bind(account_id)
        .fetch_one(db)
        .await
}

/// The remote recipients of a 'close_friends' story, as `(actor id, inbox)` (shared
/// inbox preferred).
pub async fn remote_recipients(
    db: impl PgExecutor<'_>,
    story_id: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT a.ap_id, coalesce(a.shared_inbox_url, a.inbox_url) FROM story_recipients r \
         JOIN accounts a ON a.id = r.account_id \
         WHERE r.story_id = $1 AND a.domain IS NOT NULL AND a.ap_id IS NOT NULL \
           AND coalesce(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
    )
    .bind(story_id)
    .fetch_all(db)
    .await
}

/// How many close friends `account_id` has.
pub async fn count_close_friends(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM close_friends WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(db)
        .await
}

/// Makes media row `media_id` (a remote file just stored) the media of `story_id`.
pub async fn set_media(db: impl PgExecutor<'_>, story_id: i64, media_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE media_attachments SET story_id = $1 WHERE id = $2")
        .bind(story_id)
        .bind(media_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Claims up to `limit` expired stories for deletion (several processes share the
/// work; the caller deletes them with [`delete_many`] in the same transaction).
pub async fn claim_expired(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<StoryRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stories s WHERE s.expires_at <= now() \
         ORDER BY s.expires_at LIMIT $1 FOR UPDATE SKIP LOCKED"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Deletes stories `ids` (their media rows are detached for the orphan sweep).
pub async fn delete_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM stories WHERE id = ANY($1)")
        .bind(ids)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a local account follows `account_id` (so its public and followers stories
/// are worth keeping here).
pub async fn has_local_follower(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.accepted AND a.domain IS NULL)",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}
