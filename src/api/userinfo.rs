//! `GET`/`POST /oauth/userinfo`: who the token's user is, OpenID Connect style
//! (Mastodon 4.4, <https://docs.joinmastodon.org/methods/oauth/#userinfo>), for apps
//! that sign people in with their Roost account and need only the `profile` scope.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::scoped::Profile;
use crate::auth::User;
use crate::error::ApiResult;
use crate::services::profile;
use crate::state::AppState;

/// The signed-in user, with OpenID Connect's standard claim names.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserInfo {
    /// The issuer: the instance's base URL with a trailing slash.
    pub iss: String,
    /// The subject: the account's ActivityPub id.
    pub sub: String,
    /// The display name.
    pub name: String,
    /// The username.
    pub preferred_username: String,
    /// The profile page.
    pub profile: String,
    /// The avatar image.
    pub picture: String,
}

/// The user the token stands for; needs the `profile` scope.
#[utoipa::path(get, path = "/oauth/userinfo", tag = "oauth",
    security(("bearer" = ["profile"])),
    responses((status = 200, description = "OpenID Connect user info", body = UserInfo),
        (status = 401, description = "No valid user token"),
        (status = 403, description = "No profile scope")))]
pub async fn show(State(state): State<AppState>, user: User<Profile>) -> ApiResult<Json<UserInfo>> {
    let own = profile::own(&state, user.account_id).await?;
    let config = &state.config;
    let account = &own.account;
    Ok(Json(UserInfo {
        iss: config.issuer(),
        sub: crate::urls::actor(config, &account.username),
        name: account.display_name.clone(),
        preferred_username: account.username.clone(),
        profile: crate::urls::profile(config, &account.username),
        picture: crate::urls::avatar(config, account),
    }))
}

/// The same by POST, as OpenID Connect allows.
#[utoipa::path(post, path = "/oauth/userinfo", tag = "oauth",
    security(("bearer" = ["profile"])),
    responses((status = 200, description = "OpenID Connect user info", body = UserInfo),
        (status = 401, description = "No valid user token"),
        (status = 403, description = "No profile scope")))]
pub async fn show_post(state: State<AppState>, user: User<Profile>) -> ApiResult<Json<UserInfo>> {
    show(state, user).await
}
