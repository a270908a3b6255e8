//! The Context entity: the thread around a status
//! (<https://docs.joinmastodon.org/entities/Context/>).

use serde::Serialize;

use super::status::Status;

/// The visible statuses above and below one status in its thread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Context {
    /// Ancestors, oldest first.
    pub ancestors: Vec<Status>,
    /// Descendants, in thread order.
    pub descendants: Vec<Status>,
}
