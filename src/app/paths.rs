//! Request paths normalised before routing, as Mastodon's router (Rails) does: a
//! trailing slash and repeated slashes do not matter, so `/api/v1/reports/` and
//! `/api//v1/instance` reach the same handler as `/api/v1/reports` and
//! `/api/v1/instance` (Mastodon.py calls several endpoints with a trailing slash).
//! The query string is kept as sent, and `/` stays `/`.
//!
//! Routing happens inside a [`Router`], and a router's own layers run after routing,
//! so the rewrite wraps the finished router from outside ([`normalizing`]). The path
//! as received stays available as [`OriginalUri`]: an HTTP signature covers the
//! `(request-target)` the peer sent, slash and all.
//!
//! Rails' rule: `ActionDispatch::Journey::Router::Utils.normalize_path`.

use axum::extract::{OriginalUri, Request};
use axum::http::uri::{PathAndQuery, Uri};
use axum::Router;
use tower::util::MapRequestLayer;
use tower::Layer;

/// `router` behind the path normalisation: every request is routed by its normalised
/// path (see the module docs). The result is still a [`Router`], served like any other.
pub fn normalizing(router: Router) -> Router {
    let normalized = MapRequestLayer::new(normalize_request).layer(router);
    Router::new().fallback_service(normalized)
}

/// Rewrites the request's URI to its normalised form, first recording the URI as
/// received in [`OriginalUri`] (unless an outer router already did).
fn normalize_request(mut request: Request) -> Request {
    let Some(uri) = normalized_uri(request.uri()) else {
        return request;
    };
    if request.extensions().get::<OriginalUri>().is_none() {
        let original = OriginalUri(request.uri().clone());
        request.extensions_mut().insert(original);
    }
    *request.uri_mut() = uri;
    request
}

/// The URI with its path normalised, or `None` when it already is (or is not an
/// origin-form path, e.g. `*`).
fn normalized_uri(uri: &Uri) -> Option<Uri> {
    let path = normalized_path(uri.path())?;
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

/// `path` without repeated or trailing slashes (`/` itself stays), or `None` when
/// nothing changes.
fn normalized_path(path: &str) -> Option<String> {
    if !path.starts_with('/') || !(path.contains("//") || (path.len() > 1 && path.ends_with('/'))) {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    Some(format!("/{}", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_is_dropped_and_repeated_slashes_are_squeezed() {
        assert_eq!(
            normalized_path("/api/v1/reports/").as_deref(),
            Some("/api/v1/reports")
        );
        assert_eq!(
            normalized_path("//api//v1/instance//").as_deref(),
            Some("/api/v1/instance")
        );
        assert_eq!(normalized_path("//").as_deref(), Some("/"));
    }

    #[test]
    fn normal_paths_and_the_root_are_left_alone() {
        assert_eq!(normalized_path("/"), None);
        assert_eq!(normalized_path("/api/v1/instance"), None);
        assert_eq!(normalized_path("*"), None);
    }

    #[test]
    fn the_query_string_is_kept_as_sent() {
        let uri: Uri = "/api/v1/timelines/public/?local=true&max_id=1/"
            .parse()
            .expect("valid URI");
        let normalized = normalized_uri(&uri).expect("changed");
        assert_eq!(
            normalized.to_string(),
            "/api/v1/timelines/public?local=true&max_id=1/"
        );
    }

    #[test]
    fn an_absolute_uri_keeps_its_scheme_and_authority() {
        let uri: Uri = "http://example.com/users/alice/inbox/?a=b"
            .parse()
            .expect("valid URI");
        let normalized = normalized_uri(&uri).expect("changed");
        assert_eq!(
            normalized.to_string(),
            "http://example.com/users/alice/inbox?a=b"
        );
    }
}
