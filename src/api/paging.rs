//! Mastodon-style paging of lists: `max_id` / `since_id` / `min_id` / `limit` in, a
//! `Link` header with `rel="next"` (older) and `rel="prev"` (newer) out
//! (<https://docs.joinmastodon.org/api/guidelines/#pagination>).

use axum::http::{HeaderMap, HeaderValue};
use serde::Deserialize;

use crate::db::Page;
use crate::domain::Id;

/// Paging parameters as clients send them (ids as strings).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    pub max_id: Option<String>,
    pub since_id: Option<String>,
    pub min_id: Option<String>,
    pub limit: Option<String>,
}

impl PageParams {
    /// Bounds for the query: ids that do not parse are ignored, `limit` is clamped to
    /// 1..=`max` and defaults to `default`.
    pub fn page(&self, default: i64, max: i64) -> Page {
        let id = |text: &Option<String>| {
            text.as_deref()
                .and_then(|t| t.parse::<Id>().ok())
                .map(|id| id.0)
        };
        let limit = self
            .limit
            .as_deref()
            .and_then(|l| l.trim().parse::<i64>().ok())
            .unwrap_or(default)
            .clamp(1, max);
        Page {
            max_id: id(&self.max_id),
            since_id: id(&self.since_id),
            min_id: id(&self.min_id),
            limit,
        }
    }
}

/// Appends the filters that are set to `path` as a query string, for [`link_header`].
pub fn path_with_filters(path: &str, filters: &[(&str, Option<String>)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The `Link` header for a page whose items have the given paging ids (newest first):
/// next = older than the last, prev = newer than the first. No header for an empty page.
pub fn link_header(base_url: &str, path: &str, page_ids: &[i64], limit: i64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let (Some(first), Some(last)) = (page_ids.first(), page_ids.last()) else {
        return headers;
    };
    // `path` may already carry filters (`?local=true`): they stay on both links.
    let joiner = if path.contains('?') { '&' } else { '?' };
    let value = format!(
        "<{base_url}{path}{joiner}limit={limit}&max_id={last}>; rel=\"next\", \
         <{base_url}{path}{joiner}limit={limit}&min_id={first}>; rel=\"prev\""
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(axum::http::header::LINK, value);
    }
    headers
}
