//! Annual reports ("Wrapstodon"): a local account's year in numbers, in Mastodon's
//! report format (schema version 2): how its posts split, a month-by-month series,
//! its top hashtags and posts, the accounts it replied to and boosted most, its
//! archetype and where it stands among the instance's accounts.
//!
//! Unlike Mastodon, which generates a report once in a campaign and answers 404
//! before, a report is computed when asked for: a past year's is kept from then on
//! (its numbers no longer move), the current year's is computed afresh each time
//! until it is generated (`POST …/generate`) or marked read, which keeps it.
//! Generating is immediate, so a report's [`ReportState`] is never `generating`.
//!
//! Not here: the SQL (`db::annual_reports`), rendering (`api::entities::annual_report`).
//! Spec: <https://docs.joinmastodon.org/methods/annual_reports/>.

use chrono::Datelike;
use serde_json::{json, Value};

use crate::db::annual_reports::{self, ReportRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The report format, as Mastodon numbers it.
pub const SCHEMA_VERSION: i32 = 2;
/// The first year a report may be asked for.
pub const FIRST_YEAR: i32 = 2016;
/// Posts a year below which an account is a "lurker" (Mastodon's average of 2023).
const AVERAGE_PER_YEAR: i64 = 113;
/// How many hashtags and accounts a report names.
const TOP_HASHTAGS: i64 = 40;
const TOP_ACCOUNTS: i64 = 3;
/// How many apps a report names (Mastodon's `most_used_apps`).
const TOP_APPS: i64 = 3;

/// `account`'s report of `year`. `NotFound` for a year before [`FIRST_YEAR`] or after
/// the current one.
pub async fn report(state: &AppState, account: i64, year: i32) -> ApiResult<ReportRow> {
    let current = chrono::Utc::now().year();
    if !(FIRST_YEAR..=current).contains(&year) {
        return Err(ApiError::NotFound);
    }
    if let Some(kept) = annual_reports::find(&state.db, account, year).await? {
        return Ok(kept);
    }
    let report = ReportRow {
        year,
        data: compute(state, account, year).await?,
        schema_version: SCHEMA_VERSION,
    };
    if year < current {
        annual_reports::store(&state.db, account, &report).await?;
    }
    Ok(report)
}

/// `account`'s kept reports not yet marked read.
pub async fn unread(state: &AppState, account: i64) -> ApiResult<Vec<ReportRow>> {
    Ok(annual_reports::unread(&state.db, account).await?)
}

/// Marks `account`'s report of `year` read (keeping it first). `NotFound` as [`report`].
pub async fn mark_read(state: &AppState, account: i64, year: i32) -> ApiResult<()> {
    let report = report(state, account, year).await?;
    annual_reports::store(&state.db, account, &report).await?;
    annual_reports::mark_read(&state.db, account, year).await?;
    Ok(())
}

/// Where a year's report stands for an account (Mastodon 4.6's
/// `GET /api/v1/annual_reports/:year/state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportState {
    /// A report is kept (generated, marked read, or a past year's already shown).
    Available,
    /// Being generated; never in Roost, which generates while the request waits.
    Generating,
    /// None kept yet, and one may be generated: a year from [`FIRST_YEAR`] to this one.
    Eligible,
    /// No report can exist for the year.
    Ineligible,
}

/// The [`ReportState`] of `account`'s report of `year`.
pub async fn state_of(state: &AppState, account: i64, year: i32) -> ApiResult<ReportState> {
    if annual_reports::find(&state.db, account, year)
        .await?
        .is_some()
    {
        return Ok(ReportState::Available);
    }
    let current = chrono::Utc::now().year();
    Ok(if (FIRST_YEAR..=current).contains(&year) {
        ReportState::Eligible
    } else {
        ReportState::Ineligible
    })
}

/// Generates and keeps `account`'s report of `year` (this year's too: it stops moving),
/// returning its state. A kept report stays as it is; an ineligible year does
/// nothing, as Mastodon's `generate` (both answer success).
pub async fn generate(state: &AppState, account: i64, year: i32) -> ApiResult<ReportState> {
    match state_of(state, account, year).await? {
        ReportState::Eligible => {
            let report = report(state, account, year).await?;
            annual_reports::store(&state.db, account, &report).await?;
            Ok(ReportState::Available)
        }
        other => Ok(other),
    }
}

/// The report's data, Mastodon's keys.
async fn compute(state: &AppState, account: i64, year: i32) -> ApiResult<Value> {
    let db = &state.db;
    let (total, reblogs, replies, standalone) =
        annual_reports::type_distribution(db, account, year).await?;
    let months = annual_reports::months(db, account, year).await?;
    let followers: i64 = months.iter().map(|(_, _, _, gained)| gained).sum();
    let (fewer_statuses, posting, fewer_followers, followed) =
        annual_reports::standing(db, year, total, followers).await?;
    let hashtags = annual_reports::top_hashtags(db, account, year, TOP_HASHTAGS).await?;
    let (by_reblogs, by_favourites, by_replies) =
        annual_reports::top_statuses(db, account, year).await?;
    let replied = annual_reports::replied_to(db, account, year, TOP_ACCOUNTS).await?;
    let boosted = annual_reports::boosted(db, account, year, TOP_ACCOUNTS).await?;
    let apps = annual_reports::apps(db, account, year, TOP_APPS).await?;
    let accounts = |pairs: Vec<(i64, i64)>| -> Vec<Value> {
        pairs
            .into_iter()
            .map(|(id, count)| json!({ "account_id": id.to_string(), "count": count }))
            .collect()
    };
    Ok(json!({
        "percentiles": {
            "followers": percentile(fewer_followers, followed),
            "statuses": percentile(fewer_statuses, posting),
        },
        "archetype": archetype(standalone + replies + reblogs, reblogs, replies, standalone),
        "top_hashtags": hashtags.into_iter()
            .map(|(name, count)| json!({ "name": name, "count": count }))
            .collect::<Vec<_>>(),
        "top_statuses": {
            "by_reblogs": by_reblogs.map(|id| id.to_string()),
            "by_favourites": by_favourites.map(|id| id.to_string()),
            "by_replies": by_replies.map(|id| id.to_string()),
        },
        "time_series": months.into_iter()
            .map(|(month, statuses, following, followers)| json!({
                "month": month, "statuses": statuses, "following": following, "followers": followers,
            }))
            .collect::<Vec<_>>(),
        "type_distribution": {
            "total": total, "reblogs": reblogs, "replies": replies, "standalone": standalone,
        },
        "most_used_apps": apps.into_iter()
            .map(|(name, count)| json!({ "name": name, "count": count }))
            .collect::<Vec<_>>(),
        "commonly_interacted_with_accounts": accounts(replied),
        "most_reblogged_accounts": accounts(boosted),
    }))
}

/// Mastodon's percentile: the share of accounts below, out of those counted plus one.
fn percentile(below: i64, counted: i64) -> f64 {
    below as f64 / (counted as f64 + 1.0) * 100.0
}

/// Mastodon's archetype of a year's posting (no polls yet, so never a "pollster");
/// `counted` leaves out replies to oneself, as Mastodon does.
fn archetype(counted: i64, reblogs: i64, replies: i64, standalone: i64) -> &'static str {
    if counted < AVERAGE_PER_YEAR {
        "lurker"
    } else if reblogs > standalone * 2 {
        "booster"
    } else if replies > standalone * 2 {
        "replier"
    } else {
        "oracle"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archetypes_follow_mastodons_thresholds() {
        assert_eq!(archetype(10, 0, 0, 10), "lurker");
        assert_eq!(archetype(200, 150, 0, 50), "booster");
        assert_eq!(archetype(200, 0, 150, 50), "replier");
        assert_eq!(archetype(200, 20, 20, 160), "oracle");
        assert!((percentile(1, 3) - 25.0).abs() < 1e-9);
    }
}
