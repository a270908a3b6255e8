//! The AnnualReports answer (<https://docs.joinmastodon.org/methods/annual_reports/>):
//! reports with the accounts and statuses they name, rendered for the viewer.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::status::{self, Status};
use super::Account;
use crate::db::annual_reports::ReportRow;
use crate::db::{accounts, statuses};
use crate::state::AppState;

/// One year's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualReport {
    pub year: i32,
    /// Mastodon's report data (percentiles, archetype, top hashtags and statuses, …).
    #[schema(value_type = Object)]
    pub data: Value,
    pub schema_version: i32,
}

/// Reports, with every account and status they name.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualReports {
    pub annual_reports: Vec<AnnualReport>,
    pub accounts: Vec<Account>,
    pub statuses: Vec<Status>,
}

/// Renders `reports` for `viewer`: the named accounts and the statuses they may see.
pub async fn render(
    state: &AppState,
    viewer: i64,
    reports: Vec<ReportRow>,
) -> sqlx::Result<AnnualReports> {
    let mut account_ids = HashSet::new();
    let mut status_ids = HashSet::new();
    for report in &reports {
        let data = &report.data;
        for key in [
            "commonly_interacted_with_accounts",
            "most_reblogged_accounts",
        ] {
            let named = data[key].as_array().into_iter().flatten();
            account_ids.extend(
                named.filter_map(|entry| entry["account_id"].as_str()?.parse::<i64>().ok()),
            );
        }
        let top = data["top_statuses"].as_object().into_iter().flatten();
        status_ids.extend(top.filter_map(|(_, id)| id.as_str()?.parse::<i64>().ok()));
    }
    let account_ids: Vec<i64> = account_ids.into_iter().collect();
    let status_ids: Vec<i64> = status_ids.into_iter().collect();
    let found = accounts::find_many_visible(&state.db, &account_ids).await?;
    let visible = statuses::find_many_visible(&state.db, Some(viewer), &status_ids).await?;
    Ok(AnnualReports {
        accounts: found
            .iter()
            .map(|row| Account::from_row(row, &state.config))
            .collect(),
        statuses: status::render(state, Some(viewer), visible).await?,
        annual_reports: reports
            .into_iter()
            .map(|report| AnnualReport {
                year: report.year,
                data: report.data,
                schema_version: report.schema_version,
            })
            .collect(),
    })
}
