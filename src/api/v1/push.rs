//! Web Push subscriptions (<https://docs.joinmastodon.org/methods/push/>): one per
//! access token; creating another replaces it. Delivery lives in `crate::push`.

use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::entities::empty::Empty;
use crate::api::entities::push::{WebPushSubscription, ALERTS};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::scoped::Push;
use crate::auth::{TokenInfo, User};
use crate::db::push::{self, NewSubscription, SubscriptionRow};
use crate::error::{ApiError, ApiResult};
use crate::push::encryption;
use crate::state::AppState;

/// Longest endpoint URL accepted.
const MAX_ENDPOINT_LEN: usize = 2048;

/// `subscription[keys]`: the user agent's encryption keys.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct KeysParams {
    p256dh: Option<String>,
    auth: Option<String>,
}

/// `subscription`: where to push and how to encrypt.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionParams {
    endpoint: Option<String>,
    keys: Option<KeysParams>,
    /// true: RFC 8291 `aes128gcm`; false or absent: the older `aesgcm` coding.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    standard: Option<bool>,
}

/// `data`: what to push.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DataParams {
    /// Notification type → whether to push it.
    #[schema(value_type = Object)]
    alerts: Option<Map<String, Value>>,
    policy: Option<String>,
}

/// Body of `POST /api/v1/push/subscription`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CreateParams {
    subscription: Option<SubscriptionParams>,
    data: Option<DataParams>,
    /// Also accepted outside `data` (Mastodon.py sends it there).
    policy: Option<String>,
}

/// Body of `PUT /api/v1/push/subscription`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UpdateParams {
    data: Option<DataParams>,
    /// Also accepted outside `data`, as Mastodon's documentation shows it.
    policy: Option<String>,
}

/// Subscribes the current access token to Web Push, replacing its old subscription.
#[utoipa::path(post, path = "/api/v1/push/subscription", tag = "push", request_body = CreateParams,
    security(("bearer" = ["push"])), responses((status = 200, body = WebPushSubscription), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<Push>,
    Params(params): Params<CreateParams>,
) -> ApiResult<Json<WebPushSubscription>> {
    let subscription = params.subscription.unwrap_or_default();
    let endpoint = check_endpoint(&state, subscription.endpoint.as_deref())?;
    let keys = subscription.keys.unwrap_or_default();
    let p256dh = decode_key(keys.p256dh.as_deref(), "subscription[keys][p256dh]", 65)?;
    if !encryption::is_valid_public_key(&p256dh) {
        return Err(invalid_key("subscription[keys][p256dh]"));
    }
    let auth_secret = decode_key(keys.auth.as_deref(), "subscription[keys][auth]", 16)?;
    let data = params.data.unwrap_or_default();
    let alerts = chosen_alerts(&user.token, data.alerts.as_ref());
    let policy = check_policy(data.policy.as_deref().or(params.policy.as_deref()))?;
    let mut transaction = state.db.begin().await?;
    let row = push::replace(
        &mut transaction,
        &NewSubscription {
            access_token_id: user.token.id,
            account_id: user.account_id,
            endpoint: &endpoint,
            p256dh: &p256dh,
            auth_secret: &auth_secret,
            standard: subscription.standard.unwrap_or(false),
            alerts: &alerts,
            policy,
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(Json(render(&state, &row).await?))
}

/// The current access token's subscription.
#[utoipa::path(get, path = "/api/v1/push/subscription", tag = "push",
    security(("bearer" = ["push"])), responses((status = 200, body = WebPushSubscription), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<Push>,
) -> ApiResult<Json<WebPushSubscription>> {
    let row = push::find_by_token(&state.db, user.token.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(render(&state, &row).await?))
}

/// Changes which notifications the current subscription pushes (only `data`).
#[utoipa::path(put, path = "/api/v1/push/subscription", tag = "push", request_body = UpdateParams,
    security(("bearer" = ["push"])), responses((status = 200, body = WebPushSubscription), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    user: User<Push>,
    Params(params): Params<UpdateParams>,
) -> ApiResult<Json<WebPushSubscription>> {
    let current = push::find_by_token(&state.db, user.token.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let data = params.data.unwrap_or_default();
    // Alerts not named keep their value, as in Mastodon.
    let mut alerts = current.alerts.clone();
    if let Some(given) = data.alerts.as_ref() {
        let chosen = chosen_alerts(&user.token, Some(given));
        alerts.retain(|alert| !given.contains_key(alert));
        alerts.extend(chosen);
    }
    let policy = match data.policy.as_deref().or(params.policy.as_deref()) {
        Some(policy) => check_policy(Some(policy))?,
        None => current.policy.as_str(),
    };
    let row = push::update_data(&state.db, user.token.id, &alerts, policy)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(render(&state, &row).await?))
}

/// Removes the current subscription; succeeds when there was none.
#[utoipa::path(delete, path = "/api/v1/push/subscription", tag = "push",
    security(("bearer" = ["push"])), responses((status = 200, body = Empty)))]
pub async fn delete(State(state): State<AppState>, user: User<Push>) -> ApiResult<Json<Empty>> {
    push::delete_by_token(&state.db, user.token.id).await?;
    Ok(Json(Empty {}))
}

/// The WebPushSubscription entity of `row`, with the server's key.
async fn render(state: &AppState, row: &SubscriptionRow) -> ApiResult<WebPushSubscription> {
    Ok(WebPushSubscription::from_row(row, server_key(state).await?))
}

/// The VAPID public key as Mastodon shows it to clients (base64url, padded).
pub async fn server_key(state: &AppState) -> ApiResult<String> {
    let key = crate::push::vapid_key(state).await?;
    let raw = URL_SAFE_NO_PAD
        .decode(key.public_key())
        .map_err(|error| ApiError::Internal(error.into()))?;
    Ok(URL_SAFE.encode(raw))
}

/// The alerts switched on, keeping the admin ones for staff only (by the role of `token`).
fn chosen_alerts(token: &TokenInfo, given: Option<&Map<String, Value>>) -> Vec<String> {
    let Some(given) = given else {
        return Vec::new();
    };
    ALERTS
        .iter()
        .filter(|alert| given.get(**alert).is_some_and(truthy))
        .filter(|alert| !alert.starts_with("admin.") || token.role.is_staff())
        .map(|alert| (*alert).to_owned())
        .collect()
}

/// A boolean as forms and JSON send it (`true`, `"true"`, `"1"`, `1`, `"on"`).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(on) => *on,
        Value::Number(number) => number.as_i64() == Some(1),
        Value::String(text) => matches!(text.as_str(), "true" | "1" | "on" | "t" | "yes"),
        _ => false,
    }
}

fn check_policy(policy: Option<&str>) -> ApiResult<&'static str> {
    match policy.unwrap_or("all") {
        "all" => Ok("all"),
        "followed" => Ok("followed"),
        "follower" => Ok("follower"),
        "none" => Ok("none"),
        _ => Err(ApiError::validation(
            "policy",
            "ERR_INCLUSION",
            "policy must be one of all, followed, follower, none",
        )),
    }
}

/// The endpoint: an absolute http(s) URL with a host (https unless the instance runs
/// over plain HTTP for tests), of bounded length.
fn check_endpoint(state: &AppState, endpoint: Option<&str>) -> ApiResult<String> {
    const FIELD: &str = "subscription[endpoint]";
    let endpoint = endpoint.map(str::trim).unwrap_or_default();
    if endpoint.is_empty() {
        return Err(ApiError::validation(
            FIELD,
            "ERR_BLANK",
            "endpoint can't be blank",
        ));
    }
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(ApiError::validation(
            FIELD,
            "ERR_TOO_LONG",
            "endpoint is too long",
        ));
    }
    let allowed_scheme =
        |scheme: &str| scheme == "https" || (state.config.insecure_http && scheme == "http");
    match url::Url::parse(endpoint) {
        Ok(url) if allowed_scheme(url.scheme()) && url.host().is_some() => Ok(url.to_string()),
        _ => Err(ApiError::validation(
            FIELD,
            "ERR_INVALID",
            "endpoint is not a valid https URL",
        )),
    }
}

/// Decodes a base64 (url-safe or standard, padded or not) key of `len` bytes.
fn decode_key(value: Option<&str>, field: &'static str, len: usize) -> ApiResult<Vec<u8>> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(ApiError::validation(
            field,
            "ERR_BLANK",
            format!("{field} can't be blank"),
        ));
    }
    let normalized: String = value
        .chars()
        .filter(|c| *c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    match URL_SAFE_NO_PAD.decode(normalized) {
        Ok(bytes) if bytes.len() == len => Ok(bytes),
        _ => Err(invalid_key(field)),
    }
}

fn invalid_key(field: &'static str) -> ApiError {
    ApiError::validation(field, "ERR_INVALID", format!("{field} is not a valid key"))
}
