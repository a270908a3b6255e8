//! Reports to this instance's moderators, wherever they come from, and what moderators
//! do with them: filing one as a local user (optionally forwarded to the reported
//! account's server as a `Flag` from the instance actor, so the reporter stays anonymous
//! there), receiving one as a `Flag` from another server, and assigning, resolving and
//! reopening one. Every new report notifies the moderators (`admin.report`, and by
//! mail when SMTP is on) in the transaction that writes it.
//!
//! Resolving a report by acting on its account is `services::moderation::act`.
//! Spec: <https://docs.joinmastodon.org/methods/reports/>,
//! <https://docs.joinmastodon.org/methods/admin/reports/>, Mastodon's `Flag`
//! (<https://docs.joinmastodon.org/spec/activitypub/#Flag>): `object` lists the reported
//! actor, then the reported posts; `content` is the comment.

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::reports::{self, CitedBy, NewReport, ReportRow};
use crate::db::{rules, statuses};
use crate::error::{ApiError, ApiResult};
use crate::federation::domain_policy::{self, Rejection};
use crate::federation::posts::local_status_id;
use crate::federation::{builders, outbound};
use crate::mail::outbox as mail;
use crate::services::notifications::create as notifications;
use crate::state::AppState;
use crate::urls;

/// Mastodon's report categories.
const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];
/// Longest comment kept from a received Flag.
const MAX_FLAG_COMMENT_CHARS: usize = 5_000;
/// Most objects read from a received Flag.
const MAX_FLAG_OBJECTS: usize = 100;

/// What a local user reports (ids parsed and lengths checked by the transport).
#[derive(Debug)]
pub struct LocalReport<'a> {
    /// The reported account: 404 unless the reporter may see it.
    pub target_id: i64,
    /// The cited statuses: only those of the target that the reporter may see are
    /// kept; the rest are dropped silently (no hint whether they exist).
    pub status_ids: &'a [i64],
    pub comment: &'a str,
    /// `spam`, `legal`, `violation` or `other`; `violation` whenever rules are cited,
    /// `other` when not given.
    pub category: Option<&'a str>,
    /// Rules of this instance the account broke.
    pub rule_ids: &'a [i64],
    /// Send a copy to the target's server (ignored for local targets).
    pub forward: bool,
}

/// A filed report and the account it is about (what the Report entity shows).
#[derive(Debug)]
pub struct Filed {
    pub report: ReportRow,
    pub target: AccountRow,
}

/// Files a report by the local account `reporter_id`, notifies the moderators and,
/// when asked and the target is remote, queues a `Flag` to the target's server, all in
/// one transaction. Errors: NotFound (no such visible account), Validation (reporting
/// oneself, unknown rules, unknown category).
pub async fn file(
    state: &AppState,
    reporter_id: i64,
    report: &LocalReport<'_>,
) -> ApiResult<Filed> {
    let target = accounts::find_visible_by_id(&state.db, report.target_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if target.id == reporter_id {
        return Err(ApiError::validation(
            "account_id",
            "ERR_INVALID",
            "You cannot report yourself",
        ));
    }
    check_rules(state, report.rule_ids).await?;
    let category = category(report.category, report.rule_ids)?;
    let cited_by = CitedBy::Viewer(reporter_id);
    let status_ids =
        reports::statuses_of(&state.db, cited_by, target.id, report.status_ids).await?;
    let inbox = outbound::delivery_inbox(&target).filter(|_| report.forward && !target.is_local());
    let flag_id = inbox.as_ref().map(|_| urls::new_activity(&state.config));
    let mut transaction = state.db.begin().await?;
    let new = NewReport {
        account_id: reporter_id,
        target_account_id: target.id,
        status_ids: &status_ids,
        comment: report.comment,
        category,
        rule_ids: report.rule_ids,
        forwarded: inbox.is_some(),
        ap_id: flag_id.as_deref(),
    };
    let row = reports::create(&mut transaction, &new)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a fresh report id collided")))?;
    notifications::notify_staff_of_report(&mut transaction, row.id, reporter_id).await?;
    let config = &state.config;
    mail::notify_staff_of_report(
        &mut transaction,
        config,
        row.id,
        reporter_id,
        target.id,
        &row.comment,
    )
    .await?;
    if let (Some(inbox), Some(flag_id)) = (inbox, flag_id) {
        forward(state, &mut transaction, &row, &target, &flag_id, inbox).await?;
    }
    transaction.commit().await?;
    Ok(Filed {
        report: row,
        target,
    })
}

/// Queues the `Flag` of a report just written to the target's server, signed by the
/// instance actor.
async fn forward(
    state: &AppState,
    conn: &mut PgConnection,
    report: &ReportRow,
    target: &AccountRow,
    flag_id: &str,
    inbox: Url,
) -> ApiResult<()> {
    let cited = statuses::find_many(&mut *conn, &report.status_ids).await?;
    let status_uris: Vec<Url> = cited
        .iter()
        .filter_map(|status| Url::parse(status.ap_id.as_deref()?).ok())
        .collect();
    let url = |text: &str| Url::parse(text).map_err(|error| ApiError::Internal(error.into()));
    let flag = builders::reports::flag(
        url(flag_id)?,
        url(&urls::instance_actor(&state.config))?,
        url(&urls::account_ap_id(&state.config, target))?,
        &status_uris,
        &report.comment,
    );
    let activity = serde_json::to_value(&flag).map_err(|error| ApiError::Internal(error.into()))?;
    outbound::deliver_as_instance(conn, &activity, &[inbox]).await?;
    Ok(())
}

/// Every cited rule must be one of the instance's rules (`GET /api/v1/instance/rules`).
async fn check_rules(state: &AppState, rule_ids: &[i64]) -> ApiResult<()> {
    let rules = rules::all(&state.db).await?;
    if rule_ids
        .iter()
        .all(|id| rules.iter().any(|rule| rule.id == *id))
    {
        Ok(())
    } else {
        Err(ApiError::validation(
            "rule_ids",
            "ERR_INVALID",
            "rule_ids must name rules of this instance",
        ))
    }
}

/// The category: `violation` when rules are cited, else the given one, else `other`.
fn category<'a>(given: Option<&'a str>, rule_ids: &[i64]) -> ApiResult<&'a str> {
    if !rule_ids.is_empty() {
        return Ok("violation");
    }
    match given.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok("other"),
        Some(category) if CATEGORIES.contains(&category) => Ok(category),
        Some(_) => Err(ApiError::validation(
            "category",
            "ERR_INCLUSION",
            "category must be spam, legal, violation or other",
        )),
    }
}

/// A report received from another server: a `Flag` as the inbox read it.
#[derive(Debug)]
pub struct ReceivedFlag<'a> {
    /// The Flag's id: a Flag that arrives twice reports once.
    pub id: &'a str,
    /// Its objects: the reported actor and the reported posts, in any order.
    pub object_ids: &'a [Url],
    /// Its comment.
    pub content: Option<&'a str>,
}

/// Files the report of a received `Flag` from `sender`: about the first local account
/// it names (or the author of the first local post it names), with the named live
/// posts of that account, and notifies the moderators. Returns `None` for a Flag
/// already reported. Refused (so the inbox ignores it): a sender whose domain is
/// blocked with `reject_reports` (Forbidden), a Flag naming no local account
/// (Unprocessable).
pub async fn receive_flag(
    state: &AppState,
    sender: &AccountRow,
    flag: &ReceivedFlag<'_>,
) -> ApiResult<Option<ReportRow>> {
    if rejects_reports_from(state, sender).await? {
        return Err(ApiError::Forbidden(
            "the sender's domain is blocked with reject_reports".into(),
        ));
    }
    let (target, status_ids) = flagged(state, flag.object_ids).await?;
    let target = target
        .filter(AccountRow::is_local)
        .ok_or_else(|| ApiError::Unprocessable("the Flag names no local account".into()))?;
    let status_ids = reports::statuses_of(&state.db, CitedBy::Peer, target.id, &status_ids).await?;
    let comment: String = flag
        .content
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
        ap_id: Some(flag.id),
    };
    let row = reports::create(&mut transaction, &new).await?;
    if let Some(row) = &row {
        notifications::notify_staff_of_report(&mut transaction, row.id, sender.id).await?;
        let config = &state.config;
        mail::notify_staff_of_report(
            &mut transaction,
            config,
            row.id,
            sender.id,
            target.id,
            &comment,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(row)
}

/// Whether the sender's domain is blocked with `reject_reports`.
async fn rejects_reports_from(state: &AppState, sender: &AccountRow) -> ApiResult<bool> {
    let Some(domain) = sender.domain.as_deref() else {
        return Ok(false);
    };
    let mut conn = state.db.acquire().await?;
    Ok(domain_policy::rejects(&mut conn, domain, Rejection::Reports).await?)
}

/// The account a Flag's objects name (the first local actor, else the author of the
/// first local post) and the local posts they name.
async fn flagged(
    state: &AppState,
    object_ids: &[Url],
) -> ApiResult<(Option<AccountRow>, Vec<i64>)> {
    let mut target: Option<AccountRow> = None;
    let mut status_ids = Vec::new();
    for uri in object_ids.iter().take(MAX_FLAG_OBJECTS) {
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
        if let Some(first) = statuses::find_many(&state.db, &status_ids).await?.first() {
            target = accounts::find_by_id(&state.db, first.account_id).await?;
        }
    }
    Ok((target, status_ids))
}

/// The report `id`, or NotFound.
pub async fn find(state: &AppState, id: i64) -> ApiResult<ReportRow> {
    reports::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Assigns the report to a moderator (`None`: to nobody); returns it as it is now.
pub async fn assign(state: &AppState, id: i64, moderator: Option<i64>) -> ApiResult<ReportRow> {
    let report = find(state, id).await?;
    reports::assign(&state.db, report.id, moderator).await?;
    find(state, id).await
}

/// Marks the report resolved by `moderator` (`None`: the operator, from the shell);
/// the first resolution's time and moderator are kept. Returns it as it is now.
pub async fn resolve(state: &AppState, id: i64, moderator: Option<i64>) -> ApiResult<ReportRow> {
    let report = find(state, id).await?;
    reports::resolve(&state.db, report.id, moderator).await?;
    find(state, id).await
}

/// Opens a resolved report again; returns it as it is now.
pub async fn reopen(state: &AppState, id: i64) -> ApiResult<ReportRow> {
    let report = find(state, id).await?;
    reports::reopen(&state.db, report.id).await?;
    find(state, id).await
}

/// A moderator's change to a report's classification: `None` keeps what it is.
#[derive(Debug, Default)]
pub struct Reclassification<'a> {
    pub category: Option<&'a str>,
    pub rule_ids: Option<&'a [i64]>,
}

/// Changes a report's category and cited rules, as Mastodon does: citing rules makes
/// it a `violation`, and a report that is not a violation cites no rules. Returns it as
/// it is now. Errors: NotFound; Validation for an unknown category or rule.
pub async fn reclassify(
    state: &AppState,
    id: i64,
    change: &Reclassification<'_>,
) -> ApiResult<ReportRow> {
    let report = find(state, id).await?;
    let given_rules = change.rule_ids.unwrap_or(&[]);
    let category = match change.category {
        None if given_rules.is_empty() => report.category.as_str(),
        given => category(given, given_rules)?,
    };
    let rule_ids: &[i64] = match category {
        "violation" => change.rule_ids.unwrap_or(&report.rule_ids),
        _ => &[],
    };
    check_rules(state, rule_ids).await?;
    reports::recategorize(&state.db, report.id, category, rule_ids).await?;
    find(state, id).await
}
