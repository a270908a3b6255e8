//! The music track of a status or a story, as Roost shows it: the Status's and the
//! Story's `music` field (a Roost extension) and, for Mastodon apps, the status's link
//! `card` when it has no other.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::preview_card::PreviewCard;
use crate::config::Config;
use crate::db::music_tracks::TrackRow;

/// A track a status or a story carries.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MusicTrack {
    pub title: String,
    pub artist: String,
    /// The track on a music service.
    pub url: Option<String>,
    /// The artwork (an image).
    pub artwork_url: Option<String>,
    /// A short audio clip, to play.
    pub clip: Option<MusicClip>,
}

/// A track's audio clip.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MusicClip {
    pub url: String,
    /// Its media type, when known.
    pub content_type: Option<String>,
    /// Seconds, when known.
    pub duration: Option<f64>,
}

impl MusicTrack {
    /// The track of a row (`config` for the storage URLs).
    pub fn from_row(row: &TrackRow, config: &Config) -> MusicTrack {
        let file = |key: &Option<String>, remote: &Option<String>| {
            key.as_deref()
                .map(|key| crate::urls::media_file(config, key))
                .or_else(|| remote.clone())
        };
        MusicTrack {
            title: row.title.clone(),
            artist: row.artist.clone(),
            url: row.url.clone(),
            artwork_url: file(&row.artwork_key, &row.artwork_url),
            clip: file(&row.clip_key, &row.clip_url).map(|url| MusicClip {
                url,
                content_type: row.clip_content_type.clone(),
                duration: row.clip_duration,
            }),
        }
    }

    /// The tracks of `rows`, by the id of the status or story carrying each.
    pub fn by_owner(rows: &[TrackRow], config: &Config) -> HashMap<i64, MusicTrack> {
        rows.iter()
            .map(|row| (row.owner_id, MusicTrack::from_row(row, config)))
            .collect()
    }

    /// The link card Mastodon apps are shown: "Artist – Title", linking to the track
    /// (to its clip without a link; none without either), with the artwork.
    pub fn card(&self) -> Option<PreviewCard> {
        let url = self
            .url
            .clone()
            .or_else(|| self.clip.as_ref().map(|c| c.url.clone()))?;
        let title = crate::federation::builders::music::display_name(&self.artist, &self.title);
        Some(PreviewCard::link(url, title, self.artwork_url.clone()))
    }
}
