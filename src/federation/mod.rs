//! ActivityPub federation: wire types (`protocol/`, no I/O), HTTP signatures, the
//! URLs of Roost's objects, outbound activities, follows across servers, and (as they
//! land) discovery, actors, the inbox and collections.
//!
//! Specs: ActivityPub (<https://www.w3.org/TR/activitypub/>), ActivityStreams 2.0,
//! draft-cavage HTTP signatures as Mastodon uses them
//! (<https://docs.joinmastodon.org/spec/security/>).

pub mod actor_collections;
pub mod actor_keys;
pub mod actors;
pub mod attachments;
pub mod authentication;
pub mod builders;
pub mod cards;
pub mod collection_sync;
pub mod discovery;
pub mod domain_policy;
pub mod emojis;
pub mod endorsements;
pub mod featured_tags;
pub mod fetch;
pub mod inbound;
pub mod inbox;
pub mod outbound;
pub mod posts;
pub mod protocol;
pub mod resolve;
pub mod signatures;
pub mod stamps;
pub mod suspensions;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// The federation routes: discovery, actors, collections and inboxes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(discovery::webfinger))
        .route("/.well-known/host-meta", get(discovery::host_meta))
        .route("/.well-known/nodeinfo", get(discovery::nodeinfo_links))
        .route("/nodeinfo/{version}", get(discovery::nodeinfo))
        .route("/actor", get(actors::instance))
        .route("/inbox", post(inbox::shared))
        .route("/users/{name}", get(actors::actor))
        .route("/@{name}", get(actors::actor))
        .route("/users/{name}/inbox", post(inbox::personal))
        .route("/users/{name}/statuses/{id}", get(actors::status))
        .route("/users/{name}/statuses/{id}/replies", get(actors::replies))
        .route(
            "/users/{name}/quote_authorizations/{id}",
            get(actors::quote_authorization),
        )
        .route(
            "/users/{name}/reply_authorizations/{id}",
            get(actors::reply_authorization),
        )
        .route("/emojis/{id}", get(actors::emoji))
        .route("/@{name}/{id}", get(actors::status))
        .route("/users/{name}/outbox", get(actors::outbox))
        .route("/users/{name}/followers", get(actors::followers))
        .route(
            "/users/{name}/followers_synchronization",
            get(actors::followers_synchronization),
        )
        .route("/users/{name}/stories/{id}", get(actors::story))
        .route("/users/{name}/following", get(actors::following))
        .route("/users/{name}/collections/featured", get(actors::featured))
        .route("/users/{name}/collections/tags", get(actors::featured_tags))
        .route(
            "/users/{name}/collections/endorsements",
            get(actors::endorsements),
        )
}
