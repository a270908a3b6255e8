//! The Rule entity (<https://docs.joinmastodon.org/entities/Rule/>): one of the
//! instance's rules, as an admin report cites it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::rules::RuleRow;

/// An instance rule.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Rule {
    /// The rule's id, as a string.
    pub id: String,
    pub text: String,
    /// A longer explanation (empty when none).
    pub hint: String,
}

impl Rule {
    /// Builds the entity from a row.
    pub fn from_row(row: &RuleRow) -> Rule {
        Rule {
            id: row.id.to_string(),
            text: row.text.clone(),
            hint: row.hint.clone(),
        }
    }
}
