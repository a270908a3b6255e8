//! The one error type of the HTTP layer and its mapping to responses in Mastodon's shape:
//! `{"error": "…"}` (plus `error_description` for OAuth errors, RFC 6749 §5.2, and
//! `details` for validation errors, as Mastodon sends them).
//!
//! 5xx bodies never say anything internal: the cause is logged once, here, inside the
//! request's span.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// One field's validation failure, reported in Mastodon's `details` object.
#[derive(Debug)]
pub struct FieldError {
    /// The input field at fault, as the client named it.
    pub field: &'static str,
    /// Mastodon-style error code, e.g. `ERR_TAKEN`.
    pub code: &'static str,
    /// Human-readable reason.
    pub reason: String,
}

/// Everything a handler can fail with. Variants are named by meaning, not by status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The resource does not exist or the caller may not know it exists.
    #[error("Record not found")]
    NotFound,
    /// No valid credentials (missing, malformed, expired or revoked token).
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials that do not allow this action (scope, role, account state).
    #[error("{0}")]
    Forbidden(String),
    /// Input that is well-formed but breaks rules; one entry per offending field.
    #[error("Validation failed: {}", .0.iter().map(|e| e.reason.as_str()).collect::<Vec<_>>().join(", "))]
    Validation(Vec<FieldError>),
    /// A body or parameter list that cannot be parsed at all (malformed JSON, broken
    /// form keys): 400, as Rails answers Mastodon clients.
    #[error("{0}")]
    BadRequest(String),
    /// Parameters that parse but cannot be used (wrong types, missing fields).
    #[error("{0}")]
    Unprocessable(String),
    /// The request body is larger than this endpoint accepts.
    #[error("Request body is too large")]
    PayloadTooLarge,
    /// Too many requests from this client; the headers carry the X-RateLimit-* values.
    #[error("Too many requests")]
    RateLimited(HeaderMap),
    /// The server cannot take this request now (e.g. every password hasher is busy);
    /// answered 503 with `Retry-After`, in seconds.
    #[error("The server is busy, try again later")]
    Overloaded {
        /// When the client may try again.
        retry_after: std::time::Duration,
    },
    /// An OAuth 2 error (RFC 6749 §5.2) with its registered error code.
    #[error("{code}: {description}")]
    OAuth {
        /// HTTP status: 400 for most codes, 401 for `invalid_client`.
        status: StatusCode,
        /// Registered error code, e.g. `invalid_grant`.
        code: &'static str,
        /// Human-readable description.
        description: String,
    },
    /// The database cannot be reached right now: 503 with `Retry-After`, so clients
    /// and load balancers try again instead of waiting. The cause is logged, never shown.
    #[error("Service temporarily unavailable, try again shortly")]
    Unavailable(anyhow::Error),
    /// A failure that is not the client's fault. Logged, never shown.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Checks that an optional text parameter is at most `max` characters.
pub fn check_length(field: &'static str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(text) if text.chars().count() > max => Err(ApiError::validation(
            field,
            "ERR_TOO_LONG",
            format!("{field} is too long (maximum is {max} characters)"),
        )),
        _ => Ok(()),
    }
}

/// A required title (of a list, of a filter): `ERR_BLANK` when it is missing or blank,
/// `ERR_TOO_LONG` past `max` characters, with Mastodon's messages; the title as sent.
pub fn required_title(sent: Option<&str>, max: usize) -> Result<&str, ApiError> {
    let title = sent.unwrap_or_default();
    if title.trim().is_empty() {
        return Err(ApiError::validation(
            "title",
            "ERR_BLANK",
            "Title can't be blank",
        ));
    }
    if title.chars().count() > max {
        return Err(ApiError::validation(
            "title",
            "ERR_TOO_LONG",
            format!("Title is too long (maximum is {max} characters)"),
        ));
    }
    Ok(title)
}

/// Seconds a client is asked to wait (`Retry-After`) while the database is away.
const RETRY_AFTER_SECS: u64 = 5;

impl ApiError {
    /// Shorthand for a validation error on one field.
    pub fn validation(field: &'static str, code: &'static str, reason: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError {
            field,
            code,
            reason: reason.into(),
        }])
    }

    /// Shorthand for an OAuth error answered with 400 Bad Request.
    pub fn oauth(code: &'static str, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            status: StatusCode::BAD_REQUEST,
            code,
            description: description.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Validation(_) | ApiError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::OAuth { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl ApiError {
    /// Seconds a 503 asks the client to wait (`Retry-After`): the password hashers'
    /// queue says how long, a database outage gets [`RETRY_AFTER_SECS`].
    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::Overloaded { retry_after } => Some(
                retry_after
                    .as_secs()
                    .saturating_add(u64::from(retry_after.subsec_nanos() > 0))
                    .max(1),
            ),
            ApiError::Unavailable(_) => Some(RETRY_AFTER_SECS),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::from(anyhow::Error::from(error))
    }
}

/// A failure is `Unavailable` when a database error in its chain says PostgreSQL is
/// unreachable (see [`crate::db::is_unreachable`]), `Internal` otherwise.
impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        let unreachable = error
            .chain()
            .filter_map(|cause| cause.downcast_ref::<sqlx::Error>())
            .any(crate::db::is_unreachable);
        if unreachable {
            ApiError::Unavailable(error)
        } else {
            ApiError::Internal(error)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Validation(errors) => {
                let mut details = serde_json::Map::new();
                for error in errors {
                    let entry = details
                        .entry(error.field)
                        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                    if let serde_json::Value::Array(list) = entry {
                        list.push(json!({ "error": error.code, "description": error.reason }));
                    }
                }
                json!({ "error": self.to_string(), "details": details })
            }
            ApiError::OAuth {
                code, description, ..
            } => json!({ "error": code, "error_description": description }),
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                json!({ "error": "Internal server error" })
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %format!("{cause:#}"), "database unreachable");
                json!({ "error": self.to_string() })
            }
            _ => json!({ "error": self.to_string() }),
        };
        let retry_after = self.retry_after_secs();
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited(headers) = self {
            response.headers_mut().extend(headers);
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"Roost\""),
            );
        }
        response
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
