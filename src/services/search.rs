//! Search (<https://docs.joinmastodon.org/methods/search/>): accounts by name or handle,
//! hashtags by prefix, and statuses by full-text search with Mastodon's operators
//! ([`query`]), each kind bounded and paged as Mastodon's `/api/v2/search`.
//!
//! Who may find a status (Mastodon 4.2's rule): a signed-in viewer who may see it
//! (visibility, blocks both ways, mutes and silences as in feeds) and who either wrote
//! it or interacted with it (favourite, boost, bookmark, reply, poll vote, mention), or
//! whose author opted in with `indexable` (remote authors by their actor's `indexable`)
//! when it is public. Signed-out visitors find no statuses, as in Mastodon.
//!
//! Not here: the SQL (`db::search`), the index (the `status_search` migration: a
//! generated column, so an edit re-indexes in its own transaction), fetching what
//! `resolve=true` names (`federation`).

pub mod query;
mod resolve;

use chrono::{Days, NaiveDate};

use self::query::{Author, Filter, QueryError, Scope, StatusQuery};
use crate::db::accounts::{self, AccountRow};
use crate::db::search::{self, Property, Reach, StatusSearch};
use crate::db::statuses::StatusRow;
use crate::db::{hiding, Page};
use crate::error::{ApiError, ApiResult};
use crate::services::tags::{self, TagView};
use crate::state::AppState;

/// Longest query, in bytes (longer ones find nothing).
pub const MAX_QUERY_BYTES: usize = 500;
/// Furthest offset into results.
pub const MAX_OFFSET: i64 = 10_000;

/// The kinds of results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Accounts,
    Hashtags,
    Statuses,
    /// A `type` Mastodon does not know: nothing is searched.
    Unknown,
}

impl Kind {
    /// The kind a `type` parameter names (`None` when empty: every kind).
    pub fn parse(value: Option<&str>) -> Option<Kind> {
        match value.map(str::trim).filter(|v| !v.is_empty())? {
            "accounts" => Some(Kind::Accounts),
            "hashtags" => Some(Kind::Hashtags),
            "statuses" => Some(Kind::Statuses),
            _ => Some(Kind::Unknown),
        }
    }
}

/// A search request, its numbers already bounded by the transport.
#[derive(Clone, Debug)]
pub struct SearchRequest<'a> {
    pub query: &'a str,
    /// Only this kind (`type`); `None`: all.
    pub kind: Option<Kind>,
    /// Look unknown `user@domain` handles up on their server.
    pub resolve: bool,
    /// Only accounts the viewer follows.
    pub following: bool,
    /// Only hashtags an admin reviewed (`exclude_unreviewed`).
    pub exclude_unreviewed: bool,
    /// Only statuses of this account.
    pub account_id: Option<i64>,
    /// Paging bounds (`max_id`, `min_id`, `limit`) of statuses; `limit` for each kind.
    pub page: Page,
    pub offset: i64,
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Found {
    pub accounts: Vec<AccountRow>,
    pub statuses: Vec<StatusRow>,
    pub hashtags: Vec<TagView>,
}

/// Searches every kind `request` asks for, as `viewer` (`None`: signed out) may.
/// Errors: `Unauthorized` for `resolve` or `offset` signed out (Mastodon's), `Unprocessable`
/// for a malformed query, `NotFound` for an unknown `from:` account.
pub async fn search(
    state: &AppState,
    viewer: Option<i64>,
    request: &SearchRequest<'_>,
) -> ApiResult<Found> {
    if viewer.is_none() && request.resolve {
        return Err(ApiError::Unauthorized(
            "Search queries that resolve remote resources are not supported without authentication"
                .into(),
        ));
    }
    if viewer.is_none() && request.offset > 0 {
        return Err(ApiError::Unauthorized(
            "Search queries pagination is not supported without authentication".into(),
        ));
    }
    if let (true, Some(viewer)) = (request.resolve, viewer) {
        if resolve::is_url(request.query) {
            return resolve::url(state, viewer, request.query).await;
        }
    }
    let wants = |kind| request.kind.is_none_or(|k| k == kind);
    let mut found = Found::default();
    if wants(Kind::Accounts) {
        found.accounts = accounts(state, viewer, request).await?;
    }
    if wants(Kind::Hashtags) {
        found.hashtags = hashtags(state, viewer, request).await?;
    }
    if let (true, Some(viewer)) = (wants(Kind::Statuses), viewer) {
        found.statuses = statuses(state, viewer, request).await?;
    }
    Ok(found)
}

/// Accounts matching the query (`GET /api/v1/accounts/search` and the accounts of
/// `/api/v2/search`), without those in a block with the viewer.
pub async fn accounts(
    state: &AppState,
    viewer: Option<i64>,
    request: &SearchRequest<'_>,
) -> ApiResult<Vec<AccountRow>> {
    let query = request.query.trim();
    // As Mastodon: `#tag` and `user@domain words` are not account searches.
    let not_accounts = query.starts_with('#') || (query.contains('@') && query.contains(' '));
    if query.is_empty() || query.len() > MAX_QUERY_BYTES || not_accounts {
        return Ok(Vec::new());
    }
    let mut found = match split_handle(query, &state.config.domain) {
        Some((user, domain)) => by_handle(state, viewer, user, domain, request.resolve).await?,
        None => {
            let following_of = viewer.filter(|_| request.following);
            let (limit, offset) = (request.page.limit, request.offset);
            let name = query.trim_start_matches('@');
            search::accounts(&state.db, viewer, name, following_of, limit, offset).await?
        }
    };
    if let Some(viewer) = viewer {
        let ids: Vec<i64> = found.iter().map(|a| a.id).collect();
        let blocked = hiding::blocked_among(&state.db, viewer, &ids).await?;
        found.retain(|a| !blocked.contains(&a.id));
    }
    Ok(found)
}

/// The account `user@domain` names: known here, or (with `resolve`, signed in) looked
/// up on its server through WebFinger.
async fn by_handle(
    state: &AppState,
    viewer: Option<i64>,
    user: &str,
    domain: Option<&str>,
    resolve: bool,
) -> ApiResult<Vec<AccountRow>> {
    let known = accounts::find_visible_by_acct(&state.db, user, domain).await?;
    let found = match (known, domain) {
        (Some(account), _) => Some(account),
        (None, Some(domain)) if resolve && viewer.is_some() => {
            match crate::federation::resolve::resolve_acct(state, user, domain).await {
                Ok(account) => Some(account),
                Err(error) => {
                    tracing::info!(%error, user, domain, "remote account not resolved");
                    None
                }
            }
        }
        _ => None,
    };
    Ok(found
        .filter(|a| a.suspended_at.is_none())
        .into_iter()
        .collect())
}

/// Splits `user@domain` / `@user@domain` into its parts (`None` for plain words); the
/// local domain gives `None` as domain.
pub fn split_handle<'a>(query: &'a str, local_domain: &str) -> Option<(&'a str, Option<&'a str>)> {
    let handle = query.trim().trim_start_matches('@');
    let (user, domain) = handle.split_once('@')?;
    let valid = !user.is_empty()
        && user.len() <= 100
        && !domain.is_empty()
        && domain.len() <= 253
        && !domain.contains(['/', '@', ' ', '?', '#']);
    valid.then(|| {
        (
            user,
            (!domain.eq_ignore_ascii_case(local_domain)).then_some(domain),
        )
    })
}

/// Listable hashtags starting with the query (a valid hashtag name, `#` optional); only
/// reviewed ones when the request excludes the unreviewed.
async fn hashtags(
    state: &AppState,
    viewer: Option<i64>,
    request: &SearchRequest<'_>,
) -> ApiResult<Vec<TagView>> {
    let Some(name) = tags::valid_name(request.query.trim()) else {
        return Ok(Vec::new());
    };
    let rows = search::hashtags(
        &state.db,
        name,
        request.exclude_unreviewed,
        request.page.limit,
        request.offset,
    )
    .await?;
    match viewer {
        Some(viewer) => tags::views(state, viewer, rows).await,
        None => {
            let ids: Vec<i64> = rows.iter().map(|tag| tag.id).collect();
            let mut histories = tags::histories(state, &ids).await?;
            let view = |tag: crate::db::tags::TagRow| TagView {
                history: histories.remove(&tag.id).unwrap_or_default(),
                following: None,
                featuring: None,
                tag,
            };
            Ok(rows.into_iter().map(view).collect())
        }
    }
}

/// The statuses `viewer` may find for the query.
async fn statuses(
    state: &AppState,
    viewer: i64,
    request: &SearchRequest<'_>,
) -> ApiResult<Vec<StatusRow>> {
    let text = request.query.trim();
    if text.is_empty() || text.len() > MAX_QUERY_BYTES {
        return Ok(Vec::new());
    }
    let parsed = query::parse(text)
        .map_err(|error: QueryError| ApiError::Unprocessable(error.to_string()))?;
    if parsed.is_empty() {
        return Ok(Vec::new());
    }
    let search = status_search(state, viewer, &parsed, request.account_id).await?;
    Ok(search::statuses(&state.db, viewer, &search, &request.page, request.offset).await?)
}

/// The SQL inputs of a parsed query: `from:` accounts looked up, dates as instants.
async fn status_search(
    state: &AppState,
    viewer: i64,
    parsed: &StatusQuery,
    account_id: Option<i64>,
) -> ApiResult<StatusSearch> {
    let (mut from, mut not_from) = (Vec::new(), Vec::new());
    for Filter { value, negated } in &parsed.from {
        let id = author_id(state, viewer, value).await?;
        match negated {
            true => not_from.push(id),
            false => from.push(id),
        }
    }
    let (languages, not_languages) = split(&parsed.languages, |code| code.clone());
    let mut properties: Vec<(Property, bool)> = Vec::new();
    for Filter { value, negated } in parsed.has.iter().chain(&parsed.is) {
        properties.push((property(value), *negated));
    }
    let (created_from, created_before) = created_range(parsed);
    Ok(StatusSearch {
        tsquery: parsed.tsquery(),
        language_config: languages.first().cloned(),
        account_id,
        from,
        not_from,
        languages,
        not_languages,
        created_before,
        created_from,
        properties,
        reach: match parsed.scope {
            Scope::All => Reach::All,
            Scope::Library => Reach::Library,
            Scope::Public => Reach::Public,
        },
    })
}

/// The values of `filters`, positive ones first, negated ones second.
fn split<T, U>(filters: &[Filter<T>], map: impl Fn(&T) -> U) -> (Vec<U>, Vec<U>) {
    let (negated, positive): (Vec<_>, Vec<_>) = filters.iter().partition(|f| f.negated);
    (
        positive.iter().map(|f| map(&f.value)).collect(),
        negated.iter().map(|f| map(&f.value)).collect(),
    )
}

/// The account `from:` names. `NotFound` when unknown here (as Mastodon).
async fn author_id(state: &AppState, viewer: i64, author: &Author) -> ApiResult<i64> {
    let Author::Acct { username, domain } = author else {
        return Ok(viewer);
    };
    let domain = domain
        .as_deref()
        .filter(|d| !d.eq_ignore_ascii_case(&state.config.domain));
    accounts::find_visible_by_acct(&state.db, username, domain)
        .await?
        .map(|account| account.id)
        .ok_or(ApiError::NotFound)
}

/// The property a `has:` or `is:` value names.
fn property(value: &str) -> Property {
    match value {
        "media" => Property::Media,
        "image" => Property::Image,
        "video" => Property::Video,
        "audio" => Property::Audio,
        "poll" => Property::Poll,
        "link" => Property::Link,
        "reply" => Property::Reply,
        "sensitive" => Property::Sensitive,
        _ => Property::Unknown,
    }
}

/// The range of creation times `before:`, `after:` and `during:` allow (UTC days):
/// (from, before), each end open when not given.
fn created_range(
    parsed: &StatusQuery,
) -> (
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
) {
    let start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let next = |day: NaiveDate| day.checked_add_days(Days::new(1));
    let from = [parsed.after.and_then(next), parsed.during]
        .into_iter()
        .flatten()
        .max()
        .and_then(start);
    let before = [parsed.before, parsed.during.and_then(next)]
        .into_iter()
        .flatten()
        .min()
        .and_then(start);
    (from, before)
}
