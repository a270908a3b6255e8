//! The deprecated v1 filters, which Tusky and the official Android and iOS apps still
//! call, mapped onto v2 filters as Mastodon maps them: a v1 filter is one keyword of a
//! filter (its id is the keyword's id), `phrase` is both the keyword and the filter's
//! title, `irreversible` is the `hide` action. Changing a filter's settings through v1
//! is refused when the filter has several keywords; deleting a v1 filter removes the
//! keyword only.
//!
//! Spec: <https://docs.joinmastodon.org/methods/filters/#v1>.

use super::{contexts, expires_at, find_row, rules, FilterRow, KeywordRow};
use crate::db::filters::{self, FilterFields};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The settings of a v1 filter as a client sends them; absent ones keep their value
/// (or take the default, on creation).
#[derive(Clone, Debug, Default)]
pub struct LegacyInput {
    pub phrase: Option<String>,
    pub context: Option<Vec<String>>,
    pub irreversible: Option<bool>,
    pub whole_word: Option<bool>,
    /// As [`super::FilterInput::expires_in`].
    pub expires_in: Option<String>,
}

/// A v1 filter: a keyword and the filter it belongs to.
#[derive(Clone, Debug)]
pub struct LegacyFilter {
    pub keyword: KeywordRow,
    pub filter: FilterRow,
}

fn action(irreversible: bool) -> &'static str {
    if irreversible {
        "hide"
    } else {
        "warn"
    }
}

/// `owner`'s keywords as v1 filters, oldest first.
pub async fn all(state: &AppState, owner: i64) -> ApiResult<Vec<LegacyFilter>> {
    let keywords = filters::keywords_of_owner(&state.db, owner).await?;
    let rows = filters::of_owner(&state.db, owner).await?;
    Ok(keywords
        .into_iter()
        .filter_map(|keyword| {
            let filter = rows.iter().find(|f| f.id == keyword.custom_filter_id)?;
            Some(LegacyFilter {
                filter: filter.clone(),
                keyword,
            })
        })
        .collect())
}

/// `owner`'s v1 filter `id`. Errors: `NotFound` for another user's keyword.
pub async fn find(state: &AppState, owner: i64, id: i64) -> ApiResult<LegacyFilter> {
    let keyword = rules::find_keyword(state, owner, id).await?;
    let filter = find_row(state, owner, keyword.custom_filter_id).await?;
    Ok(LegacyFilter { keyword, filter })
}

/// `owner` creates a v1 filter: a filter titled by the phrase with that one keyword.
/// Errors: as [`super::create`].
pub async fn create(state: &AppState, owner: i64, input: &LegacyInput) -> ApiResult<LegacyFilter> {
    let keyword = rules::keyword(input.phrase.as_deref())?;
    let v2 = super::FilterInput {
        title: Some(keyword.to_owned()),
        context: input.context.clone(),
        filter_action: Some(action(input.irreversible.unwrap_or(false)).to_owned()),
        expires_in: input.expires_in.clone(),
        keywords: vec![super::KeywordInput {
            keyword: Some(keyword.to_owned()),
            whole_word: Some(input.whole_word.unwrap_or(true)),
            ..super::KeywordInput::default()
        }],
    };
    let mut created = super::create(state, owner, &v2).await?;
    let keyword = created.keywords.pop().ok_or(ApiError::NotFound)?;
    Ok(LegacyFilter {
        keyword,
        filter: created.filter,
    })
}

/// `owner` changes its v1 filter `id`: the keyword's phrase and whole-word setting,
/// and the filter's title, contexts, action and expiry. Errors: `NotFound` for another
/// user's keyword; `Validation` for bad values, or for a change to a filter that has
/// several keywords.
pub async fn update(
    state: &AppState,
    owner: i64,
    id: i64,
    input: &LegacyInput,
) -> ApiResult<LegacyFilter> {
    let mut transaction = state.db.begin().await?;
    let current = filters::find_keyword_owned(&mut *transaction, owner, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let filter = filters::find_owned(&mut *transaction, owner, current.custom_filter_id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let phrase = match input.phrase.as_deref() {
        Some(sent) => rules::keyword(Some(sent))?,
        None => current.keyword.as_str(),
    };
    let whole_word = input.whole_word.unwrap_or(current.whole_word);
    let keyword = filters::update_keyword(&mut *transaction, filter.id, id, phrase, whole_word)
        .await?
        .ok_or(ApiError::NotFound)?;
    let context = match input.context.as_deref() {
        Some(sent) => contexts(sent)?,
        None => filter.context.clone(),
    };
    let fields = FilterFields {
        title: if input.phrase.is_some() {
            phrase
        } else {
            &filter.title
        },
        context: &context,
        filter_action: match input.irreversible {
            Some(irreversible) => action(irreversible),
            None => &filter.filter_action,
        },
        expires_at: match input.expires_in.as_deref() {
            Some(sent) => expires_at(sent)?,
            None => filter.expires_at,
        },
    };
    let changed = fields.title != filter.title
        || fields.context != filter.context.as_slice()
        || fields.filter_action != filter.filter_action
        || fields.expires_at != filter.expires_at;
    if changed && filters::count_keywords(&mut *transaction, filter.id).await? > 1 {
        return Err(ApiError::validation(
            "base",
            "ERR_INVALID",
            "Cannot change the settings of a filter with several keywords through the \
             deprecated API",
        ));
    }
    let filter = filters::update(&mut *transaction, filter.id, &fields)
        .await?
        .ok_or(ApiError::NotFound)?;
    transaction.commit().await?;
    Ok(LegacyFilter { keyword, filter })
}

/// `owner` deletes its v1 filter `id`: the keyword (its filter stays). Errors:
/// `NotFound` for another user's keyword.
pub async fn delete(state: &AppState, owner: i64, id: i64) -> ApiResult<()> {
    rules::delete_keyword(state, owner, id).await
}
