//! The NotificationPolicy entity in its v2 form
//! (<https://docs.joinmastodon.org/entities/NotificationPolicy/>) and Mastodon 4.2's v1
//! form (booleans), and the NotificationRequest entity
//! (<https://docs.joinmastodon.org/entities/NotificationRequest/>).

use serde::Serialize;
use utoipa::ToSchema;

use super::status::Status;
use super::{timestamp, Account};
use crate::db::notification_policies::RequestRow;
use crate::domain::Id;
use crate::services::notifications::policy::{Action, PolicySummary};

/// `summary` of a policy.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct PolicyCounts {
    /// Senders with filtered notifications waiting (at most 100 counted).
    pub pending_requests_count: i64,
    /// Notifications in those requests.
    pub pending_notifications_count: i64,
}

impl PolicyCounts {
    fn of(summary: &PolicySummary) -> PolicyCounts {
        PolicyCounts {
            pending_requests_count: summary.pending_requests_count,
            pending_notifications_count: summary.pending_notifications_count,
        }
    }
}

/// The policy of `GET`/`PATCH /api/v2/notifications/policy`: each field `accept`,
/// `filter` or `drop`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationPolicy {
    pub for_not_following: &'static str,
    pub for_not_followers: &'static str,
    pub for_new_accounts: &'static str,
    pub for_private_mentions: &'static str,
    pub for_limited_accounts: &'static str,
    pub summary: PolicyCounts,
}

impl From<&PolicySummary> for NotificationPolicy {
    fn from(summary: &PolicySummary) -> Self {
        let policy = &summary.policy;
        NotificationPolicy {
            for_not_following: policy.for_not_following.as_str(),
            for_not_followers: policy.for_not_followers.as_str(),
            for_new_accounts: policy.for_new_accounts.as_str(),
            for_private_mentions: policy.for_private_mentions.as_str(),
            for_limited_accounts: policy.for_limited_accounts.as_str(),
            summary: PolicyCounts::of(summary),
        }
    }
}

/// The policy of `GET`/`PATCH /api/v1/notifications/policy` (Mastodon 4.2): whether
/// each case is not accepted.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationPolicyV1 {
    pub filter_not_following: bool,
    pub filter_not_followers: bool,
    pub filter_new_accounts: bool,
    pub filter_private_mentions: bool,
    pub summary: PolicyCounts,
}

impl From<&PolicySummary> for NotificationPolicyV1 {
    fn from(summary: &PolicySummary) -> Self {
        let policy = &summary.policy;
        let filters = |action: Action| action != Action::Accept;
        NotificationPolicyV1 {
            filter_not_following: filters(policy.for_not_following),
            filter_not_followers: filters(policy.for_not_followers),
            filter_new_accounts: filters(policy.for_new_accounts),
            filter_private_mentions: filters(policy.for_private_mentions),
            summary: PolicyCounts::of(summary),
        }
    }
}

/// A sender's filtered notifications, waiting for the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationRequest {
    #[schema(value_type = String)]
    pub id: Id,
    pub created_at: String,
    pub updated_at: String,
    /// How many notifications it holds, as a string (as Mastodon).
    pub notifications_count: String,
    /// The sender.
    pub account: Account,
    /// The newest status among them, if it can still be shown.
    pub last_status: Option<Status>,
}

impl NotificationRequest {
    /// The entity of `row`, with its rendered sender and last status.
    pub fn new(row: &RequestRow, account: Account, last_status: Option<Status>) -> Self {
        NotificationRequest {
            id: Id(row.id),
            created_at: timestamp(row.created_at),
            updated_at: timestamp(row.updated_at),
            notifications_count: row.notifications_count.to_string(),
            account,
            last_status,
        }
    }
}

/// The answer of `GET /api/v1/notifications/requests/merged`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct Merged {
    /// Always `true`: accepted requests are merged before the answer.
    pub merged: bool,
}
