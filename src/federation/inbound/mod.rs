//! Inbound activities: one handler per activity type, each parsing its activity and
//! calling the service that owns the action, and the one outcome type they share.
//!
//! An inbound handler answers with [`Handled`]: done, or a [`Skip`] that says whether
//! the activity is to be kept as it is (ignored, with the reason) or tried again later.

use crate::error::ApiError;

pub mod announce;
pub mod like;

/// Why an inbound activity had no effect (yet).
#[derive(Debug, thiserror::Error)]
pub enum Skip {
    /// Well-formed but meaningless or not allowed here (wrong target, unknown follow,
    /// a rule of the service refused it); the row is kept with this reason.
    #[error("ignored: {0}")]
    Ignored(String),
    /// A passing failure (database, a peer that did not answer): try again later.
    #[error(transparent)]
    Retry(#[from] anyhow::Error),
}

/// What an inbound handler returns.
pub type Handled = Result<(), Skip>;

impl Skip {
    /// An ignored activity, with its reason.
    pub fn ignored(reason: impl Into<String>) -> Skip {
        Skip::Ignored(reason.into())
    }
}

impl From<sqlx::Error> for Skip {
    fn from(error: sqlx::Error) -> Self {
        Skip::Retry(error.into())
    }
}

/// A service's refusal is final for this activity; only failures that are not the
/// sender's fault (the database, an unreachable peer) are worth another attempt.
impl From<ApiError> for Skip {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Internal(error) | ApiError::Unavailable(error) => Skip::Retry(error),
            ApiError::Overloaded { .. } => Skip::Retry(anyhow::anyhow!("{error}")),
            refused => Skip::Ignored(refused.to_string()),
        }
    }
}
