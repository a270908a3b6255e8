//! The ScheduledStatus entity (<https://docs.joinmastodon.org/entities/ScheduledStatus/>):
//! a post waiting for its time, with the parameters it will be posted with.

use serde::Serialize;
use utoipa::ToSchema;

use super::{timestamp, MediaAttachment};
use crate::config::Config;
use crate::domain::Id;
use crate::services::scheduled_statuses::Scheduled;

/// A status scheduled to be published later.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScheduledStatus {
    #[schema(value_type = String)]
    pub id: Id,
    /// When it will be published (ISO 8601).
    pub scheduled_at: String,
    /// The parameters it will be posted with: `text`, `poll`, `media_ids`, `sensitive`,
    /// `spoiler_text`, `visibility`, `scheduled_at`, `in_reply_to_id`, `language`,
    /// `application_id`, `idempotency`, `with_rate_limit`.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// The uploads it will carry.
    pub media_attachments: Vec<MediaAttachment>,
}

impl ScheduledStatus {
    /// The entity of a scheduled status and its media.
    pub fn from_scheduled(scheduled: &Scheduled, config: &Config) -> ScheduledStatus {
        ScheduledStatus {
            id: Id(scheduled.row.id),
            scheduled_at: timestamp(scheduled.row.scheduled_at),
            params: scheduled.row.params.clone(),
            media_attachments: (scheduled.media.iter())
                .map(|media| MediaAttachment::from_row(media, config))
                .collect(),
        }
    }
}
