//! OAuth 2 endpoints (<https://docs.joinmastodon.org/methods/oauth/>): the sign-in and
//! consent page, the token endpoint with its four grants, revocation, and the RFC 8414
//! metadata document. Grant logic lives in `auth::grants`; this file is HTTP only.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use serde::Deserialize;

use crate::api::entities::authorization_server::AuthorizationServerMetadata;
use crate::api::entities::empty::Empty;
use crate::api::entities::Token;
use crate::api::params::Params;
use crate::auth::grants::{self, GrantError};
use crate::auth::tokens::IssuedTokens;
use crate::auth::Scopes;
use crate::db::oauth::AppRow;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Maps a grant failure to its RFC 6749 §5.2 response.
pub(crate) fn grant_error(error: GrantError) -> ApiError {
    match error {
        GrantError::InvalidClient(description) => ApiError::OAuth {
            status: StatusCode::UNAUTHORIZED,
            code: "invalid_client",
            description,
        },
        GrantError::InvalidGrant(description) => ApiError::oauth("invalid_grant", description),
        GrantError::InvalidScope(description) => ApiError::oauth("invalid_scope", description),
        GrantError::InvalidRequest(description) => ApiError::oauth("invalid_request", description),
        GrantError::TwoFactorLockedOut { until } => ApiError::OAuth {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "invalid_grant",
            description: GrantError::TwoFactorLockedOut { until }.to_string(),
        },
        GrantError::Busy(busy) => busy.into(),
        GrantError::Internal(cause) => ApiError::from(cause),
    }
}

/// Parameters of `POST /oauth/token`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenParams {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    code: Option<String>,
    code_verifier: Option<String>,
    scope: Option<String>,
    username: Option<String>,
    password: Option<String>,
    /// A two-factor code or recovery code, for users with two-factor sign-in.
    otp_attempt: Option<String>,
    refresh_token: Option<String>,
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1) or else from the body.
fn client_credentials(
    headers: &HeaderMap,
    client_id: Option<&str>,
    client_secret: Option<&str>,
) -> ApiResult<(String, Option<String>)> {
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (id, secret) = text.split_once(':')?;
            Some((form_decode(id), Some(form_decode(secret))))
        });
    basic
        .or_else(|| client_id.map(|id| (id.to_owned(), client_secret.map(str::to_owned))))
        .ok_or_else(|| {
            grant_error(GrantError::InvalidClient(
                "Client authentication failed".into(),
            ))
        })
}

/// Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1).
fn form_decode(text: &str) -> String {
    form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// Issues tokens for the `authorization_code`, `password`, `client_credentials` and
/// `refresh_token` grants.
#[utoipa::path(post, path = "/oauth/token", tag = "oauth", request_body = TokenParams,
    responses((status = 200, body = Token), (status = 400, description = "OAuth error"),
              (status = 401, description = "invalid_client"), (status = 429)))]
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(params): Params<TokenParams>,
) -> ApiResult<Json<Token>> {
    let grant_type = params.grant_type.as_deref().unwrap_or_default();
    let (client_id, client_secret) = client_credentials(
        &headers,
        params.client_id.as_deref(),
        params.client_secret.as_deref(),
    )?;
    let public_pkce = grant_type == "authorization_code" && params.code_verifier.is_some();
    let app =
        grants::authenticate_client(&state, &client_id, client_secret.as_deref(), !public_pkce)
            .await
            .map_err(grant_error)?;
    let (issued, scopes) = run_grant(&state, &app, grant_type, &params).await?;
    Ok(Json(Token::from_issued(issued, &scopes)))
}

/// A parameter the grant cannot do without (`invalid_request` when missing or blank).
fn required(value: &Option<String>, name: &str) -> ApiResult<String> {
    value.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
        grant_error(GrantError::InvalidRequest(format!(
            "Missing required parameter: {name}"
        )))
    })
}

/// Runs the grant `grant_type` for the authenticated `app`: the tokens it issued and
/// their scopes.
async fn run_grant(
    state: &AppState,
    app: &AppRow,
    grant_type: &str,
    params: &TokenParams,
) -> ApiResult<(IssuedTokens, Scopes)> {
    let result = match grant_type {
        "client_credentials" => {
            let scopes =
                grants::requested_scopes(app, params.scope.as_deref()).map_err(grant_error)?;
            grants::client_credentials(state, app, &scopes)
                .await
                .map(|t| (t, scopes))
        }
        "password" => {
            let scopes =
                grants::requested_scopes(app, params.scope.as_deref()).map_err(grant_error)?;
            let login = required(&params.username, "username")?;
            let password = required(&params.password, "password")?;
            let otp_attempt = params.otp_attempt.as_deref();
            grants::password(state, app, &login, &password, otp_attempt, &scopes)
                .await
                .map(|(t, _)| (t, scopes))
        }
        "authorization_code" => {
            let code = required(&params.code, "code")?;
            let redirect_uri = required(&params.redirect_uri, "redirect_uri")?;
            let verifier = params.code_verifier.as_deref();
            grants::authorization_code(state, app, &code, &redirect_uri, verifier).await
        }
        "refresh_token" => {
            let refresh_token = required(&params.refresh_token, "refresh_token")?;
            grants::refresh(state, app, &refresh_token, params.scope.as_deref()).await
        }
        _ => {
            return Err(ApiError::oauth(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            ))
        }
    };
    result.map_err(grant_error)
}

/// Parameters of `POST /oauth/revoke`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RevokeParams {
    client_id: Option<String>,
    client_secret: Option<String>,
    token: Option<String>,
}

/// Revokes an access or refresh token (and its family). Answers `{}` for unknown
/// tokens too, as RFC 7009 requires.
#[utoipa::path(post, path = "/oauth/revoke", tag = "oauth", request_body = RevokeParams,
    responses((status = 200, description = "Revoked (or unknown)", body = Empty), (status = 401, description = "invalid_client")))]
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(params): Params<RevokeParams>,
) -> ApiResult<Json<Empty>> {
    let (client_id, client_secret) = client_credentials(
        &headers,
        params.client_id.as_deref(),
        params.client_secret.as_deref(),
    )?;
    let app = grants::authenticate_client(&state, &client_id, client_secret.as_deref(), true)
        .await
        .map_err(grant_error)?;
    let token = params.token.unwrap_or_default();
    if token.is_empty() {
        return Err(ApiError::oauth(
            "invalid_request",
            "Missing required parameter: token",
        ));
    }
    grants::revoke(&state, &app, &token)
        .await
        .map_err(grant_error)?;
    Ok(Json(Empty {}))
}

/// The OAuth authorization server metadata (RFC 8414).
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "oauth",
    responses((status = 200, description = "RFC 8414 metadata", body = AuthorizationServerMetadata)))]
pub async fn metadata(State(state): State<AppState>) -> Json<AuthorizationServerMetadata> {
    Json(AuthorizationServerMetadata::new(&state.config))
}
