//! Creating notifications: the one path every notification is written by, local and
//! remote causes alike. For each recipient it applies the hiding rules (blocks, mutes,
//! domain blocks: `db::hiding`; a thread the recipient muted) and the recipient's policy (`super::policy`): a dropped
//! notification is not written, a filtered one is written with `filtered` (and a
//! private mention from that sender goes into a notification request), an accepted
//! one gets its group key ([`group_key`]). Run inside the transaction of the change
//! that causes the notification; triggers stream and push it after the commit.
//! Spec: <https://docs.joinmastodon.org/methods/grouped_notifications/>,
//! <https://docs.joinmastodon.org/methods/notifications/#get-policy>.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::policy::{Action, Policy, Relation};
use crate::db::new_notifications::{self as db, NewNotification, RecipientFacts, SenderFacts};
use crate::db::notification_policies;
use crate::db::notifications::Kind;
use crate::domain::Visibility;

/// The kinds Mastodon 4.3 groups (`favourite` and `reblog` by status, `follow`).
pub const GROUPED_KINDS: [&str; 3] = ["favourite", "reblog", "follow"];

/// A group stops taking new notifications once it spans this many hours.
const MAX_GROUP_SPAN_HOURS: i64 = 12;

/// What happened: `kind`, caused by `sender`, about a status or a report.
#[derive(Clone, Copy, Debug)]
pub struct Cause {
    pub kind: Kind,
    pub sender: i64,
    pub status_id: Option<i64>,
    pub report_id: Option<i64>,
}

impl Cause {
    /// A cause about `status_id` (or nothing).
    pub fn new(kind: Kind, sender: i64, status_id: Option<i64>) -> Cause {
        Cause {
            kind,
            sender,
            status_id,
            report_id: None,
        }
    }
}

/// The group of a notification of `kind` about `status_id` whose newest group of the
/// same kind and status has the key `previous`, at `hour` (hours since the epoch):
/// `favourite-STATUS-BUCKET`, `reblog-STATUS-BUCKET` or `follow-BUCKET`, where the
/// bucket is the hour the group started, kept while the group spans less than 12
/// hours (Mastodon's keys). `None` for kinds that do not group.
pub fn group_key(
    kind: Kind,
    status_id: Option<i64>,
    hour: i64,
    previous: Option<&str>,
) -> Option<String> {
    let prefix = match (kind, status_id) {
        (Kind::Favourite | Kind::Reblog, Some(status)) => format!("{}-{status}", kind.as_str()),
        (Kind::Follow, _) => kind.as_str().to_owned(),
        _ => return None,
    };
    let started = previous
        .and_then(|key| key.strip_prefix(prefix.as_str()))
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|bucket| bucket.parse::<i64>().ok())
        .filter(|started| hour < started + MAX_GROUP_SPAN_HOURS);
    Some(format!("{prefix}-{}", started.unwrap_or(hour)))
}

/// Notifies each of `recipients` of `cause` as the rules and their policies say, once
/// per cause however often it arrives. Returns how many notifications were written
/// (filtered ones included).
pub async fn notify(
    conn: &mut PgConnection,
    cause: &Cause,
    recipients: &[i64],
) -> sqlx::Result<usize> {
    let facts = db::recipient_facts(&mut *conn, cause.sender, recipients, cause.status_id).await?;
    if facts.is_empty() {
        return Ok(0);
    }
    let Some(sender) = db::sender_facts(&mut *conn, cause.sender).await? else {
        return Ok(0);
    };
    let now = Utc::now();
    let private = match (cause.kind, cause.status_id) {
        (Kind::Mention, Some(status)) => db::is_direct(&mut *conn, status).await?,
        _ => false,
    };
    let mut rows = Vec::with_capacity(facts.len());
    for recipient in &facts {
        let action = verdict(&mut *conn, cause, recipient, (&sender, private), now).await?;
        if action != Action::Drop {
            rows.push(NewNotification {
                account_id: recipient.account_id,
                group_key: None,
                filtered: action == Action::Filter,
            });
        }
    }
    assign_group_keys(&mut *conn, cause, &mut rows, now).await?;
    let written = db::insert(
        &mut *conn,
        cause.sender,
        cause.kind,
        (cause.status_id, cause.report_id),
        &rows,
    )
    .await?;
    if cause.kind == Kind::Mention {
        for (recipient, _) in written.iter().filter(|(_, filtered)| *filtered) {
            notification_policies::record_request(conn, *recipient, cause.sender, cause.status_id)
                .await?;
        }
    }
    Ok(written.len())
}

/// The recipient's policy's verdict on `cause` by `sender`, a private mention or not.
/// Whether a private mention answers one of the recipient's is looked up only when the
/// verdict may depend on it.
async fn verdict(
    conn: &mut PgConnection,
    cause: &Cause,
    recipient: &RecipientFacts,
    (sender, private): (&SenderFacts, bool),
    now: DateTime<Utc>,
) -> sqlx::Result<Action> {
    let policy = Policy::from_row(recipient.policy.as_ref().map(|row| &row.0));
    let mut relation = Relation {
        follows_sender: recipient.follows_sender,
        followed_by_sender_since: recipient.followed_by_sender_since,
        permitted: recipient.permitted,
        sender_created_at: sender.created_at,
        sender_limited: sender.silenced,
        sender_staff: sender.staff,
        unsolicited_private_mention: false,
    };
    if let (true, Some(status)) = (private, cause.status_id) {
        let may_matter = policy.for_private_mentions != Action::Accept
            && !relation.follows_sender
            && !relation.permitted;
        if may_matter {
            relation.unsolicited_private_mention =
                !db::answers_private_mention(conn, status, recipient.account_id, cause.sender)
                    .await?;
        }
    }
    Ok(policy.verdict(cause.kind, &relation, now))
}

/// Gives each accepted notification of a grouping kind its group key (filtered ones
/// stay ungrouped, as Mastodon's).
async fn assign_group_keys(
    conn: &mut PgConnection,
    cause: &Cause,
    rows: &mut [NewNotification],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let hour = now.timestamp().div_euclid(3600);
    if group_key(cause.kind, cause.status_id, hour, None).is_none() {
        return Ok(());
    }
    let accepted: Vec<i64> = rows
        .iter()
        .filter(|row| !row.filtered)
        .map(|row| row.account_id)
        .collect();
    let previous = db::newest_group_keys(conn, &accepted, cause.kind, cause.status_id).await?;
    for row in rows.iter_mut().filter(|row| !row.filtered) {
        let before = previous
            .iter()
            .find(|(account, _)| *account == row.account_id)
            .map(|(_, key)| key.as_str());
        row.group_key = group_key(cause.kind, cause.status_id, hour, before);
    }
    Ok(())
}

/// `kind` (favourite, reblog) by `sender` to the local author of `status_id`.
pub async fn notify_status_author(
    conn: &mut PgConnection,
    status_id: i64,
    sender: i64,
    kind: Kind,
) -> sqlx::Result<()> {
    if let Some(author) = db::status_author(&mut *conn, status_id).await? {
        notify(conn, &Cause::new(kind, sender, Some(status_id)), &[author]).await?;
    }
    Ok(())
}

/// Notifications of a new status: `mention` to each mentioned account, and `status`
/// to the followers who asked to hear of the author's posts (unless it is direct).
pub async fn notify_new_status(
    conn: &mut PgConnection,
    status_id: i64,
    author: i64,
    visibility: Visibility,
    mentioned: &[i64],
) -> sqlx::Result<()> {
    if !mentioned.is_empty() {
        let cause = Cause::new(Kind::Mention, author, Some(status_id));
        notify(&mut *conn, &cause, mentioned).await?;
    }
    if visibility == Visibility::Direct {
        return Ok(());
    }
    let subscribers = db::subscribed_followers(&mut *conn, author, mentioned).await?;
    if !subscribers.is_empty() {
        let cause = Cause::new(Kind::Status, author, Some(status_id));
        notify(conn, &cause, &subscribers).await?;
    }
    Ok(())
}

/// `update` of an edited status to the accounts that boosted, favourited or were
/// mentioned in it.
pub async fn notify_edit(conn: &mut PgConnection, status_id: i64, author: i64) -> sqlx::Result<()> {
    let interested = db::interested_in(&mut *conn, status_id).await?;
    let cause = Cause::new(Kind::Update, author, Some(status_id));
    notify(conn, &cause, &interested).await?;
    Ok(())
}

/// `admin.sign_up` to every moderator and admin, for a new local account.
pub async fn notify_staff_of_sign_up(
    conn: &mut PgConnection,
    new_account: i64,
) -> sqlx::Result<()> {
    let staff = db::staff(&mut *conn).await?;
    notify(
        conn,
        &Cause::new(Kind::AdminSignUp, new_account, None),
        &staff,
    )
    .await?;
    Ok(())
}

/// `admin.report` naming the report to every moderator and admin (but the reporter).
pub async fn notify_staff_of_report(
    conn: &mut PgConnection,
    report_id: i64,
    reporter: i64,
) -> sqlx::Result<()> {
    let staff = db::staff(&mut *conn).await?;
    let cause = Cause {
        kind: Kind::AdminReport,
        sender: reporter,
        status_id: None,
        report_id: Some(report_id),
    };
    notify(conn, &cause, &staff).await?;
    Ok(())
}

/// `poll` when a poll ended: to each local voter (from the poll's author) and, when
/// the author is local, to the author (a notification of their own, which the usual
/// rules would drop as self-caused).
pub async fn notify_poll_ended(
    conn: &mut PgConnection,
    status_id: i64,
    author: i64,
    voters: &[i64],
    author_is_local: bool,
) -> sqlx::Result<()> {
    notify(
        &mut *conn,
        &Cause::new(Kind::Poll, author, Some(status_id)),
        voters,
    )
    .await?;
    if author_is_local {
        let own = NewNotification {
            account_id: author,
            group_key: None,
            filtered: false,
        };
        db::insert(conn, author, Kind::Poll, (Some(status_id), None), &[own]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn favourites_of_one_status_share_a_group_for_twelve_hours() {
        let first = group_key(Kind::Favourite, Some(7), 1000, None);
        assert_eq!(first.as_deref(), Some("favourite-7-1000"));
        let later = group_key(Kind::Favourite, Some(7), 1011, first.as_deref());
        assert_eq!(later, first);
        let next_day = group_key(Kind::Favourite, Some(7), 1012, first.as_deref());
        assert_eq!(next_day.as_deref(), Some("favourite-7-1012"));
    }

    #[test]
    fn follows_group_without_a_status_and_other_kinds_do_not_group() {
        assert_eq!(
            group_key(Kind::Follow, None, 5, Some("follow-1")).as_deref(),
            Some("follow-1")
        );
        assert_eq!(group_key(Kind::Mention, Some(7), 5, None), None);
        assert_eq!(group_key(Kind::Favourite, None, 5, None), None);
        assert_eq!(
            group_key(Kind::Reblog, Some(7), 5, Some("reblog-77-1")).as_deref(),
            Some("reblog-7-5")
        );
    }
}
