//! Axum extractors that authenticate a request from its `Authorization: Bearer` header.
//!
//! - [`MaybeToken`]: public endpoints; a token is optional but, when sent, must be valid.
//! - [`AnyToken`]: a valid token of an app or a user.
//! - [`CurrentUser`]: a valid token that belongs to a usable local account.
//! - [`UnconfirmedUser`]: the same, but the user may not have confirmed their e-mail
//!   address yet (only for `/api/v1/emails/*`, where such a user asks for the link).
//!
//! Client-API handlers do not take these directly but their scope-typed forms in
//! [`super::scoped`] (`User<WriteStatuses>`, `OptionalToken<ReadStatuses>`,
//! `Bearer<WriteAccounts>`), which check the scope in the extractor. Only endpoints that
//! need no scope use these: `GET /api/v1/apps/verify_credentials` and the public
//! streams.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use super::Scopes;
use crate::db::oauth::{self, LiveToken};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A verified access token and what it may do.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    /// The token's `jti`.
    pub id: Uuid,
    /// The grant family (for revoking everything that descends from one sign-in).
    pub family_id: Uuid,
    /// The app the token was issued to.
    pub app_id: i64,
    /// The signed-in account; `None` for app-only tokens.
    pub account_id: Option<i64>,
    /// Granted scopes.
    pub scopes: Scopes,
    /// The user's role (`User` for app-only tokens).
    pub role: Role,
}

/// An optional token: `None` when no `Authorization` header was sent.
#[derive(Debug)]
pub struct MaybeToken(pub Option<TokenInfo>);

/// A required token of an app or a user.
#[derive(Debug)]
pub struct AnyToken(pub TokenInfo);

/// A required token that belongs to a local account that may use the API.
#[derive(Debug)]
pub struct CurrentUser {
    /// The token used.
    pub token: TokenInfo,
    /// The signed-in account.
    pub account_id: i64,
}

/// A required user token whose user may still await e-mail confirmation (every other
/// check of [`CurrentUser`] applies).
#[derive(Debug)]
pub struct UnconfirmedUser {
    /// The token used.
    pub token: TokenInfo,
    /// The signed-in account.
    pub account_id: i64,
}

/// Whether a token of a user who has not confirmed their e-mail address is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unconfirmed {
    /// 403 "Your login is missing a confirmed e-mail address" (Mastodon's
    /// `require_user!`), everywhere but [`UnconfirmedUser`].
    Refused,
    /// Accepted: the user is asking for the confirmation link.
    Accepted,
}

impl FromRequestParts<AppState> for UnconfirmedUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let token = bearer_token(parts)?
            .ok_or_else(|| ApiError::Unauthorized("The access token is invalid".into()))?;
        let token = authenticate_with(state, &token, Unconfirmed::Accepted).await?;
        let account_id = token.account_id.ok_or_else(|| {
            ApiError::Unprocessable("This method requires an authenticated user".into())
        })?;
        Ok(UnconfirmedUser { token, account_id })
    }
}

impl FromRequestParts<AppState> for MaybeToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        match bearer_token(parts)? {
            None => Ok(MaybeToken(None)),
            Some(token) => authenticate(state, &token)
                .await
                .map(|info| MaybeToken(Some(info))),
        }
    }
}

impl FromRequestParts<AppState> for AnyToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let token = bearer_token(parts)?
            .ok_or_else(|| ApiError::Unauthorized("The access token is invalid".into()))?;
        authenticate(state, &token).await.map(AnyToken)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let AnyToken(token) = AnyToken::from_request_parts(parts, state).await?;
        let account_id = token.account_id.ok_or_else(|| {
            ApiError::Unprocessable("This method requires an authenticated user".into())
        })?;
        Ok(CurrentUser { token, account_id })
    }
}

/// The token in an `Authorization: Bearer …` header, or else in an `access_token`
/// query parameter (accepted by Mastodon too); `None` when neither is present.
/// A header with another scheme or no token is a 401, not silently anonymous.
fn bearer_token(parts: &Parts) -> ApiResult<Option<String>> {
    let invalid = || ApiError::Unauthorized("The access token is invalid".into());
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(query_token(parts));
    };
    let value = value.to_str().map_err(|_| invalid())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(invalid());
    }
    Ok(Some(token.trim().to_owned()))
}

fn query_token(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "access_token")
        .map(|(_, value)| value.into_owned())
        .filter(|token| !token.is_empty())
}

/// Authenticates a bare token (the streaming API takes one from
/// `Sec-WebSocket-Protocol`), with the same checks as the `Authorization` header.
pub async fn authenticate_token(state: &AppState, token: &str) -> ApiResult<TokenInfo> {
    authenticate(state, token).await
}

/// Verifies the JWT, then loads its row: revoked, expired or unknown tokens are 401;
/// tokens of disabled, suspended, unconfirmed or unapproved users are 403 (Mastodon's
/// answers).
async fn authenticate(state: &AppState, token: &str) -> ApiResult<TokenInfo> {
    authenticate_with(state, token, Unconfirmed::Refused).await
}

async fn authenticate_with(
    state: &AppState,
    token: &str,
    unconfirmed: Unconfirmed,
) -> ApiResult<TokenInfo> {
    let invalid = || ApiError::Unauthorized("The access token is invalid".into());
    let claims = state.tokens.verify(token).ok_or_else(invalid)?;
    let live = live_token(state, claims.jti).await?.ok_or_else(invalid)?;
    check_user_state(&live, unconfirmed)?;
    Ok(TokenInfo {
        id: live.id,
        family_id: live.family_id,
        app_id: live.app_id,
        account_id: live.account_id,
        role: live
            .role
            .as_deref()
            .map(Role::from_db)
            .unwrap_or(Role::User),
        scopes: Scopes::from_stored(live.scopes),
    })
}

/// The token's row and its user's state: kept from an earlier check of this process
/// when `auth::token_cache` may answer, read from the database otherwise.
async fn live_token(state: &AppState, id: Uuid) -> sqlx::Result<Option<LiveToken>> {
    let cache = &state.token_checks;
    if let Some(kept) = cache.get(&state.db, id) {
        state.metrics.token_check(true);
        return Ok(Some(kept));
    }
    state.metrics.token_check(false);
    let ticket = cache.ticket();
    let live = oauth::find_live_access_token(&state.db, id).await?;
    if let Some(live) = &live {
        cache.keep(ticket, live);
    }
    Ok(live)
}

fn check_user_state(live: &LiveToken, unconfirmed: Unconfirmed) -> ApiResult<()> {
    if live.account_id.is_none() {
        return Ok(());
    }
    if live.disabled == Some(true) || live.suspended == Some(true) {
        return Err(ApiError::Forbidden(
            "Your login is currently disabled".into(),
        ));
    }
    if live.confirmed == Some(false) && unconfirmed == Unconfirmed::Refused {
        return Err(ApiError::Forbidden(
            "Your login is missing a confirmed e-mail address".into(),
        ));
    }
    if live.approved == Some(false) {
        return Err(ApiError::Forbidden(
            "Your login is currently pending approval".into(),
        ));
    }
    if live.role.is_none() {
        // A token of an account without a local user (should not exist).
        return Err(ApiError::Unauthorized("The access token is invalid".into()));
    }
    Ok(())
}
