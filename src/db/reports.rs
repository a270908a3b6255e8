//! The `reports` table: reports to this instance's moderators, filed by local users
//! (`POST /api/v1/reports`) or received as `Flag` activities. Moderation state
//! (assignee, action taken) lives here too, for the admin reports API.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::statuses::AUDIENCE_INCLUDES_VIEWER;
use super::{BindPage, Page};

/// A `reports` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    /// Who reported: a local account, or the remote actor that sent the Flag.
    pub account_id: i64,
    pub target_account_id: i64,
    pub status_ids: Vec<i64>,
    pub comment: String,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    pub rule_ids: Vec<i64>,
    pub forwarded: bool,
    pub ap_id: Option<String>,
    pub assigned_account_id: Option<i64>,
    pub action_taken_at: Option<DateTime<Utc>>,
    pub action_taken_by_account_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, account_id, target_account_id, status_ids, comment, category, rule_ids, \
    forwarded, ap_id, assigned_account_id, action_taken_at, action_taken_by_account_id, \
    created_at, updated_at";

/// A report to record.
#[derive(Debug)]
pub struct NewReport<'a> {
    pub account_id: i64,
    pub target_account_id: i64,
    pub status_ids: &'a [i64],
    pub comment: &'a str,
    pub category: &'a str,
    pub rule_ids: &'a [i64],
    pub forwarded: bool,
    pub ap_id: Option<&'a str>,
}

/// Records a report. Returns `None` when a report with the same `ap_id` exists (a
/// Flag that arrived twice).
pub async fn create(
    conn: &mut PgConnection,
    new: &NewReport<'_>,
) -> sqlx::Result<Option<ReportRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO reports (account_id, target_account_id, status_ids, comment, category, rule_ids, \
           forwarded, ap_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (ap_id) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(new.account_id)
    .bind(new.target_account_id)
    .bind(new.status_ids)
    .bind(new.comment)
    .bind(new.category)
    .bind(new.rule_ids)
    .bind(new.forwarded)
    .bind(new.ap_id)
    .fetch_optional(conn)
    .await
}

/// One report.
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<ReportRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reports by id, in any order (to render notifications in one query).
pub async fn find_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<ReportRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM reports WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(db)
        .await
}

/// Filters of the report list (each `None` matches all).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Resolved (action taken) or open reports only.
    pub resolved: Option<bool>,
    /// Filed by this account.
    pub account_id: Option<i64>,
    /// About this account.
    pub target_account_id: Option<i64>,
}

/// A page of reports, newest first, paged by id.
pub async fn list(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    page: &Page,
) -> sqlx::Result<Vec<ReportRow>> {
    let cut = page.cut("id", 4);
    let rows: Vec<ReportRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM reports \
         WHERE ($1::boolean IS NULL OR (action_taken_at IS NOT NULL) = $1) \
           AND ($2::bigint IS NULL OR account_id = $2) AND ($3::bigint IS NULL OR target_account_id = $3) \
           AND {cut}"
    ))
    .bind(filter.resolved)
    .bind(filter.account_id)
    .bind(filter.target_account_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// Whose view decides which of the cited statuses a report keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CitedBy {
    /// A local reporter (this account): only statuses whose audience includes them
    /// ([`AUDIENCE_INCLUDES_VIEWER`]) and whose author does not block them, as
    /// Mastodon's report service keeps. A block by the reporter does not hide anything
    /// here: people often block an account and then report it. The others are dropped
    /// without a trace, so the answer says nothing about posts hidden from the
    /// reporter.
    Viewer(i64),
    /// A remote server's `Flag`: any live status of the target it names (nothing is
    /// answered, and its sender is usually an anonymous instance actor).
    Peer,
}

/// Of `ids`, the live statuses of `author` that `cited_by` may attach, in the given
/// order (what a report keeps).
pub async fn statuses_of(
    db: impl PgExecutor<'_>,
    cited_by: CitedBy,
    author: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<i64>> {
    let (viewer, rule) = match cited_by {
        CitedBy::Viewer(account_id) => (
            Some(account_id),
            format!(
                "{AUDIENCE_INCLUDES_VIEWER} AND NOT EXISTS (SELECT 1 FROM blocks rb \
                 WHERE rb.account_id = s.account_id AND rb.target_account_id = $1)"
            ),
        ),
        CitedBy::Peer => (None, "true".to_owned()),
    };
    sqlx::query_scalar(&format!(
        "SELECT s.id FROM unnest($3::bigint[]) WITH ORDINALITY AS t(id, position) \
         JOIN statuses s ON s.id = t.id WHERE s.account_id = $2 AND s.deleted_at IS NULL \
           AND {rule} ORDER BY t.position"
    ))
    .bind(viewer)
    .bind(author)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Assigns a report to a moderator (or nobody).
pub async fn assign(db: impl PgExecutor<'_>, id: i64, moderator: Option<i64>) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports SET assigned_account_id = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(moderator)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks a report resolved by `moderator` (`None`: from the shell); keeps the first
/// resolution's time and moderator.
pub async fn resolve(db: impl PgExecutor<'_>, id: i64, moderator: Option<i64>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET action_taken_at = coalesce(action_taken_at, now()), \
         action_taken_by_account_id = coalesce(action_taken_by_account_id, $2), updated_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(moderator)
    .execute(db)
    .await?;
    Ok(())
}

/// Opens a resolved report again.
pub async fn reopen(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET action_taken_at = NULL, action_taken_by_account_id = NULL, \
         updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets a report's category and cited rules.
pub async fn recategorize(
    db: impl PgExecutor<'_>,
    id: i64,
    category: &str,
    rule_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET category = $2, rule_ids = $3, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(category)
    .bind(rule_ids)
    .execute(db)
    .await?;
    Ok(())
}
