//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations
//! and served at `/api/openapi.json`. Every new endpoint is listed here.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, authorize, oauth, v1};

/// Roost's client API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Roost client API", description = "Mastodon-compatible client API of Roost. See docs/api.md for differences from Mastodon.",
         license(name = "AGPL-3.0-or-later")),
    paths(
        v1::apps::create, v1::apps::verify_credentials,
        v1::accounts::register, v1::accounts::index, v1::accounts::verify_credentials, v1::accounts::update_credentials, v1::accounts::delete_avatar, v1::accounts::delete_header,
        v1::preferences::show,
        v1::emails::resend, v1::emails::check_confirmation,
        v1::accounts::show, v1::accounts::lookup,
        v1::instance::v1, v1::instance::v2,
        v1::follows::follow, v1::follows::unfollow, v1::follows::followers, v1::follows::following,
        v1::follows::relationships, v1::follows::familiar_followers, v1::follows::follow_requests, v1::follows::authorize,
        v1::follows::reject, v1::search::accounts, v1::search::v2,
        v1::blocks::block, v1::blocks::unblock, v1::blocks::blocked, v1::blocks::mute,
        v1::blocks::unmute, v1::blocks::muted, v1::domain_blocks::list,
        v1::domain_blocks::create, v1::domain_blocks::delete, v1::reports::create,
        v1::statuses::index, v1::statuses::create, v1::statuses::show, v1::statuses::delete, v1::statuses::edit,
        v1::statuses::history, v1::statuses::source,
        v1::scheduled_statuses::index, v1::scheduled_statuses::show,
        v1::scheduled_statuses::update, v1::scheduled_statuses::delete,
        v1::media::create_v2, v1::media::create_v1, v1::media::show, v1::media::update,
        v1::media::delete,
        v1::timelines::home, v1::timelines::public, v1::timelines::account, v1::timelines::tag, v1::timelines::link,
        v1::reels::feed, v1::reels::account,
        v1::timelines::list, v1::lists::index, v1::lists::create, v1::lists::show,
        v1::lists::update, v1::lists::delete, v1::lists::accounts, v1::lists::add_accounts,
        v1::lists::remove_accounts, v1::lists::of_account,
        v1::stories::create, v1::stories::tray, v1::stories::of_account, v1::stories::show,
        v1::stories::delete, v1::stories::seen, v1::stories::viewers, v1::stories::reply,
        v1::stories::close_friends, v1::stories::add_close_friends, v1::stories::remove_close_friends,
        v1::conversations::index, v1::conversations::read, v1::conversations::remove,
        v1::follows::remove_from_followers, v1::endorsements::note, v1::endorsements::endorse,
        v1::endorsements::unendorse, v1::endorsements::pin, v1::endorsements::unpin,
        v1::endorsements::mine, v1::endorsements::of_account,
        v1::tags::show, v1::tags::follow, v1::tags::unfollow, v1::tags::followed,
        v1::annual_reports::index, v1::annual_reports::show, v1::annual_reports::read,
        v1::interactions::mute_thread, v1::interactions::unmute_thread,
        v1::accounts::profile, v1::accounts::update_profile,
        v1::filters::index, v1::filters::create, v1::filters::show, v1::filters::update,
        v1::filters::delete, v1::filters::keywords, v1::filters::add_keyword,
        v1::filters::show_keyword, v1::filters::update_keyword, v1::filters::delete_keyword,
        v1::filters::statuses, v1::filters::add_status, v1::filters::show_status,
        v1::filters::delete_status, v1::filters_v1::index, v1::filters_v1::create,
        v1::filters_v1::show, v1::filters_v1::update, v1::filters_v1::delete,
        v1::featured_tags::index, v1::featured_tags::create, v1::featured_tags::delete,
        v1::featured_tags::suggestions, v1::featured_tags::of_account,
        v1::featured_tags::feature_tag, v1::featured_tags::unfeature_tag,
        v1::interactions::favourite, v1::interactions::unfavourite, v1::interactions::reblog,
        v1::interactions::unreblog, v1::interactions::bookmark, v1::interactions::unbookmark,
        v1::interactions::pin, v1::interactions::unpin, v1::interactions::favourited_by,
        v1::interactions::reblogged_by, v1::interactions::context, v1::interactions::favourites,
        v1::interactions::bookmarks, v1::async_refreshes::show,
        v1::phone::start, v1::phone::confirm, v1::phone::show, v1::phone::remove,
        v1::phone::enable_two_factor, v1::phone::disable_two_factor,
        v1::notifications::list, v1::notifications::show, v1::notifications::dismiss,
        v1::notifications::clear, v1::notifications::unread_count, v1::notifications::markers,
        v1::notifications::set_markers,
        v1::grouped_notifications::index, v1::grouped_notifications::show,
        v1::grouped_notifications::accounts, v1::grouped_notifications::dismiss,
        v1::grouped_notifications::unread_count, v1::notification_requests::show_v2,
        v1::notification_requests::update_v2, v1::notification_requests::show_v1,
        v1::notification_requests::update_v1, v1::notification_requests::index,
        v1::notification_requests::show, v1::notification_requests::accept,
        v1::notification_requests::dismiss, v1::notification_requests::accept_many,
        v1::notification_requests::dismiss_many, v1::notification_requests::merged,
        v1::push::create, v1::push::show, v1::push::update, v1::push::delete,
        v1::instance::rules, v1::instance::peers, v1::instance::translation_languages,
        admin::accounts::list_v2, admin::accounts::list_v1, admin::accounts::show,
        admin::accounts::action, admin::accounts::approve, admin::accounts::reject,
        admin::accounts::enable, admin::accounts::unsilence, admin::accounts::unsuspend,
        admin::accounts::unsensitive,
        admin::domains::list_blocks, admin::domains::create_block, admin::domains::show_block,
        admin::domains::update_block, admin::domains::delete_block, admin::domains::list_allows,
        admin::domains::create_allow, admin::domains::show_allow, admin::domains::delete_allow,
        admin::deliveries::show, admin::deliveries::replay,
        admin::reports::list, admin::reports::show, admin::reports::assign_to_self,
        admin::reports::unassign, admin::reports::resolve, admin::reports::reopen,
        crate::api::graphql::execute, crate::api::graphql::graphiql, crate::api::graphql::subscription::websocket,
        crate::api::streaming::socket::websocket, crate::api::streaming::user, crate::api::streaming::public,
        crate::api::streaming::public_local, crate::api::streaming::hashtag, crate::api::streaming::health,
        crate::api::streaming::user_notification, crate::api::streaming::public_remote,
        crate::api::streaming::hashtag_local, crate::api::streaming::list, crate::api::streaming::direct,
        oauth::token, oauth::revoke, oauth::metadata,
        authorize::authorize_form, authorize::authorize_submit,
        crate::api::health::health, serve,
        v1::custom_emojis::index,
        v1::instance_extras::activity, v1::instance_extras::domain_blocks,
        v1::instance_extras::extended_description, v1::instance_extras::privacy_policy,
        v1::instance_extras::terms_of_service, v1::instance_extras::terms_of_service_of,
        v1::announcements::index, v1::announcements::dismiss, v1::announcements::react,
        v1::announcements::unreact, admin::announcements::list, admin::announcements::create,
        admin::announcements::update, admin::announcements::delete, v1::directory::index, crate::api::userinfo::show,
        crate::api::userinfo::show_post,
        admin::ip_blocks::list, admin::ip_blocks::show, admin::ip_blocks::create,
        admin::ip_blocks::update, admin::ip_blocks::delete,
        admin::relays::list, admin::relays::create, admin::relays::enable,
        admin::relays::disable, admin::relays::delete,
        admin::email_blocks::list_domains, admin::email_blocks::show_domain,
        admin::email_blocks::create_domain, admin::email_blocks::delete_domain,
        admin::email_blocks::list_canonical, admin::email_blocks::show_canonical,
        admin::email_blocks::test_canonical, admin::email_blocks::create_canonical,
        admin::email_blocks::delete_canonical,
        v1::trends::tags, v1::trends::tags_deprecated, v1::trends::statuses, v1::trends::links,
        v1::suggestions::index_v2, v1::suggestions::index_v1, v1::suggestions::dismiss,
        admin::tags::list, admin::tags::show, admin::tags::update,
        admin::trends::tags, admin::trends::statuses, admin::trends::links,
        admin::trends::approve_tag, admin::trends::reject_tag, admin::trends::approve_status,
        admin::trends::reject_status, admin::trends::approve_link, admin::trends::reject_link,
        admin::accounts::delete, admin::reports::update,
        admin::dashboard::measures, admin::dashboard::dimensions, admin::dashboard::retention,
        v1::annual_reports::state, v1::annual_reports::generate,
        v1::absent_features::identity_proofs, v1::absent_features::translate,
        crate::api::oembed::show,
        v1::polls::show, v1::polls::vote,
        v1::quotes::index, v1::quotes::revoke, v1::quotes::interaction_policy,
        v1::reply_controls::hide, v1::reply_controls::unhide,
        v1::interaction_requests::index, v1::interaction_requests::show,
        v1::interaction_requests::authorize, v1::interaction_requests::reject,
    ),
    modifiers(&BearerAuth, &OperationIds),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Names every operation after its method and path (`get_api_v1_statuses_id`):
/// unique by construction, where the handlers' function names (`show`, `create`)
/// repeat across modules and schema-driven tools refuse repeated operationIds.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("options", &mut item.options),
                ("head", &mut item.head),
                ("patch", &mut item.patch),
                ("trace", &mut item.trace),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    operation.operation_id = Some(operation_id(method, path));
                }
            }
        }
    }
}

/// `get` and `/api/v1/statuses/{id}` give `get_api_v1_statuses_id`.
fn operation_id(method: &str, path: &str) -> String {
    let words = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty());
    std::iter::once(method)
        .chain(words)
        .collect::<Vec<_>>()
        .join("_")
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
