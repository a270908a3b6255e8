//! `POST /api/v1/emails/confirmations` (mail the confirmation link again, optionally
//! to a new address) and `GET /api/v1/emails/check_confirmation` (whether the address
//! is confirmed), both for a user whose address may still await confirmation. Spec:
//! <https://docs.joinmastodon.org/methods/emails/>.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::params::Params;
use crate::auth::scoped::{self, ReadAccounts, WriteAccounts};
use crate::auth::UnconfirmedUser;
use crate::error::{check_length, ApiResult};
use crate::services::email_confirmation;
use crate::state::AppState;

/// Parameters of `POST /api/v1/emails/confirmations`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ResendParams {
    /// A new address to confirm instead of the one given at sign-up.
    email: Option<String>,
}

/// Mails the confirmation link again (to `email` when given, which replaces the
/// unconfirmed address). Only the app that registered the user may ask, only while the
/// address awaits confirmation.
#[utoipa::path(post, path = "/api/v1/emails/confirmations", tag = "emails",
    security(("bearer" = ["write:accounts"])), request_body = ResendParams,
    responses((status = 200, description = "Empty object", body = Empty),
              (status = 401), (status = 403, description = "Another app, or confirmed already"),
              (status = 422, description = "Invalid or taken address"),
              (status = 429, description = "Asked too often")))]
pub async fn resend(
    State(state): State<AppState>,
    user: UnconfirmedUser,
    Params(params): Params<ResendParams>,
) -> ApiResult<Json<Empty>> {
    scoped::require::<WriteAccounts>(&user.token)?;
    check_length("email", params.email.as_deref(), 320)?;
    email_confirmation::resend(
        &state,
        user.account_id,
        user.token.app_id,
        params.email.as_deref(),
    )
    .await?;
    Ok(Json(Empty {}))
}

/// Whether the signed-in user's address is confirmed (`true`/`false`).
#[utoipa::path(get, path = "/api/v1/emails/check_confirmation", tag = "emails",
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = bool), (status = 401), (status = 403)))]
pub async fn check_confirmation(
    State(state): State<AppState>,
    user: UnconfirmedUser,
) -> ApiResult<Json<bool>> {
    scoped::require::<ReadAccounts>(&user.token)?;
    Ok(Json(
        email_confirmation::is_confirmed(&state, user.account_id).await?,
    ))
}
