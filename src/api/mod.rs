//! The Mastodon-compatible client API (`/api/v1`, `/api/v2`, `/oauth`): one route
//! table, the shared extractors, and the entities in `entities/`.
//!
//! Reference: <https://docs.joinmastodon.org/api/>. Differences are listed in
//! `docs/api.md`.

pub mod admin;
pub mod authorize;
pub mod entities;
pub mod graphql;
pub mod health;
pub mod oauth;
pub mod oembed;
pub mod openapi;
pub mod paging;
pub mod params;
pub mod streaming;
pub mod userinfo;
pub mod v1;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};

use crate::error::ApiError;
use crate::rate_limit::Bucket;
use crate::state::AppState;

/// Every client-API route.
pub fn router(state: &AppState) -> Router<AppState> {
    let limited =
        |bucket: Bucket| middleware::from_fn_with_state((state.clone(), bucket), rate_limit);
    Router::new()
        .route("/api/v1/apps", post(v1::apps::create))
        .route(
            "/api/v1/apps/verify_credentials",
            get(v1::apps::verify_credentials),
        )
        .route(
            "/api/v1/accounts",
            post(v1::accounts::register)
                .layer(limited(Bucket::SignUp))
                .get(v1::accounts::index),
        )
        .route(
            "/api/v1/accounts/verify_credentials",
            get(v1::accounts::verify_credentials),
        )
        .route(
            "/api/v1/accounts/update_credentials",
            patch(v1::accounts::update_credentials).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/accounts/lookup", get(v1::accounts::lookup))
        .route(
            "/api/v1/accounts/familiar_followers",
            get(v1::follows::familiar_followers),
        )
        .route(
            "/api/v1/accounts/relationships",
            get(v1::follows::relationships),
        )
        .route("/api/v1/accounts/search", get(v1::search::accounts))
        .route("/api/v2/search", get(v1::search::v2))
        .route(
            "/api/v1/accounts/{id}/statuses",
            get(v1::timelines::account),
        )
        .route(
            "/api/v2/media",
            post(v1::media::create_v2).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/media",
            post(v1::media::create_v1).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/media/{id}",
            get(v1::media::show)
                .put(v1::media::update)
                .delete(v1::media::delete),
        )
        .route(
            "/api/v1/statuses",
            post(v1::statuses::create).get(v1::statuses::index),
        )
        .route(
            "/api/v1/scheduled_statuses",
            get(v1::scheduled_statuses::index),
        )
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(v1::scheduled_statuses::show)
                .put(v1::scheduled_statuses::update)
                .delete(v1::scheduled_statuses::delete),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(v1::statuses::show)
                .delete(v1::statuses::delete)
                .put(v1::statuses::edit),
        )
        .route("/api/v1/statuses/{id}/history", get(v1::statuses::history))
        .route("/api/v1/statuses/{id}/source", get(v1::statuses::source))
        .route(
            "/api/v1/statuses/{id}/favourite",
            post(v1::interactions::favourite),
        )
        .route(
            "/api/v1/statuses/{id}/unfavourite",
            post(v1::interactions::unfavourite),
        )
        .route(
            "/api/v1/statuses/{id}/reblog",
            post(v1::interactions::reblog),
        )
        .route(
            "/api/v1/statuses/{id}/unreblog",
            post(v1::interactions::unreblog),
        )
        .route(
            "/api/v1/statuses/{id}/bookmark",
            post(v1::interactions::bookmark),
        )
        .route(
            "/api/v1/statuses/{id}/unbookmark",
            post(v1::interactions::unbookmark),
        )
        .route("/api/v1/statuses/{id}/pin", post(v1::interactions::pin))
        .route("/api/v1/statuses/{id}/unpin", post(v1::interactions::unpin))
        .route(
            "/api/v1/statuses/{id}/favourited_by",
            get(v1::interactions::favourited_by),
        )
        .route(
            "/api/v1/statuses/{id}/reblogged_by",
            get(v1::interactions::reblogged_by),
        )
        .route(
            "/api/v1/statuses/{id}/context",
            get(v1::interactions::context),
        )
        .route(
            "/api/v1_alpha/async_refreshes/{id}",
            get(v1::async_refreshes::show),
        )
        .route("/api/v1/roost/phone_verifications", post(v1::phone::start))
        .route(
            "/api/v1/roost/phone_verifications/{id}/confirm",
            post(v1::phone::confirm),
        )
        .route(
            "/api/v1/roost/phone",
            get(v1::phone::show).delete(v1::phone::remove),
        )
        .route(
            "/api/v1/roost/phone/two_factor",
            post(v1::phone::enable_two_factor).delete(v1::phone::disable_two_factor),
        )
        .route("/api/v1/notifications", get(v1::notifications::list))
        .route(
            "/api/v1/notifications/clear",
            post(v1::notifications::clear),
        )
        .route(
            "/api/v1/notifications/unread_count",
            get(v1::notifications::unread_count),
        )
        .route("/api/v1/notifications/{id}", get(v1::notifications::show))
        .route(
            "/api/v1/notifications/{id}/dismiss",
            post(v1::notifications::dismiss),
        )
        .route("/api/v1/streaming", get(streaming::socket::websocket))
        .route("/api/v1/streaming/health", get(streaming::health))
        .route("/api/v1/streaming/user", get(streaming::user))
        .route(
            "/api/v1/streaming/user/notification",
            get(streaming::user_notification),
        )
        .route("/api/v1/streaming/public", get(streaming::public))
        .route(
            "/api/v1/streaming/public/local",
            get(streaming::public_local),
        )
        .route(
            "/api/v1/streaming/public/remote",
            get(streaming::public_remote),
        )
        .route("/api/v1/streaming/hashtag", get(streaming::hashtag))
        .route(
            "/api/v1/streaming/hashtag/local",
            get(streaming::hashtag_local),
        )
        .route("/api/v1/streaming/list", get(streaming::list))
        .route("/api/v1/streaming/direct", get(streaming::direct))
        .route("/api/v2/admin/accounts", get(admin::accounts::list_v2))
        .route("/api/v1/admin/accounts", get(admin::accounts::list_v1))
        .route(
            "/api/v1/admin/accounts/{id}",
            get(admin::accounts::show).delete(admin::accounts::delete),
        )
        .route(
            "/api/v1/admin/accounts/{id}/action",
            post(admin::accounts::action),
        )
        .route(
            "/api/v1/admin/accounts/{id}/approve",
            post(admin::accounts::approve),
        )
        .route(
            "/api/v1/admin/accounts/{id}/reject",
            post(admin::accounts::reject),
        )
        .route(
            "/api/v1/admin/accounts/{id}/enable",
            post(admin::accounts::enable),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsilence",
            post(admin::accounts::unsilence),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsuspend",
            post(admin::accounts::unsuspend),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsensitive",
            post(admin::accounts::unsensitive),
        )
        .route(
            "/api/v1/admin/domain_blocks",
            get(admin::domains::list_blocks).post(admin::domains::create_block),
        )
        .route(
            "/api/v1/admin/domain_blocks/{id}",
            get(admin::domains::show_block)
                .put(admin::domains::update_block)
                .delete(admin::domains::delete_block),
        )
        .route(
            "/api/v1/admin/domain_allows",
            get(admin::domains::list_allows).post(admin::domains::create_allow),
        )
        .route(
            "/api/v1/admin/domain_allows/{id}",
            get(admin::domains::show_allow).delete(admin::domains::delete_allow),
        )
        .route("/api/v1/admin/reports", get(admin::reports::list))
        .route(
            "/api/v1/admin/reports/{id}",
            get(admin::reports::show).put(admin::reports::update),
        )
        .route(
            "/api/v1/admin/reports/{id}/assign_to_self",
            post(admin::reports::assign_to_self),
        )
        .route(
            "/api/v1/admin/reports/{id}/unassign",
            post(admin::reports::unassign),
        )
        .route(
            "/api/v1/admin/reports/{id}/resolve",
            post(admin::reports::resolve),
        )
        .route(
            "/api/v1/admin/reports/{id}/reopen",
            post(admin::reports::reopen),
        )
        .route(
            "/api/v1/admin/announcements",
            get(admin::announcements::list).post(admin::announcements::create),
        )
        .route(
            "/api/v1/admin/announcements/{id}",
            axum::routing::put(admin::announcements::update).delete(admin::announcements::delete),
        )
        .route("/api/v1/admin/deliveries", get(admin::deliveries::show))
        .route(
            "/api/v1/admin/deliveries/replay",
            post(admin::deliveries::replay),
        )
        .route(
            "/api/v1/push/subscription",
            get(v1::push::show)
                .post(v1::push::create)
                .put(v1::push::update)
                .delete(v1::push::delete),
        )
        .route(
            "/api/v1/markers",
            get(v1::notifications::markers).post(v1::notifications::set_markers),
        )
        .route("/api/v1/favourites", get(v1::interactions::favourites))
        .route("/api/v1/bookmarks", get(v1::interactions::bookmarks))
        .route("/api/v1/timelines/home", get(v1::timelines::home))
        .route("/api/v1/timelines/public", get(v1::timelines::public))
        .route("/api/v1/timelines/link", get(v1::timelines::link))
        .route("/api/v1/timelines/tag/{hashtag}", get(v1::timelines::tag))
        .route("/api/v1/timelines/list/{id}", get(v1::timelines::list))
        .route("/api/v1/roost/reels", get(v1::reels::feed))
        .route("/api/v1/roost/accounts/{id}/reels", get(v1::reels::account))
        .route(
            "/api/v1/roost/stories",
            get(v1::stories::tray).post(v1::stories::create),
        )
        .route(
            "/api/v1/roost/stories/{id}",
            get(v1::stories::show).delete(v1::stories::delete),
        )
        .route("/api/v1/roost/stories/{id}/seen", post(v1::stories::seen))
        .route(
            "/api/v1/roost/stories/{id}/viewers",
            get(v1::stories::viewers),
        )
        .route("/api/v1/roost/stories/{id}/reply", post(v1::stories::reply))
        .route(
            "/api/v1/roost/accounts/{id}/stories",
            get(v1::stories::of_account),
        )
        .route(
            "/api/v1/roost/close_friends",
            get(v1::stories::close_friends)
                .post(v1::stories::add_close_friends)
                .delete(v1::stories::remove_close_friends),
        )
        .route(
            "/api/v1/lists",
            get(v1::lists::index).post(v1::lists::create),
        )
        .route(
            "/api/v1/lists/{id}",
            get(v1::lists::show)
                .put(v1::lists::update)
                .delete(v1::lists::delete),
        )
        .route(
            "/api/v1/lists/{id}/accounts",
            get(v1::lists::accounts)
                .post(v1::lists::add_accounts)
                .delete(v1::lists::remove_accounts),
        )
        .route("/api/v1/accounts/{id}/lists", get(v1::lists::of_account))
        .route("/api/v1/conversations", get(v1::conversations::index))
        .route(
            "/api/v1/accounts/{id}/remove_from_followers",
            post(v1::follows::remove_from_followers),
        )
        .route("/api/v1/accounts/{id}/note", post(v1::endorsements::note))
        .route(
            "/api/v1/accounts/{id}/endorse",
            post(v1::endorsements::endorse),
        )
        .route("/api/v1/accounts/{id}/pin", post(v1::endorsements::pin))
        .route(
            "/api/v1/accounts/{id}/unendorse",
            post(v1::endorsements::unendorse),
        )
        .route("/api/v1/accounts/{id}/unpin", post(v1::endorsements::unpin))
        .route(
            "/api/v1/accounts/{id}/endorsements",
            get(v1::endorsements::of_account),
        )
        .route("/api/v1/endorsements", get(v1::endorsements::mine))
        .route("/api/v1/tags/{name}", get(v1::tags::show))
        .route("/api/v1/tags/{name}/follow", post(v1::tags::follow))
        .route("/api/v1/tags/{name}/unfollow", post(v1::tags::unfollow))
        .route("/api/v1/followed_tags", get(v1::tags::followed))
        .route(
            "/api/v1/profile",
            get(v1::accounts::profile)
                .patch(v1::accounts::update_profile)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/annual_reports", get(v1::annual_reports::index))
        .route(
            "/api/v1/statuses/{id}/mute",
            post(v1::interactions::mute_thread),
        )
        .route(
            "/api/v1/statuses/{id}/unmute",
            post(v1::interactions::unmute_thread),
        )
        .route(
            "/api/v1/annual_reports/{year}",
            get(v1::annual_reports::show),
        )
        .route(
            "/api/v1/annual_reports/{year}/read",
            post(v1::annual_reports::read),
        )
        .route(
            "/api/v1/featured_tags",
            get(v1::featured_tags::index).post(v1::featured_tags::create),
        )
        .route(
            "/api/v1/featured_tags/suggestions",
            get(v1::featured_tags::suggestions),
        )
        .route(
            "/api/v1/featured_tags/{id}",
            delete(v1::featured_tags::delete),
        )
        .route(
            "/api/v1/accounts/{id}/featured_tags",
            get(v1::featured_tags::of_account),
        )
        .route(
            "/api/v1/tags/{name}/feature",
            post(v1::featured_tags::feature_tag),
        )
        .route(
            "/api/v1/tags/{name}/unfeature",
            post(v1::featured_tags::unfeature_tag),
        )
        .route(
            "/api/v1/conversations/{id}",
            delete(v1::conversations::remove),
        )
        .route(
            "/api/v1/conversations/{id}/read",
            post(v1::conversations::read),
        )
        .route(
            "/api/v2/filters",
            get(v1::filters::index).post(v1::filters::create),
        )
        .route(
            "/api/v2/filters/{id}",
            get(v1::filters::show)
                .put(v1::filters::update)
                .delete(v1::filters::delete),
        )
        .route(
            "/api/v2/filters/{id}/keywords",
            get(v1::filters::keywords).post(v1::filters::add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(v1::filters::show_keyword)
                .put(v1::filters::update_keyword)
                .delete(v1::filters::delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(v1::filters::statuses).post(v1::filters::add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(v1::filters::show_status).delete(v1::filters::delete_status),
        )
        .route(
            "/api/v1/filters",
            get(v1::filters_v1::index).post(v1::filters_v1::create),
        )
        .route(
            "/api/v1/filters/{id}",
            get(v1::filters_v1::show)
                .put(v1::filters_v1::update)
                .delete(v1::filters_v1::delete),
        )
        .route("/api/v1/accounts/{id}/follow", post(v1::follows::follow))
        .route(
            "/api/v1/accounts/{id}/unfollow",
            post(v1::follows::unfollow),
        )
        .route(
            "/api/v1/accounts/{id}/followers",
            get(v1::follows::followers),
        )
        .route(
            "/api/v1/accounts/{id}/following",
            get(v1::follows::following),
        )
        .route("/api/v1/follow_requests", get(v1::follows::follow_requests))
        .route(
            "/api/v1/follow_requests/{id}/authorize",
            post(v1::follows::authorize),
        )
        .route(
            "/api/v1/follow_requests/{id}/reject",
            post(v1::follows::reject),
        )
        .route("/api/v1/accounts/{id}/block", post(v1::blocks::block))
        .route("/api/v1/accounts/{id}/unblock", post(v1::blocks::unblock))
        .route("/api/v1/accounts/{id}/mute", post(v1::blocks::mute))
        .route("/api/v1/accounts/{id}/unmute", post(v1::blocks::unmute))
        .route("/api/v1/blocks", get(v1::blocks::blocked))
        .route("/api/v1/mutes", get(v1::blocks::muted))
        .route(
            "/api/v1/domain_blocks",
            get(v1::domain_blocks::list)
                .post(v1::domain_blocks::create)
                .delete(v1::domain_blocks::delete),
        )
        .route("/api/v1/reports", post(v1::reports::create))
        .route("/api/v1/accounts/{id}", get(v1::accounts::show))
        .route("/api/v1/preferences", get(v1::preferences::show))
        .route("/api/v1/emails/confirmations", post(v1::emails::resend))
        .route(
            "/api/v1/emails/check_confirmation",
            get(v1::emails::check_confirmation),
        )
        .route(
            "/api/v1/profile/avatar",
            delete(v1::accounts::delete_avatar),
        )
        .route(
            "/api/v1/profile/header",
            delete(v1::accounts::delete_header),
        )
        .route("/api/v1/instance/rules", get(v1::instance::rules))
        .route("/api/v1/instance/peers", get(v1::instance::peers))
        .route(
            "/api/v1/instance/translation_languages",
            get(v1::instance::translation_languages),
        )
        .merge(instance_extra_routes())
        .merge(extras_routes())
        .route("/api/v1/directory", get(v1::directory::index))
        .route(
            "/oauth/userinfo",
            get(userinfo::show).post(userinfo::show_post),
        )
        .route("/api/v1/announcements", get(v1::announcements::index))
        .route(
            "/api/v1/announcements/{id}/dismiss",
            post(v1::announcements::dismiss),
        )
        .route(
            "/api/v1/announcements/{id}/reactions/{name}",
            axum::routing::put(v1::announcements::react).delete(v1::announcements::unreact),
        )
        .route("/api/v1/instance", get(v1::instance::v1))
        .route("/api/v2/instance", get(v1::instance::v2))
        .merge(notification_routes())
        .merge(admin_block_routes())
        .merge(explore_routes())
        .merge(admin_dashboard_routes())
        .merge(poll_routes())
        .route(
            "/oauth/token",
            post(oauth::token).layer(limited(Bucket::OAuthToken)),
        )
        .route("/oauth/revoke", post(oauth::revoke))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata),
        )
        .route("/api/v1/custom_emojis", get(v1::custom_emojis::index))
        .route("/api/openapi.json", get(openapi::serve))
        .merge(graphql::router())
        .layer(cors())
        // The sign-in page is for browsers on Roost's own origin: no CORS.
        .route(
            "/oauth/authorize",
            get(authorize::authorize_form)
                .post(authorize::authorize_submit)
                .layer(limited(Bucket::SignIn)),
        )
}

/// The instance's side routes beyond rules and peers.
fn instance_extra_routes() -> Router<AppState> {
    use v1::instance_extras as extras;
    Router::new()
        .route("/api/v1/instance/activity", get(extras::activity))
        .route("/api/v1/instance/domain_blocks", get(extras::domain_blocks))
        .route(
            "/api/v1/instance/extended_description",
            get(extras::extended_description),
        )
        .route(
            "/api/v1/instance/privacy_policy",
            get(extras::privacy_policy),
        )
        .route(
            "/api/v1/instance/terms_of_service",
            get(extras::terms_of_service),
        )
        .route(
            "/api/v1/instance/terms_of_service/{date}",
            get(extras::terms_of_service_of),
        )
}

/// IP blocks, e-mail domain blocks, canonical e-mail blocks and relays (admins). The
/// literal `test` wins over `{id}`.
fn admin_block_routes() -> Router<AppState> {
    use admin::email_blocks as email;
    use admin::ip_blocks as ip;
    Router::new()
        .route("/api/v1/admin/ip_blocks", get(ip::list).post(ip::create))
        .route(
            "/api/v1/admin/ip_blocks/{id}",
            get(ip::show).put(ip::update).delete(ip::delete),
        )
        .route(
            "/api/v1/admin/email_domain_blocks",
            get(email::list_domains).post(email::create_domain),
        )
        .route(
            "/api/v1/admin/relays",
            get(admin::relays::list).post(admin::relays::create),
        )
        .route(
            "/api/v1/admin/relays/{id}",
            axum::routing::delete(admin::relays::delete),
        )
        .route(
            "/api/v1/admin/relays/{id}/enable",
            post(admin::relays::enable),
        )
        .route(
            "/api/v1/admin/relays/{id}/disable",
            post(admin::relays::disable),
        )
        .route(
            "/api/v1/admin/email_domain_blocks/{id}",
            get(email::show_domain).delete(email::delete_domain),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks",
            get(email::list_canonical).post(email::create_canonical),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks/test",
            post(email::test_canonical),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks/{id}",
            get(email::show_canonical).delete(email::delete_canonical),
        )
}

/// Issue 15's extras: annual report state and generation, identity proofs, translation,
/// oEmbed.
fn extras_routes() -> Router<AppState> {
    use v1::absent_features as absent;
    Router::new()
        .route(
            "/api/v1/annual_reports/{year}/state",
            get(v1::annual_reports::state),
        )
        .route(
            "/api/v1/annual_reports/{year}/generate",
            post(v1::annual_reports::generate),
        )
        .route(
            "/api/v1/accounts/{id}/identity_proofs",
            get(absent::identity_proofs),
        )
        .route("/api/v1/statuses/{id}/translate", post(absent::translate))
        .route("/api/oembed", get(oembed::show))
        .route("/api/v1/statuses/{id}/quotes", get(v1::quotes::index))
        .route(
            "/api/v1/statuses/{id}/quotes/{quoting_status_id}/revoke",
            post(v1::quotes::revoke),
        )
        .route(
            "/api/v1/statuses/{id}/interaction_policy",
            axum::routing::put(v1::quotes::interaction_policy),
        )
        .route(
            "/api/v1/statuses/{id}/hide_reply",
            post(v1::reply_controls::hide),
        )
        .route(
            "/api/v1/statuses/{id}/unhide_reply",
            post(v1::reply_controls::unhide),
        )
        .route(
            "/api/v1/interaction_requests",
            get(v1::interaction_requests::index),
        )
        .route(
            "/api/v1/interaction_requests/{id}",
            get(v1::interaction_requests::show),
        )
        .route(
            "/api/v1/interaction_requests/{id}/authorize",
            post(v1::interaction_requests::authorize),
        )
        .route(
            "/api/v1/interaction_requests/{id}/reject",
            post(v1::interaction_requests::reject),
        )
}

/// Grouped notifications, the notification policy and notification requests. Literal
/// segments (`policy`, `requests`, `unread_count`) win over `{id}` and `{group_key}`.
fn notification_routes() -> Router<AppState> {
    use v1::grouped_notifications as grouped;
    use v1::notification_requests as requests;
    Router::new()
        .route("/api/v2/notifications", get(grouped::index))
        .route(
            "/api/v2/notifications/unread_count",
            get(grouped::unread_count),
        )
        .route("/api/v2/notifications/{group_key}", get(grouped::show))
        .route(
            "/api/v2/notifications/{group_key}/accounts",
            get(grouped::accounts),
        )
        .route(
            "/api/v2/notifications/{group_key}/dismiss",
            post(grouped::dismiss),
        )
        .route(
            "/api/v2/notifications/policy",
            get(requests::show_v2).patch(requests::update_v2),
        )
        .route(
            "/api/v1/notifications/policy",
            get(requests::show_v1).patch(requests::update_v1),
        )
        .route("/api/v1/notifications/requests", get(requests::index))
        .route(
            "/api/v1/notifications/requests/merged",
            get(requests::merged),
        )
        .route(
            "/api/v1/notifications/requests/accept",
            post(requests::accept_many),
        )
        .route(
            "/api/v1/notifications/requests/dismiss",
            post(requests::dismiss_many),
        )
        .route("/api/v1/notifications/requests/{id}", get(requests::show))
        .route(
            "/api/v1/notifications/requests/{id}/accept",
            post(requests::accept),
        )
        .route(
            "/api/v1/notifications/requests/{id}/dismiss",
            post(requests::dismiss),
        )
}

/// Mastodon lets browser apps on any origin call the API without credentials
/// (cookies): the same here. Paging and rate-limit headers are exposed to scripts.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([
            HeaderName::from_static("link"),
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

/// The client's IP address: the TCP peer, or, with `ROOST_TRUST_PROXY`, the address
/// the proxy appended last to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ClientIp(client_ip(parts, state.config.trust_proxy)))
    }
}

fn client_ip(parts: &Parts, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// Middleware of the whole app: refuses every request from an address under an
/// unexpired `no_access` IP block with 403, as Mastodon does (checked against the
/// process's in-memory list, see `services::ip_blocks::NoAccessList`).
pub async fn refuse_no_access(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts, state.config.trust_proxy);
    if state.no_access.refuses(&state.db, ip).await {
        return ApiError::Forbidden("This action is not allowed".into()).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Middleware: counts the request against `bucket` for the client's IP; refuses with
/// 429 over budget; adds the X-RateLimit-* headers either way.
async fn rate_limit(
    State((state, bucket)): State<(AppState, Bucket)>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts, state.config.trust_proxy);
    // GET of the sign-in form is free; only submissions count.
    if parts.method == axum::http::Method::GET {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let decision = state.rate_limiter.check(bucket, ip);
    if !decision.allowed {
        return ApiError::RateLimited(decision.headers).into_response();
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    response.headers_mut().extend(decision.headers);
    response
}

/// The Explore tab: trends (see `services::trends`) and follow suggestions.
fn explore_routes() -> Router<AppState> {
    use v1::trends;
    Router::new()
        .route("/api/v1/trends", get(trends::tags_deprecated))
        .route("/api/v1/trends/tags", get(trends::tags))
        .route("/api/v1/trends/statuses", get(trends::statuses))
        .route("/api/v1/trends/links", get(trends::links))
        .route("/api/v2/suggestions", get(v1::suggestions::index_v2))
        .route("/api/v1/suggestions", get(v1::suggestions::index_v1))
        .route("/api/v1/suggestions/{id}", delete(v1::suggestions::dismiss))
}

/// The admin dashboard's routes: hashtag and trends review, measures, dimensions and
/// retention.
fn admin_dashboard_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/tags", get(admin::tags::list))
        .route(
            "/api/v1/admin/tags/{id}",
            get(admin::tags::show).put(admin::tags::update),
        )
        .route("/api/v1/admin/trends/tags", get(admin::trends::tags))
        .route(
            "/api/v1/admin/trends/statuses",
            get(admin::trends::statuses),
        )
        .route("/api/v1/admin/trends/links", get(admin::trends::links))
        .route(
            "/api/v1/admin/trends/tags/{id}/approve",
            post(admin::trends::approve_tag),
        )
        .route(
            "/api/v1/admin/trends/tags/{id}/reject",
            post(admin::trends::reject_tag),
        )
        .route(
            "/api/v1/admin/trends/statuses/{id}/approve",
            post(admin::trends::approve_status),
        )
        .route(
            "/api/v1/admin/trends/statuses/{id}/reject",
            post(admin::trends::reject_status),
        )
        .route(
            "/api/v1/admin/trends/links/{id}/approve",
            post(admin::trends::approve_link),
        )
        .route(
            "/api/v1/admin/trends/links/{id}/reject",
            post(admin::trends::reject_link),
        )
        .route("/api/v1/admin/measures", post(admin::dashboard::measures))
        .route(
            "/api/v1/admin/dimensions",
            post(admin::dashboard::dimensions),
        )
        .route("/api/v1/admin/retention", post(admin::dashboard::retention))
}

/// Polls: reading one and voting.
fn poll_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/polls/{id}", get(v1::polls::show))
        .route("/api/v1/polls/{id}/votes", post(v1::polls::vote))
}
