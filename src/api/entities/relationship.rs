//! The Relationship entity (<https://docs.joinmastodon.org/entities/Relationship/>) and
//! the other answers of the follow, block, mute and domain block endpoints.

use serde::Serialize;
use utoipa::ToSchema;

use super::Account;
use crate::db::follows::RelationshipRow;
use crate::domain::Id;

/// How the signed-in user and another account relate.
#[derive(Debug, Serialize, ToSchema)]
pub struct Relationship {
    #[schema(value_type = String)]
    pub id: Id,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

impl From<RelationshipRow> for Relationship {
    fn from(row: RelationshipRow) -> Self {
        let active = row.following || row.requested;
        Relationship {
            id: Id(row.id),
            following: row.following,
            showing_reblogs: active && row.show_reblogs,
            notifying: active && row.notify,
            languages: None,
            followed_by: row.followed_by,
            blocking: row.blocking,
            blocked_by: row.blocked_by,
            muting: row.muting,
            muting_notifications: row.muting_notifications,
            requested: row.requested,
            requested_by: row.requested_by,
            domain_blocking: row.domain_blocking,
            endorsed: row.endorsed,
            note: row.note,
        }
    }
}

/// A muted account as `GET /api/v1/mutes` lists it: the Account entity plus when the
/// mute ends (<https://docs.joinmastodon.org/methods/mutes/#get>).
#[derive(Debug, Serialize, ToSchema)]
pub struct MutedAccount {
    #[serde(flatten)]
    pub account: Account,
    /// When the mute ends; `null`: never.
    pub mute_expires_at: Option<String>,
}

/// The answer to `POST` and `DELETE /api/v1/domain_blocks`: an empty object, as
/// Mastodon answers (<https://docs.joinmastodon.org/methods/domain_blocks/#block>).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct DomainBlockChanged {}
