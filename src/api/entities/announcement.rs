//! The Announcement entity (<https://docs.joinmastodon.org/entities/Announcement/>).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::custom_emoji::CustomEmoji;
use crate::config::Config;
use crate::db::announcements::AnnouncementRow;
use crate::services::announcements::Listing;

/// An announcement from the admins.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Announcement {
    pub id: String,
    /// HTML.
    pub content: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether the user dismissed it.
    pub read: bool,
    /// Always empty: announcements are plain text (no mentions, links to statuses or tags).
    #[schema(value_type = Vec<Object>)]
    pub mentions: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub statuses: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<serde_json::Value>,
    pub emojis: Vec<CustomEmoji>,
    pub reactions: Vec<Reaction>,
}

/// A reaction to an announcement, counted.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Reaction {
    /// The unicode emoji, or the custom emoji's shortcode.
    pub name: String,
    pub count: i64,
    /// Whether the user reacted with it.
    pub me: bool,
    /// Custom emoji only: its image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Custom emoji only: its still image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_url: Option<String>,
}

impl Announcement {
    /// The entities of a listing, in order.
    pub fn all(listing: &Listing, config: &Config) -> Vec<Announcement> {
        listing
            .announcements
            .iter()
            .map(|row| Announcement::one(row, listing, config))
            .collect()
    }

    fn one(row: &AnnouncementRow, listing: &Listing, config: &Config) -> Announcement {
        let reactions = listing
            .reactions
            .iter()
            .filter(|reaction| reaction.announcement_id == row.id)
            .map(|reaction| {
                let emoji = listing
                    .emojis
                    .iter()
                    .find(|emoji| emoji.shortcode == reaction.name)
                    .map(|emoji| crate::urls::custom_emoji_images(config, emoji));
                Reaction {
                    name: reaction.name.clone(),
                    count: reaction.count,
                    me: reaction.me,
                    url: emoji.as_ref().map(|(url, _)| url.clone()),
                    static_url: emoji.map(|(_, still)| still),
                }
            })
            .collect();
        Announcement {
            id: row.id.to_string(),
            content: crate::domain::text::plain_to_html(&row.text),
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            all_day: row.all_day,
            published_at: row.published_at,
            updated_at: row.updated_at,
            read: row.read,
            mentions: Vec::new(),
            statuses: Vec::new(),
            tags: Vec::new(),
            emojis: Vec::new(),
            reactions,
        }
    }
}
