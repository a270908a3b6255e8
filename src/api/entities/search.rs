//! The Search entity (<https://docs.joinmastodon.org/entities/Search/>): the answer of
//! `GET /api/v2/search`.

use serde::Serialize;
use utoipa::ToSchema;

use super::status::Status;
use super::Account;

/// What a search found. Roost searches accounts only for now: `statuses` and
/// `hashtags` are always empty.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub accounts: Vec<Account>,
    pub statuses: Vec<Status>,
    /// Tag entities; always empty.
    #[schema(value_type = Vec<Object>)]
    pub hashtags: Vec<serde_json::Value>,
}

impl SearchResults {
    /// Results with only accounts.
    pub fn accounts(accounts: Vec<Account>) -> SearchResults {
        SearchResults {
            accounts,
            statuses: Vec::new(),
            hashtags: Vec::new(),
        }
    }
}
