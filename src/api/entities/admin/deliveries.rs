//! Roost's own admin view of federation deliveries (no Mastodon counterpart): dead
//! letters, per-domain health, and the count of a replay.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::timestamp;
use crate::db::deliveries::{self, Overview};
use crate::domain::Id;

/// The outbox as admins see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Deliveries {
    /// Deliveries waiting to be sent.
    pub pending: i64,
    /// Deliveries that ran out of attempts, in all.
    pub dead_total: i64,
    /// The newest dead deliveries.
    pub dead: Vec<DeadDelivery>,
    /// Delivery health per domain, the least healthy first.
    pub domains: Vec<DomainHealth>,
}

/// A delivery that ran out of attempts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeadDelivery {
    #[schema(value_type = String)]
    pub id: Id,
    pub activity_id: String,
    pub inbox: String,
    pub domain: String,
    pub attempts: i32,
    /// The HTTP status of the last attempt, if one came back.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// How deliveries to one domain fare.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainHealth {
    pub domain: String,
    pub consecutive_failures: i32,
    pub last_success_at: Option<String>,
    pub last_failure_at: Option<String>,
    /// While set, nothing is sent there (the breaker is open).
    pub unavailable_until: Option<String>,
    pub pending: i64,
    pub dead: i64,
}

impl Deliveries {
    /// Builds the entity from the outbox overview.
    pub fn from_overview(overview: &Overview) -> Deliveries {
        Deliveries {
            pending: overview.pending,
            dead_total: overview.dead_total,
            dead: overview.dead.iter().map(DeadDelivery::from_row).collect(),
            domains: overview
                .domains
                .iter()
                .map(DomainHealth::from_row)
                .collect(),
        }
    }
}

impl DeadDelivery {
    fn from_row(row: &deliveries::DeadDelivery) -> DeadDelivery {
        DeadDelivery {
            id: Id(row.id),
            activity_id: row.activity_id.clone(),
            inbox: row.inbox_url.clone(),
            domain: row.domain.clone(),
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error.clone(),
            created_at: timestamp(row.created_at),
            finished_at: row.finished_at.map(timestamp),
        }
    }
}

impl DomainHealth {
    fn from_row(row: &deliveries::DomainHealth) -> DomainHealth {
        DomainHealth {
            domain: row.domain.clone(),
            consecutive_failures: row.consecutive_failures,
            last_success_at: row.last_success_at.map(timestamp),
            last_failure_at: row.last_failure_at.map(timestamp),
            unavailable_until: row.unavailable_until.map(timestamp),
            pending: row.pending,
            dead: row.dead,
        }
    }
}

/// How many dead deliveries a replay queued again.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct Replayed {
    pub replayed: u64,
}
