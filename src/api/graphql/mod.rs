//! The GraphQL API at `/api/graphql`: queries, mutations and (over a WebSocket at
//! `/api/graphql/ws`) subscriptions, with the REST API's OAuth tokens and scopes. A
//! transport like `api::v1`: resolvers extract their arguments, call the service
//! functions the REST handlers call and render the same entities. docs/graphql.md is
//! the guide for app developers; `docs/graphql.graphql` the schema.
//!
//! - [`schema`]: the schema with its limits and persisted queries; [`limits`]: the
//!   bounds of one request.
//! - [`query`], [`mutation`], [`subscription`]: the root types; [`types`]: the object
//!   types; [`paging`]: cursor connections; [`context`]: the caller, scopes, errors.
//!
//! Transport errors (an invalid token, a body that is not a GraphQL request or is too
//! large) are Mastodon-shaped `{"error": …}` with their 4xx, as everywhere in the
//! API; everything about the query (syntax, limits, a field's refusal) is a GraphQL
//! error in `errors`, with `extensions.code` and `extensions.status` for a field's.
//! Spec: <https://graphql.github.io/graphql-over-http/draft/>.

pub mod context;
pub mod limits;
pub mod mutation;
pub mod paging;
pub mod query;
pub mod schema;
pub mod subscription;
pub mod types;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use self::context::Caller;
use crate::auth::MaybeToken;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The GraphQL routes (they share `schema::shared`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/graphql",
            get(graphiql)
                .post(execute)
                .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES)),
        )
        .route("/api/graphql/ws", get(subscription::websocket))
}

/// `POST /api/graphql`: runs one GraphQL request (`{"query", "variables",
/// "operationName", "extensions"}`) as the caller of its token.
#[utoipa::path(post, path = "/api/graphql", tag = "graphql", operation_id = "graphql_execute",
    request_body(content = serde_json::Value, description = "A GraphQL request: query, variables, operationName, extensions.persistedQuery"),
    responses((status = 200, description = "A GraphQL response: data and errors"),
        (status = 400, description = "The body is not a GraphQL request"),
        (status = 401, description = "An invalid token"),
        (status = 413, description = "A body over 64 KiB")))]
pub async fn execute(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    body: Bytes,
) -> ApiResult<Json<async_graphql::Response>> {
    let request: async_graphql::Request = serde_json::from_slice(&body)
        .map_err(|error| ApiError::BadRequest(format!("Not a GraphQL request: {error}")))?;
    let request = request.data(state).data(Caller { token });
    Ok(Json(schema::shared().execute(request).await))
}

/// `GET /api/graphql`: the GraphiQL page, when `ROOST_GRAPHIQL` is on; 404 otherwise.
#[utoipa::path(get, path = "/api/graphql", tag = "graphql", operation_id = "graphql_graphiql",
    responses((status = 200, description = "The GraphiQL page (ROOST_GRAPHIQL=on)", content_type = "text/html"),
        (status = 404, description = "ROOST_GRAPHIQL is off")))]
pub async fn graphiql(State(state): State<AppState>) -> ApiResult<Response> {
    if !state.config.graphiql {
        return Err(ApiError::NotFound);
    }
    let nonce = format!("{:032x}", rand::random::<u128>());
    // GraphiQL comes from a CDN and boots from one inline script: this page's own
    // policy allows exactly those (the site's stricter one is kept for every other page).
    let policy = format!(
        "default-src 'none'; script-src https://unpkg.com 'nonce-{nonce}'; \
         style-src https://unpkg.com 'unsafe-inline'; img-src data: https:; font-src https://unpkg.com data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    let page = GRAPHIQL_PAGE.replace("{nonce}", &nonce);
    let mut response = (StatusCode::OK, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    Ok(response)
}

/// The GraphiQL page (development only): GraphiQL 3 and React 18 from unpkg, talking
/// to `/api/graphql` on this server; tokens go in its headers editor.
const GRAPHIQL_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Roost GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
<style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script nonce="{nonce}">
  const fetcher = GraphiQL.createFetcher({ url: "/api/graphql" });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultHeaders: '{ "Authorization": "Bearer YOUR_TOKEN" }',
    isHeadersEditorEnabled: true,
  }));
</script>
</body>
</html>
"#;
