//! The InteractionRequest entity of GoToSocial's client API
//! (<https://docs.gotosocial.org/en/latest/api/swagger/>, `interactionRequest`), for
//! quotes: a quote of the user's status awaiting (or past) their review. Roost adds the
//! type `quote` and the field `quote` (the quoting status), as GoToSocial's `reply`.

use serde::Serialize;
use utoipa::ToSchema;

use super::status::{self, Status};
use super::{timestamp, Account};
use crate::domain::Id;
use crate::services::interaction_requests::Request;
use crate::state::AppState;

/// An interaction with the user's status that waits for (or went through) their review.
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionRequest {
    /// Its id (the quoting status's).
    #[schema(value_type = String)]
    pub id: Id,
    /// `quote` (GoToSocial also has `favourite`, `reply` and `reblog`).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When it was made (ISO 8601).
    pub created_at: String,
    /// Who asked.
    pub account: Account,
    /// The user's status it is about.
    pub status: Status,
    /// The reply awaiting approval (type `reply`; Roost has none yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Status>,
    /// The quoting status awaiting approval (type `quote`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<Status>,
    /// When it was accepted (ISO 8601), if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<String>,
    /// When it was rejected (ISO 8601), if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_at: Option<String>,
}

/// Renders `requests` (in order) for their reviewer `viewer`.
pub async fn render(
    state: &AppState,
    viewer: i64,
    requests: Vec<Request>,
) -> sqlx::Result<Vec<InteractionRequest>> {
    let mut rows = Vec::with_capacity(requests.len() * 2);
    for request in &requests {
        rows.push(request.status.clone());
        rows.push(request.quote.clone());
    }
    let shown = status::render(state, Some(viewer), rows).await?;
    let find = |id: i64| shown.iter().find(|s| s.id.0 == id).cloned();
    let mut rendered = Vec::with_capacity(requests.len());
    for request in requests {
        // A status the reviewer may no longer see (its author blocked, say) is left out.
        let (Some(status), Some(quote)) = (find(request.status.id), find(request.quote.id)) else {
            continue;
        };
        rendered.push(InteractionRequest {
            id: Id(request.row.quote.status_id),
            kind: "quote",
            created_at: timestamp(request.row.quote.created_at),
            account: quote.account.clone(),
            status,
            reply: None,
            quote: Some(quote),
            accepted_at: request.row.accepted_at.map(timestamp),
            rejected_at: request.row.rejected_at.map(timestamp),
        });
    }
    Ok(rendered)
}
