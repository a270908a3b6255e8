//! The notification policy (`/api/v1` and `/api/v2/notifications/policy`) and
//! notification requests (`/api/v1/notifications/requests…`)
//! (<https://docs.joinmastodon.org/methods/notifications/#get-policy>): HTTP only,
//! the rules are `services::notifications::policy`'s and `…::requests`'.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::notification_policy::{
    Merged, NotificationPolicy, NotificationPolicyV1, NotificationRequest,
};
use crate::api::entities::status;
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, IdsQuery, Params};
use crate::auth::scoped::{ReadNotifications, WriteNotifications};
use crate::auth::User;
use crate::db::accounts;
use crate::db::notification_policies::RequestRow;
use crate::db::statuses;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::notifications::policy::{self, PolicyChange};
use crate::services::notifications::requests::{self, Decision, MAX_IDS};
use crate::state::AppState;

/// The user's notification policy (Mastodon 4.3).
#[utoipa::path(get, path = "/api/v2/notifications/policy", tag = "notifications",
    security(("bearer" = ["read:notifications"])), responses((status = 200, body = NotificationPolicy)))]
pub async fn show_v2(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
) -> ApiResult<Json<NotificationPolicy>> {
    Ok(Json((&policy::show(&state, user.account_id).await?).into()))
}

/// Body of `PATCH /api/v2/notifications/policy`: each `accept`, `filter` or `drop`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PolicyParams {
    for_not_following: Option<String>,
    for_not_followers: Option<String>,
    for_new_accounts: Option<String>,
    for_private_mentions: Option<String>,
    for_limited_accounts: Option<String>,
}

/// Changes the user's notification policy (Mastodon 4.3).
#[utoipa::path(patch, path = "/api/v2/notifications/policy", tag = "notifications",
    request_body = PolicyParams, security(("bearer" = ["write:notifications"])),
    responses((status = 200, body = NotificationPolicy), (status = 422)))]
pub async fn update_v2(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Params(params): Params<PolicyParams>,
) -> ApiResult<Json<NotificationPolicy>> {
    let change = PolicyChange {
        for_not_following: params.for_not_following,
        for_not_followers: params.for_not_followers,
        for_new_accounts: params.for_new_accounts,
        for_private_mentions: params.for_private_mentions,
        for_limited_accounts: params.for_limited_accounts,
    };
    Ok(Json(
        (&policy::update(&state, user.account_id, &change).await?).into(),
    ))
}

/// The user's notification policy (Mastodon 4.2's booleans).
#[utoipa::path(get, path = "/api/v1/notifications/policy", tag = "notifications",
    security(("bearer" = ["read:notifications"])), responses((status = 200, body = NotificationPolicyV1)))]
pub async fn show_v1(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
) -> ApiResult<Json<NotificationPolicyV1>> {
    Ok(Json((&policy::show(&state, user.account_id).await?).into()))
}

/// Body of `PATCH /api/v1/notifications/policy`: `true` filters, `false` accepts.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PolicyParamsV1 {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    filter_not_following: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    filter_not_followers: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    filter_new_accounts: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    filter_private_mentions: Option<bool>,
}

/// Changes the user's notification policy (Mastodon 4.2's booleans).
#[utoipa::path(patch, path = "/api/v1/notifications/policy", tag = "notifications",
    request_body = PolicyParamsV1, security(("bearer" = ["write:notifications"])),
    responses((status = 200, body = NotificationPolicyV1), (status = 422)))]
pub async fn update_v1(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Params(params): Params<PolicyParamsV1>,
) -> ApiResult<Json<NotificationPolicyV1>> {
    let change = PolicyChange::from_filters(
        params.filter_not_following,
        params.filter_not_followers,
        params.filter_new_accounts,
        params.filter_private_mentions,
    );
    Ok(Json(
        (&policy::update(&state, user.account_id, &change).await?).into(),
    ))
}

/// Renders requests with their senders and last statuses (loaded in batches); a
/// request whose sender is gone is left out.
async fn render(
    state: &AppState,
    viewer: i64,
    rows: &[RequestRow],
) -> ApiResult<Vec<NotificationRequest>> {
    let sender_ids: Vec<i64> = rows.iter().map(|row| row.from_account_id).collect();
    let senders: HashMap<i64, Account> = accounts::find_many(&state.db, &sender_ids)
        .await?
        .iter()
        .map(|row| (row.id, Account::from_row(row, &state.config)))
        .collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|row| row.last_status_id).collect();
    let found = statuses::find_many(&state.db, &status_ids).await?;
    let shown: HashMap<i64, status::Status> = status::render(state, Some(viewer), found)
        .await?
        .into_iter()
        .map(|status| (status.id.0, status))
        .collect();
    Ok(rows
        .iter()
        .filter_map(|row| {
            let sender = senders.get(&row.from_account_id)?.clone();
            let last = row.last_status_id.and_then(|id| shown.get(&id).cloned());
            Some(NotificationRequest::new(row, sender, last))
        })
        .collect())
}

/// The user's notification requests, newest first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/notifications/requests", tag = "notifications",
    params(PageParams), security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = Vec<NotificationRequest>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Params(page): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<NotificationRequest>>)> {
    let page = page.page(40, 80);
    let rows = requests::list(&state, user.account_id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let base_url = state.config.base_url();
    let links = link_header(
        &base_url,
        "/api/v1/notifications/requests",
        &ids,
        page.limit,
    );
    Ok((links, Json(render(&state, user.account_id, &rows).await?)))
}

/// One notification request.
#[utoipa::path(get, path = "/api/v1/notifications/requests/{id}", tag = "notifications",
    params(("id" = String, Path, description = "Request id")),
    security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = NotificationRequest), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Path(id): Path<Id>,
) -> ApiResult<Json<NotificationRequest>> {
    let row = requests::find(&state, user.account_id, id).await?;
    let mut rendered = render(&state, user.account_id, &[row]).await?;
    rendered
        .pop()
        .map(Json)
        .ok_or(crate::error::ApiError::NotFound)
}

/// Accepts a request: its notifications come back, the sender's next ones pass.
#[utoipa::path(post, path = "/api/v1/notifications/requests/{id}/accept", tag = "notifications",
    params(("id" = String, Path, description = "Request id")),
    security(("bearer" = ["write:notifications"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn accept(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    requests::decide(&state, user.account_id, id, Decision::Accept).await?;
    Ok(Json(Empty {}))
}

/// Dismisses a request and its notifications.
#[utoipa::path(post, path = "/api/v1/notifications/requests/{id}/dismiss", tag = "notifications",
    params(("id" = String, Path, description = "Request id")),
    security(("bearer" = ["write:notifications"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    requests::decide(&state, user.account_id, id, Decision::Dismiss).await?;
    Ok(Json(Empty {}))
}

/// Accepts several requests (`id[]`, at most 100; others' ids are ignored).
#[utoipa::path(post, path = "/api/v1/notifications/requests/accept", tag = "notifications",
    params(IdsQuery), security(("bearer" = ["write:notifications"])),
    responses((status = 200, body = Empty), (status = 422)))]
pub async fn accept_many(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Params(query): Params<IdsQuery>,
) -> ApiResult<Json<Empty>> {
    let ids = query.ids(MAX_IDS)?;
    requests::decide_many(&state, user.account_id, &ids, Decision::Accept).await?;
    Ok(Json(Empty {}))
}

/// Dismisses several requests (`id[]`, at most 100; others' ids are ignored).
#[utoipa::path(post, path = "/api/v1/notifications/requests/dismiss", tag = "notifications",
    params(IdsQuery), security(("bearer" = ["write:notifications"])),
    responses((status = 200, body = Empty), (status = 422)))]
pub async fn dismiss_many(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Params(query): Params<IdsQuery>,
) -> ApiResult<Json<Empty>> {
    let ids = query.ids(MAX_IDS)?;
    requests::decide_many(&state, user.account_id, &ids, Decision::Dismiss).await?;
    Ok(Json(Empty {}))
}

/// Whether accepted requests have been merged: always, since accepting merges at once.
#[utoipa::path(get, path = "/api/v1/notifications/requests/merged", tag = "notifications",
    security(("bearer" = ["read:notifications"])), responses((status = 200, body = Merged)))]
pub async fn merged(_user: User<ReadNotifications>) -> Json<Merged> {
    Json(Merged { merged: true })
}
