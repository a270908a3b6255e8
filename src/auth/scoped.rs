//! Scope-typed extractors: a client-API handler names the OAuth scope it needs in the
//! type of its caller, e.g. `User<WriteStatuses>`, so each route declares its scope
//! once, in its signature, and no handler body checks scopes.
//!
//! - [`User<S>`]: a signed-in local user (as [`CurrentUser`]) whose token holds `S`.
//! - [`OptionalToken<S>`]: public endpoints (as [`MaybeToken`]); `S` is checked only
//!   when a token was sent, anonymous callers pass.
//! - [`Bearer<S>`]: any valid token, an app's or a user's (as [`AnyToken`]), holding `S`.
//!
//! Each authenticates first, with the answers of [`super::extractor`] (401 for a
//! missing or invalid token, 403 for a disabled login, 422 for an app token where a
//! user is needed), then checks the scope: 403 "This action is outside the authorized
//! scopes". Both happen before the extractors after it in the handler's signature (the
//! path, the body), as Mastodon's Doorkeeper check runs before its params.
//!
//! Not here: the admin API's role check (`api::admin::Staff`, which builds on
//! [`User`]) and the scope grammar ([`super::scopes`]).
//! Spec: <https://docs.joinmastodon.org/api/oauth-scopes/>.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::extractor::{AnyToken, CurrentUser, MaybeToken, TokenInfo};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A set of scopes an endpoint accepts: a token passes with any one of them, or with a
/// broader scope that covers one (`write` covers `write:statuses`).
pub trait Scope {
    /// The accepted scopes.
    const ACCEPTED: &'static [&'static str];
}

/// Declares scope marker types: `Name, [scopes];`.
macro_rules! scopes {
    ($($(#[$doc:meta])* $name:ident, [$($scope:literal),+];)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name;

        impl Scope for $name {
            const ACCEPTED: &'static [&'static str] = &[$($scope),+];
        }
    )+};
}

scopes! {
    /// `read` (the whole of it, as Mastodon's announcements ask).
    Read, ["read"];
    /// `profile` alone (`/oauth/userinfo`, as Mastodon: `read` does not cover it).
    Profile, ["profile"];
    /// `read:accounts`.
    ReadAccounts, ["read:accounts"];
    /// `read:accounts` or `profile` (only `verify_credentials` accepts `profile`).
    ReadAccountsOrProfile, ["read:accounts", "profile"];
    /// `write:accounts`.
    WriteAccounts, ["write:accounts"];
    /// `read:blocks`.
    ReadBlocks, ["read:blocks"];
    /// `write:blocks`.
    WriteBlocks, ["write:blocks"];
    /// `write:conversations`.
    WriteConversations, ["write:conversations"];
    /// `read:bookmarks`.
    ReadBookmarks, ["read:bookmarks"];
    /// `write:bookmarks`.
    WriteBookmarks, ["write:bookmarks"];
    /// `read:favourites`.
    ReadFavourites, ["read:favourites"];
    /// `write:favourites`.
    WriteFavourites, ["write:favourites"];
    /// `read:follows`.
    ReadFollows, ["read:follows"];
    /// `write:follows`.
    WriteFollows, ["write:follows"];
    /// `read:lists`.
    ReadLists, ["read:lists"];
    /// `write:lists`.
    WriteLists, ["write:lists"];
    /// `write:media`.
    WriteMedia, ["write:media"];
    /// `read:mutes`.
    ReadMutes, ["read:mutes"];
    /// `write:mutes`.
    WriteMutes, ["write:mutes"];
    /// `read:notifications`.
    ReadNotifications, ["read:notifications"];
    /// `write:notifications`.
    WriteNotifications, ["write:notifications"];
    /// `write:reports`.
    WriteReports, ["write:reports"];
    /// `read:search`.
    ReadSearch, ["read:search"];
    /// `read:statuses`.
    ReadStatuses, ["read:statuses"];
    /// `read:statuses` or `read:notifications` (markers, the user stream).
    ReadStatusesOrNotifications, ["read:statuses", "read:notifications"];
    /// `write:statuses`.
    WriteStatuses, ["write:statuses"];
    /// `push`.
    Push, ["push"];
    /// `read:filters`.
    ReadFilters, ["read:filters"];
    /// `write:filters`.
    WriteFilters, ["write:filters"];
}

/// Succeeds when `token` holds one of `S`'s scopes; otherwise 403, as Mastodon answers
/// a token without the needed scope. The only scope check of the client and admin APIs
/// (the streaming channels call it for WebSocket subscriptions).
pub fn require<S: Scope>(token: &TokenInfo) -> ApiResult<()> {
    if S::ACCEPTED.iter().any(|scope| token.scopes.grants(scope)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "This action is outside the authorized scopes".into(),
        ))
    }
}

/// A signed-in local user whose token holds the scope `S`.
#[derive(Debug)]
pub struct User<S> {
    /// The token used.
    pub token: TokenInfo,
    /// The signed-in account.
    pub account_id: i64,
    // `fn() -> S`: the marker is a type only, so `User<S>` is Send and Sync for any `S`.
    scope: PhantomData<fn() -> S>,
}

/// An optional token that, when sent, holds the scope `S`.
#[derive(Debug)]
pub struct OptionalToken<S> {
    /// The token, `None` for an anonymous caller.
    pub token: Option<TokenInfo>,
    scope: PhantomData<fn() -> S>,
}

impl<S> OptionalToken<S> {
    /// The signed-in account the token stands for; `None` when anonymous or an app token.
    pub fn account_id(&self) -> Option<i64> {
        self.token.as_ref().and_then(|token| token.account_id)
    }
}

/// A valid token of an app or a user that holds the scope `S`.
#[derive(Debug)]
pub struct Bearer<S> {
    /// The token used.
    pub token: TokenInfo,
    scope: PhantomData<fn() -> S>,
}

impl<S: Scope> FromRequestParts<AppState> for User<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let CurrentUser { token, account_id } =
            CurrentUser::from_request_parts(parts, state).await?;
        require::<S>(&token)?;
        Ok(User {
            token,
            account_id,
            scope: PhantomData,
        })
    }
}

impl<S: Scope> FromRequestParts<AppState> for OptionalToken<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let MaybeToken(token) = MaybeToken::from_request_parts(parts, state).await?;
        if let Some(token) = &token {
            require::<S>(token)?;
        }
        Ok(OptionalToken {
            token,
            scope: PhantomData,
        })
    }
}

impl<S: Scope> FromRequestParts<AppState> for Bearer<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let AnyToken(token) = AnyToken::from_request_parts(parts, state).await?;
        require::<S>(&token)?;
        Ok(Bearer {
            token,
            scope: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::auth::Scopes;
    use crate::domain::Role;

    fn token(scopes: &str) -> TokenInfo {
        TokenInfo {
            id: Uuid::nil(),
            family_id: Uuid::nil(),
            app_id: 1,
            account_id: Some(1),
            scopes: Scopes::parse(scopes).expect("known scopes"),
            role: Role::User,
        }
    }

    #[test]
    fn a_broad_or_granular_scope_passes_and_another_is_forbidden() {
        assert!(require::<WriteStatuses>(&token("write")).is_ok());
        assert!(require::<WriteStatuses>(&token("write:statuses")).is_ok());
        assert!(require::<WriteFollows>(&token("follow")).is_ok());
        assert!(require::<ReadAccountsOrProfile>(&token("profile")).is_ok());
        let refused = require::<WriteStatuses>(&token("read write:media"));
        assert!(matches!(refused, Err(ApiError::Forbidden(message))
            if message == "This action is outside the authorized scopes"));
    }
}
