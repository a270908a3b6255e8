//! The schema: the three root types with the request limits of [`super::limits`]
//! and Automatic Persisted Queries, built once per router. Its SDL is committed as
//! `docs/graphql.graphql` (`roost graphql-schema` prints it; a test compares them).
//!
//! Not here: the fields (`query`, `mutation`, `subscription`, `types`).
//! Spec: <https://spec.graphql.org/October2021/>, Automatic Persisted Queries:
//! <https://www.apollographql.com/docs/apollo-server/performance/apq>.

use std::sync::Arc;

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Request, Schema, ServerError, ServerResult};

use super::limits::{
    self, MAX_COMPLEXITY, MAX_DEPTH, MAX_EXPANDED_FIELDS, MAX_NESTING, PERSISTED_QUERIES,
};
use super::mutation::MutationRoot;
use super::query::QueryRoot;
use super::subscription::SubscriptionRoot;

/// Roost's GraphQL schema.
pub type RoostSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Most directives one field may carry.
const MAX_DIRECTIVES: usize = 8;

/// The schema with its limits, its persisted-query cache (bounded, per process) and
/// its text check. The state and the caller are each request's data, not the
/// schema's.
pub fn build() -> RoostSchema {
    Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        // First: the query is measured before the persisted-query step keeps it.
        .extension(TextLimits)
        .extension(ApolloPersistedQueries::new(LruCacheStorage::new(
            PERSISTED_QUERIES,
        )))
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_NESTING)
        .limit_directives(MAX_DIRECTIVES)
        .finish()
}

/// The process's schema, built on first use, so that a server whose GraphQL API is
/// not called does not carry it (B6, idle memory).
pub fn shared() -> &'static RoostSchema {
    static SCHEMA: std::sync::OnceLock<RoostSchema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(build)
}

/// The schema in SDL, as `docs/graphql.graphql` holds it.
pub fn sdl() -> String {
    build().sdl()
}

/// Refuses a query whose text is too long or nested too deep, before anything parses
/// it, and one whose fragments write out to too many fields (or without end), before
/// any walk of the document follows them (over HTTP and WebSocket alike; a persisted
/// query is checked when it is registered).
struct TextLimits;

impl ExtensionFactory for TextLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TextLimits)
    }
}

#[async_trait::async_trait]
impl Extension for TextLimits {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let mut request = request;
        if !request.query.is_empty() {
            limits::check_text(&request.query)
                .map_err(|refusal| ServerError::new(refusal.message(), None))?;
            // Parsed here (and kept for the execution) so that the size is known before
            // any walk of the document follows its fragments.
            let document = request.parsed_query()?;
            if limits::expanded_fields(document) > MAX_EXPANDED_FIELDS {
                return Err(ServerError::new(
                    format!("The query selects more than {MAX_EXPANDED_FIELDS} fields with its fragments written out"),
                    None,
                ));
            }
        }
        next.run(ctx, request).await
    }
}
