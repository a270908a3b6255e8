//! Roost's Admin::Relay entity: a relay the server subscribes to. Mastodon has relays
//! only in its web admin (`app/models/relay.rb`); the fields are its columns.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::timestamp;
use crate::db::relays::RelayRow;
use crate::domain::Id;

/// A relay and the state of the subscription to it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Relay {
    #[schema(value_type = String)]
    pub id: Id,
    /// Where the subscription and public posts are delivered.
    pub inbox_url: String,
    /// `mastodon` (subscribed by following `as:Public`) or `litepub` (by following the
    /// relay's actor).
    pub kind: String,
    /// `idle`, `pending`, `accepted` or `rejected`.
    pub state: String,
    /// Whether public posts flow (the relay accepted the subscription).
    pub enabled: bool,
    /// The relay's actor, once known.
    pub actor_id: Option<String>,
    pub created_at: String,
}

impl Relay {
    /// Builds the entity from a row.
    pub fn from_row(row: &RelayRow) -> Relay {
        Relay {
            id: Id(row.id),
            inbox_url: row.inbox_url.clone(),
            kind: row.kind.clone(),
            state: row.state.clone(),
            enabled: row.state == "accepted",
            actor_id: row.actor_ap_id.clone(),
            created_at: timestamp(row.created_at),
        }
    }
}
