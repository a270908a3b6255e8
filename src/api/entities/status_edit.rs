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
    /// Always null: Roost has no polls yet.
    #[schema(value_type = Option<Object>)]
    pub poll: Option<serde_json::Value>,
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
            poll: None,
            media_attachments: media_attachments.to_vec(),
            emojis: Vec::new(),
        }
    }
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
