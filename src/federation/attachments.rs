//! Media on posts between servers. Outbound: the `attachment` list of a local status's
//! Note (`Document` with `mediaType`, `url`, `name` = alt text, `blurhash`, `width`,
//! `height`, `focalPoint`, as Mastodon sends). Inbound: a remote post's attachments
//! stored as references to the peer's files (shown through `url`/`remote_url`; Roost
//! does not copy them), limited in number and to media types it can show.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#as> (`blurhash`, `focalPoint`).

use sqlx::PgConnection;

use super::protocol::note::Attachment;
use super::protocol::UrlOrLink;
use crate::config::Config;
use crate::db::media::{self, MediaRow, NewMedia};
use crate::domain::HttpUrl;
use crate::state::AppState;

/// Longest remote alt text kept (Mastodon's limit for its own).
const MAX_DESCRIPTION_CHARS: usize = 1500;

/// The Note `attachment` of a local status's media.
pub async fn attachments_of(
    state: &AppState,
    conn: &mut PgConnection,
    status_id: i64,
) -> anyhow::Result<Vec<Attachment>> {
    let rows = media::for_statuses(&mut *conn, &[status_id]).await?;
    outbound_all(&state.config, &rows)
}

/// The Note `attachment` of media rows in hand (pure: no database).
pub fn outbound_all(config: &Config, rows: &[MediaRow]) -> anyhow::Result<Vec<Attachment>> {
    rows.iter()
        .filter_map(|row| outbound(config, row).transpose())
        .collect()
}

fn outbound(config: &Config, row: &MediaRow) -> anyhow::Result<Option<Attachment>> {
    let url = match (&row.file_key, &row.remote_url) {
        (Some(key), _) => crate::urls::media_file(config, key),
        (None, Some(remote)) => remote.clone(),
        (None, None) => return Ok(None),
    };
    Ok(Some(Attachment {
        kind: "Document".to_owned(),
        media_type: Some(row.content_type.clone()),
        url: Some(UrlOrLink::Url(HttpUrl::parse(&url)?)),
        href: None,
        name: Some(row.description.clone()).filter(|d| !d.is_empty()),
        summary: None,
        blurhash: row.blurhash.clone(),
        width: row.width.and_then(|w| u32::try_from(w).ok()),
        height: row.height.and_then(|h| u32::try_from(h).ok()),
        focal_point: (row.kind == "image")
            .then_some([f64::from(row.focus_x), f64::from(row.focus_y)]),
        ..Attachment::empty("Document")
    }))
}

/// Whether the author's domain is blocked with `reject_media` (its attachments are
/// then not kept).
async fn rejects_media_of(conn: &mut PgConnection, author_id: i64) -> sqlx::Result<bool> {
    let domain = crate::db::accounts::domain_of(&mut *conn, author_id).await?;
    match domain {
        Some(domain) => {
            super::domain_policy::rejects(conn, &domain, super::domain_policy::Rejection::Media)
                .await
        }
        None => Ok(false),
    }
}

/// Remote posts keep at least this many attachments whatever the local posting limit:
/// albums (Pixelfed's, or a Roost instance's that allows 20) arrive whole on an
/// instance that keeps Mastodon's 4 for its own posts.
const REMOTE_ALBUM_MAX: usize = 20;

/// Stores the first usable attachments of a remote post (the larger of
/// `ROOST_MAX_MEDIA_ATTACHMENTS` and [`REMOTE_ALBUM_MAX`]) as remote references of
/// `status_id`, replacing any stored before (an edit).
pub async fn store_remote(
    state: &AppState,
    conn: &mut PgConnection,
    author_id: i64,
    status_id: i64,
    attachments: &[Attachment],
) -> sqlx::Result<()> {
    media::delete_for_status(&mut *conn, status_id).await?;
    if rejects_media_of(&mut *conn, author_id).await? {
        return Ok(());
    }
    let max = (state.config.max_media_attachments as usize).max(REMOTE_ALBUM_MAX);
    let usable = attachments.iter().filter_map(inbound).take(max);
    for (position, remote) in usable.enumerate() {
        let position = i16::try_from(position).unwrap_or(i16::MAX);
        insert_remote(&mut *conn, author_id, Some(status_id), position, &remote).await?;
    }
    Ok(())
}

/// Stores the picture or video of a remote story (`attachment`) as a remote reference
/// of `author_id`, attached to nothing yet; returns the row, or `None` when it is no
/// usable image or video or the author's domain is blocked with `reject_media`.
pub async fn store_remote_story(
    conn: &mut PgConnection,
    author_id: i64,
    attachment: &Attachment,
) -> sqlx::Result<Option<MediaRow>> {
    let Some(remote) = inbound(attachment).filter(|r| matches!(r.kind, "image" | "video")) else {
        return Ok(None);
    };
    if rejects_media_of(&mut *conn, author_id).await? {
        return Ok(None);
    }
    insert_remote(conn, author_id, None, 0, &remote)
        .await
        .map(Some)
}

async fn insert_remote(
    conn: &mut PgConnection,
    author_id: i64,
    status_id: Option<i64>,
    position: i16,
    remote: &RemoteMedia,
) -> sqlx::Result<MediaRow> {
    media::insert(
        conn,
        &NewMedia {
            account_id: author_id,
            status_id,
            position,
            kind: remote.kind,
            content_type: &remote.content_type,
            remote_url: Some(&remote.url),
            description: &remote.description,
            blurhash: remote.blurhash.as_deref(),
            dimensions: remote.dimensions,
            focus: remote.focus,
            ..NewMedia::default()
        },
    )
    .await
}

/// What is kept of one remote attachment.
struct RemoteMedia {
    kind: &'static str,
    content_type: String,
    url: String,
    description: String,
    blurhash: Option<String>,
    dimensions: Option<(i32, i32)>,
    focus: (f32, f32),
}

/// A remote attachment worth keeping: a media object (not a `Link`) with a URL (an
/// http(s) one: the protocol types drop others), and an image, video or audio type (or
/// none stated, shown as `unknown`).
fn inbound(attachment: &Attachment) -> Option<RemoteMedia> {
    if !matches!(
        attachment.kind.as_str(),
        "Document" | "Image" | "Video" | "Audio"
    ) {
        return None;
    }
    let url = attachment.url.as_ref()?;
    let href = url.href();
    let content_type = attachment
        .media_type
        .as_deref()
        .or_else(|| url.media_type())
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = match content_type.split('/').next() {
        Some("image") => "image",
        Some("video") => "video",
        Some("audio") => "audio",
        _ if content_type.is_empty() => match attachment.kind.as_str() {
            "Image" => "image",
            "Video" => "video",
            "Audio" => "audio",
            _ => "unknown",
        },
        _ => return None,
    };
    let blurhash = attachment
        .blurhash
        .clone()
        .filter(|hash| hash.len() <= 100 && hash.is_ascii());
    let dimensions = attachment
        .width
        .zip(attachment.height)
        .filter(|(w, h)| (1..=100_000).contains(w) && (1..=100_000).contains(h))
        .and_then(|(w, h)| Some((i32::try_from(w).ok()?, i32::try_from(h).ok()?)));
    let focus = attachment
        .focal_point
        .map(|[x, y]| (x.clamp(-1.0, 1.0) as f32, y.clamp(-1.0, 1.0) as f32))
        .unwrap_or((0.0, 0.0));
    Some(RemoteMedia {
        kind,
        content_type: if content_type.is_empty() || content_type.len() > 100 {
            "application/octet-stream".to_owned()
        } else {
            content_type
        },
        url: href.to_string(),
        description: attachment
            .description()
            .unwrap_or_default()
            .chars()
            .take(MAX_DESCRIPTION_CHARS)
            .collect(),
        blurhash,
        dimensions,
        focus,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attachment(value: serde_json::Value) -> Attachment {
        serde_json::from_value(value).expect("parses")
    }

    #[test]
    fn remote_images_keep_alt_text_blurhash_and_size() {
        let kept = inbound(&attachment(json!({
            "type": "Document", "mediaType": "image/png", "url": "https://a.example/1.png",
            "name": "A cat", "blurhash": "LEHV6nWB2yk8", "width": 800, "height": 600,
            "focalPoint": [0.5, 2.0]
        })))
        .expect("kept");
        assert_eq!(kept.kind, "image");
        assert_eq!(kept.description, "A cat");
        assert_eq!(kept.blurhash.as_deref(), Some("LEHV6nWB2yk8"));
        assert_eq!(kept.dimensions, Some((800, 600)));
        assert_eq!(kept.focus, (0.5, 1.0));
    }

    #[test]
    fn links_other_schemes_and_other_media_types_are_dropped() {
        let link = json!({"type": "Link", "href": "https://a.example/page"});
        let ftp =
            json!({"type": "Document", "mediaType": "image/png", "url": "ftp://a.example/1.png"});
        let html =
            json!({"type": "Document", "mediaType": "text/html", "url": "https://a.example/x"});
        for value in [link, ftp, html] {
            assert!(inbound(&attachment(value)).is_none());
        }
    }
}
