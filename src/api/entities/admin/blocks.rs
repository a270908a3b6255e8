//! The Admin::IpBlock, Admin::EmailDomainBlock and Admin::CanonicalEmailBlock
//! entities (<https://docs.joinmastodon.org/entities/Admin_IpBlock/>,
//! <https://docs.joinmastodon.org/entities/Admin_EmailDomainBlock/>,
//! <https://docs.joinmastodon.org/entities/Admin_CanonicalEmailBlock/>).

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::timestamp;
use crate::db::email_blocks::{AttemptDay, CanonicalEmailBlockRow};
use crate::db::ip_blocks::IpBlockRow;
use crate::domain::Id;
use crate::services::email_blocks::EmailDomainBlockView;

/// An address or network and what it may not do.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IpBlock {
    #[schema(value_type = String)]
    pub id: Id,
    /// The network with its prefix length (`192.0.2.0/24`, `192.0.2.7/32`).
    pub ip: String,
    /// `sign_up_requires_approval`, `sign_up_block` or `no_access`.
    pub severity: String,
    pub comment: String,
    pub created_at: String,
    /// When the block stops applying; null: never.
    pub expires_at: Option<String>,
}

impl IpBlock {
    /// Builds the entity from a row.
    pub fn from_row(row: &IpBlockRow) -> IpBlock {
        IpBlock {
            id: Id(row.id),
            ip: row.ip.clone(),
            severity: row.severity.clone(),
            comment: row.comment.clone(),
            created_at: timestamp(row.created_at),
            expires_at: row.expires_at.map(timestamp),
        }
    }
}

/// An e-mail domain sign-up refuses.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EmailDomainBlock {
    #[schema(value_type = String)]
    pub id: Id,
    pub domain: String,
    pub created_at: String,
    /// Refused sign-ups per day over the last week, newest day first.
    pub history: Vec<EmailDomainBlockHistory>,
    /// Sign-ups are accepted but wait for a moderator's approval.
    pub allow_with_approval: bool,
}

/// One day of an e-mail domain block's history (numbers as strings, as Mastodon's).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EmailDomainBlockHistory {
    /// UNIX timestamp of the day's midnight (UTC).
    pub day: String,
    /// Distinct addresses refused sign-ups came from.
    pub accounts: String,
    /// Refused sign-ups.
    pub uses: String,
}

impl EmailDomainBlock {
    /// Builds the entity from a block and its history.
    pub fn from_view(view: &EmailDomainBlockView) -> EmailDomainBlock {
        EmailDomainBlock {
            id: Id(view.block.id),
            domain: view.block.domain.clone(),
            created_at: timestamp(view.block.created_at),
            history: view.history.iter().map(history_day).collect(),
            allow_with_approval: view.block.allow_with_approval,
        }
    }
}

fn history_day(day: &AttemptDay) -> EmailDomainBlockHistory {
    EmailDomainBlockHistory {
        day: day.day.timestamp().to_string(),
        accounts: day.accounts.to_string(),
        uses: day.uses.to_string(),
    }
}

/// An address blocked by the SHA-256 of its canonical form.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CanonicalEmailBlock {
    #[schema(value_type = String)]
    pub id: Id,
    /// SHA-256 (hex) of the canonical address.
    pub canonical_email_hash: String,
}

impl CanonicalEmailBlock {
    /// Builds the entity from a row.
    pub fn from_row(row: &CanonicalEmailBlockRow) -> CanonicalEmailBlock {
        CanonicalEmailBlock {
            id: Id(row.id),
            canonical_email_hash: row.canonical_email_hash.clone(),
        }
    }
}
