//! The quote tables (`…quotes` migration): `quotes` (one per quoting status, with its
//! state and FEP-044f authorization), `status_quote_policies` (who may quote a status)
//! and `quote_policy_defaults` (an author's default). The rules are
//! `services::quotes`'s.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::statuses::{StatusRow, COLUMNS as STATUS_COLUMNS, VISIBLE_TO_VIEWER};
use super::{BindPage, Page};
use crate::domain::quotes::QuotePolicy;

/// A `quotes` row (also read as JSON, by [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct QuoteRow {
    /// The quoting status.
    pub status_id: i64,
    /// Its author.
    pub account_id: i64,
    /// The quoted status, when known and not gone.
    pub quoted_status_id: Option<i64>,
    /// The quoted status's author, when known.
    pub quoted_account_id: Option<i64>,
    /// The quoted status's URI.
    pub quoted_uri: String,
    /// `pending`, `accepted`, `rejected`, `revoked` or `deleted`.
    pub state: String,
    /// The `QuoteAuthorization` stamp's URI.
    pub authorization_uri: Option<String>,
    /// The `QuoteRequest` activity's id.
    pub request_uri: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub(super) const COLUMNS: &str =
    "status_id, account_id, quoted_status_id, quoted_account_id, quoted_uri, \
    state, authorization_uri, request_uri, created_at";

/// A quote to record.
#[derive(Debug)]
pub struct NewQuote<'a> {
    pub status_id: i64,
    pub account_id: i64,
    pub quoted_status_id: Option<i64>,
    pub quoted_account_id: Option<i64>,
    pub quoted_uri: &'a str,
    pub state: &'a str,
    pub authorization_uri: Option<&'a str>,
    pub request_uri: Option<&'a str>,
}

/// Records a quote (a status quotes at most one post: a second insert keeps the first).
pub async fn insert(db: impl PgExecutor<'_>, new: &NewQuote<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO quotes (status_id, account_id, quoted_status_id, quoted_account_id, \
           quoted_uri, state, authorization_uri, request_uri) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (status_id) DO NOTHING",
    )
    .bind(new.status_id)
    .bind(new.account_id)
    .bind(new.quoted_status_id)
    .bind(new.quoted_account_id)
    .bind(new.quoted_uri)
    .bind(new.state)
    .bind(new.authorization_uri)
    .bind(new.request_uri)
    .execute(db)
    .await?;
    Ok(())
}

/// The quote made by status `status_id`.
pub async fn find(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM quotes WHERE status_id = $1"
    ))
    .bind(status_id)
    .fetch_optional(db)
    .await
}

/// The quote with authorization stamp `uri`.
pub async fn find_by_authorization(
    db: impl PgExecutor<'_>,
    uri: &str,
) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM quotes WHERE authorization_uri = $1"
    ))
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// Moves the quote made by `status_id` to `state`, with the stamp's URI when given.
/// Returns the changed row.
pub async fn set_state(
    db: impl PgExecutor<'_>,
    status_id: i64,
    state: &str,
    authorization_uri: Option<&str>,
) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as(&format!(
        "UPDATE quotes SET state = $2, authorization_uri = coalesce($3, authorization_uri) \
         WHERE status_id = $1 RETURNING {COLUMNS}"
    ))
    .bind(status_id)
    .bind(state)
    .bind(authorization_uri)
    .fetch_optional(db)
    .await
}

/// A page of the statuses that quote `quoted_status_id` with an accepted quote and that
/// `viewer` may see, newest first (paged by the quoting status's id).
pub async fn quoting_page(
    db: impl PgExecutor<'_>,
    viewer: i64,
    quoted_status_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<StatusRow>> {
    let cut = page.cut("s.id", 3);
    let rows = sqlx::query_as(&format!(
        "SELECT {STATUS_COLUMNS} FROM quotes q JOIN statuses s ON s.id = q.status_id \
         WHERE q.quoted_status_id = $2 AND q.state = 'accepted' AND s.deleted_at IS NULL \
           AND {VISIBLE_TO_VIEWER} \
           AND {cut}"
    ))
    .bind(viewer)
    .bind(quoted_status_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// The accepted quotes of `quoted_status_id`, for telling their authors of an edit.
pub async fn accepted_of(
    db: impl PgExecutor<'_>,
    quoted_status_id: i64,
) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM quotes WHERE quoted_status_id = $1 AND state = 'accepted'"
    ))
    .bind(quoted_status_id)
    .fetch_all(db)
    .await
}

/// Sets who may quote status `status_id`.
pub async fn set_policy(db: impl PgExecutor<'_>, status_id: i64, policy: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_quote_policies (status_id, policy) VALUES ($1, $2) \
         ON CONFLICT (status_id) DO UPDATE SET policy = EXCLUDED.policy",
    )
    .bind(status_id)
    .bind(policy)
    .execute(db)
    .await?;
    Ok(())
}

/// The quote policies of the statuses of `status_ids` that have one.
pub async fn policies(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT status_id, policy FROM status_quote_policies WHERE status_id = ANY($1)")
        .bind(status_ids)
        .fetch_all(db)
        .await
}

/// Local account `account_id`'s default quote policy, if they chose one.
pub async fn default_policy(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT policy FROM quote_policy_defaults WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// Sets local account `account_id`'s default quote policy.
pub async fn set_default_policy(
    db: impl PgExecutor<'_>,
    account_id: i64,
    policy: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO quote_policy_defaults (account_id, policy) VALUES ($1, $2) \
         ON CONFLICT (account_id) DO UPDATE SET policy = EXCLUDED.policy",
    )
    .bind(account_id)
    .bind(policy)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the quotes of status `quoted_status_id`, just deleted, as `deleted`.
pub async fn quoted_deleted(db: impl PgExecutor<'_>, quoted_status_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE quotes SET state = 'deleted' WHERE quoted_status_id = $1")
        .bind(quoted_status_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The quote local status `status_id` makes, if any, and who may quote it (public for a
/// local status posted before Roost knew quotes), for rendering and sending it.
pub async fn of_local_status(
    conn: &mut sqlx::PgConnection,
    status_id: i64,
) -> sqlx::Result<(Option<QuoteRow>, QuotePolicy)> {
    let quote = find(&mut *conn, status_id).await?;
    let policy = policies(&mut *conn, &[status_id]).await?;
    let policy = (policy.first())
        .and_then(|(_, name)| QuotePolicy::parse(name))
        .unwrap_or(QuotePolicy::Public);
    Ok((quote, policy))
}

/// Remembers the id of the `QuoteRequest` sent for the quote status `status_id` makes.
pub async fn set_request(
    db: impl PgExecutor<'_>,
    status_id: i64,
    request_uri: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE quotes SET request_uri = $2 WHERE status_id = $1")
        .bind(status_id)
        .bind(request_uri)
        .execute(db)
        .await?;
    Ok(())
}

/// The quote whose `QuoteRequest` had id `request_uri`.
pub async fn find_by_request(
    db: impl PgExecutor<'_>,
    request_uri: &str,
) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM quotes WHERE request_uri = $1"
    ))
    .bind(request_uri)
    .fetch_optional(db)
    .await
}
