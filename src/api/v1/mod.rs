//! Handlers of `/api/v1` (and the v2 endpoints that share their logic).

pub mod absent_features;
pub mod accounts;
pub mod announcements;
pub mod annual_reports;
pub mod apps;
pub mod blocks;
pub mod conversations;
pub mod custom_emojis;
pub mod directory;
pub mod domain_blocks;
pub mod endorsements;
pub mod featured_tags;
pub mod filters;
pub mod filters_v1;
pub mod follows;
pub mod grouped_notifications;
pub mod instance;
pub mod instance_extras;
pub mod interactions;
pub mod lists;
pub mod media;
pub mod notification_requests;
pub mod notifications;
pub mod preferences;
pub mod push;
pub mod quotes;
pub mod reports;
pub mod search;
pub mod statuses;
pub mod suggestions;
pub mod tags;
pub mod timelines;
pub mod trends;

pub(crate) use crate::error::check_length;
