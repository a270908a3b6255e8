//! `GET /api/oembed?url=…&maxwidth=…&maxheight=…`: the oEmbed document of a public or
//! unlisted local status, for sites that embed it
//! (<https://docs.joinmastodon.org/methods/oembed/>). No token needed.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::oembed::OEmbed;
use crate::api::params::Params;
use crate::error::ApiResult;
use crate::services::oembed;
use crate::state::AppState;

/// Parameters of `GET /api/oembed`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OEmbedParams {
    /// The status's URL (`https://DOMAIN/@NAME/ID` or its ActivityPub id).
    url: Option<String>,
    /// Width of the embed (default 400, at most 4096).
    maxwidth: Option<String>,
    /// Height of the embed (default none, at most 4096).
    maxheight: Option<String>,
}

/// The oEmbed document of a status; `404` for anything but a public or unlisted local
/// status.
#[utoipa::path(get, path = "/api/oembed", tag = "oembed", params(OEmbedParams),
    responses((status = 200, body = OEmbed), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Params(params): Params<OEmbedParams>,
) -> ApiResult<Json<OEmbed>> {
    let embeddable = oembed::find(&state, params.url.as_deref().unwrap_or_default()).await?;
    let number = |value: &Option<String>| value.as_deref().and_then(|v| v.trim().parse().ok());
    Ok(Json(OEmbed::new(
        &state.config,
        &embeddable,
        number(&params.maxwidth),
        number(&params.maxheight),
    )))
}
