//! A filter's rules: its keywords (changed with the filter through
//! `keywords_attributes[]`, or one at a time at `/api/v2/filters/:id/keywords` and
//! `/api/v2/filters/keywords/:id`) and the statuses it names
//! (`/api/v2/filters/:id/statuses`, `/api/v2/filters/statuses/:id`), with the bounds of
//! [`super`].
//!
//! Spec: <https://docs.joinmastodon.org/methods/filters/>.

use sqlx::{PgConnection, Postgres, Transaction};

use super::{find_row, KeywordInput, MAX_KEYWORD, MAX_KEYWORDS, MAX_STATUSES};
use crate::db::filters::{self, FilterStatusRow, KeywordRow};
use crate::db::statuses;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Applies `keywords_attributes[]` to filter `filter_id` in the caller's transaction:
/// entries with an `id` change (or, with `_destroy`, remove) that keyword, others add
/// one; entries with nothing in them are skipped (Rails' `reject_if: :all_blank`).
/// Errors: `NotFound` for an id not of this filter, `Validation` for a bad keyword or
/// more than [`MAX_KEYWORDS`].
pub(crate) async fn apply_keyword_changes(
    transaction: &mut Transaction<'_, Postgres>,
    filter_id: i64,
    changes: &[KeywordInput],
) -> ApiResult<()> {
    if changes.len() > MAX_KEYWORDS as usize {
        return Err(too_many_keywords());
    }
    let existing = filters::keywords_of(&mut **transaction, &[filter_id]).await?;
    for change in changes.iter().filter(|change| !all_blank(change)) {
        apply_one(transaction, filter_id, &existing, change).await?;
    }
    if filters::count_keywords(&mut **transaction, filter_id).await? > MAX_KEYWORDS {
        return Err(too_many_keywords());
    }
    Ok(())
}

async fn apply_one(
    db: &mut PgConnection,
    filter_id: i64,
    existing: &[KeywordRow],
    change: &KeywordInput,
) -> ApiResult<()> {
    let Some(id) = change.id else {
        if !change.destroy {
            let keyword = keyword(change.keyword.as_deref())?;
            let whole_word = change.whole_word.unwrap_or(true);
            filters::insert_keyword(&mut *db, filter_id, keyword, whole_word).await?;
        }
        return Ok(());
    };
    let current = existing
        .iter()
        .find(|row| row.id == id)
        .ok_or(ApiError::NotFound)?;
    if change.destroy {
        filters::delete_keywords(&mut *db, filter_id, &[id]).await?;
        return Ok(());
    }
    let keyword = match change.keyword.as_deref() {
        Some(sent) => self::keyword(Some(sent))?,
        None => current.keyword.as_str(),
    };
    let whole_word = change.whole_word.unwrap_or(current.whole_word);
    filters::update_keyword(&mut *db, filter_id, id, keyword, whole_word).await?;
    Ok(())
}

/// Nothing but perhaps `_destroy` was sent.
fn all_blank(change: &KeywordInput) -> bool {
    change.id.is_none()
        && change
            .keyword
            .as_deref()
            .is_none_or(|k| k.trim().is_empty())
        && change.whole_word.is_none()
}

fn too_many_keywords() -> ApiError {
    ApiError::validation(
        "keywords",
        "ERR_TOO_LONG",
        format!("A filter can have at most {MAX_KEYWORDS} keywords"),
    )
}

/// The keyword if it has 1 to [`MAX_KEYWORD`] characters (not blank).
pub(crate) fn keyword(sent: Option<&str>) -> ApiResult<&str> {
    let keyword = sent.unwrap_or_default();
    if keyword.trim().is_empty() {
        return Err(ApiError::validation(
            "keyword",
            "ERR_BLANK",
            "Keyword can't be blank",
        ));
    }
    if keyword.chars().count() > MAX_KEYWORD {
        return Err(ApiError::validation(
            "keyword",
            "ERR_TOO_LONG",
            format!("Keyword is too long (maximum is {MAX_KEYWORD} characters)"),
        ));
    }
    Ok(keyword)
}

/// The keywords of `owner`'s filter `id`. Errors: `NotFound` for another user's filter.
pub async fn keywords(state: &AppState, owner: i64, id: i64) -> ApiResult<Vec<KeywordRow>> {
    let filter = find_row(state, owner, id).await?;
    Ok(filters::keywords_of(&state.db, &[filter.id]).await?)
}

/// `owner` adds a keyword to its filter `id` (whole word unless `whole_word` says
/// otherwise). Errors: `NotFound` for another user's filter, `Validation` for a bad
/// keyword or one beyond [`MAX_KEYWORDS`].
pub async fn add_keyword(
    state: &AppState,
    owner: i64,
    id: i64,
    keyword: Option<&str>,
    whole_word: Option<bool>,
) -> ApiResult<KeywordRow> {
    let keyword = self::keyword(keyword)?;
    let mut transaction = state.db.begin().await?;
    let filter = filters::find_owned(&mut *transaction, owner, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    if filters::count_keywords(&mut *transaction, filter.id).await? >= MAX_KEYWORDS {
        return Err(too_many_keywords());
    }
    let whole_word = whole_word.unwrap_or(true);
    let added = filters::insert_keyword(&mut *transaction, filter.id, keyword, whole_word).await?;
    transaction.commit().await?;
    Ok(added)
}

/// `owner`'s filter keyword `id`. Errors: `NotFound` for another user's keyword.
pub async fn find_keyword(state: &AppState, owner: i64, id: i64) -> ApiResult<KeywordRow> {
    filters::find_keyword_owned(&state.db, owner, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `owner` changes its filter keyword `id` (what it sent). Errors: `NotFound` for
/// another user's keyword, `Validation` for a bad keyword.
pub async fn update_keyword(
    state: &AppState,
    owner: i64,
    id: i64,
    keyword: Option<&str>,
    whole_word: Option<bool>,
) -> ApiResult<KeywordRow> {
    let current = find_keyword(state, owner, id).await?;
    let keyword = match keyword {
        Some(sent) => self::keyword(Some(sent))?,
        None => current.keyword.as_str(),
    };
    let whole_word = whole_word.unwrap_or(current.whole_word);
    filters::update_keyword(&state.db, current.custom_filter_id, id, keyword, whole_word)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `owner` removes its filter keyword `id`. Errors: `NotFound` for another user's
/// keyword.
pub async fn delete_keyword(state: &AppState, owner: i64, id: i64) -> ApiResult<()> {
    let current = find_keyword(state, owner, id).await?;
    filters::delete_keywords(&state.db, current.custom_filter_id, &[id]).await?;
    Ok(())
}

/// The statuses `owner`'s filter `id` names. Errors: `NotFound` for another user's
/// filter.
pub async fn statuses(state: &AppState, owner: i64, id: i64) -> ApiResult<Vec<FilterStatusRow>> {
    let filter = find_row(state, owner, id).await?;
    Ok(filters::statuses_of(&state.db, &[filter.id]).await?)
}

/// `owner` adds status `status_id` to its filter `id`. Errors: `NotFound` for another
/// user's filter; `Validation` for a status the owner cannot see, one the filter names
/// already, or one beyond [`MAX_STATUSES`].
pub async fn add_status(
    state: &AppState,
    owner: i64,
    id: i64,
    status_id: Option<i64>,
) -> ApiResult<FilterStatusRow> {
    let invalid = |reason: &str| ApiError::validation("status_id", "ERR_INVALID", reason);
    let mut transaction = state.db.begin().await?;
    let filter = filters::find_owned(&mut *transaction, owner, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let status = match status_id {
        Some(status_id) => statuses::find_visible(&mut *transaction, Some(owner), status_id)
            .await?
            .ok_or_else(|| invalid("Status must exist"))?,
        None => return Err(invalid("Status must exist")),
    };
    if filters::count_statuses(&mut *transaction, filter.id).await? >= MAX_STATUSES {
        return Err(ApiError::validation(
            "status_id",
            "ERR_TOO_LONG",
            format!("A filter can name at most {MAX_STATUSES} statuses"),
        ));
    }
    let added = filters::insert_status(&mut *transaction, filter.id, status.id)
        .await?
        .ok_or_else(|| invalid("Status has already been taken"))?;
    transaction.commit().await?;
    Ok(added)
}

/// `owner`'s filter status `id`. Errors: `NotFound` for another user's.
pub async fn find_status(state: &AppState, owner: i64, id: i64) -> ApiResult<FilterStatusRow> {
    filters::find_status_owned(&state.db, owner, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `owner` removes its filter status `id`. Errors: `NotFound` for another user's.
pub async fn delete_status(state: &AppState, owner: i64, id: i64) -> ApiResult<()> {
    let current = find_status(state, owner, id).await?;
    filters::delete_status(&state.db, current.id).await?;
    Ok(())
}
