//! Turning templates into responses, and failures into HTML error pages: a browser
//! never gets Mastodon's JSON error, and a server error says nothing internal (the
//! cause is logged once, in the request's span).

use askama::Template;
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;
use crate::web::texts::EN;

/// A failed page, shown as an HTML error page.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    Forbidden,
    /// The form's CSRF token is missing or wrong (an old tab, or another site).
    BadForm,
    RateLimited,
    Internal(anyhow::Error),
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::NotFound => PageError::NotFound,
            ApiError::Forbidden(_) | ApiError::Unauthorized(_) => PageError::Forbidden,
            ApiError::RateLimited(_) => PageError::RateLimited,
            ApiError::Internal(error) | ApiError::Unavailable(error) => PageError::Internal(error),
            other => PageError::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        PageError::Internal(error.into())
    }
}

/// The result of a page handler.
pub type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    text: &'static str,
    stylesheet: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, text) = match &self {
            PageError::NotFound => (StatusCode::NOT_FOUND, EN.not_found_title, EN.not_found_text),
            PageError::Forbidden => (StatusCode::FORBIDDEN, EN.forbidden_title, EN.not_found_text),
            PageError::BadForm => (StatusCode::FORBIDDEN, EN.forbidden_title, EN.bad_form),
            PageError::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                EN.error_title,
                EN.too_many_attempts,
            ),
            PageError::Internal(error) => {
                tracing::error!(error = %format!("{error:#}"), "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    EN.error_title,
                    EN.error_text,
                )
            }
        };
        let page = ErrorPage {
            title,
            text,
            stylesheet: crate::web::assets::stylesheet_path(),
        };
        html(status, &page)
    }
}

/// Renders `template` as an HTML response with `status`. Pages vary on `Accept` (the
/// same URLs answer ActivityStreams JSON) and on the cookie (signed-in pages differ),
/// and are never stored by shared caches.
pub fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (
            status,
            [
                (VARY, HeaderValue::from_static("Accept, Cookie")),
                (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            ],
            Html(body),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page answering 200.
pub fn ok(template: &impl Template) -> PageResult {
    Ok(html(StatusCode::OK, template))
}

/// `303 See Other` to a path of this site (after a form: reloading shows, never
/// re-posts). Anything that is not a local path goes home instead.
pub fn see_other(path: &str) -> Response {
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    let target = if local { path } else { "/" };
    let location = HeaderValue::from_str(target).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// [`see_other`] that also sets a cookie.
pub fn see_other_with_cookie(path: &str, cookie: HeaderValue) -> Response {
    let mut response = see_other(path);
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}
