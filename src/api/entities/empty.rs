//! The empty object `{}`: what Mastodon answers when an action succeeded and there is
//! nothing to show (dismissing a notification, deleting a push subscription, revoking
//! a token…).

use serde::Serialize;
use utoipa::ToSchema;

/// `{}`.
#[derive(Clone, Copy, Debug, Default, Serialize, ToSchema)]
pub struct Empty {}
