//! Music on posts, reels and stories: a track (title, artist, a link to the track on a
//! music service, artwork, an optional short audio clip) that a status or a story
//! carries. The rules of a track are here, for everything that may carry one:
//! [`check`] validates what a local author sent (bounded lengths, an `https` link, the
//! artwork an image and the clip an audio file of at most [`MAX_CLIP_SECONDS`], both the
//! author's own unposted uploads), [`store`] writes the checked track in the caller's
//! transaction and returns its id, [`attach`] and [`attach_to_story`] write it and link
//! it to a status or a story. Tracks another Roost sent are read from its Note by
//! [`receive`] and from its story by [`receive_for_story`].
//!
//! Mastodon apps see a status's track as its link card; Roost's own clients and web
//! app read the `music` field of the Status or Story. On the wire a track is a `Link`
//! attachment (see `federation::builders::music`).

use sqlx::PgConnection;

use crate::db::media::MediaRow;
use crate::db::music_tracks::{self, NewTrack};
use crate::domain::{HttpUrl, Id};
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::music::WireTrack;
use crate::federation::protocol::note::{Attachment, Note};
use crate::state::AppState;

/// Longest title or artist name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest link, in characters.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest clip, in seconds.
pub const MAX_CLIP_SECONDS: f64 = 60.0;

/// A track as the client sent it (`music[title]`, `music[artist]`, `music[url]`,
/// `music[artwork_id]`, `music[clip_id]`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TrackInput<'a> {
    pub title: Option<&'a str>,
    pub artist: Option<&'a str>,
    pub url: Option<&'a str>,
    pub artwork_id: Option<&'a str>,
    pub clip_id: Option<&'a str>,
}

impl TrackInput<'_> {
    /// Whether nothing was sent (no track).
    pub fn is_empty(&self) -> bool {
        [
            self.title,
            self.artist,
            self.url,
            self.artwork_id,
            self.clip_id,
        ]
        .iter()
        .all(|value| value.is_none_or(|v| v.trim().is_empty()))
    }
}

/// A track whose values passed [`check`].
#[derive(Clone, Debug)]
pub struct CheckedTrack {
    pub title: String,
    pub artist: String,
    pub url: Option<String>,
    pub artwork: Option<MediaRow>,
    pub clip: Option<MediaRow>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ApiError {
    ApiError::validation(field, "ERR_INVALID", reason)
}

/// Checks a track sent by local account `account_id`; `None` when none was sent.
/// Errors: `Validation` naming the `music[…]` field at fault.
pub async fn check(
    state: &AppState,
    account_id: i64,
    input: &TrackInput<'_>,
) -> ApiResult<Option<CheckedTrack>> {
    if input.is_empty() {
        return Ok(None);
    }
    let title = name("music[title]", input.title)?;
    let artist = name("music[artist]", input.artist)?;
    let url = link(input.url)?;
    let artwork = own_upload(state, account_id, "music[artwork_id]", input.artwork_id).await?;
    if artwork.as_ref().is_some_and(|media| media.kind != "image") {
        return Err(invalid("music[artwork_id]", "The artwork must be an image"));
    }
    let clip = own_upload(state, account_id, "music[clip_id]", input.clip_id).await?;
    if let Some(clip) = &clip {
        clip_shape(clip).map_err(|reason| invalid("music[clip_id]", reason))?;
    }
    Ok(Some(CheckedTrack {
        title,
        artist,
        url,
        artwork,
        clip,
    }))
}

/// A required, bounded, single-line name.
fn name(field: &'static str, sent: Option<&str>) -> ApiResult<String> {
    let value = sent.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(ApiError::validation(
            field,
            "ERR_BLANK",
            format!("{field} can't be blank"),
        ));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        let reason = format!("{field} is too long (maximum is {MAX_NAME_CHARS} characters)");
        return Err(ApiError::validation(field, "ERR_TOO_LONG", reason));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(field, format!("{field} must be one line of text")));
    }
    Ok(value.to_owned())
}

/// An optional `https` link of at most [`MAX_URL_CHARS`].
fn link(sent: Option<&str>) -> ApiResult<Option<String>> {
    let Some(value) = sent.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let field = "music[url]";
    if value.chars().count() > MAX_URL_CHARS {
        return Err(invalid(
            field,
            format!("The link is longer than {MAX_URL_CHARS} characters"),
        ));
    }
    match HttpUrl::parse(value) {
        Ok(url) if url.as_str().starts_with("https://") => Ok(Some(url.as_str().to_owned())),
        _ => Err(invalid(field, "The link must be an https:// URL")),
    }
}

/// One of the author's uploads that no status uses yet.
async fn own_upload(
    state: &AppState,
    account_id: i64,
    field: &'static str,
    id: Option<&str>,
) -> ApiResult<Option<MediaRow>> {
    let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let refuse = || invalid(field, "Must be one of your own uploads not posted yet");
    let id: Id = id.parse().map_err(|_| refuse())?;
    let media = crate::db::media::find_own(&state.db, account_id, id.0).await?;
    let usable = media.filter(|m| m.status_id.is_none() && m.remote_url.is_none());
    usable.map(Some).ok_or_else(refuse)
}

/// Whether an upload may be a clip: audio of known duration within the limit.
fn clip_shape(media: &MediaRow) -> Result<(), String> {
    if media.kind != "audio" {
        return Err("The clip must be an audio file".into());
    }
    let duration = (media.meta.get("duration").and_then(|d| d.as_f64()))
        .ok_or_else(|| "The clip's duration could not be read".to_owned())?;
    if duration > MAX_CLIP_SECONDS {
        return Err(format!(
            "The clip is at most {MAX_CLIP_SECONDS} seconds long; this one is {duration:.1}"
        ));
    }
    Ok(())
}

/// Writes a checked track in the caller's transaction; returns its id.
pub async fn store(conn: &mut PgConnection, track: &CheckedTrack) -> ApiResult<i64> {
    let id = music_tracks::insert(
        conn,
        &NewTrack {
            title: &track.title,
            artist: &track.artist,
            url: track.url.as_deref(),
            artwork_media_id: track.artwork.as_ref().map(|m| m.id),
            clip_media_id: track.clip.as_ref().map(|m| m.id),
            ..NewTrack::default()
        },
    )
    .await?;
    Ok(id)
}

/// Writes a checked track and makes it the track of story `story_id`, in the story's
/// transaction.
pub async fn attach_to_story(
    conn: &mut PgConnection,
    story_id: i64,
    track: &CheckedTrack,
) -> ApiResult<()> {
    let id = store(&mut *conn, track).await?;
    music_tracks::link_story(conn, story_id, id).await?;
    Ok(())
}

/// Writes a checked track and makes it the track of status `status_id`, in the
/// status's transaction; returns the track's id.
pub async fn attach(
    conn: &mut PgConnection,
    status_id: i64,
    track: &CheckedTrack,
) -> ApiResult<i64> {
    let id = store(&mut *conn, track).await?;
    music_tracks::link_status(conn, status_id, id).await?;
    Ok(id)
}

/// Replaces the track of remote status `status_id` with the one an edited Note
/// carries (none: the status loses its track).
pub async fn receive_edit(conn: &mut PgConnection, note: &Note, status_id: i64) -> ApiResult<()> {
    music_tracks::unlink_status(&mut *conn, status_id).await?;
    receive(conn, note, status_id).await
}

/// Stores the track a received Note carries (a `Link` attachment with Roost's
/// `musicTitle` and `musicArtist`, see `federation::builders::music`) as the track of
/// the remote status `status_id`. Bounded like a local track; anything unusable is
/// left out.
pub async fn receive(conn: &mut PgConnection, note: &Note, status_id: i64) -> ApiResult<()> {
    let Some(wire) = crate::federation::builders::music::inbound(note) else {
        return Ok(());
    };
    let id = store_wire(&mut *conn, &wire).await?;
    music_tracks::link_status(conn, status_id, id).await?;
    Ok(())
}

/// Stores the track among a received story's `music` attachments (as a Note carries
/// one) as the track of the remote story `story_id`; nothing when there is none.
pub async fn receive_for_story(
    conn: &mut PgConnection,
    attachments: &[Attachment],
    story_id: i64,
) -> ApiResult<()> {
    let Some(wire) = crate::federation::builders::music::inbound_attachments(attachments) else {
        return Ok(());
    };
    let id = store_wire(&mut *conn, &wire).await?;
    music_tracks::link_story(conn, story_id, id).await?;
    Ok(())
}

/// Writes a track a peer sent, bounded like a local one; returns its id.
async fn store_wire(conn: &mut PgConnection, wire: &WireTrack) -> ApiResult<i64> {
    let bounded = |text: &str| text.trim().chars().take(MAX_NAME_CHARS).collect::<String>();
    let id = music_tracks::insert(
        &mut *conn,
        &NewTrack {
            title: &bounded(&wire.title),
            artist: &bounded(&wire.artist),
            url: wire.url.as_deref(),
            artwork_url: wire.artwork_url.as_deref(),
            clip_url: wire.clip_url.as_deref(),
            ..NewTrack::default()
        },
    )
    .await?;
    Ok(id)
}
