//! The Admin::Report entity (<https://docs.joinmastodon.org/entities/Admin_Report/>):
//! a report with its accounts as Admin::Account, its statuses and its rules.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::account::{self, AdminAccount};
use crate::api::entities::report::ReportFacts;
use crate::api::entities::rule::Rule;
use crate::api::entities::status::{self, Status};
use crate::api::entities::timestamp;
use crate::db::reports::ReportRow;
use crate::db::{accounts, rules, statuses};
use crate::state::AppState;

/// A report as moderators see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminReport {
    #[serde(flatten)]
    pub facts: ReportFacts,
    pub updated_at: String,
    /// Who reported: a local account, or the remote actor that sent the Flag.
    pub account: Option<AdminAccount>,
    pub target_account: Option<AdminAccount>,
    pub assigned_account: Option<AdminAccount>,
    pub action_taken_by_account: Option<AdminAccount>,
    /// The cited statuses, as the viewing moderator sees them.
    pub statuses: Vec<Status>,
    /// The cited rules.
    pub rules: Vec<Rule>,
}

/// Renders reports (in order) for the moderator `viewer`, loading their accounts,
/// statuses and rules in batches.
pub async fn render(
    state: &AppState,
    viewer: i64,
    rows: &[ReportRow],
) -> sqlx::Result<Vec<AdminReport>> {
    let accounts = admin_accounts(state, rows).await?;
    let status_ids: Vec<i64> = rows.iter().flat_map(|row| row.status_ids.clone()).collect();
    let found = statuses::find_many(&state.db, &status_ids).await?;
    let statuses: HashMap<i64, Status> = status::render(state, Some(viewer), found)
        .await?
        .into_iter()
        .map(|status| (status.id.0, status))
        .collect();
    let all_rules = rules::all(&state.db).await?;
    let account = |id: Option<i64>| id.and_then(|id| accounts.get(&id).cloned());
    Ok(rows
        .iter()
        .map(|row| AdminReport {
            facts: ReportFacts::of(row),
            updated_at: timestamp(row.updated_at),
            account: account(Some(row.account_id)),
            target_account: account(Some(row.target_account_id)),
            assigned_account: account(row.assigned_account_id),
            action_taken_by_account: account(row.action_taken_by_account_id),
            statuses: row
                .status_ids
                .iter()
                .filter_map(|id| statuses.get(id).cloned())
                .collect(),
            rules: all_rules
                .iter()
                .filter(|rule| row.rule_ids.contains(&rule.id))
                .map(Rule::from_row)
                .collect(),
        })
        .collect())
}

/// Renders one report.
pub async fn render_one(
    state: &AppState,
    viewer: i64,
    row: &ReportRow,
) -> sqlx::Result<AdminReport> {
    let mut rendered = render(state, viewer, std::slice::from_ref(row)).await?;
    Ok(rendered.pop().expect("render returns one entity per row"))
}

/// Every account the reports name, rendered once each.
async fn admin_accounts(
    state: &AppState,
    rows: &[ReportRow],
) -> sqlx::Result<HashMap<i64, AdminAccount>> {
    let mut ids: Vec<i64> = Vec::new();
    for row in rows {
        ids.extend([row.account_id, row.target_account_id]);
        ids.extend(row.assigned_account_id);
        ids.extend(row.action_taken_by_account_id);
    }
    ids.sort_unstable();
    ids.dedup();
    let found = accounts::find_many(&state.db, &ids).await?;
    let rendered = account::render(state, &found).await?;
    Ok(found.iter().map(|row| row.id).zip(rendered).collect())
}
