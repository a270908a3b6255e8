//! Response headers that keep HTML pages safe in a browser, added to every `text/html`
//! response (pages, the OAuth consent page, error pages): a strict Content-Security-
//! Policy (no inline script or style; scripts and styles only from this server; images
//! and media also from other servers, as remote avatars and photos are shown where they
//! are stored), no framing, no MIME sniffing, and no full URLs in `Referer` to other
//! sites.

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The policy with HTTPS everywhere.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' https: data: blob:; media-src 'self' https:; connect-src 'self'; \
    form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'; manifest-src 'self'";

/// The policy for `ROOST_INSECURE_HTTP` (local use and tests): other servers' media may
/// be on plain HTTP too, and forms may go back to an app's `http://` redirect URI.
const POLICY_INSECURE: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' http: https: data: blob:; media-src 'self' http: https:; connect-src 'self'; \
    form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'; manifest-src 'self'";

/// Middleware: adds the headers to HTML responses.
pub async fn headers_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // The consent form's answer redirects to the app's own URI, often a custom scheme
    // (`tusky://…`), which browsers check against `form-action`: that page goes without.
    let oauth = request.uri().path().starts_with("/oauth/");
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_html {
        let policy = if state.config.insecure_http {
            POLICY_INSECURE
        } else {
            POLICY
        };
        let policy = if oauth {
            policy
                .split("; ")
                .filter(|d| !d.starts_with("form-action"))
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            policy.to_owned()
        };
        let headers = response.headers_mut();
        // A page that set its own policy keeps it (the development-only GraphiQL page).
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.entry(CONTENT_SECURITY_POLICY).or_insert(value);
        }
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        // A page whose URL holds a secret (a reset link) chose a stricter policy.
        headers
            .entry(REFERRER_POLICY)
            .or_insert(HeaderValue::from_static("same-origin"));
    }
    response
}
