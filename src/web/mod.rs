//! What Roost serves to browsers: public pages (landing, about, profiles, posts, tags,
//! feeds) and the signed-in web app (home, compose, notifications, settings), rendered
//! on the server from compiled-in templates (`templates/`, askama) with a small script
//! for progressive enhancement; every action is also a plain form post.
//!
//! Profiles and posts live at the same URLs as their ActivityStreams documents
//! (`/@user`, `/users/user`, `/@user/:id`); `federation::actors` picks on `Accept` and
//! hands browsers to [`profile_or_feed`] and [`status_page`].
//!
//! Does not: serve the Mastodon client API (`api/`) or ActivityStreams JSON
//! (`federation/`). Pages call services and render the client API's entities
//! (`api::entities`) as views, so a page shows what an app would.

mod assets;
pub mod email_links;
mod feeds;
mod forms;
mod frame;
mod pages;
pub mod qr;
mod render;
pub mod security;
pub mod session;
mod texts;
mod view;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::db::accounts::AccountRow;
use crate::state::AppState;
pub use assets::{missing_png, stylesheet_path};
use pages::{
    actions, app, auth, discover, profile, public, settings, settings_import, settings_migration,
    status, stories, two_factor,
};
pub use render::PageError;
use session::Visitor;

/// The routes of the web pages (those at federation URLs are in `federation`), one
/// router per area of `pages`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{name}", get(assets::serve))
        .merge(public::routes())
        .merge(auth::routes())
        .merge(discover::routes())
        .merge(app::routes())
        .merge(stories::routes())
        .merge(actions::routes())
        .merge(settings::routes())
        .merge(settings_migration::routes())
        .merge(settings_import::routes())
        .merge(two_factor::routes())
}

/// A browser's request for `/@name` or `/users/name`: the profile page, or with a
/// `.rss` suffix the account's feed.
pub async fn profile_request(state: &AppState, parts: &mut Parts, name: &str) -> Response {
    let result = async {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        if let Some(username) = name.strip_suffix(".rss") {
            return feeds::account(state, &local_account(state, username).await?).await;
        }
        let account = local_account(state, name).await?;
        let query: profile::ProfileQuery =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or_default()).unwrap_or_default();
        profile::page(state, &visitor, &account, &query).await
    };
    result.await.into_response()
}

/// A browser's request for `/@name/:id` or `/users/name/statuses/:id`.
pub async fn status_request(state: &AppState, parts: &mut Parts, name: &str, id: i64) -> Response {
    let result = async {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let author = local_account(state, name.trim_start_matches('@')).await?;
        status::page(state, &visitor, &author, id).await
    };
    result.await.into_response()
}

/// The local, unsuspended account `username`.
async fn local_account(state: &AppState, username: &str) -> Result<AccountRow, PageError> {
    crate::db::accounts::find_visible_by_acct(&state.db, username, None)
        .await?
        .filter(|account| account.suspended_at.is_none())
        .ok_or(PageError::NotFound)
}

/// Whether a request prefers HTML (a browser navigating), for the fallback's choice
/// between an HTML and a JSON "not found".
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
