//! Mastodon API entities, field for field as <https://docs.joinmastodon.org/entities/>
//! describes them, built from database rows. Serialization only: no I/O here.

pub mod account;
pub mod account_cache;
pub mod admin;
pub mod announcement;
pub mod annual_report;
pub mod application;
pub mod async_refresh;
pub mod authorization_server;
pub mod context;
pub mod conversation;
pub mod custom_emoji;
pub mod empty;
pub mod familiar_followers;
pub mod featured_tag;
pub mod filter;
pub mod instance;
pub mod instance_extras;
pub mod interaction_request;
pub mod list;
pub mod media;
pub mod music;
pub mod notification;
pub mod notification_group;
pub mod notification_policy;
pub mod oembed;
pub mod phone;
pub mod poll;
pub mod preferences;
pub mod preview_card;
pub mod profile;
pub mod push;
pub mod quote;
pub mod relationship;
pub mod reply_policy;
pub mod report;
pub mod rule;
pub mod scheduled_status;
pub mod search;
pub mod status;
pub mod status_edit;
pub mod story;
pub mod suggestion;
pub mod tag;
pub mod token;

pub use account::{Account, CredentialAccount};
pub use application::Application;
pub use custom_emoji::CustomEmoji;
pub use media::MediaAttachment;
pub use token::Token;

use chrono::{DateTime, Utc};

/// Mastodon's timestamp format: RFC 3339 with milliseconds and `Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
