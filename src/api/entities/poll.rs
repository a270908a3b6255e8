//! The Poll entity (<https://docs.joinmastodon.org/entities/Poll/>), rendered from a
//! poll row and the viewer's choices, on its own (`/api/v1/polls/:id`) and as
//! `Status.poll`.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::{timestamp, CustomEmoji};
use crate::config::Config;
use crate::domain::Id;
use crate::services::polls::Viewed;

/// A poll attached to a status.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Poll {
    #[schema(value_type = String)]
    pub id: Id,
    /// When it ends; null when it never does.
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    pub emojis: Vec<CustomEmoji>,
    /// Whether the viewer voted (only with a viewer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    /// The viewer's choices, as option indexes (only with a viewer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i32>>,
}

/// One option of a poll.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PollOption {
    pub title: String,
    /// Null while a poll that hides its totals runs.
    pub votes_count: Option<i64>,
}

impl Poll {
    /// The entity of `viewed`: counts hidden while a `hide_totals` poll runs, as
    /// Mastodon shows them.
    pub fn from_viewed(viewed: &Viewed) -> Poll {
        let poll = &viewed.poll;
        let expired = poll.expired_at(Utc::now());
        let hidden = poll.hide_totals && !expired;
        let options = (poll.options.iter())
            .enumerate()
            .map(|(index, title)| PollOption {
                title: title.clone(),
                votes_count: (!hidden).then(|| poll.votes_counts.get(index).copied().unwrap_or(0)),
            })
            .collect();
        Poll {
            id: Id(poll.id),
            expires_at: poll.expires_at.map(timestamp),
            expired,
            multiple: poll.multiple,
            votes_count: poll.votes_count(),
            voters_count: Some(poll.voters_count),
            options,
            emojis: Vec::new(),
            voted: viewed.own_votes.as_ref().map(|own| !own.is_empty()),
            own_votes: viewed.own_votes.clone(),
        }
    }

    /// The entity of `viewed` rendered without its status: with the status's emoji
    /// that its options use.
    pub fn alone(viewed: &Viewed, config: &Config) -> Poll {
        Poll::from_viewed(viewed).with_emojis(&CustomEmoji::all(&viewed.emojis, config))
    }

    /// The poll with those of its status's custom emoji (`status_emojis`) that its
    /// options use, as Mastodon lists them in `Poll.emojis`.
    pub fn with_emojis(mut self, status_emojis: &[CustomEmoji]) -> Poll {
        self.emojis = (status_emojis.iter())
            .filter(|emoji| {
                let code = format!(":{}:", emoji.shortcode);
                self.options
                    .iter()
                    .any(|option| option.title.contains(&code))
            })
            .cloned()
            .collect();
        self
    }

    /// The entities of a page's polls, by status id.
    pub fn by_status(viewed: &[Viewed]) -> HashMap<i64, Poll> {
        viewed
            .iter()
            .map(|v| (v.poll.status_id, Poll::from_viewed(v)))
            .collect()
    }
}
