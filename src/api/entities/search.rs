//! The Search entity (<https://docs.joinmastodon.org/entities/Search/>): the answer of
//! `GET /api/v2/search`.

use serde::Serialize;
use utoipa::ToSchema;

use super::status::Status;
use super::tag::Tag;
use super::Account;

/// What a search found.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub accounts: Vec<Account>,
    pub statuses: Vec<Status>,
    pub hashtags: Vec<Tag>,
}
