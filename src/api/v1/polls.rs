//! Polls (<https://docs.joinmastodon.org/methods/polls/>): reading a poll and voting
//! in it, plus the `poll[...]` parameters of posting and editing a status. Each
//! handler extracts, calls `services::polls` and renders; the rules live there and in
//! `domain::polls`.

use axum::extract::State;
use axum::Json;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::Value;

use crate::api::entities::poll::Poll;
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::scoped::{ReadStatuses, WriteStatuses};
use crate::auth::{OptionalToken, User};
use crate::domain::polls::PollRequest;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::polls;
use crate::state::AppState;

/// Most `choices[]` read from one vote (more cannot be valid).
const MAX_CHOICES: usize = 100;

/// `poll[...]` of `POST /api/v1/statuses` and `PUT /api/v1/statuses/:id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PollParams {
    /// The options' titles (`poll[options][]`).
    #[serde(default, deserialize_with = "string_list")]
    #[schema(value_type = Option<Vec<String>>)]
    options: Option<Vec<String>>,
    /// Seconds until it ends.
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    #[schema(value_type = Option<i64>)]
    expires_in: Option<i64>,
    /// Whether several options may be chosen.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    multiple: Option<bool>,
    /// Whether counts stay hidden until it ends.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    hide_totals: Option<bool>,
}

impl PollParams {
    /// The poll asked for, for the service to check.
    pub fn request(&self) -> PollRequest<'_> {
        PollRequest {
            options: self.options.as_deref().unwrap_or_default(),
            expires_in: self.expires_in,
            multiple: self.multiple.unwrap_or(false),
            hide_totals: self.hide_totals.unwrap_or(false),
        }
    }
}

/// A whole number from a JSON number or a form string; a blank string is absent.
fn lenient_opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| de::Error::custom("expected a whole number")),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected a whole number, got {s:?}"))),
        Some(other) => Err(de::Error::custom(format!(
            "expected a whole number, got {other}"
        ))),
    }
}

/// A poll, if the caller may see its status.
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "polls",
    params(("id" = String, Path, description = "Poll id")),
    responses((status = 200, body = Poll), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Poll>> {
    let viewed = polls::show(&state, token.account_id(), id.0).await?;
    Ok(Json(Poll::alone(&viewed, &state.config)))
}

/// `choices[]` of a vote.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VoteParams {
    /// Indexes of the chosen options.
    #[serde(default, deserialize_with = "string_list")]
    #[schema(value_type = Vec<String>)]
    choices: Option<Vec<String>>,
}

/// Votes in a poll and returns it with the caller's choices.
#[utoipa::path(post, path = "/api/v1/polls/{id}/votes", tag = "polls",
    params(("id" = String, Path, description = "Poll id")), request_body = VoteParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Poll), (status = 404), (status = 422)))]
pub async fn vote(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<VoteParams>,
) -> ApiResult<Json<Poll>> {
    let mut choices = params.choices.unwrap_or_default();
    choices.truncate(MAX_CHOICES);
    let viewed = polls::vote(&state, user.account_id, id.0, &choices).await?;
    Ok(Json(Poll::alone(&viewed, &state.config)))
}
