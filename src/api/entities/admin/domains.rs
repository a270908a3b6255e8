//! The Admin::DomainBlock and Admin::DomainAllow entities
//! (<https://docs.joinmastodon.org/entities/Admin_DomainBlock/>,
//! <https://docs.joinmastodon.org/entities/Admin_DomainAllow/>), and the answer to
//! blocking a domain twice.

use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::api::entities::timestamp;
use crate::db::domain_blocks::{DomainAllowRow, DomainBlockRow};
use crate::domain::Id;

/// A blocked domain and how it is blocked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainBlock {
    #[schema(value_type = String)]
    pub id: Id,
    pub domain: String,
    /// The SHA-256 of the domain, hex: lets others match an obfuscated domain.
    pub digest: String,
    pub created_at: String,
    /// `silence`, `suspend` or `noop`.
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
}

impl DomainBlock {
    /// Builds the entity from a row.
    pub fn from_row(row: &DomainBlockRow) -> DomainBlock {
        DomainBlock {
            id: Id(row.id),
            domain: row.domain.clone(),
            digest: hex_sha256(&row.domain),
            created_at: timestamp(row.created_at),
            severity: row.severity.clone(),
            reject_media: row.reject_media,
            reject_reports: row.reject_reports,
            private_comment: row.private_comment.clone(),
            public_comment: row.public_comment.clone(),
            obfuscate: row.obfuscate,
        }
    }
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The 422 body of blocking a domain that is blocked already, as Mastodon answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainBlockConflict {
    /// `<domain> is already blocked`.
    pub error: String,
    /// The block that exists.
    pub existing_domain_block: Option<DomainBlock>,
}

/// A domain on the allowlist (used with `ROOST_ALLOWLIST_MODE`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainAllow {
    #[schema(value_type = String)]
    pub id: Id,
    pub domain: String,
    pub created_at: String,
}

impl DomainAllow {
    /// Builds the entity from a row.
    pub fn from_row(row: &DomainAllowRow) -> DomainAllow {
        DomainAllow {
            id: Id(row.id),
            domain: row.domain.clone(),
            created_at: timestamp(row.created_at),
        }
    }
}
