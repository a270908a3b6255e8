//! One middleware around every route that keeps malformed input from reaching a handler
//! and keeps every refusal in Mastodon's error shape, `{"error": "…"}`:
//!
//! - **Before** the handler: a request URI whose path is not UTF-8 once percent-decoded
//!   (`/api/v1/accounts/%FF`), or whose path or query contains a NUL character
//!   (`%00`, which PostgreSQL cannot store, see [`crate::domain::nul`]), is answered
//!   400. Request bodies are checked where they are read (`api::params`: 422).
//! - **After** it: axum's own rejections (a query string that does not deserialize, a
//!   WebSocket request without the upgrade headers, …) answer `text/plain`; their
//!   status is kept and their text moved into a JSON `error`.
//!
//! Handlers and extractors therefore need no per-route code for either.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::domain::nul::has_nul;
use crate::error::ApiError;

/// Longest plain-text rejection rewritten as JSON; axum's are one short sentence.
const MAX_PLAIN_ERROR_BYTES: usize = 16 * 1024;

/// The middleware: refuses malformed URIs, runs the request, reshapes plain-text
/// error responses. Install it once, on the whole router.
pub async fn uniform_input(request: Request, next: Next) -> Response {
    if let Err(error) = check_uri(request.uri()) {
        return error.into_response();
    }
    let response = next.run(request).await;
    if is_plain_text_error(&response) {
        return plain_error_as_json(response).await;
    }
    response
}

/// Refuses a path that is not UTF-8 after percent-decoding, and NUL characters in the
/// path or the query (raw or percent-encoded).
fn check_uri(uri: &Uri) -> Result<(), ApiError> {
    let path: Vec<u8> = percent_encoding::percent_decode_str(uri.path()).collect();
    if path.contains(&0) {
        return Err(ApiError::BadRequest(
            "The request path must not contain NUL characters".into(),
        ));
    }
    if std::str::from_utf8(&path).is_err() {
        return Err(ApiError::BadRequest(
            "The request path is not valid UTF-8".into(),
        ));
    }
    let query = uri.query().unwrap_or_default();
    let nul_in_query = form_urlencoded::parse(query.as_bytes())
        .any(|(key, value)| has_nul(&key) || has_nul(&value));
    if nul_in_query {
        return Err(ApiError::BadRequest(
            "Query parameters must not contain NUL characters".into(),
        ));
    }
    Ok(())
}

fn is_plain_text_error(response: &Response) -> bool {
    let status = response.status();
    let plain = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"));
    plain && (status.is_client_error() || status.is_server_error())
}

/// The same status and headers, with the text as `{"error": text}`.
async fn plain_error_as_json(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_PLAIN_ERROR_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let text = if text.is_empty() {
        parts
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_owned()
    } else {
        text
    };
    parts.headers.remove(CONTENT_TYPE);
    parts.headers.remove(CONTENT_LENGTH);
    let json = Json(json!({ "error": text })).into_response();
    let (json_parts, json_body) = json.into_parts();
    parts.headers.extend(json_parts.headers);
    Response::from_parts(parts, Body::new(json_body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(uri: &str) -> bool {
        check_uri(&uri.parse().expect("a URI")).is_err()
    }

    #[test]
    fn nul_anywhere_in_the_uri_and_non_utf8_paths_are_refused() {
        assert!(refused("/api/v1/accounts/%FF"));
        assert!(refused("/api/v1/timelines/tag/a%00b"));
        assert!(refused("/api/v2/search?q=a%00b"));
        assert!(refused("/api/v2/search?a%00=b"));
    }

    #[test]
    fn ordinary_uris_pass() {
        assert!(!refused("/api/v1/timelines/tag/caf%C3%A9?limit=5&q=%2Fx+y"));
        assert!(!refused("/@alice"));
        assert!(!refused("/api/v2/search?q=%FF"));
    }
}
