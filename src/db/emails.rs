//! The outgoing mail queue (`email_deliveries`) and the addresses staff notices go to.
//!
//! Rows are written in the transaction of the change that caused them (a sign-up, a
//! report), claimed by `mail::worker` with `FOR UPDATE SKIP LOCKED` under a lease (a
//! crashed worker's rows come back when the lease ends), and end as `sent` or `dead`,
//! never deleted silently. A sent row keeps its envelope but loses its bodies, which
//! may hold a live one-time link.

use sqlx::{PgConnection, PgExecutor};

pub use super::Failure;

use crate::mail::compose::Email;

/// Channel notified when mail is queued, so an idle worker wakes at once.
pub const NOTIFY_CHANNEL: &str = "roost_emails";

/// Queues messages and notifies waiting workers when the caller's transaction commits.
pub async fn enqueue(conn: &mut PgConnection, emails: &[Email]) -> sqlx::Result<()> {
    if emails.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = emails.iter().map(|e| e.kind.as_str()).collect();
    let recipients: Vec<&str> = emails.iter().map(|e| e.to.as_str()).collect();
    let subjects: Vec<&str> = emails.iter().map(|e| e.subject.as_str()).collect();
    let texts: Vec<&str> = emails.iter().map(|e| e.text.as_str()).collect();
    let htmls: Vec<&str> = emails.iter().map(|e| e.html.as_str()).collect();
    sqlx::query(
        "INSERT INTO email_deliveries (kind, recipient, subject, text_body, html_body) \
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])",
    )
    .bind(&kinds)
    .bind(&recipients)
    .bind(&subjects)
    .bind(&texts)
    .bind(&htmls)
    .execute(&mut *conn)
    .await?;
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(NOTIFY_CHANNEL)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A claimed message, leased to one worker.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedEmail {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// Claims up to `limit` due messages for `lease_secs`, counting the attempt. Commits
/// on its own: the claim must be visible before the SMTP conversation starts.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedEmail>> {
    sqlx::query_as(
        "UPDATE email_deliveries e \
         SET locked_until = now() + make_interval(secs => $2), attempts = e.attempts + 1 \
         WHERE e.id IN ( \
           SELECT id FROM email_deliveries \
           WHERE state = 'pending' AND next_attempt_at <= now() \
             AND (locked_until IS NULL OR locked_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING e.id, e.kind, e.recipient, e.subject, e.text_body, e.html_body, e.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Marks a message sent and drops its bodies.
pub async fn mark_sent(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE email_deliveries SET state = 'sent', finished_at = now(), locked_until = NULL, \
           last_error = NULL, text_body = '', html_body = '' WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt and its error.
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    id: i64,
    error: &str,
    failure: Failure,
) -> sqlx::Result<()> {
    let (state, next) = failure.stored();
    sqlx::query(
        "UPDATE email_deliveries SET state = $2, next_attempt_at = coalesce($3, next_attempt_at), \
           locked_until = NULL, last_error = $4, \
           finished_at = CASE WHEN $2 = 'dead' THEN now() END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(next)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Confirmed addresses of the moderators and admins who can act (not disabled, not
/// suspended), with their account ids: where staff notices go.
pub async fn staff_addresses(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT u.account_id, u.email FROM users u JOIN accounts a ON a.id = u.account_id \
         WHERE u.role IN ('moderator', 'admin') AND u.confirmed_at IS NOT NULL \
           AND NOT u.disabled AND a.suspended_at IS NULL \
         ORDER BY u.id",
    )
    .fetch_all(db)
    .await
}
