//! Phone verification by SMS, a Roost extension of the Mastodon API (docs/api.md,
//! "Phone verification"): an app asks for a code before `POST /api/v1/accounts` (with
//! its client-credentials token) or a signed-in user verifies a new number (with a
//! user token). The rules are `services::phone_verification`'s.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::super::ClientIp;
use crate::api::entities::phone::{Phone, PhoneVerification};
use crate::api::params::Params;
use crate::auth::scoped::{Bearer, ReadAccounts, WriteAccounts};
use crate::auth::{TokenInfo, User};
use crate::db::users;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::phone_verification::{self as service, Purpose};
use crate::state::AppState;

/// Parameters of `POST /api/v1/roost/phone_verifications`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StartParams {
    /// The number with its country code (`+14155550123`; spaces and dashes are fine).
    phone_number: Option<String>,
}

/// Parameters of `POST /api/v1/roost/phone_verifications/:id/confirm`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmParams {
    /// The 6-digit code from the text message.
    code: Option<String>,
}

/// Sends a 6-digit code by SMS. With an app token the verification is for a sign-up
/// through that app; with a user token, for the user's own number.
#[utoipa::path(post, path = "/api/v1/roost/phone_verifications", tag = "accounts",
    security(("bearer" = ["write:accounts"])), request_body = StartParams,
    responses((status = 200, body = PhoneVerification),
        (status = 422, description = "Invalid or taken number, or SMS not enabled"),
        (status = 429, description = "Too many codes for this number or address"),
        (status = 503, description = "The SMS gateway failed")))]
pub async fn start(
    State(state): State<AppState>,
    Bearer { token, .. }: Bearer<WriteAccounts>,
    ClientIp(ip): ClientIp,
    Params(params): Params<StartParams>,
) -> ApiResult<Json<PhoneVerification>> {
    let purpose = purpose(&state, &token).await?;
    let number = params.phone_number.unwrap_or_default();
    let started = service::start(&state, purpose, &number, &ip.to_string()).await?;
    Ok(Json(PhoneVerification::started(&started)))
}

/// Checks the code; a user's verified number becomes theirs at once.
#[utoipa::path(post, path = "/api/v1/roost/phone_verifications/{id}/confirm", tag = "accounts",
    params(("id" = String, Path, description = "The verification's id")),
    security(("bearer" = ["write:accounts"])), request_body = ConfirmParams,
    responses((status = 200, body = PhoneVerification),
        (status = 404, description = "Unknown, used, or someone else's verification"),
        (status = 422, description = "Wrong or expired code"),
        (status = 429, description = "Too many tries: ask for a new code")))]
pub async fn confirm(
    State(state): State<AppState>,
    Bearer { token, .. }: Bearer<WriteAccounts>,
    Path(Id(id)): Path<Id>,
    Params(params): Params<ConfirmParams>,
) -> ApiResult<Json<PhoneVerification>> {
    let purpose = purpose(&state, &token).await?;
    let code = params.code.unwrap_or_default();
    let verified = service::confirm(&state, purpose, id, &code).await?;
    Ok(Json(PhoneVerification::verified(&verified)))
}

/// The signed-in user's verified number (mostly hidden); 404 when there is none.
#[utoipa::path(get, path = "/api/v1/roost/phone", tag = "accounts",
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = Phone), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
) -> ApiResult<Json<Phone>> {
    let user_id = user_id(&state, user.account_id).await?;
    let phone = service::own_phone(&state, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(Phone {
        phone_number: phone.e164,
        verified_at: crate::api::entities::timestamp(phone.verified_at),
        two_factor: phone.two_factor,
    }))
}

/// Parameters of `POST` and `DELETE /api/v1/roost/phone/two_factor`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TwoFactorParams {
    /// The account's password, to prove it is its owner.
    current_password: Option<String>,
}

/// Turns on two-factor sign-in by a code texted to the verified number.
#[utoipa::path(post, path = "/api/v1/roost/phone/two_factor", tag = "accounts",
    security(("bearer" = ["write:accounts"])), request_body = TwoFactorParams,
    responses((status = 204), (status = 422, description = "Wrong password or no verified number")))]
pub async fn enable_two_factor(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Params(params): Params<TwoFactorParams>,
) -> ApiResult<StatusCode> {
    let password = params.current_password.unwrap_or_default();
    service::set_sms_two_factor(&state, user.account_id, &password, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns two-factor sign-in by SMS off.
#[utoipa::path(delete, path = "/api/v1/roost/phone/two_factor", tag = "accounts",
    security(("bearer" = ["write:accounts"])), request_body = TwoFactorParams,
    responses((status = 204), (status = 422, description = "Wrong password")))]
pub async fn disable_two_factor(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Params(params): Params<TwoFactorParams>,
) -> ApiResult<StatusCode> {
    let password = params.current_password.unwrap_or_default();
    service::set_sms_two_factor(&state, user.account_id, &password, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the signed-in user's number.
#[utoipa::path(delete, path = "/api/v1/roost/phone", tag = "accounts",
    security(("bearer" = ["write:accounts"])),
    responses((status = 204), (status = 404)))]
pub async fn remove(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
) -> ApiResult<StatusCode> {
    let user_id = user_id(&state, user.account_id).await?;
    service::remove_phone(&state, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a token verifies a number for: its user's own number, or a sign-up through
/// its app.
async fn purpose(state: &AppState, token: &TokenInfo) -> ApiResult<Purpose> {
    Ok(match token.account_id {
        Some(account_id) => Purpose::UserPhone {
            user_id: user_id(state, account_id).await?,
        },
        None => Purpose::SignUp {
            app_id: token.app_id,
        },
    })
}

async fn user_id(state: &AppState, account_id: i64) -> ApiResult<i64> {
    let user = users::find_by_account_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(user.id)
}
