//! The StatusEdit entity (one version of a status, <https://docs.joinmastodon.org/entities/StatusEdit/>)
//! and the StatusSource entity (the text of a status as typed, for editing,
//! <https://docs.joinmastodon.org/entities/StatusSource/>).

use serde::Serialize;
use utoipa::ToSchema;

use super::{timestamp, Account, MediaAttachment};
use crate::db::statuses::{EditRow, StatusRow};
use crate::domain::Id;

/// One version of a status, as `/api/v1/statuses/:id/history` lists it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusEdit {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: String,
    pub account: Account,
    /// The poll's options in this version.
    pub poll: Option<EditPoll>,
    pub media_attachments: Vec<MediaAttachment>,
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
}

impl StatusEdit {
    /// A stored version, shown with the status's current author and media (Roost keeps
    /// no earlier media per version).
    pub fn from_row(
        version: EditRow,
        account: &Account,
        media_attachments: &[MediaAttachment],
    ) -> StatusEdit {
        StatusEdit {
            content: version.content,
            spoiler_text: version.spoiler_text,
            sensitive: version.sensitive,
            created_at: timestamp(version.created_at),
            account: account.clone(),
            poll: version.poll_options.map(|options| EditPoll {
                options: (options.into_iter())
                    .map(|title| EditPollOption { title })
                    .collect(),
            }),
            media_attachments: media_attachments.to_vec(),
            emojis: Vec::new(),
        }
    }
}

/// The poll of one version: its options' titles.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EditPoll {
    pub options: Vec<EditPollOption>,
}

/// One option of a version's poll.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EditPollOption {
    pub title: String,
}

/// The text of a status as its author typed it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusSource {
    #[schema(value_type = String)]
    pub id: Id,
    pub text: String,
    pub spoiler_text: String,
}

impl StatusSource {
    /// The source of a stored status.
    pub fn from_row(row: StatusRow) -> StatusSource {
        StatusSource {
            id: Id(row.id),
            text: row.text,
            spoiler_text: row.spoiler_text,
        }
    }
}
