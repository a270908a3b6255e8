//! Interaction requests (GoToSocial's client API, for quotes): the quotes of an author's
//! posts by others that wait for, or went through, their review, read from `quotes`
//! (with `accepted_at`/`rejected_at`, the `…quote_reviews` migration), and deciding
//! them. The rules are `services::interaction_requests`'s.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::quotes::QuoteRow;
use super::{BindPage, Page};

/// A quote seen as an interaction request.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RequestRow {
    /// The quote (its `status_id`, the quoting status, is the request's id).
    #[sqlx(flatten)]
    pub quote: QuoteRow,
    /// When it was accepted, if it was.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When it was rejected, if it was.
    pub rejected_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "q.status_id, q.account_id, q.quoted_status_id, q.quoted_account_id, \
    q.quoted_uri, q.state, q.authorization_uri, q.request_uri, q.created_at, \
    q.accepted_at, q.rejected_at";

/// Quotes of `author`'s posts by others, whose quoting status still stands.
const OF_AUTHOR: &str = "FROM quotes q JOIN statuses s ON s.id = q.status_id \
    WHERE q.quoted_account_id = $1 AND q.account_id <> $1 AND s.deleted_at IS NULL";

/// A page of the pending quotes of `author`'s posts (of status `status_id` only, when
/// given), newest first, paged by the quoting status's id.
pub async fn pending_page(
    db: impl PgExecutor<'_>,
    author: i64,
    status_id: Option<i64>,
    page: &Page,
) -> sqlx::Result<Vec<RequestRow>> {
    let cut = page.cut("q.status_id", 3);
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {OF_AUTHOR} AND q.state = 'pending' \
           AND ($2::bigint IS NULL OR q.quoted_status_id = $2) \
           AND {cut}"
    ))
    .bind(author)
    .bind(status_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// The request `id` (a quoting status) on `author`'s posts: pending, or decided by review.
pub async fn find(
    db: impl PgExecutor<'_>,
    author: i64,
    id: i64,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} {OF_AUTHOR} AND q.status_id = $2 \
           AND (q.state = 'pending' OR q.accepted_at IS NOT NULL OR q.rejected_at IS NOT NULL)"
    ))
    .bind(author)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Decides the pending quote made by status `id`: `accepted` with stamp `stamp`, or
/// `rejected`; stamps the time. Returns the row, or nothing if it was not pending.
pub async fn decide(
    db: impl PgExecutor<'_>,
    id: i64,
    accepted: bool,
    stamp: Option<&str>,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!(
        "UPDATE quotes q SET \
           state = CASE WHEN $2 THEN 'accepted' ELSE 'rejected' END, \
           authorization_uri = CASE WHEN $2 THEN $3 END, \
           accepted_at = CASE WHEN $2 THEN now() END, \
           rejected_at = CASE WHEN $2 THEN NULL ELSE now() END \
         WHERE q.status_id = $1 AND q.state = 'pending' RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(accepted)
    .bind(stamp)
    .fetch_optional(db)
    .await
}
