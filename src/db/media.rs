//! The `media_attachments` table: local uploads (storage keys) and remote files
//! (URLs), attached to at most one status, in order. An upload waiting for a scheduled
//! status is reserved for it (`scheduled_status_id`) until it is published.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A `media_attachments` row (also read as JSON, by [`super::statuses::extras_sql`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct MediaRow {
    pub id: i64,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub position: i16,
    pub kind: String,
    pub content_type: String,
    pub file_key: Option<String>,
    pub preview_key: Option<String>,
    pub file_size: Option<i64>,
    pub remote_url: Option<String>,
    pub description: String,
    pub blurhash: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub preview_width: Option<i32>,
    pub preview_height: Option<i32>,
    pub focus_x: f32,
    pub focus_y: f32,
    pub created_at: DateTime<Utc>,
    /// What is known of a video or audio file's playback (`media::video::Playback` as
    /// JSON: duration, frame rate, bitrate, codecs); `{}` when nothing is.
    #[serde(default)]
    pub meta: serde_json::Value,
}

pub(crate) const COLUMNS: &str =
    "id, account_id, status_id, position, kind, content_type, file_key, \
    preview_key, file_size, remote_url, description, blurhash, width, height, preview_width, \
    preview_height, focus_x, focus_y, created_at, meta";

/// A media row to insert (local upload or remote reference).
#[derive(Debug, Default)]
pub struct NewMedia<'a> {
    pub id: Option<i64>,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub position: i16,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub file_key: Option<&'a str>,
    pub preview_key: Option<&'a str>,
    pub file_size: Option<i64>,
    pub remote_url: Option<&'a str>,
    pub description: &'a str,
    pub blurhash: Option<&'a str>,
    pub dimensions: Option<(i32, i32)>,
    pub preview_dimensions: Option<(i32, i32)>,
    pub focus: (f32, f32),
    /// Playback facts (`None`: none known).
    pub meta: Option<&'a serde_json::Value>,
}

/// A fresh id for a media row, taken before its files are stored under it.
pub async fn next_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT timestamp_id()")
        .fetch_one(db)
        .await
}

/// Inserts a media row and returns it.
pub async fn insert(db: impl PgExecutor<'_>, media: &NewMedia<'_>) -> sqlx::Result<MediaRow> {
    sqlx::query_as(&format!(
        "INSERT INTO media_attachments (id, account_id, status_id, position, kind, content_type, \
           file_key, preview_key, file_size, remote_url, description, blurhash, width, height, \
           preview_width, preview_height, focus_x, focus_y, meta) \
         VALUES (coalesce($1, timestamp_id()), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
           $13, $14, $15, $16, $17, $18, coalesce($19, '{{}}'::jsonb)) \
         RETURNING {COLUMNS}"
    ))
    .bind(media.id)
    .bind(media.account_id)
    .bind(media.status_id)
    .bind(media.position)
    .bind(media.kind)
    .bind(media.content_type)
    .bind(media.file_key)
    .bind(media.preview_key)
    .bind(media.file_size)
    .bind(media.remote_url)
    .bind(media.description)
    .bind(media.blurhash)
    .bind(media.dimensions.map(|d| d.0))
    .bind(media.dimensions.map(|d| d.1))
    .bind(media.preview_dimensions.map(|d| d.0))
    .bind(media.preview_dimensions.map(|d| d.1))
    .bind(media.focus.0)
    .bind(media.focus.1)
    .bind(media.meta)
    .fetch_one(db)
    .await
}

/// One media row of `account_id`, attached or not.
pub async fn find_own(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<MediaRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM media_attachments WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Changes alt text and focal point (`None` keeps a value).
pub async fn update_details(
    db: impl PgExecutor<'_>,
    id: i64,
    description: Option<&str>,
    focus: Option<(f32, f32)>,
) -> sqlx::Result<Option<MediaRow>> {
    sqlx::query_as(&format!(
        "UPDATE media_attachments SET description = coalesce($2, description), \
           focus_x = coalesce($3, focus_x), focus_y = coalesce($4, focus_y) \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(description)
    .bind(focus.map(|f| f.0))
    .bind(focus.map(|f| f.1))
    .fetch_optional(db)
    .await
}

/// The media of each status in `status_ids`, in position order.
pub async fn for_statuses(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<MediaRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM media_attachments WHERE status_id = ANY($1) \
         ORDER BY status_id, position, id"
    ))
    .bind(status_ids)
    .fetch_all(db)
    .await
}

/// Makes `media_ids` (in that order) the attachments of a status of `account_id`.
/// Each must be the account's and either unattached or already this status's;
/// attachments left out are detached (and later removed as orphans). Returns `false`,
/// changing nothing visible once the caller rolls back, when an id does not qualify.
pub async fn attach(
    conn: &mut PgConnection,
    account_id: i64,
    status_id: i64,
    media_ids: &[i64],
) -> sqlx::Result<bool> {
    sqlx::query("UPDATE media_attachments SET status_id = NULL, created_at = now() WHERE status_id = $1 AND NOT (id = ANY($2))")
        .bind(status_id)
        .bind(media_ids)
        .execute(&mut *conn)
        .await?;
    let attached = sqlx::query(
        "UPDATE media_attachments m SET status_id = $2, position = wanted.position \
         FROM unnest($3::bigint[]) WITH ORDINALITY AS wanted (id, position) \
         WHERE m.id = wanted.id AND m.account_id = $1 AND m.remote_url IS NULL \
           AND m.scheduled_status_id IS NULL AND m.story_id IS NULL \
           AND (m.status_id IS NULL OR m.status_id = $2)",
    )
    .bind(account_id)
    .bind(status_id)
    .bind(media_ids)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(attached == media_ids.len() as u64)
}

/// Whether each id is a media row of `account_id` that is unattached or attached to
/// `status_id`, and not reserved by a scheduled status other than `scheduled_id`
/// (checked before a status is created, scheduled or edited).
pub async fn all_usable(
    db: impl PgExecutor<'_>,
    account_id: i64,
    status_id: Option<i64>,
    scheduled_id: Option<i64>,
    media_ids: &[i64],
) -> sqlx::Result<bool> {
    let usable: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM media_attachments WHERE id = ANY($1) AND account_id = $2 \
           AND remote_url IS NULL AND story_id IS NULL AND (status_id IS NULL OR status_id = $3) \
           AND (scheduled_status_id IS NULL OR scheduled_status_id = $4)",
    )
    .bind(media_ids)
    .bind(account_id)
    .bind(status_id)
    .bind(scheduled_id)
    .fetch_one(db)
    .await?;
    Ok(usable == media_ids.len() as i64)
}

/// Reserves `media_ids` (in that order) for scheduled status `scheduled_id` of
/// `account_id`. Each must be the account's, unattached and not reserved; returns
/// `false`, changing nothing visible once the caller rolls back, when one is not.
pub async fn reserve_for_scheduled(
    conn: &mut PgConnection,
    account_id: i64,
    scheduled_id: i64,
    media_ids: &[i64],
) -> sqlx::Result<bool> {
    let reserved = sqlx::query(
        "UPDATE media_attachments m SET scheduled_status_id = $2, position = wanted.position \
         FROM unnest($3::bigint[]) WITH ORDINALITY AS wanted (id, position) \
         WHERE m.id = wanted.id AND m.account_id = $1 AND m.remote_url IS NULL \
           AND m.status_id IS NULL AND m.scheduled_status_id IS NULL AND m.story_id IS NULL",
    )
    .bind(account_id)
    .bind(scheduled_id)
    .bind(media_ids)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(reserved == media_ids.len() as u64)
}

/// A media row reserved by a scheduled status.
#[derive(Debug, sqlx::FromRow)]
pub struct ScheduledMedia {
    pub scheduled_status_id: i64,
    #[sqlx(flatten)]
    pub media: MediaRow,
}

/// The media reserved by each scheduled status in `scheduled_ids`, in position order.
pub async fn for_scheduled(
    db: impl PgExecutor<'_>,
    scheduled_ids: &[i64],
) -> sqlx::Result<Vec<ScheduledMedia>> {
    sqlx::query_as(&format!(
        "SELECT scheduled_status_id, {COLUMNS} FROM media_attachments \
         WHERE scheduled_status_id = ANY($1) ORDER BY scheduled_status_id, position, id"
    ))
    .bind(scheduled_ids)
    .fetch_all(db)
    .await
}

/// Replaces the remote attachments of a remote status.
pub async fn delete_for_status(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM media_attachments WHERE status_id = $1")
        .bind(status_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes one unattached upload of `account_id`; returns the removed row.
pub async fn delete_unattached(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<MediaRow>> {
    sqlx::query_as(&format!(
        "DELETE FROM media_attachments WHERE id = $1 AND account_id = $2 AND status_id IS NULL \
           AND scheduled_status_id IS NULL AND story_id IS NULL RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Deletes up to `limit` uploads that were never attached (or were detached) before
/// `older_than`, and that no music track uses, returning them so their files can be
/// removed.
pub async fn delete_orphans(
    db: impl PgExecutor<'_>,
    older_than: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<MediaRow>> {
    sqlx::query_as(&format!(
        "DELETE FROM media_attachments WHERE id IN (SELECT id FROM media_attachments \
           WHERE status_id IS NULL AND scheduled_status_id IS NULL AND story_id IS NULL \
             AND created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM music_tracks mt \
               WHERE mt.artwork_media_id = media_attachments.id \
                 OR mt.clip_media_id = media_attachments.id) \
           ORDER BY created_at LIMIT $2 \
           FOR UPDATE SKIP LOCKED) \
         RETURNING {COLUMNS}"
    ))
    .bind(older_than)
    .bind(limit)
    .fetch_all(db)
    .await
}
