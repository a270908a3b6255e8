//! The Notification entity (<https://docs.joinmastodon.org/entities/Notification/>),
//! the read markers of `GET`/`POST /api/v1/markers`
//! (<https://docs.joinmastodon.org/entities/Marker/>) and the unread count.
//!
//! Built from rows the caller loaded; loading the accounts, statuses and reports a page
//! of notifications names is the handler's (`api::v1::notifications`).

use serde::Serialize;
use utoipa::ToSchema;

use super::report::Report;
use super::status::Status;
use super::{timestamp, Account};
use crate::db::notifications::{MarkerRow, NotificationRow};
use crate::domain::Id;

/// Something that happened to the user: who did it, and what it was about.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    #[schema(value_type = String)]
    pub id: Id,
    /// `follow`, `follow_request`, `mention`, `reblog`, `favourite`, `status`,
    /// `update`, `admin.sign_up`, `admin.report`, `poll`, `quote`, `quoted_update` or
    /// `move`.
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    /// Its group in `/api/v2/notifications` (`ungrouped-ID` when it groups with
    /// nothing).
    pub group_key: String,
    /// Present (`true`) only when the user's notification policy filtered it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub filtered: bool,
    /// Who caused it.
    pub account: Account,
    /// The status it is about (mention, reblog, favourite, status, update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The report of an `admin.report`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    /// The account `account` moved to, on a `move` (Pleroma's and Akkoma's field, which
    /// Mastodon apps built on megalodon read; Mastodon has no `move` notification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Account>,
}

impl Notification {
    /// Builds the entity of `row`; `account` is its `from_account_id`, `status` and
    /// `report` the rendered status and report it names, if any.
    pub fn new(
        row: &NotificationRow,
        account: Account,
        status: Option<Status>,
        report: Option<Report>,
    ) -> Notification {
        let target = match row.r#type.as_str() {
            "move" => account.moved.as_deref().cloned(),
            _ => None,
        };
        Notification {
            id: Id(row.id),
            kind: row.r#type.clone(),
            created_at: timestamp(row.created_at),
            group_key: listed_group_key(row),
            filtered: row.filtered,
            account,
            status,
            report,
            target,
        }
    }
}

/// The group key a notification is shown with: its own, or `ungrouped-ID`.
pub fn listed_group_key(row: &NotificationRow) -> String {
    row.group_key
        .clone()
        .unwrap_or_else(|| format!("ungrouped-{}", row.id))
}

/// A saved reading position in a timeline.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Marker {
    /// The id of the newest status or notification read.
    pub last_read_id: String,
    /// Bumped on every change, for conflict detection by clients.
    pub version: i32,
    pub updated_at: String,
}

impl Marker {
    /// The entity of a stored marker.
    pub fn from_row(row: &MarkerRow) -> Marker {
        Marker {
            last_read_id: row.last_read_id.to_string(),
            version: row.version,
            updated_at: timestamp(row.updated_at),
        }
    }
}

/// The markers of `GET`/`POST /api/v1/markers`, by timeline; timelines without a
/// marker (or not asked for) are absent.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Markers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home: Option<Marker>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Marker>,
}

impl Markers {
    /// The markers of `rows`, each under its timeline (other timelines are left out).
    pub fn from_rows(rows: &[MarkerRow]) -> Markers {
        let mut markers = Markers::default();
        for row in rows {
            match row.timeline.as_str() {
                "home" => markers.home = Some(Marker::from_row(row)),
                "notifications" => markers.notifications = Some(Marker::from_row(row)),
                _ => {}
            }
        }
        markers
    }
}

/// The answer of `GET /api/v1/notifications/unread_count` and
/// `GET /api/v2/notifications/unread_count`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    /// Notifications (v2: notification groups) newer than the `notifications` marker,
    /// at most `limit`.
    pub count: i64,
}
