//! `GET/POST /oauth/authorize`: the small HTML page where a person signs in and lets an
//! app act for them (authorization code flow, RFC 6749 §4.1, with PKCE S256).
//!
//! A visitor signed in to the web pages (see `web::session`) only approves or denies,
//! with the session's CSRF token. Anyone else signs in on the page itself: that form
//! carries the credentials (and, for users with two-factor sign-in, the code), so there
//! is no session to forge a request against. Errors before the redirect URI is known to be registered are shown on the page
//! and never redirected (RFC 6749 §4.1.2.1).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::api::params::Params;
use crate::auth::grants::{self, OUT_OF_BAND};
use crate::auth::Scopes;
use crate::db::oauth::{self, AppRow};
use crate::domain::text::escape_html;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::session::Visitor;

/// The authorization request, from the query (GET) or the form (POST).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    /// Sign-in name (e-mail or username); POST only.
    login: Option<String>,
    /// POST only.
    password: Option<String>,
    /// A two-factor code or recovery code, for users with two-factor sign-in; POST only.
    otp_attempt: Option<String>,
    /// `approve` or `deny`; POST only.
    decision: Option<String>,
    /// The web session's CSRF token, when approving as a signed-in visitor; POST only.
    authenticity_token: Option<String>,
}

/// A request that passed validation.
struct ValidRequest {
    app: AppRow,
    redirect_uri: String,
    scopes: Scopes,
}

/// Shows the sign-in and consent form.
#[utoipa::path(get, path = "/oauth/authorize", tag = "oauth", params(AuthorizeParams),
    responses((status = 200, description = "HTML sign-in and consent page"), (status = 400, description = "Invalid request")))]
pub async fn authorize_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Params(params): Params<AuthorizeParams>,
) -> ApiResult<Response> {
    match validate(&state, &params).await? {
        Ok(request) if visitor.session.is_some() => Ok(page(
            StatusCode::OK,
            &consent(&request, &params, &visitor.csrf),
        )),
        Ok(request) => Ok(page(StatusCode::OK, &form(&request, &params, None))),
        Err(message) => Ok(page(StatusCode::BAD_REQUEST, &error_box(&message))),
    }
}

/// Handles the submitted form: denies, or checks the credentials and redirects back to
/// the app with a code (or shows the code for the out-of-band URI).
#[utoipa::path(post, path = "/oauth/authorize", tag = "oauth",
    responses((status = 302, description = "Redirect to the app with code or error"),
              (status = 200, description = "Code shown for out-of-band apps"), (status = 401, description = "Wrong credentials"),
              (status = 429)))]
pub async fn authorize_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Params(params): Params<AuthorizeParams>,
) -> ApiResult<Response> {
    let request = match validate(&state, &params).await? {
        Ok(request) => request,
        Err(message) => return Ok(page(StatusCode::BAD_REQUEST, &error_box(&message))),
    };
    if params.decision.as_deref() != Some("approve") {
        return Ok(redirect_back(
            &request.redirect_uri,
            &[("error", "access_denied")],
            params.state.as_deref(),
        ));
    }
    if let Some(session) = &visitor.session {
        if params.login.is_none() {
            if !visitor.csrf_matches(params.authenticity_token.as_deref().unwrap_or_default()) {
                return Ok(page(
                    StatusCode::FORBIDDEN,
                    &error_box("This form expired. Please try again."),
                ));
            }
            return issue_code(&state, &request, &params, session.account_id).await;
        }
    }
    let login = params.login.as_deref().unwrap_or_default();
    let password = params.password.as_deref().unwrap_or_default();
    let user = grants::check_credentials(&state, login, password)
        .await
        .map_err(crate::api::oauth::grant_error)?;
    let Some(user) = user else {
        let html = form(
            &request,
            &params,
            Some("Invalid e-mail address or password."),
        );
        return Ok(page(StatusCode::UNAUTHORIZED, &html));
    };
    if let Some(problem) = crate::services::web_sessions::unusable_reason(&state, &user).await? {
        return Ok(page(
            StatusCode::FORBIDDEN,
            &form(&request, &params, Some(problem)),
        ));
    }
    if let Some(problem) = second_factor_problem(&state, &user, &params).await? {
        return Ok(page(
            StatusCode::UNAUTHORIZED,
            &form(&request, &params, Some(problem)),
        ));
    }
    issue_code(&state, &request, &params, user.account_id).await
}

/// For a user with two-factor sign-in, why `otp_attempt` does not do (see
/// `services::two_factor::verify`); `None` when it does, or is not needed.
async fn second_factor_problem(
    state: &AppState,
    user: &crate::db::users::UserRow,
    params: &AuthorizeParams,
) -> ApiResult<Option<&'static str>> {
    use crate::services::two_factor::{self, TwoFactorError};
    if !two_factor::is_enabled(&state.db, user.id).await? {
        return Ok(None);
    }
    let code = params
        .otp_attempt
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    if code.is_empty() {
        return Ok(Some("Enter the code from your authenticator app."));
    }
    match two_factor::verify(state, user, code).await {
        Ok(()) => Ok(None),
        Err(TwoFactorError::LockedOut { .. }) => {
            Ok(Some("Too many invalid codes. Try again in a few minutes."))
        }
        Err(TwoFactorError::InvalidCode | TwoFactorError::NotEnabled) => {
            Ok(Some("Invalid two-factor authentication code."))
        }
        Err(error) => Err(error.into()),
    }
}

/// Issues the authorization code for an approved request and hands it back: by
/// redirect, or on the page for the out-of-band redirect URI.
async fn issue_code(
    state: &AppState,
    request: &ValidRequest,
    params: &AuthorizeParams,
    account_id: i64,
) -> ApiResult<Response> {
    let code = grants::create_authorization_code(
        state,
        &request.app,
        account_id,
        &request.redirect_uri,
        &request.scopes,
        params.code_challenge.as_deref(),
    )
    .await
    .map_err(crate::api::oauth::grant_error)?;
    if request.redirect_uri == OUT_OF_BAND {
        let body = format!(
            "<h1>Authorization code</h1><p>Copy this code and paste it into {}:</p><p><code id=\"code\">{}</code></p>",
            escape_html(&request.app.name),
            escape_html(&code)
        );
        return Ok(page(StatusCode::OK, &body));
    }
    Ok(redirect_back(
        &request.redirect_uri,
        &[("code", &code)],
        params.state.as_deref(),
    ))
}

/// Checks client, redirect URI, response type, scopes and PKCE method.
/// `Ok(Err(message))` is a client error to show on the page.
async fn validate(
    state: &AppState,
    params: &AuthorizeParams,
) -> ApiResult<Result<ValidRequest, String>> {
    let Some(app) =
        oauth::find_app_by_client_id(&state.db, params.client_id.as_deref().unwrap_or_default())
            .await?
    else {
        return Ok(Err("Unknown client application.".into()));
    };
    let redirect_uri = match params.redirect_uri.as_deref() {
        Some(uri) if app.redirect_uris.iter().any(|r| r == uri) => uri.to_owned(),
        None if app.redirect_uris.len() == 1 => app.redirect_uris[0].clone(),
        _ => {
            return Ok(Err(
                "The redirect URI is not registered for this application.".into(),
            ))
        }
    };
    if params.response_type.as_deref() != Some("code") {
        return Ok(Err("Only response_type=code is supported.".into()));
    }
    let scopes = match grants::requested_scopes(&app, params.scope.as_deref()) {
        Ok(scopes) => scopes,
        Err(error) => return Ok(Err(error.to_string())),
    };
    if params.code_challenge.is_some()
        && params.code_challenge_method.as_deref().unwrap_or("plain") != "S256"
    {
        return Ok(Err(
            "Only the S256 code challenge method is supported.".into()
        ));
    }
    if params
        .code_challenge
        .as_deref()
        .is_some_and(|c| c.len() < 43 || c.len() > 128)
    {
        return Ok(Err("The code challenge is malformed.".into()));
    }
    Ok(Ok(ValidRequest {
        app,
        redirect_uri,
        scopes,
    }))
}

fn redirect_back(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return page(
            StatusCode::BAD_REQUEST,
            &error_box("The redirect URI is invalid."),
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

/// The consent form of a visitor signed in to the web pages: approve or deny only.
fn consent(request: &ValidRequest, params: &AuthorizeParams, csrf: &str) -> String {
    let scopes: String = request
        .scopes
        .as_slice()
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape_html(s)))
        .collect();
    format!(
        "<h1>Authorize {name}</h1>\
         <p><strong>{name}</strong> wants to use your account with these permissions:</p><ul>{scopes}</ul>\
         <form method=\"post\" action=\"/oauth/authorize\">{hidden_fields}{token}\
         <button class=\"primary\" name=\"decision\" value=\"approve\" type=\"submit\">Authorize</button>\
         <button name=\"decision\" value=\"deny\" type=\"submit\">Deny</button></form>",
        name = escape_html(&request.app.name),
        hidden_fields = hidden_request_fields(request, params),
        token = hidden("authenticity_token", Some(csrf)),
    )
}

fn error_box(message: &str) -> String {
    format!(
        "<h1>Authorization failed</h1><p class=\"error\">{}</p>",
        escape_html(message)
    )
}

fn hidden(name: &str, value: Option<&str>) -> String {
    value.map_or_else(String::new, |value| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape_html(value)
        )
    })
}

fn form(request: &ValidRequest, params: &AuthorizeParams, error: Option<&str>) -> String {
    let scopes: String = request
        .scopes
        .as_slice()
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape_html(s)))
        .collect();
    let hidden_fields = hidden_request_fields(request, params);
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape_html(e))
    });
    format!(
        "<h1>Authorize {name}</h1>{error}\
         <p><strong>{name}</strong> wants to use your account with these permissions:</p><ul>{scopes}</ul>\
         <form method=\"post\" action=\"/oauth/authorize\">{hidden_fields}\
         <label>E-mail address or username <input name=\"login\" autocomplete=\"username\" required value=\"{login}\"></label>\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <label>Two-factor code (if you turned it on) <input name=\"otp_attempt\" autocomplete=\"one-time-code\" inputmode=\"numeric\"></label>\
         <button class=\"primary\" name=\"decision\" value=\"approve\" type=\"submit\">Authorize</button>\
         <button name=\"decision\" value=\"deny\" type=\"submit\" formnovalidate>Deny</button></form>",
        name = escape_html(&request.app.name),
        login = escape_html(params.login.as_deref().unwrap_or_default()),
    )
}

/// The request's own fields, carried through the form.
fn hidden_request_fields(request: &ValidRequest, params: &AuthorizeParams) -> String {
    [
        hidden("response_type", Some("code")),
        hidden("client_id", Some(&request.app.client_id)),
        hidden("redirect_uri", Some(&request.redirect_uri)),
        hidden("scope", Some(&request.scopes.to_string())),
        hidden("state", params.state.as_deref()),
        hidden("code_challenge", params.code_challenge.as_deref()),
        hidden(
            "code_challenge_method",
            params.code_challenge_method.as_deref(),
        ),
    ]
    .concat()
}

fn page(status: StatusCode, body: &str) -> Response {
    // Styled by the site's stylesheet; the Content-Security-Policy and framing headers
    // come from `web::security` like every HTML page's.
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>Roost: sign in</title>\
         <link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body><main class=\"narrow\"><section class=\"card stack\">{body}</section></main></body></html>",
        stylesheet = crate::web::stylesheet_path(),
    );
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert(
        "cache-control",
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
