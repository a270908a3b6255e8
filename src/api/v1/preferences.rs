//! `GET /api/v1/preferences` (<https://docs.joinmastodon.org/methods/preferences/>):
//! the signed-in user's preferences. Changed through `update_credentials`
//! (`source[privacy]`, `source[sensitive]`, `source[language]`).

use axum::extract::State;
use axum::Json;

use crate::api::entities::preferences::Preferences;
use crate::auth::scoped::ReadAccounts;
use crate::auth::User;
use crate::error::ApiResult;
use crate::services::profile;
use crate::state::AppState;

/// The signed-in user's preferences.
#[utoipa::path(get, path = "/api/v1/preferences", tag = "accounts",
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = Preferences), (status = 401), (status = 403)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
) -> ApiResult<Json<Preferences>> {
    let own = profile::own(&state, user.account_id).await?;
    let quote_policy = crate::services::quotes::default_policy(&state, user.account_id).await?;
    let reply_policy =
        crate::services::reply_controls::default_policy(&state, user.account_id).await?;
    Ok(Json(Preferences::of(&own.user, quote_policy, reply_policy)))
}
