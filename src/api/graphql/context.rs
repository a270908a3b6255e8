//! What every resolver reads from the request's context: the state, the caller (the
//! token the HTTP request or the WebSocket's `connection_init` carried, already
//! verified), and the mapping of the services' [`ApiError`] to GraphQL errors.
//!
//! Scopes are the REST API's: each field names the scope its REST route declares
//! (`auth::scoped`) and checks it with [`signed_in`] or [`optional`], the same
//! `auth::scoped::require` the REST extractors call.
//! Spec: <https://spec.graphql.org/October2021/#sec-Errors> (errors with `extensions`).

use async_graphql::{Context, ErrorExtensions};

use crate::auth::extractor::TokenInfo;
use crate::auth::scoped::{self, Scope};
use crate::error::ApiError;
use crate::state::AppState;

/// The caller of one GraphQL request (or of one WebSocket connection).
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The verified token; `None` for an anonymous caller.
    pub token: Option<TokenInfo>,
}

/// A resolver's result: errors are GraphQL errors carrying `extensions.code` and
/// `extensions.status` (the HTTP status REST answers for the same refusal).
pub type GraphResult<T> = async_graphql::Result<T>;

/// The state in the request's data (put there by every transport that runs the schema).
pub fn state<'a>(ctx: &Context<'a>) -> GraphResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| failure(ApiError::Internal(anyhow::anyhow!("no state in context"))))
}

fn caller<'a>(ctx: &Context<'a>) -> Option<&'a TokenInfo> {
    ctx.data_opt::<Caller>()
        .and_then(|caller| caller.token.as_ref())
}

/// The signed-in local account whose token holds `S`: as `auth::User<S>` answers,
/// `UNAUTHORIZED` without a token, `UNPROCESSABLE` for an app token, `FORBIDDEN`
/// without the scope.
pub fn signed_in<S: Scope>(ctx: &Context<'_>) -> GraphResult<i64> {
    let token = caller(ctx).ok_or_else(|| {
        failure(ApiError::Unauthorized(
            "This field requires a signed-in user".into(),
        ))
    })?;
    let account_id = token.account_id.ok_or_else(|| {
        failure(ApiError::Unprocessable(
            "This method requires an authenticated user".into(),
        ))
    })?;
    scoped::require::<S>(token).map_err(failure)?;
    Ok(account_id)
}

/// The viewer of a public field, as `auth::OptionalToken<S>` reads it: anonymous
/// callers pass (`None`); a token must hold `S`.
pub fn optional<S: Scope>(ctx: &Context<'_>) -> GraphResult<Option<i64>> {
    match caller(ctx) {
        None => Ok(None),
        Some(token) => {
            scoped::require::<S>(token).map_err(failure)?;
            Ok(token.account_id)
        }
    }
}

/// The GraphQL error of a service's refusal: the message REST would send, with the
/// HTTP status and a code in `extensions`. Server errors are logged once here and say
/// nothing internal.
pub fn failure(error: ApiError) -> async_graphql::Error {
    let status = error.status();
    let message = match &error {
        ApiError::Internal(cause) => {
            tracing::error!(error = ?cause, "internal error in a GraphQL resolver");
            "Internal server error".to_owned()
        }
        ApiError::Unavailable(cause) => {
            tracing::warn!(error = %format!("{cause:#}"), "database unreachable");
            error.to_string()
        }
        _ => error.to_string(),
    };
    let code = match status.as_u16() {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        409 => "CONFLICT",
        413 => "PAYLOAD_TOO_LARGE",
        422 => "UNPROCESSABLE",
        429 => "RATE_LIMITED",
        503 => "UNAVAILABLE",
        _ => "INTERNAL",
    };
    async_graphql::Error::new(message).extend_with(|_, extensions| {
        extensions.set("code", code);
        extensions.set("status", status.as_u16());
    })
}

/// Converts a service's (or a query's) result into a resolver result (see [`failure`]).
pub trait OrFailure<T> {
    /// The value, or the GraphQL error of the refusal.
    fn or_failure(self) -> GraphResult<T>;
}

impl<T, E: Into<ApiError>> OrFailure<T> for Result<T, E> {
    fn or_failure(self) -> GraphResult<T> {
        self.map_err(|error| failure(error.into()))
    }
}
