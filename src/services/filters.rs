//! Content filters: a user's filter groups with their keywords and statuses, created,
//! changed and deleted with Mastodon's rules, and loaded, for whoever reads statuses,
//! as one [`Matcher`] per viewer.
//!
//! Rules (Mastodon's `CustomFilter`, `CustomFilterKeyword`, `CustomFilterStatus`):
//! a title of 1 to [`MAX_TITLE`] characters; one or more of the five contexts (sent
//! values are trimmed, blank ones dropped); action `warn` (default), `hide` or `blur`;
//! `expires_in` seconds from now (blank: never); keywords of 1 to [`MAX_KEYWORD`]
//! characters, whole word by default. Roost bounds what Mastodon leaves open: at most
//! [`MAX_FILTERS`] filters per account, [`MAX_KEYWORDS`] keywords and [`MAX_STATUSES`]
//! statuses per filter, so matching a page of statuses stays cheap. Another user's
//! filter, keyword or status is answered as absent (404).
//!
//! Not here: the keyword and status endpoints' actions ([`rules`]), the deprecated v1
//! API's mapping ([`v1`]), the matching itself (`domain::filters`), and the
//! `filters_changed` stream event (the `filters` migration's trigger).
//!
//! Spec: <https://docs.joinmastodon.org/methods/filters/>.

pub mod rules;
pub mod v1;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::db::filters::{
    self, ActiveFilterRow, FilterFields, FilterRow, FilterStatusRow, KeywordRow,
};
use crate::domain::filters::{FilterAction, FilterContext, FilterRules, KeywordRule, Matcher};
use crate::error::{required_title, ApiError, ApiResult};
use crate::state::AppState;

/// Filters one account may have.
pub const MAX_FILTERS: i64 = 100;
/// Keywords one filter may have.
pub const MAX_KEYWORDS: i64 = 100;
/// Statuses one filter may name.
pub const MAX_STATUSES: i64 = 1000;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 256;
/// Longest keyword, in characters (Mastodon's `KEYWORD_LENGTH_LIMIT`).
pub const MAX_KEYWORD: usize = 512;
/// Longest `expires_in`: about a hundred years, in seconds.
pub const MAX_EXPIRES_IN: i64 = 100 * 366 * 24 * 3600;

/// A filter with its keywords and statuses (Mastodon's Filter entity).
#[derive(Clone, Debug)]
pub struct FilterDetails {
    pub filter: FilterRow,
    pub keywords: Vec<KeywordRow>,
    pub statuses: Vec<FilterStatusRow>,
}

/// A keyword change of `keywords_attributes[]`.
#[derive(Clone, Debug, Default)]
pub struct KeywordInput {
    /// The keyword to change or remove; none: a new keyword.
    pub id: Option<i64>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    /// Remove the keyword `id`.
    pub destroy: bool,
}

/// The settings of a filter as a client sends them: absent ones keep their value (or
/// take the default, on creation).
#[derive(Clone, Debug, Default)]
pub struct FilterInput {
    pub title: Option<String>,
    pub context: Option<Vec<String>>,
    pub filter_action: Option<String>,
    /// `Some("")`: never expires; `Some(seconds)`: expires then; `None`: unchanged.
    pub expires_in: Option<String>,
    pub keywords: Vec<KeywordInput>,
}

/// `owner` creates a filter with its keywords. Errors: `Validation` for a bad title,
/// context, action, expiry or keyword, too many keywords, or a filter beyond
/// [`MAX_FILTERS`].
pub async fn create(state: &AppState, owner: i64, input: &FilterInput) -> ApiResult<FilterDetails> {
    let title = title(input.title.as_deref())?;
    let context = contexts(input.context.as_deref().unwrap_or_default())?;
    let action = action(input.filter_action.as_deref().unwrap_or("warn"))?;
    let expires_at = match input.expires_in.as_deref() {
        Some(sent) => expires_at(sent)?,
        None => None,
    };
    let mut transaction = state.db.begin().await?;
    if filters::count_locked(&mut *transaction, owner).await? >= MAX_FILTERS {
        return Err(ApiError::validation(
            "base",
            "ERR_INVALID",
            format!("You cannot create more than {MAX_FILTERS} filters"),
        ));
    }
    let fields = FilterFields {
        title,
        context: &context,
        filter_action: action.as_str(),
        expires_at,
    };
    let filter = filters::insert(&mut *transaction, owner, &fields).await?;
    rules::apply_keyword_changes(&mut transaction, filter.id, &input.keywords).await?;
    let details = details_of(&mut transaction, filter).await?;
    transaction.commit().await?;
    Ok(details)
}

/// `owner` changes the settings it sent of its filter `id`, and its keywords as
/// `keywords_attributes[]` says. Errors: `NotFound` for another user's filter or a
/// keyword id not of this filter, `Validation` as [`create`].
pub async fn update(
    state: &AppState,
    owner: i64,
    id: i64,
    input: &FilterInput,
) -> ApiResult<FilterDetails> {
    let mut transaction = state.db.begin().await?;
    let filter = filters::find_owned(&mut *transaction, owner, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let title = match input.title.as_deref() {
        Some(sent) => self::title(Some(sent))?,
        None => filter.title.as_str(),
    };
    let context = match input.context.as_deref() {
        Some(sent) => contexts(sent)?,
        None => filter.context.clone(),
    };
    let action = action(
        input
            .filter_action
            .as_deref()
            .unwrap_or(&filter.filter_action),
    )?;
    let expires_at = match input.expires_in.as_deref() {
        Some(sent) => expires_at(sent)?,
        None => filter.expires_at,
    };
    let fields = FilterFields {
        title,
        context: &context,
        filter_action: action.as_str(),
        expires_at,
    };
    let updated = filters::update(&mut *transaction, filter.id, &fields)
        .await?
        .ok_or(ApiError::NotFound)?;
    rules::apply_keyword_changes(&mut transaction, filter.id, &input.keywords).await?;
    let details = details_of(&mut transaction, updated).await?;
    transaction.commit().await?;
    Ok(details)
}

/// `owner` deletes its filter `id` with its keywords and statuses. Errors: `NotFound`
/// for another user's filter.
pub async fn delete(state: &AppState, owner: i64, id: i64) -> ApiResult<()> {
    let filter = find_row(state, owner, id).await?;
    filters::delete(&state.db, filter.id).await?;
    Ok(())
}

/// `owner`'s filter `id` with its keywords and statuses. Errors: `NotFound` for another
/// user's filter.
pub async fn find(state: &AppState, owner: i64, id: i64) -> ApiResult<FilterDetails> {
    let filter = find_row(state, owner, id).await?;
    let mut connection = state.db.acquire().await?;
    Ok(details_of(&mut connection, filter).await?)
}

/// `owner`'s filter `id`, or `NotFound`.
pub(crate) async fn find_row(state: &AppState, owner: i64, id: i64) -> ApiResult<FilterRow> {
    filters::find_owned(&state.db, owner, id, false)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `owner`'s filters (expired ones too), oldest first, with their keywords and statuses.
pub async fn all(state: &AppState, owner: i64) -> ApiResult<Vec<FilterDetails>> {
    let rows = filters::of_owner(&state.db, owner).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let keywords = filters::keywords_of(&state.db, &ids).await?;
    let statuses = filters::statuses_of(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|filter| FilterDetails {
            keywords: keywords
                .iter()
                .filter(|keyword| keyword.custom_filter_id == filter.id)
                .cloned()
                .collect(),
            statuses: statuses
                .iter()
                .filter(|status| status.custom_filter_id == filter.id)
                .cloned()
                .collect(),
            filter,
        })
        .collect())
}

async fn details_of(db: &mut sqlx::PgConnection, filter: FilterRow) -> sqlx::Result<FilterDetails> {
    let keywords = filters::keywords_of(&mut *db, &[filter.id]).await?;
    let statuses = filters::statuses_of(&mut *db, &[filter.id]).await?;
    Ok(FilterDetails {
        filter,
        keywords,
        statuses,
    })
}

/// A viewer's filters that have not expired, ready to match, with the filter rows the
/// results name.
#[derive(Debug, Default)]
pub struct ActiveFilters {
    /// The compiled rules.
    pub matcher: Matcher,
    /// The filters, by id (for rendering a result's `filter`).
    pub filters: HashMap<i64, FilterRow>,
}

/// The active filters of `viewer` from their rows (read with a page of statuses, by
/// [`crate::db::page_facts`]); rows of other accounts are ignored.
pub fn active_from(viewer: i64, rows: Vec<ActiveFilterRow>) -> ActiveFilters {
    grouped(rows).remove(&viewer).unwrap_or_default()
}

/// The active filters of each of `viewers` (those without any are absent), from one
/// query: what a stream event prepared for many viewers costs.
pub async fn active_of_many(
    state: &AppState,
    viewers: &[i64],
) -> ApiResult<HashMap<i64, ActiveFilters>> {
    if viewers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = filters::active_of(&state.db, viewers).await?;
    Ok(grouped(rows))
}

/// `rows` ready to match, by the account they belong to.
fn grouped(rows: Vec<ActiveFilterRow>) -> HashMap<i64, ActiveFilters> {
    let mut grouped: HashMap<i64, (Vec<FilterRules>, HashMap<i64, FilterRow>)> = HashMap::new();
    for row in rows {
        let rules = FilterRules {
            id: row.filter.id,
            contexts: row
                .filter
                .context
                .iter()
                .filter_map(|name| FilterContext::parse(name))
                .collect(),
            action: FilterAction::parse(&row.filter.filter_action).unwrap_or(FilterAction::Warn),
            keywords: row
                .keywords
                .into_iter()
                .zip(row.whole_words)
                .map(|(keyword, whole_word)| KeywordRule {
                    keyword,
                    whole_word,
                })
                .collect(),
            status_ids: row.status_ids,
        };
        let entry = grouped.entry(row.filter.account_id).or_default();
        entry.0.push(rules);
        entry.1.insert(row.filter.id, row.filter);
    }
    grouped
        .into_iter()
        .map(|(viewer, (rules, filters))| {
            let matcher = Matcher::new(rules);
            (viewer, ActiveFilters { matcher, filters })
        })
        .collect()
}

/// The title if it has 1 to [`MAX_TITLE`] characters (not blank).
fn title(sent: Option<&str>) -> ApiResult<&str> {
    required_title(sent, MAX_TITLE)
}

/// The contexts sent, trimmed, blank ones dropped, each once; at least one, all known.
pub(crate) fn contexts(sent: &[String]) -> ApiResult<Vec<String>> {
    let invalid =
        || ApiError::validation("context", "ERR_INVALID", "None or invalid context supplied");
    let mut chosen: Vec<String> = Vec::new();
    for name in sent
        .iter()
        .map(|name| name.trim())
        .filter(|n| !n.is_empty())
    {
        let context = FilterContext::parse(name).ok_or_else(invalid)?;
        if !chosen.iter().any(|c| c == context.as_str()) {
            chosen.push(context.as_str().to_owned());
        }
    }
    if chosen.is_empty() {
        return Err(invalid());
    }
    Ok(chosen)
}

/// The action if it is `warn`, `hide` or `blur`.
fn action(sent: &str) -> ApiResult<FilterAction> {
    FilterAction::parse(sent).ok_or_else(|| {
        ApiError::validation(
            "filter_action",
            "ERR_INCLUSION",
            "Filter action is not included in the list",
        )
    })
}

/// When a filter sent with `expires_in` expires: never for a blank value, else that
/// many seconds (1 to [`MAX_EXPIRES_IN`]) from now.
pub(crate) fn expires_at(sent: &str) -> ApiResult<Option<DateTime<Utc>>> {
    let sent = sent.trim();
    if sent.is_empty() {
        return Ok(None);
    }
    match sent.parse::<i64>() {
        Ok(seconds) if (1..=MAX_EXPIRES_IN).contains(&seconds) => {
            Ok(Some(Utc::now() + Duration::seconds(seconds)))
        }
        _ => Err(ApiError::validation(
            "expires_in",
            "ERR_INVALID",
            format!("Expires in must be a number of seconds from 1 to {MAX_EXPIRES_IN}"),
        )),
    }
}
