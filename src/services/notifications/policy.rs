//! The notification policy (<https://docs.joinmastodon.org/entities/NotificationPolicy/>):
//! what a user does with notifications from accounts they do not follow, that do not
//! follow them, that are new, that limited by moderators, and with private mentions
//! nobody asked for — accept them, filter them into notification requests, or drop
//! them. Its defaults, its rule ([`Policy::verdict`], Mastodon's `NotifyService`
//! conditions) and reading and changing it are here; applying it is `super::create`'s.

use chrono::{DateTime, Duration, Utc};

use crate::db::notification_policies::{self, PolicyRow};
use crate::db::notifications::Kind;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What happens to a notification the policy covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Notified as usual.
    Accept,
    /// Stored as filtered: out of the lists, streams and pushes; a private mention is
    /// put in a notification request.
    Filter,
    /// Not stored at all.
    Drop,
}

impl Action {
    /// The name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Filter => "filter",
            Action::Drop => "drop",
        }
    }

    /// The action named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Action> {
        [Action::Accept, Action::Filter, Action::Drop]
            .into_iter()
            .find(|action| action.as_str() == name)
    }
}

/// An account is new for this long after it was created (Mastodon's threshold).
const NEW_ACCOUNT_DAYS: i64 = 30;
/// A follower is a follower after following this long (Mastodon's threshold).
const NEW_FOLLOWER_DAYS: i64 = 3;

/// A user's policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub for_not_following: Action,
    pub for_not_followers: Action,
    pub for_new_accounts: Action,
    pub for_private_mentions: Action,
    pub for_limited_accounts: Action,
}

impl Default for Policy {
    /// Mastodon's defaults: private mentions from strangers and notifications from
    /// limited accounts are filtered, everything else accepted.
    fn default() -> Self {
        Policy {
            for_not_following: Action::Accept,
            for_not_followers: Action::Accept,
            for_new_accounts: Action::Accept,
            for_private_mentions: Action::Filter,
            for_limited_accounts: Action::Filter,
        }
    }
}

/// How the recipient and the sender of a notification are related.
#[derive(Clone, Copy, Debug)]
pub struct Relation {
    /// The recipient follows the sender.
    pub follows_sender: bool,
    /// Since when the sender follows the recipient, if they do.
    pub followed_by_sender_since: Option<DateTime<Utc>>,
    /// The recipient accepted a request of the sender once.
    pub permitted: bool,
    pub sender_created_at: DateTime<Utc>,
    /// The sender is limited (silenced) by a moderator.
    pub sender_limited: bool,
    /// The sender is a local moderator or admin.
    pub sender_staff: bool,
    /// The notification is a private mention that does not answer one of the
    /// recipient's.
    pub unsolicited_private_mention: bool,
}

/// Whether the policy covers notifications of `kind` (Mastodon's `filterable`): not
/// `status` (asked for), `update`, nor the staff notifications.
fn filterable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Mention | Kind::Reblog | Kind::Follow | Kind::FollowRequest | Kind::Favourite
    )
}

impl Policy {
    /// The policy of a saved row (`None`: the defaults; an unknown value counts as
    /// `accept`, which the table's checks rule out).
    pub fn from_row(row: Option<&PolicyRow>) -> Policy {
        let Some(row) = row else {
            return Policy::default();
        };
        let action = |name: &str| Action::parse(name).unwrap_or(Action::Accept);
        Policy {
            for_not_following: action(&row.for_not_following),
            for_not_followers: action(&row.for_not_followers),
            for_new_accounts: action(&row.for_new_accounts),
            for_private_mentions: action(&row.for_private_mentions),
            for_limited_accounts: action(&row.for_limited_accounts),
        }
    }

    /// The row saving this policy.
    pub fn to_row(self) -> PolicyRow {
        PolicyRow {
            for_not_following: self.for_not_following.as_str().to_owned(),
            for_not_followers: self.for_not_followers.as_str().to_owned(),
            for_new_accounts: self.for_new_accounts.as_str().to_owned(),
            for_private_mentions: self.for_private_mentions.as_str().to_owned(),
            for_limited_accounts: self.for_limited_accounts.as_str().to_owned(),
        }
    }

    /// What to do with a notification of `kind` between `relation`'s accounts at
    /// `now`: the strictest action of the rules that apply (drop before filter), none
    /// for kinds the policy does not cover, for a sender the recipient accepted, and
    /// for mentions by staff.
    pub fn verdict(&self, kind: Kind, relation: &Relation, now: DateTime<Utc>) -> Action {
        if !filterable(kind) || relation.permitted {
            return Action::Accept;
        }
        if kind == Kind::Mention && relation.sender_staff {
            return Action::Accept;
        }
        let stranger = !relation.follows_sender;
        let not_follower = relation
            .followed_by_sender_since
            .is_none_or(|since| since > now - Duration::days(NEW_FOLLOWER_DAYS));
        let new_account = relation.sender_created_at > now - Duration::days(NEW_ACCOUNT_DAYS);
        let applying = [
            (
                self.for_limited_accounts,
                relation.sender_limited && stranger,
            ),
            (self.for_not_following, stranger),
            (self.for_not_followers, not_follower),
            (self.for_new_accounts, new_account && stranger),
            (
                self.for_private_mentions,
                stranger && relation.unsolicited_private_mention,
            ),
        ];
        let actions = applying.iter().filter(|(_, applies)| *applies);
        if actions.clone().any(|(action, _)| *action == Action::Drop) {
            Action::Drop
        } else if actions.clone().any(|(action, _)| *action == Action::Filter) {
            Action::Filter
        } else {
            Action::Accept
        }
    }
}

/// A policy with its summary: how many requests wait (at most 100 counted) and how
/// many notifications are in them.
#[derive(Clone, Copy, Debug)]
pub struct PolicySummary {
    pub policy: Policy,
    pub pending_requests_count: i64,
    pub pending_notifications_count: i64,
}

/// A change of policy: each field, when given, is `accept`, `filter` or `drop`.
#[derive(Clone, Debug, Default)]
pub struct PolicyChange {
    pub for_not_following: Option<String>,
    pub for_not_followers: Option<String>,
    pub for_new_accounts: Option<String>,
    pub for_private_mentions: Option<String>,
    pub for_limited_accounts: Option<String>,
}

impl PolicyChange {
    /// The change of Mastodon 4.2's v1 API, whose booleans say `filter` (true) or
    /// `accept` (false).
    pub fn from_filters(
        not_following: Option<bool>,
        not_followers: Option<bool>,
        new_accounts: Option<bool>,
        private_mentions: Option<bool>,
    ) -> PolicyChange {
        let action = |filter: Option<bool>| {
            filter.map(|filter| {
                let action = if filter {
                    Action::Filter
                } else {
                    Action::Accept
                };
                action.as_str().to_owned()
            })
        };
        PolicyChange {
            for_not_following: action(not_following),
            for_not_followers: action(not_followers),
            for_new_accounts: action(new_accounts),
            for_private_mentions: action(private_mentions),
            for_limited_accounts: None,
        }
    }
}

/// `account_id`'s policy (the defaults until they change it) with its summary.
pub async fn show(state: &AppState, account_id: i64) -> ApiResult<PolicySummary> {
    let row = notification_policies::find(&state.db, account_id).await?;
    summarize(state, account_id, Policy::from_row(row.as_ref())).await
}

async fn summarize(state: &AppState, account_id: i64, policy: Policy) -> ApiResult<PolicySummary> {
    let (requests, notifications) = notification_policies::summary(&state.db, account_id).await?;
    Ok(PolicySummary {
        policy,
        pending_requests_count: requests,
        pending_notifications_count: notifications,
    })
}

/// Changes `account_id`'s policy (the fields not given stay) and returns it with its
/// summary. Applies to notifications from now on. Errors: `Validation` naming the
/// field whose value is not `accept`, `filter` or `drop`; nothing changes then.
pub async fn update(
    state: &AppState,
    account_id: i64,
    change: &PolicyChange,
) -> ApiResult<PolicySummary> {
    let row = notification_policies::find(&state.db, account_id).await?;
    let mut policy = Policy::from_row(row.as_ref());
    let fields = [
        (
            "for_not_following",
            &change.for_not_following,
            &mut policy.for_not_following,
        ),
        (
            "for_not_followers",
            &change.for_not_followers,
            &mut policy.for_not_followers,
        ),
        (
            "for_new_accounts",
            &change.for_new_accounts,
            &mut policy.for_new_accounts,
        ),
        (
            "for_private_mentions",
            &change.for_private_mentions,
            &mut policy.for_private_mentions,
        ),
        (
            "for_limited_accounts",
            &change.for_limited_accounts,
            &mut policy.for_limited_accounts,
        ),
    ];
    for (field, value, slot) in fields {
        if let Some(value) = value {
            *slot = Action::parse(value).ok_or_else(|| {
                ApiError::validation(field, "ERR_INCLUSION", "is not included in the list")
            })?;
        }
    }
    notification_policies::save(&state.db, account_id, &policy.to_row()).await?;
    summarize(state, account_id, policy).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stranger(now: DateTime<Utc>) -> Relation {
        Relation {
            follows_sender: false,
            followed_by_sender_since: None,
            permitted: false,
            sender_created_at: now - Duration::days(365),
            sender_limited: false,
            sender_staff: false,
            unsolicited_private_mention: false,
        }
    }

    #[test]
    fn the_defaults_filter_strangers_private_mentions_and_limited_accounts_only() {
        let now = Utc::now();
        let policy = Policy::default();
        assert_eq!(
            policy.verdict(Kind::Mention, &stranger(now), now),
            Action::Accept
        );
        let private = Relation {
            unsolicited_private_mention: true,
            ..stranger(now)
        };
        assert_eq!(policy.verdict(Kind::Mention, &private, now), Action::Filter);
        let limited = Relation {
            sender_limited: true,
            ..stranger(now)
        };
        assert_eq!(
            policy.verdict(Kind::Favourite, &limited, now),
            Action::Filter
        );
        let followed = Relation {
            follows_sender: true,
            ..limited
        };
        assert_eq!(
            policy.verdict(Kind::Favourite, &followed, now),
            Action::Accept
        );
    }

    #[test]
    fn drop_wins_over_filter_and_permissions_staff_and_unfilterable_kinds_pass() {
        let now = Utc::now();
        let policy = Policy {
            for_not_following: Action::Filter,
            for_not_followers: Action::Drop,
            ..Policy::default()
        };
        assert_eq!(
            policy.verdict(Kind::Follow, &stranger(now), now),
            Action::Drop
        );
        let new_follower = Relation {
            followed_by_sender_since: Some(now - Duration::days(1)),
            ..stranger(now)
        };
        assert_eq!(
            policy.verdict(Kind::Mention, &new_follower, now),
            Action::Drop
        );
        let old_follower = Relation {
            followed_by_sender_since: Some(now - Duration::days(10)),
            ..stranger(now)
        };
        assert_eq!(
            policy.verdict(Kind::Mention, &old_follower, now),
            Action::Filter
        );
        let permitted = Relation {
            permitted: true,
            ..stranger(now)
        };
        assert_eq!(
            policy.verdict(Kind::Mention, &permitted, now),
            Action::Accept
        );
        let staff = Relation {
            sender_staff: true,
            ..stranger(now)
        };
        assert_eq!(policy.verdict(Kind::Mention, &staff, now), Action::Accept);
        assert_eq!(
            policy.verdict(Kind::Update, &stranger(now), now),
            Action::Accept
        );
    }

    #[test]
    fn new_accounts_count_for_thirty_days_unless_followed() {
        let now = Utc::now();
        let policy = Policy {
            for_new_accounts: Action::Filter,
            ..Policy::default()
        };
        let new = Relation {
            sender_created_at: now - Duration::days(2),
            ..stranger(now)
        };
        assert_eq!(policy.verdict(Kind::Favourite, &new, now), Action::Filter);
        let followed = Relation {
            follows_sender: true,
            ..new
        };
        assert_eq!(
            policy.verdict(Kind::Favourite, &followed, now),
            Action::Accept
        );
    }
}
