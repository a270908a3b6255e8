//! The Preferences entity (<https://docs.joinmastodon.org/entities/Preferences/>):
//! the signed-in user's posting defaults, which apps use to preset the compose screen,
//! and the reading settings they apply when showing statuses.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::users::UserRow;
use crate::domain::quotes::QuotePolicy;
use crate::domain::replies::ReplyPolicy;
use crate::domain::Visibility;

/// A user's preferences, keyed as Mastodon keys them (`posting:default:visibility` …).
#[derive(Debug, Serialize, ToSchema)]
pub struct Preferences {
    /// Default visibility of new statuses (`source[privacy]` of update_credentials).
    #[serde(rename = "posting:default:visibility")]
    pub visibility: Visibility,
    /// Whether new statuses are marked sensitive by default.
    #[serde(rename = "posting:default:sensitive")]
    pub sensitive: bool,
    /// Default language of new statuses (ISO 639-1), `null` when not set.
    #[serde(rename = "posting:default:language")]
    pub language: Option<String>,
    /// Who may quote new statuses by default (`source[quote_policy]`).
    #[serde(rename = "posting:default:quote_policy")]
    pub quote_policy: QuotePolicy,
    /// Who may reply to new statuses by default (Roost; `source[reply_policy]`).
    #[serde(rename = "posting:default:reply_policy")]
    pub reply_policy: ReplyPolicy,
    /// How sensitive media are shown: `default` (hidden behind a warning when
    /// sensitive), `show_all` or `hide_all`.
    #[serde(rename = "reading:expand:media")]
    pub expand_media: &'static str,
    /// Whether content warnings are expanded.
    #[serde(rename = "reading:expand:spoilers")]
    pub expand_spoilers: bool,
    /// Whether animated avatars and emoji play without hovering.
    #[serde(rename = "reading:autoplay:gifs")]
    pub autoplay_gifs: bool,
}

impl Preferences {
    /// The preferences of `user`. Roost has no reading settings of its own yet (Mastodon
    /// changes them only in its web settings, which Roost's web app will offer), so the
    /// `reading:*` keys show Mastodon's defaults, which is what every Roost user has.
    pub fn of(user: &UserRow, quote_policy: QuotePolicy, reply_policy: ReplyPolicy) -> Preferences {
        Preferences {
            visibility: user.default_privacy,
            sensitive: user.default_sensitive,
            language: user.default_language.clone(),
            quote_policy,
            reply_policy,
            expand_media: "default",
            expand_spoilers: false,
            autoplay_gifs: false,
        }
    }
}
