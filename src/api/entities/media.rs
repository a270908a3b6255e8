//! The MediaAttachment entity (<https://docs.joinmastodon.org/entities/MediaAttachment/>).
//! Local uploads point at Roost's storage; remote attachments keep the peer's URL in
//! both `url` and `remote_url` (Roost does not copy remote files).

use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::media::MediaRow;
use crate::domain::Id;

/// A file attached to a status (or uploaded for one).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaAttachment {
    #[schema(value_type = String)]
    pub id: Id,
    /// `image`, `gifv`, `video`, `audio` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
    pub url: Option<String>,
    pub preview_url: Option<String>,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    /// `original` and `small` sizes (width, height, size, aspect), `focus` (images), and
    /// for video and audio `original.duration`, `frame_rate`, `bitrate` (and Roost's
    /// `video_codec`, `audio_codec`).
    #[schema(value_type = Object)]
    pub meta: Value,
    /// Alt text, or null.
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

impl MediaAttachment {
    /// Builds the entity from a row; `config` supplies the storage URLs.
    pub fn from_row(row: &MediaRow, config: &Config) -> MediaAttachment {
        let url = row
            .file_key
            .as_deref()
            .map(|key| crate::urls::media_file(config, key))
            .or_else(|| row.remote_url.clone());
        let preview_url = row
            .preview_key
            .as_deref()
            .map(|key| crate::urls::media_file(config, key))
            .or_else(|| (row.kind == "image").then(|| url.clone()).flatten());
        let mut meta = serde_json::Map::new();
        if let Some(original) = original_meta(row) {
            meta.insert("original".into(), original);
        }
        if let Some(small) = size_meta(row.preview_width, row.preview_height) {
            meta.insert("small".into(), small);
        }
        if row.kind == "image" {
            meta.insert(
                "focus".into(),
                json!({ "x": row.focus_x, "y": row.focus_y }),
            );
        }
        MediaAttachment {
            id: Id(row.id),
            kind: row.kind.clone(),
            url,
            preview_url,
            remote_url: row.remote_url.clone(),
            preview_remote_url: None,
            text_url: None,
            meta: Value::Object(meta),
            description: Some(row.description.clone()).filter(|d| !d.is_empty()),
            blurhash: row.blurhash.clone(),
        }
    }
}

/// `meta.original`: the size, and for video and audio what is known of their playback
/// (`duration`, `frame_rate`, `bitrate`, as Mastodon's; Roost also names the codecs).
fn original_meta(row: &MediaRow) -> Option<Value> {
    let mut original = match size_meta(row.width, row.height) {
        Some(Value::Object(size)) => size,
        _ => serde_json::Map::new(),
    };
    if let Value::Object(playback) = &row.meta {
        for key in [
            "duration",
            "frame_rate",
            "bitrate",
            "video_codec",
            "audio_codec",
        ] {
            if let Some(value) = playback.get(key) {
                original.insert(key.into(), value.clone());
            }
        }
    }
    (!original.is_empty()).then_some(Value::Object(original))
}

fn size_meta(width: Option<i32>, height: Option<i32>) -> Option<Value> {
    let (width, height) = (width?, height?);
    let aspect = f64::from(width) / f64::from(height.max(1));
    Some(json!({
        "width": width,
        "height": height,
        "size": format!("{width}x{height}"),
        "aspect": aspect,
    }))
}
