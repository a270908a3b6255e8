//! The Report entity (<https://docs.joinmastodon.org/entities/Report/>): what
//! `POST /api/v1/reports` returns and `admin.report` notifications carry.

use serde::Serialize;
use utoipa::ToSchema;

use super::{timestamp, Account};
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::reports::ReportRow;
use crate::domain::Id;

/// What every view of a report shows (Report and Admin::Report alike), flattened into
/// both.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportFacts {
    #[schema(value_type = String)]
    pub id: Id,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
}

impl ReportFacts {
    /// The shared fields of `row`.
    pub fn of(row: &ReportRow) -> ReportFacts {
        ReportFacts {
            id: Id(row.id),
            action_taken: row.action_taken_at.is_some(),
            action_taken_at: row.action_taken_at.map(timestamp),
            category: row.category.clone(),
            comment: row.comment.clone(),
            forwarded: row.forwarded,
            created_at: timestamp(row.created_at),
        }
    }
}

/// A report about an account, as its reporter and the moderators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    #[serde(flatten)]
    pub facts: ReportFacts,
    /// The attached statuses (`[]` when none).
    pub status_ids: Vec<String>,
    /// The cited rules, `null` when none (as Mastodon).
    pub rule_ids: Option<Vec<String>>,
    pub target_account: Account,
}

impl Report {
    /// Builds the entity; `target` is the row of `row.target_account_id`.
    pub fn from_row(row: &ReportRow, target: &AccountRow, config: &Config) -> Report {
        let ids = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>();
        Report {
            facts: ReportFacts::of(row),
            status_ids: ids(&row.status_ids),
            rule_ids: (!row.rule_ids.is_empty()).then(|| ids(&row.rule_ids)),
            target_account: Account::from_row(target, config),
        }
    }
}
