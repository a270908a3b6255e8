//! The Tag entity (<https://docs.joinmastodon.org/entities/Tag/>): a hashtag with its
//! use over the last week and whether the signed-in user follows it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::tags::DayOfUse;
use crate::services::tags::TagView;
use crate::urls;

/// One day of a hashtag's use (numbers as strings, as Mastodon sends them).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TagHistory {
    /// The day's start, as a UNIX timestamp.
    pub day: String,
    /// Statuses using the hashtag that day.
    pub uses: String,
    /// Accounts using it that day.
    pub accounts: String,
}

impl TagHistory {
    /// The entry of one day of use.
    pub fn from_day(day: &DayOfUse) -> TagHistory {
        TagHistory {
            day: day.day.to_string(),
            uses: day.uses.to_string(),
            accounts: day.accounts.to_string(),
        }
    }
}

/// A hashtag.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Tag {
    /// The name, without `#`.
    pub name: String,
    /// Its page.
    pub url: String,
    /// The last seven days, today first.
    pub history: Vec<TagHistory>,
    /// Whether the signed-in user follows it; absent without a user token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<bool>,
    /// Whether the signed-in user features it on their profile (Mastodon 4.4); absent
    /// where not looked up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featuring: Option<bool>,
}

impl Tag {
    /// The entity of `view`.
    pub fn from_view(view: &TagView, config: &Config) -> Tag {
        Tag {
            name: view.tag.name.clone(),
            url: urls::tag(config, &view.tag.name),
            history: view.history.iter().map(TagHistory::from_day).collect(),
            following: view.following,
            featuring: view.featuring,
        }
    }
}
