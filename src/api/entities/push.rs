//! The WebPushSubscription entity
//! (<https://docs.joinmastodon.org/entities/WebPushSubscription/>).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::push::SubscriptionRow;

/// The notification types a subscription can ask for, in the API's names and in the
/// order [`Alerts`] lists them.
pub const ALERTS: [&str; 10] = [
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
];

/// A Web Push subscription of one access token.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebPushSubscription {
    pub id: String,
    /// Where the push service receives the messages.
    pub endpoint: String,
    /// true: RFC 8291 `aes128gcm`; false: the older `aesgcm` coding.
    pub standard: bool,
    pub alerts: Alerts,
    /// `all`, `followed`, `follower` or `none`.
    pub policy: String,
    /// The VAPID public key messages are signed with (base64url, padded).
    pub server_key: String,
}

/// Which notification types are pushed.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct Alerts {
    pub mention: bool,
    pub status: bool,
    pub reblog: bool,
    pub follow: bool,
    pub follow_request: bool,
    pub favourite: bool,
    pub poll: bool,
    pub update: bool,
    #[serde(rename = "admin.sign_up")]
    pub admin_sign_up: bool,
    #[serde(rename = "admin.report")]
    pub admin_report: bool,
}

impl Alerts {
    /// The switches of a stored list of alert names.
    pub fn from_names(names: &[String]) -> Alerts {
        let on = |alert: &str| names.iter().any(|name| name == alert);
        Alerts {
            mention: on("mention"),
            status: on("status"),
            reblog: on("reblog"),
            follow: on("follow"),
            follow_request: on("follow_request"),
            favourite: on("favourite"),
            poll: on("poll"),
            update: on("update"),
            admin_sign_up: on("admin.sign_up"),
            admin_report: on("admin.report"),
        }
    }
}

impl WebPushSubscription {
    /// The entity of a stored subscription, with the server's VAPID key.
    pub fn from_row(row: &SubscriptionRow, server_key: String) -> WebPushSubscription {
        WebPushSubscription {
            id: row.id.to_string(),
            endpoint: row.endpoint.clone(),
            standard: row.standard,
            alerts: Alerts::from_names(&row.alerts),
            policy: row.policy.clone(),
            server_key,
        }
    }
}
