//! The filter entities (<https://docs.joinmastodon.org/entities/Filter/>,
//! `FilterKeyword`, `FilterStatus`, `FilterResult`, and the deprecated v1 `Filter`),
//! and how a viewer's active filters judge rendered statuses: a status a `hide` filter
//! of the context matches is left out (never the viewer's own), others carry their
//! results in `filtered` (on a boost, on the boost and the boosted status alike).

use serde::Serialize;
use utoipa::ToSchema;

use super::status::Status;
use super::timestamp;
use crate::db::filters::{FilterRow, FilterStatusRow, KeywordRow};
use crate::domain::filters::{searchable_text, Candidate, FilterAction, FilterContext};
use crate::domain::text::html_to_plain;
use crate::services::filters::v1::LegacyFilter;
use crate::services::filters::{ActiveFilters, FilterDetails};

/// A keyword of a filter.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FilterKeyword {
    pub id: String,
    /// The text looked for.
    pub keyword: String,
    /// Matched only as a whole word.
    pub whole_word: bool,
}

impl From<KeywordRow> for FilterKeyword {
    fn from(row: KeywordRow) -> Self {
        FilterKeyword {
            id: row.id.to_string(),
            keyword: row.keyword,
            whole_word: row.whole_word,
        }
    }
}

/// A status a filter names.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FilterStatus {
    pub id: String,
    pub status_id: String,
}

impl From<FilterStatusRow> for FilterStatus {
    fn from(row: FilterStatusRow) -> Self {
        FilterStatus {
            id: row.id.to_string(),
            status_id: row.status_id.to_string(),
        }
    }
}

/// A filter group. `keywords` and `statuses` are left out where Mastodon leaves them
/// out: inside a `FilterResult`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Filter {
    pub id: String,
    pub title: String,
    /// `home`, `notifications`, `public`, `thread`, `account`.
    pub context: Vec<String>,
    pub expires_at: Option<String>,
    /// `warn`, `hide` or `blur`.
    pub filter_action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<FilterKeyword>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<FilterStatus>>,
}

impl Filter {
    /// The filter alone (as a `FilterResult` shows it).
    fn bare(row: &FilterRow) -> Filter {
        Filter {
            id: row.id.to_string(),
            title: row.title.clone(),
            context: row.context.clone(),
            expires_at: row.expires_at.map(timestamp),
            filter_action: row.filter_action.clone(),
            keywords: None,
            statuses: None,
        }
    }
}

impl From<FilterDetails> for Filter {
    fn from(details: FilterDetails) -> Self {
        Filter {
            keywords: Some(details.keywords.into_iter().map(Into::into).collect()),
            statuses: Some(details.statuses.into_iter().map(Into::into).collect()),
            ..Filter::bare(&details.filter)
        }
    }
}

/// A filter that matched a status, and why.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FilterResult {
    pub filter: Filter,
    /// The text the filter's keywords matched.
    pub keyword_matches: Option<Vec<String>>,
    /// The ids of the statuses named by the filter that matched.
    pub status_matches: Option<Vec<String>>,
}

/// A deprecated v1 filter: one keyword with its filter's settings.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct V1Filter {
    /// The keyword's id.
    pub id: String,
    pub phrase: String,
    pub context: Vec<String>,
    pub whole_word: bool,
    pub expires_at: Option<String>,
    /// The filter's action is `hide`.
    pub irreversible: bool,
}

impl From<LegacyFilter> for V1Filter {
    fn from(legacy: LegacyFilter) -> Self {
        V1Filter {
            id: legacy.keyword.id.to_string(),
            phrase: legacy.keyword.keyword,
            context: legacy.filter.context,
            whole_word: legacy.keyword.whole_word,
            expires_at: legacy.filter.expires_at.map(timestamp),
            irreversible: legacy.filter.filter_action == "hide",
        }
    }
}

/// What a viewer's filters make of one status.
#[derive(Clone, Debug)]
pub enum Judgement {
    /// A `hide` filter matched: leave it out.
    Hidden,
    /// Shown, with the results of the filters that matched (perhaps none).
    Shown(Vec<FilterResult>),
}

/// The judgement of `viewer`'s `active` filters of `context` on `status`.
pub fn judge(
    active: &ActiveFilters,
    context: FilterContext,
    viewer: i64,
    status: &Status,
) -> Judgement {
    if active.matcher.is_empty() {
        return Judgement::Shown(Vec::new());
    }
    let shown = status.reblog.as_deref().unwrap_or(status);
    let plain = html_to_plain(&shown.content);
    let descriptions: Vec<&str> = shown
        .media_attachments
        .iter()
        .filter_map(|media| media.description.as_deref())
        .collect();
    let text = searchable_text(&shown.spoiler_text, &plain, &descriptions);
    let candidate = Candidate {
        id: status.id.0,
        reblog_of_id: status.reblog.as_ref().map(|reblog| reblog.id.0),
        text: &text,
    };
    let hits = active.matcher.hits(context, candidate);
    let own = status.account.id.0 == viewer;
    if !own && hits.iter().any(|hit| hit.action == FilterAction::Hide) {
        return Judgement::Hidden;
    }
    let results = hits.into_iter().filter_map(|hit| {
        let row = active.filters.get(&hit.filter_id)?;
        Some(FilterResult {
            filter: Filter::bare(row),
            keyword_matches: hit.keyword_matches,
            status_matches: hit
                .status_matches
                .map(|ids| ids.iter().map(i64::to_string).collect()),
        })
    });
    Judgement::Shown(results.collect())
}

/// `status` as `viewer` gets it in `context`: `None` when hidden, else with `filtered`
/// set (on the boosted status too).
pub fn apply_one(
    active: &ActiveFilters,
    context: FilterContext,
    viewer: i64,
    mut status: Status,
) -> Option<Status> {
    match judge(active, context, viewer, &status) {
        Judgement::Hidden => None,
        Judgement::Shown(results) => {
            if let Some(reblog) = status.reblog.as_mut() {
                reblog.filtered = results.clone();
            }
            status.filtered = results;
            Some(status)
        }
    }
}

/// `statuses` as `viewer` gets them in `context` (see [`apply_one`]).
pub fn apply(
    active: &ActiveFilters,
    context: FilterContext,
    viewer: i64,
    statuses: Vec<Status>,
) -> Vec<Status> {
    statuses
        .into_iter()
        .filter_map(|status| apply_one(active, context, viewer, status))
        .collect()
}
