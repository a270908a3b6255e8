//! `resolve=true` with a URL: the account or status it names, local, already known, or
//! fetched from its server (through the federation fetcher and its SSRF guard) and
//! stored as a fetched reply parent is. Mastodon's `ResolveURLService`
//! (<https://docs.joinmastodon.org/methods/search/#v2>).

use url::Url;

use super::Found;
use crate::db::accounts;
use crate::db::statuses::find_visible;
use crate::error::ApiResult;
use crate::federation::{fetch, resolve};
use crate::services::statuses;
use crate::state::AppState;
use crate::urls;

/// Actor types: a document of one of these is an account.
const ACTOR_TYPES: [&str; 5] = ["Person", "Service", "Application", "Group", "Organization"];

/// Whether `query` is a URL `resolve=true` looks up.
pub fn is_url(query: &str) -> bool {
    let query = query.trim();
    (query.starts_with("https://") || query.starts_with("http://")) && !query.contains(' ')
}

/// What the URL `query` names, as `viewer` may see it (nothing when unknown, unreachable
/// or hidden from them).
pub async fn url(state: &AppState, viewer: i64, query: &str) -> ApiResult<Found> {
    let mut found = Found::default();
    let Ok(url) = Url::parse(query.trim()) else {
        return Ok(found);
    };
    if let Some(status_id) = status_id(state, &url).await? {
        found.statuses = find_visible(&state.db, Some(viewer), status_id)
            .await?
            .into_iter()
            .collect();
        return Ok(found);
    }
    if let Some(account) = known_account(state, &url).await? {
        found.accounts = vec![account]
            .into_iter()
            .filter(|a| a.suspended_at.is_none())
            .collect();
        return Ok(found);
    }
    let Ok(document) = fetch::fetch_object(state, &url).await else {
        return Ok(found);
    };
    let kind = document["type"].as_str().unwrap_or_default();
    if ACTOR_TYPES.contains(&kind) {
        if let Ok(account) = resolve::account_by_ap_id(state, &url).await {
            found.accounts = vec![account]
                .into_iter()
                .filter(|a| a.suspended_at.is_none())
                .collect();
        }
        return Ok(found);
    }
    if let Some(status) = statuses::fetch_known_or_remote(state, &url).await? {
        found.statuses = find_visible(&state.db, Some(viewer), status.id)
            .await?
            .into_iter()
            .collect();
    }
    Ok(found)
}

/// The id of a local status the URL names (its page or its id), or of a stored remote
/// status with that id or page.
async fn status_id(state: &AppState, url: &Url) -> ApiResult<Option<i64>> {
    if let Some((_, id)) = urls::local_status_reference(&state.config, url.as_str()) {
        return Ok(Some(id));
    }
    Ok(statuses::status_by_uri(state, url.as_str())
        .await?
        .map(|s| s.id))
}

/// A local account the URL names (actor id or profile page), or a stored remote one
/// with that actor id.
async fn known_account(state: &AppState, url: &Url) -> ApiResult<Option<accounts::AccountRow>> {
    let local = urls::local_username(&state.config, url.as_str())
        .or_else(|| urls::local_profile_username(&state.config, url.as_str()));
    if let Some(name) = local {
        return Ok(accounts::find_visible_by_acct(&state.db, name, None).await?);
    }
    Ok(accounts::find_by_ap_id(&state.db, url.as_str()).await?)
}
