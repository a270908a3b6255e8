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

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::api::params::ParamsWithFiles;
use crate::db::accounts::AccountRow;
use crate::domain::Id;
use crate::extract::Path;
use crate::rate_limit::Bucket;
use crate::state::AppState;
pub use assets::{missing_png, stylesheet_path};
use forms::WebForm;
use pages::{actions, app, auth, discover, profile, public, settings, status, two_factor};
pub use render::PageError;
use render::PageResult;
use session::Visitor;

/// The routes of the web pages (those at federation URLs are in `federation`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/about", get(about))
        .route("/tags/{name}", get(tag))
        .route("/assets/{name}", get(assets::serve))
        .route("/auth/sign_in", get(sign_in_form).post(sign_in))
        .route("/auth/two_factor", get(two_factor_form).post(two_factor))
        .route("/auth/sign_out", post(sign_out))
        .route("/auth/sign_up", get(sign_up_form).post(sign_up))
        .route("/auth/pending", get(pending))
        .route("/auth/confirm_email", get(confirm_email))
        .route("/explore", get(explore))
        .route("/search", get(search))
        .route("/report", get(report_form).post(report))
        .route("/home", get(home))
        .route("/compose", get(compose_form).post(compose))
        .route("/notifications", get(notifications))
        .route("/actions/statuses/{id}/{action}", post(status_action))
        .route("/actions/accounts/{id}/{action}", post(account_action))
        .route(
            "/settings/profile",
            get(profile_settings).post(update_profile),
        )
        .route("/settings/security", get(security_settings))
        .route("/settings/password", post(change_password))
        .route("/settings/two_factor", get(two_factor_settings))
        .route("/settings/two_factor/{step}", post(two_factor_step))
        .route("/settings/sessions/{id}/revoke", post(revoke_session))
        .route("/settings/apps/{id}/revoke", post(revoke_app))
}

async fn explore(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    discover::explore(&state, &visitor).await
}

async fn search(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<discover::SearchQuery>,
) -> PageResult {
    discover::search_page(&state, &visitor, &query).await
}

async fn report_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<discover::ReportQuery>,
) -> PageResult {
    discover::report_form(&state, &visitor, &query).await
}

async fn report(
    State(state): State<AppState>,
    visitor: Visitor,
    form: WebForm<discover::ReportForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    discover::report(&state, &visitor, form).await
}

async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<public::OlderQuery>,
) -> PageResult {
    app::home(&state, &visitor, &query).await
}

async fn compose_form(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    app::compose_form(&state, &visitor).await
}

async fn compose(
    State(state): State<AppState>,
    visitor: Visitor,
    form: Result<ParamsWithFiles<app::ComposeFields>, crate::error::ApiError>,
) -> PageResult {
    app::compose(&state, &visitor, form).await
}

async fn notifications(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<public::OlderQuery>,
) -> PageResult {
    app::notifications_page(&state, &visitor, &query).await
}

async fn status_action(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((id, action)): Path<(Id, String)>,
    headers: HeaderMap,
    form: WebForm<serde::de::IgnoredAny>,
) -> PageResult {
    form.checked(&visitor)?;
    actions::on_status(&state, &visitor, id.0, &action, &back(&state, &headers)).await
}

async fn account_action(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((id, action)): Path<(Id, String)>,
    headers: HeaderMap,
    form: WebForm<serde::de::IgnoredAny>,
) -> PageResult {
    form.checked(&visitor)?;
    actions::on_account(&state, &visitor, id.0, &action, &back(&state, &headers)).await
}

async fn profile_settings(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(saved): Query<settings::Saved>,
) -> PageResult {
    settings::profile_form(&state, &visitor, &saved).await
}

async fn update_profile(
    State(state): State<AppState>,
    visitor: Visitor,
    form: Result<ParamsWithFiles<settings::ProfileFields>, crate::error::ApiError>,
) -> PageResult {
    settings::update_profile(&state, &visitor, form).await
}

async fn security_settings(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(saved): Query<settings::Saved>,
) -> PageResult {
    settings::security(&state, &visitor, &saved).await
}

async fn change_password(
    State(state): State<AppState>,
    visitor: Visitor,
    form: WebForm<settings::PasswordForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    settings::change_password(&state, &visitor, form).await
}

async fn two_factor_settings(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    two_factor::page(&state, &visitor).await
}

async fn two_factor_step(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(step): Path<String>,
    form: WebForm<two_factor::TwoFactorForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    match step.as_str() {
        "setup" => two_factor::setup(&state, &visitor).await,
        "confirm" => two_factor::confirm(&state, &visitor, form).await,
        "disable" => two_factor::disable(&state, &visitor, form).await,
        _ => Err(PageError::NotFound),
    }
}

async fn revoke_session(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<Id>,
    form: WebForm<serde::de::IgnoredAny>,
) -> PageResult {
    form.checked(&visitor)?;
    settings::revoke_session(&state, &visitor, id.0).await
}

async fn revoke_app(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<Id>,
    form: WebForm<serde::de::IgnoredAny>,
) -> PageResult {
    form.checked(&visitor)?;
    settings::revoke_app(&state, &visitor, id.0).await
}

/// The local page a button was pressed on (from `Referer`), to go back to.
fn back(state: &AppState, headers: &HeaderMap) -> String {
    let base = state.config.base_url();
    headers
        .get(axum::http::header::REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|referer| referer.strip_prefix(&base))
        .filter(|path| path.starts_with('/'))
        .map(|path| path.split('#').next().unwrap_or("/").to_owned())
        .unwrap_or_else(|| "/home".to_owned())
}

async fn landing(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    public::landing(&state, &visitor).await
}

async fn about(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    public::about(&state, &visitor).await
}

async fn tag(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<public::OlderQuery>,
) -> PageResult {
    if let Some(name) = name.strip_suffix(".rss") {
        return feeds::tag(&state, name).await;
    }
    public::tag(&state, &visitor, &name, &query).await
}

async fn sign_in_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<auth::ReturnTo>,
) -> PageResult {
    auth::sign_in_form(&state, &visitor, &query).await
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    form: WebForm<auth::SignInForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    limit(&state, Bucket::SignIn, &visitor)?;
    auth::sign_in(&state, &visitor, form).await
}

async fn two_factor_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<auth::ReturnTo>,
) -> PageResult {
    auth::two_factor_form(&state, &visitor, &query).await
}

async fn two_factor(
    State(state): State<AppState>,
    visitor: Visitor,
    form: WebForm<auth::CodeForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    limit(&state, Bucket::SignIn, &visitor)?;
    auth::two_factor(&state, &visitor, form).await
}

async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
    form: WebForm<serde::de::IgnoredAny>,
) -> PageResult {
    form.checked(&visitor)?;
    auth::sign_out(&state, &visitor).await
}

async fn sign_up_form(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    auth::sign_up_form(&state, &visitor).await
}

async fn sign_up(
    State(state): State<AppState>,
    visitor: Visitor,
    form: WebForm<auth::SignUpForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    limit(&state, Bucket::SignUp, &visitor)?;
    auth::sign_up(&state, &visitor, form).await
}

async fn confirm_email(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    auth::confirm_email(&state, &visitor).await
}

async fn pending(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    auth::pending(&state, &visitor).await
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

/// Counts a form post against the visitor's per-IP budget (the API's buckets, so
/// the sign-in form and the token endpoint share one budget per kind).
fn limit(state: &AppState, bucket: Bucket, visitor: &Visitor) -> Result<(), PageError> {
    if state.rate_limiter.check(bucket, visitor.ip).allowed {
        Ok(())
    } else {
        Err(PageError::RateLimited)
    }
}

/// Whether a request prefers HTML (a browser navigating), for the fallback's choice
/// between an HTML and a JSON "not found".
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
