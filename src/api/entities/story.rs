// SPDX-License-Identifier: AGPL-3.0-or-later
//! Roost's story entities (no Mastodon equivalent): `Story`, one account's place in
//! the row of stories (`StoryTray`), and a story's viewer (`StoryViewer`).

use serde::Serialize;
use utoipa::ToSchema;

use super::music::MusicTrack;
use super::{timestamp, Account, MediaAttachment};
use crate::config::Config;
use crate::domain::Id;
use crate::services::stories::{StoryView, TrayEntry, Viewer};

/// A story: a picture or video shown for `duration` seconds until `expires_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Story {
    #[schema(value_type = String)]
    pub id: Id,
    /// Its ActivityPub id.
    pub uri: String,
    pub account: Account,
    /// `public`, `followers` or `close_friends`.
    pub audience: String,
    /// The picture or video (null for a remote file that could not be kept).
    pub media_attachment: Option<MediaAttachment>,
    /// The music track played with it (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub music: Option<MusicTrack>,
    /// Seconds an app shows it.
    pub duration: i32,
    /// Whether its author takes replies (`POST /api/v1/roost/stories/:id/reply`).
    pub can_reply: bool,
    /// Whether the viewer has seen it (`POST /api/v1/roost/stories/:id/seen`).
    pub seen: bool,
    pub created_at: String,
    pub expires_at: String,
}

impl Story {
    /// The entity of a story as its viewer sees it.
    pub fn from_view(view: &StoryView, config: &Config) -> Story {
        Story {
            id: Id(view.row.id),
            uri: view.row.uri.clone(),
            account: Account::from_row(&view.author, config),
            audience: view.row.audience.clone(),
            media_attachment: view
                .media
                .as_ref()
                .map(|media| MediaAttachment::from_row(media, config)),
            music: (view.music.as_ref()).map(|track| MusicTrack::from_row(track, config)),
            duration: view.row.duration,
            can_reply: view.row.can_reply,
            seen: view.seen,
            created_at: timestamp(view.row.created_at),
            expires_at: timestamp(view.row.expires_at),
        }
    }
}

/// One account in the row of stories (`GET /api/v1/roost/stories`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoryTray {
    pub account: Account,
    /// Live stories the viewer may see.
    pub stories_count: i64,
    /// How many of them the viewer has not seen.
    pub unseen_count: i64,
    /// Whether the viewer has seen them all (the ring is grey).
    pub seen: bool,
    /// When the newest was posted.
    pub last_story_at: String,
}

impl StoryTray {
    /// The entity of one account in the row.
    pub fn from_entry(entry: &TrayEntry, config: &Config) -> StoryTray {
        StoryTray {
            account: Account::from_row(&entry.account, config),
            stories_count: entry.counts.stories,
            unseen_count: entry.counts.unseen,
            seen: entry.counts.unseen == 0,
            last_story_at: timestamp(entry.counts.latest_at),
        }
    }
}

/// Someone who saw a story (its author's viewers list).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoryViewer {
    pub account: Account,
    pub viewed_at: String,
}

impl StoryViewer {
    /// The entity of one viewer.
    pub fn from_viewer(viewer: &Viewer, config: &Config) -> StoryViewer {
        StoryViewer {
            account: Account::from_row(&viewer.account, config),
            viewed_at: timestamp(viewer.viewed_at),
        }
    }
}
