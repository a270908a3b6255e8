//! Reports, where local and federated meet: a local user's report (optionally
//! forwarded to the reported account's server as a `Flag` from the instance actor, so
//! the reporter stays anonymous there), and received `Flag` activities, which become
//! reports here. Every new report notifies the moderators (`admin.report`).
//!
//! Spec: <https://docs.joinmastodon.org/methods/reports/>, Mastodon's `Flag`
//! (<https://docs.joinmastodon.org/spec/activitypub/>): `object` lists the reported
//! actor, then the reported posts; `content` is the comment.

use serde_json::Value;

use super::domain_policy::{self, Rejection};
use super::outbound;
use super::posts::local_status_id;
use super::protocol::Activity;
use crate::db::accounts::{self, AccountRow};
use crate::db::notifications;
use crate::db::reports::{self, CitedBy, NewReport, ReportRow};
use crate::state::AppState;
use crate::urls;

/// Longest comment kept from a received Flag.
const MAX_FLAG_COMMENT_CHARS: usize = 5_000;
/// Most objects read from a received Flag.
const MAX_FLAG_OBJECTS: usize = 100;

/// What a local user reports about `target` (already validated by the API).
#[derive(Debug)]
pub struct LocalReport<'a> {
    /// The cited statuses: only those of the target that the reporter may see are
    /// kept; the rest are dropped silently (no hint whether they exist).
    pub status_ids: &'a [i64],
    pub comment: &'a str,
    pub category: &'a str,
    pub rule_ids: &'a [i64],
    /// Send a copy to the target's server (ignored for local targets).
    pub forward: bool,
}

/// Files a report by the local `reporter` about `target`, notifies the moderators, and
/// (when asked and the target is remote) queues a `Flag` to the target's server, all
/// in one transaction.
pub async fn file(
    state: &AppState,
    reporter: &AccountRow,
    target: &AccountRow,
    report: &LocalReport<'_>,
) -> anyhow::Result<ReportRow> {
    let cited_by = CitedBy::Viewer(reporter.id);
    let status_ids =
        reports::statuses_of(&state.db, cited_by, target.id, report.status_ids).await?;
    let inbox = outbound::delivery_inbox(target).filter(|_| report.forward && !target.is_local());
    let flag_id = inbox.as_ref().map(|_| urls::new_activity(&state.config));
    let mut transaction = state.db.begin().await?;
    let new = NewReport {
        account_id: reporter.id,
        target_account_id: target.id,
        status_ids: &status_ids,
        comment: report.comment,
        category: report.category,
        rule_ids: report.rule_ids,
        forwarded: inbox.is_some(),
        ap_id: flag_id.as_deref(),
    };
    let row = reports::create(&mut transaction, &new)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a fresh report id collided"))?;
    notifications::notify_staff_of_report(&mut transaction, row.id, reporter.id).await?;
    if let (Some(inbox), Some(flag_id)) = (inbox, flag_id) {
        let found = crate::db::statuses::find_many(&mut *transaction, &status_ids).await?;
        let status_uris: Vec<String> = found.iter().filter_map(|s| s.ap_id.clone()).collect();
        let flag = outbound::flag(
            &flag_id,
            &urls::instance_actor(&state.config),
            &urls::account_ap_id(&state.config, target),
            &status_uris,
            report.comment,
        );
        outbound::deliver_as_instance(&mut transaction, &flag, &[inbox]).await?;
    }
    transaction.commit().await?;
    Ok(row)
}

/// Why a received Flag made no report.
#[derive(Debug, thiserror::Error)]
pub enum FlagSkip {
    #[error("{0}")]
    Ignored(String),
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

impl From<sqlx::Error> for FlagSkip {
    fn from(error: sqlx::Error) -> Self {
        FlagSkip::Transient(error.into())
    }
}

/// An inbound `Flag` (activity `flag_id`) from `sender`: a report about the first
/// local account it names (or the author of the first local post it names), with the
/// named local posts of that account. A Flag that arrives twice reports once.
pub async fn receive_flag(
    state: &AppState,
    sender: &AccountRow,
    flag_id: &str,
    flag: &Value,
) -> Result<(), FlagSkip> {
    let rejected = match sender.domain.as_deref() {
        Some(domain) => {
            let mut conn = state.db.acquire().await?;
            domain_policy::rejects(&mut conn, domain, Rejection::Reports).await?
        }
        None => false,
    };
    if rejected {
        return Err(FlagSkip::Ignored(
            "the sender's domain is blocked with reject_reports".into(),
        ));
    }
    let flag: Activity = serde_json::from_value(flag.clone())
        .map_err(|error| FlagSkip::Ignored(format!("malformed Flag: {error}")))?;
    let mut target: Option<AccountRow> = None;
    let mut status_ids = Vec::new();
    for uri in flag.object_ids().iter().take(MAX_FLAG_OBJECTS) {
        let uri = uri.as_str();
        if let Some(id) = local_status_id(state, uri) {
            status_ids.push(id);
        } else if let Some(name) = urls::local_username(&state.config, uri) {
            if target.is_none() {
                target = accounts::find_visible_by_acct(&state.db, name, None).await?;
            }
        }
    }
    if target.is_none() {
        if let Some(first) = crate::db::statuses::find_many(&state.db, &status_ids)
            .await?
            .first()
        {
            target = accounts::find_by_id(&state.db, first.account_id).await?;
        }
    }
    let target = target
        .filter(AccountRow::is_local)
        .ok_or_else(|| FlagSkip::Ignored("the Flag names no local account".into()))?;
    let status_ids = reports::statuses_of(&state.db, CitedBy::Peer, target.id, &status_ids).await?;
    let comment: String = flag
        .content
        .as_deref()
        .unwrap_or_default()
        .chars()
        .take(MAX_FLAG_COMMENT_CHARS)
        .collect();
    let mut transaction = state.db.begin().await?;
    let new = NewReport {
        account_id: sender.id,
        target_account_id: target.id,
        status_ids: &status_ids,
        comment: &comment,
        category: "other",
        rule_ids: &[],
        forwarded: false,
        ap_id: Some(flag_id),
    };
    if let Some(row) = reports::create(&mut transaction, &new).await? {
        notifications::notify_staff_of_report(&mut transaction, row.id, sender.id).await?;
    }
    transaction.commit().await?;
    Ok(())
}
