//! The List entity (<https://docs.joinmastodon.org/entities/List/>): a user's list of
//! accounts, with the replies its timeline shows and whether its members leave the
//! home timeline.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::lists::ListRow;

/// A list of accounts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct List {
    /// The list's id, as a string.
    pub id: String,
    /// The title the user gave it.
    pub title: String,
    /// Which replies the list's timeline shows: `followed`, `list` or `none`.
    pub replies_policy: String,
    /// Whether members' posts are left out of the home timeline.
    pub exclusive: bool,
}

impl From<ListRow> for List {
    fn from(row: ListRow) -> Self {
        List {
            id: row.id.to_string(),
            title: row.title,
            replies_policy: row.replies_policy,
            exclusive: row.exclusive,
        }
    }
}
