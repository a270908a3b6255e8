//! The pages that the links in Roost's mail open, and the form that asks for a
//! password reset link: short pages in the site's stylesheet, without script, whose
//! forms carry the visitor's CSRF token (see `web::session`).
//!
//! - `GET /auth/confirmation?confirmation_token=…`: confirms the address
//!   (`services::email_confirmation::confirm`) and says so.
//! - `GET`/`POST /auth/password/new`: asks for a reset link by address
//!   (`services::password_reset::request`); the answer is the same whether or not the
//!   address is known.
//! - `GET`/`POST /auth/password/edit?reset_password_token=…`: chooses the new password
//!   (`services::password_reset::reset`).
//!
//! Every page is `no-store`, sends no `Referer` (the URL holds a token) and may not be
//! framed. Every value shown is escaped.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::api::params::Params;
use crate::domain::text::escape_html;
use crate::services::email_confirmation::{self, ConfirmError};
use crate::services::password_reset::{self, ResetError};
use crate::state::AppState;
use crate::web::session::Visitor;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/confirmation", get(confirmation))
        .route(
            "/auth/password/new",
            get(new_password_form).post(request_reset),
        )
        .route(
            "/auth/password/edit",
            get(edit_password_form).post(reset_password),
        )
}

/// Query of `GET /auth/confirmation`.
#[derive(Debug, Default, Deserialize)]
pub struct ConfirmationParams {
    confirmation_token: Option<String>,
}

/// Confirms the address of the link's user.
pub async fn confirmation(
    State(state): State<AppState>,
    Params(params): Params<ConfirmationParams>,
) -> Response {
    let token = params.confirmation_token.unwrap_or_default();
    match email_confirmation::confirm(&state, &token).await {
        Ok(account) => page(
            StatusCode::OK,
            "E-mail address confirmed",
            &format!(
                "<p>Thank you, {}: your e-mail address is confirmed. You can now use your account.</p>",
                escape_html(&account.username)
            ),
        ),
        Err(ConfirmError::Internal(error)) => internal(error),
        Err(refused) => refusal(&refused.to_string(), link_refused_status(&refused)),
    }
}

fn link_refused_status(error: &ConfirmError) -> StatusCode {
    match error {
        ConfirmError::Unknown => StatusCode::NOT_FOUND,
        ConfirmError::Taken => StatusCode::CONFLICT,
        _ => StatusCode::GONE,
    }
}

/// Form of `POST /auth/password/new`.
#[derive(Debug, Default, Deserialize)]
pub struct ResetRequestParams {
    email: Option<String>,
    authenticity_token: Option<String>,
}

/// The form asking for a reset link.
pub async fn new_password_form(visitor: Visitor) -> Response {
    page(
        StatusCode::OK,
        "Forgot your password?",
        &format!(
            "<form class=\"stack\" method=\"post\" action=\"/auth/password/new\">{token}\
             <div><label for=\"email\">E-mail address</label>\
             <input id=\"email\" type=\"email\" name=\"email\" autocomplete=\"email\" required></div>\
             <button class=\"primary\" type=\"submit\">Send me a link</button></form>",
            token = token_field(&visitor)
        ),
    )
}

/// The hidden CSRF field of a form.
fn token_field(visitor: &Visitor) -> String {
    format!(
        "<input type=\"hidden\" name=\"authenticity_token\" value=\"{}\">",
        escape_html(&visitor.csrf)
    )
}

/// Whether a submitted form carries the visitor's CSRF token.
fn forged(visitor: &Visitor, sent: Option<&str>) -> bool {
    !visitor.csrf_matches(sent.unwrap_or_default())
}

/// Mails a reset link when the address belongs to an account; answers the same
/// either way.
pub async fn request_reset(
    State(state): State<AppState>,
    visitor: Visitor,
    Params(params): Params<ResetRequestParams>,
) -> Response {
    if forged(&visitor, params.authenticity_token.as_deref()) {
        return refusal(
            "This form expired. Please try again.",
            StatusCode::FORBIDDEN,
        );
    }
    let email = params.email.unwrap_or_default();
    if let Err(error) = password_reset::request(&state, &email).await {
        return internal(error);
    }
    page(
        StatusCode::OK,
        "Check your mail",
        "<p>If an account uses this address, a link to choose a new password is on its way. It works for one hour.</p>",
    )
}

/// Query or form of `/auth/password/edit`.
#[derive(Debug, Default, Deserialize)]
pub struct ResetParams {
    authenticity_token: Option<String>,
    reset_password_token: Option<String>,
    password: Option<String>,
    password_confirmation: Option<String>,
}

/// The form choosing a new password.
pub async fn edit_password_form(visitor: Visitor, Params(params): Params<ResetParams>) -> Response {
    let token = params.reset_password_token.unwrap_or_default();
    page(
        StatusCode::OK,
        "Choose a new password",
        &password_form(&visitor, &token, None),
    )
}

/// Sets the new password.
pub async fn reset_password(
    State(state): State<AppState>,
    visitor: Visitor,
    Params(params): Params<ResetParams>,
) -> Response {
    if forged(&visitor, params.authenticity_token.as_deref()) {
        return refusal(
            "This form expired. Please try again.",
            StatusCode::FORBIDDEN,
        );
    }
    let token = params.reset_password_token.unwrap_or_default();
    let password = params.password.unwrap_or_default();
    if params.password_confirmation.as_deref() != Some(password.as_str()) {
        let form = password_form(&visitor, &token, Some("The two passwords differ."));
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a new password",
            &form,
        );
    }
    match password_reset::reset(&state, &token, &password).await {
        Ok(changed) => {
            // Whoever had the old password loses the browsers it signed in, too.
            if let Err(error) =
                crate::db::web_sessions::delete_all_but(&state.db, changed.user_id, None).await
            {
                return internal(error.into());
            }
            page(
            StatusCode::OK,
            "Password changed",
            "<p>Your password is changed, and every app and browser signed in to your account was signed out. <a href=\"/auth/sign_in\">Sign in</a> again with the new password.</p>",
        )
        }
        Err(ResetError::InvalidPassword(why)) => {
            let form = password_form(&visitor, &token, Some(&why.reason));
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose a new password",
                &form,
            )
        }
        Err(ResetError::Busy(_)) => refusal(
            "The server is busy; try again in a moment.",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        Err(ResetError::Internal(error)) => internal(error),
        Err(refused @ ResetError::Unknown) => refusal(&refused.to_string(), StatusCode::NOT_FOUND),
        Err(refused) => refusal(&refused.to_string(), StatusCode::GONE),
    }
}

fn password_form(visitor: &Visitor, token: &str, problem: Option<&str>) -> String {
    let problem = problem
        .map(|text| format!("<p class=\"error-text\">{}</p>", escape_html(text)))
        .unwrap_or_default();
    format!(
        "{problem}<form class=\"stack\" method=\"post\" action=\"/auth/password/edit\">{csrf}\
         <input type=\"hidden\" name=\"reset_password_token\" value=\"{token}\">\
         <div><label for=\"password\">New password</label><input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" maxlength=\"72\" required></div>\
         <div><label for=\"password_confirmation\">The same again</label><input id=\"password_confirmation\" type=\"password\" name=\"password_confirmation\" autocomplete=\"new-password\" required></div>\
         <button class=\"primary\" type=\"submit\">Change my password</button></form>",
        csrf = token_field(visitor),
        token = escape_html(token),
    )
}

fn refusal(message: &str, status: StatusCode) -> Response {
    page(
        status,
        "This link cannot be used",
        &format!("<p class=\"error-text\">{}</p>", escape_html(message)),
    )
}

fn internal(error: anyhow::Error) -> Response {
    tracing::error!(error = format!("{error:#}"), "an e-mail link page failed");
    refusal(
        "Something went wrong on our side; try again later.",
        StatusCode::INTERNAL_SERVER_ERROR,
    )
}

/// A whole page: `title` is text (escaped here), `body` is HTML built from escaped
/// values.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape_html(title);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body><main class=\"narrow\"><section class=\"card stack\"><h1>{title}</h1>{body}</section></main></body></html>",
        stylesheet = crate::web::stylesheet_path(),
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    // The Content-Security-Policy and framing headers come from `web::security`.
    for (name, value) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
