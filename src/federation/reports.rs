//! Received `Flag` activities: the inbox's side of reports. Parses the Flag and hands
//! it to `services::reports::receive_flag`, which owns the rules (reject_reports, the
//! local target, deduplication) and the writes.
//!
//! Spec: Mastodon's `Flag` (<https://docs.joinmastodon.org/spec/activitypub/#Flag>):
//! `object` lists the reported actor, then the reported posts; `content` is the comment.

use serde_json::Value;

use super::protocol::Activity;
use crate::db::accounts::AccountRow;
use crate::error::ApiError;
use crate::services::reports::{self, ReceivedFlag};
use crate::state::AppState;

/// Why a received Flag made no report.
#[derive(Debug, thiserror::Error)]
pub enum FlagSkip {
    #[error("{0}")]
    Ignored(String),
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

/// The service's refusals are final; only failures that are not the sender's fault
/// are worth another attempt.
impl From<ApiError> for FlagSkip {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Internal(error) | ApiError::Unavailable(error) => FlagSkip::Transient(error),
            ApiError::Overloaded { .. } => FlagSkip::Transient(anyhow::anyhow!("{error}")),
            refused => FlagSkip::Ignored(refused.to_string()),
        }
    }
}

/// An inbound `Flag` (activity `flag_id`) from `sender`: a report about the local
/// account it names (see `services::reports::receive_flag`). A Flag that arrives twice
/// reports once.
pub async fn receive_flag(
    state: &AppState,
    sender: &AccountRow,
    flag_id: &str,
    flag: &Value,
) -> Result<(), FlagSkip> {
    let flag: Activity = serde_json::from_value(flag.clone())
        .map_err(|error| FlagSkip::Ignored(format!("malformed Flag: {error}")))?;
    let object_ids = flag.object_ids();
    let received = ReceivedFlag {
        id: flag_id,
        object_ids: &object_ids,
        content: flag.content.as_deref(),
    };
    reports::receive_flag(state, sender, &received).await?;
    Ok(())
}
