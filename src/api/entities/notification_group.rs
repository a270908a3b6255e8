//! The entities of grouped notifications
//! (<https://docs.joinmastodon.org/methods/grouped_notifications/#GroupedNotificationsResults>):
//! `GroupedNotificationsResults` (the accounts and statuses a page names, once each,
//! and its `NotificationGroup`s) and `PartialAccountWithAvatar`
//! (<https://docs.joinmastodon.org/entities/Account/#PartialAccountWithAvatar>).
//!
//! Built from what the handler loaded; which groups a page holds is
//! `services::notifications::grouped`'s.

use serde::Serialize;
use utoipa::ToSchema;

use super::report::Report;
use super::status::Status;
use super::{timestamp, Account};
use crate::domain::Id;
use crate::services::notifications::grouped::Group;

/// A page (or one) of notification groups with the entities they name.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupedNotificationsResults {
    /// Accounts named by the groups (in full).
    pub accounts: Vec<Account>,
    /// With `expand_accounts=partial_avatars`: the sample accounts that are not each
    /// group's newest, in short form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_accounts: Option<Vec<PartialAccountWithAvatar>>,
    /// Statuses named by the groups.
    pub statuses: Vec<Status>,
    pub notification_groups: Vec<NotificationGroup>,
}

/// Notifications of one kind about one thing, shown together.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationGroup {
    /// Opaque; `ungrouped-ID` for a notification shown alone.
    pub group_key: String,
    pub notifications_count: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = String)]
    pub most_recent_notification_id: Id,
    /// Oldest notification of the group on this page (pages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub page_min_id: Option<Id>,
    /// Newest notification of the group on this page (pages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub page_max_id: Option<Id>,
    /// When the newest notification of the group on this page came (pages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_page_notification_at: Option<String>,
    /// Who caused the newest notifications, newest first (at most 8).
    #[schema(value_type = Vec<String>)]
    pub sample_account_ids: Vec<Id>,
    /// The status it is about (favourite, reblog, mention, status, update).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub status_id: Option<Id>,
    /// The report of an `admin.report`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

impl NotificationGroup {
    /// The entity of `group`; `report` is its rendered report, if it names one.
    pub fn new(group: &Group, report: Option<Report>) -> NotificationGroup {
        NotificationGroup {
            group_key: group.key.clone(),
            notifications_count: group.notifications_count,
            kind: group.head.r#type.clone(),
            most_recent_notification_id: Id(group.most_recent_notification_id),
            page_min_id: group.page.map(|range| Id(range.min_id)),
            page_max_id: group.page.map(|range| Id(range.max_id)),
            latest_page_notification_at: group.page.map(|range| timestamp(range.latest_at)),
            sample_account_ids: group.sample_account_ids.iter().copied().map(Id).collect(),
            status_id: group.head.status_id.map(Id),
            report,
        }
    }
}

/// An account in short: enough to show its avatar in a group.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PartialAccountWithAvatar {
    #[schema(value_type = String)]
    pub id: Id,
    pub acct: String,
    pub url: String,
    pub avatar: String,
    pub avatar_static: String,
    pub locked: bool,
    pub bot: bool,
}

impl From<&Account> for PartialAccountWithAvatar {
    fn from(account: &Account) -> Self {
        PartialAccountWithAvatar {
            id: account.id,
            acct: account.acct.clone(),
            url: account.url.clone(),
            avatar: account.avatar.clone(),
            avatar_static: account.avatar_static.clone(),
            locked: account.locked,
            bot: account.bot,
        }
    }
}
