//! The `music_tracks` table (a track: title, artist, link, artwork, clip) and
//! `status_music_tracks` (which status carries which track; a story names its track in
//! `stories.music_track_id`). Local tracks name their author's uploads; remote ones keep
//! the peer's URLs. A track nothing carries any more is deleted by a trigger (migration
//! `20261220000000_story_music`).

use sqlx::PgExecutor;

/// A track to insert.
#[derive(Debug, Default)]
pub struct NewTrack<'a> {
    pub title: &'a str,
    pub artist: &'a str,
    /// The track on a music service.
    pub url: Option<&'a str>,
    /// A local upload (an image).
    pub artwork_media_id: Option<i64>,
    /// A remote track's artwork.
    pub artwork_url: Option<&'a str>,
    /// A local upload (audio).
    pub clip_media_id: Option<i64>,
    /// A remote track's clip.
    pub clip_url: Option<&'a str>,
}

/// Inserts a track and returns its id.
pub async fn insert(db: impl PgExecutor<'_>, track: &NewTrack<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO music_tracks (title, artist, url, artwork_media_id, artwork_url, \
           clip_media_id, clip_url) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(track.title)
    .bind(track.artist)
    .bind(track.url)
    .bind(track.artwork_media_id)
    .bind(track.artwork_url)
    .bind(track.clip_media_id)
    .bind(track.clip_url)
    .fetch_one(db)
    .await
}

/// Makes `track_id` the track of status `status_id` (replacing one it had).
pub async fn link_status(
    db: impl PgExecutor<'_>,
    status_id: i64,
    track_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_music_tracks (status_id, music_track_id) VALUES ($1, $2) \
         ON CONFLICT (status_id) DO UPDATE SET music_track_id = EXCLUDED.music_track_id",
    )
    .bind(status_id)
    .bind(track_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes its track from status `status_id` (the track row stays).
pub async fn unlink_status(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM status_music_tracks WHERE status_id = $1")
        .bind(status_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The track of a status or a story, with where its files are (also read as JSON, by
/// [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct TrackRow {
    /// The status or story that carries it.
    pub owner_id: i64,
    pub title: String,
    pub artist: String,
    pub url: Option<String>,
    /// Storage key of a local artwork upload (its preview when it has one).
    pub artwork_key: Option<String>,
    /// A remote artwork's URL (the peer's, or a remote media row's).
    pub artwork_url: Option<String>,
    /// Storage key of a local clip upload.
    pub clip_key: Option<String>,
    /// A remote clip's URL.
    pub clip_url: Option<String>,
    /// The clip's media type, when known.
    pub clip_content_type: Option<String>,
    /// The clip's duration in seconds, when known.
    pub clip_duration: Option<f64>,
}

/// The columns of a [`TrackRow`] from `music_tracks t` and its uploads, after the
/// owner's id.
pub(super) const TRACK_COLUMNS: &str = "t.title, t.artist, t.url, \
    coalesce(a.preview_key, a.file_key) AS artwork_key, \
    coalesce(t.artwork_url, a.remote_url) AS artwork_url, \
    c.file_key AS clip_key, coalesce(t.clip_url, c.remote_url) AS clip_url, \
    c.content_type AS clip_content_type, \
    (c.meta ->> 'duration')::double precision AS clip_duration";

/// The uploads of `music_tracks t`.
pub(super) const TRACK_UPLOADS: &str =
    "LEFT JOIN media_attachments a ON a.id = t.artwork_media_id \
    LEFT JOIN media_attachments c ON c.id = t.clip_media_id";

/// The tracks of the statuses among `status_ids`.
pub async fn for_statuses(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<TrackRow>> {
    sqlx::query_as(&format!(
        "SELECT smt.status_id AS owner_id, {TRACK_COLUMNS} \
         FROM status_music_tracks smt JOIN music_tracks t ON t.id = smt.music_track_id \
         {TRACK_UPLOADS} WHERE smt.status_id = ANY($1)"
    ))
    .bind(status_ids)
    .fetch_all(db)
    .await
}

/// Makes `track_id` the track of story `story_id`.
pub async fn link_story(db: impl PgExecutor<'_>, story_id: i64, track_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE stories SET music_track_id = $2 WHERE id = $1")
        .bind(story_id)
        .bind(track_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The tracks of the stories among `story_ids`.
pub async fn for_stories(
    db: impl PgExecutor<'_>,
    story_ids: &[i64],
) -> sqlx::Result<Vec<TrackRow>> {
    sqlx::query_as(&format!(
        "SELECT s.id AS owner_id, {TRACK_COLUMNS} \
         FROM stories s JOIN music_tracks t ON t.id = s.music_track_id \
         {TRACK_UPLOADS} WHERE s.id = ANY($1)"
    ))
    .bind(story_ids)
    .fetch_all(db)
    .await
}
