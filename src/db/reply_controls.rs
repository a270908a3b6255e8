//! The reply-control tables (`…reply_controls` migration): `status_reply_policies` (who
//! may reply to a status) and `hidden_replies`. The rules are `services::reply_controls`'s.

use sqlx::PgExecutor;

/// SQL condition: the status `s` shows in a thread read by viewer `$1`: not a reply its
/// parent's author hid (unless the viewer wrote it), not by an account its parent's
/// author blocks.
pub const SHOWN_IN_THREAD: &str = "NOT EXISTS (SELECT 1 FROM hidden_replies h \
       WHERE h.status_id = s.id AND s.account_id IS DISTINCT FROM $1) \
     AND NOT EXISTS (SELECT 1 FROM blocks b \
       WHERE b.account_id = s.in_reply_to_account_id AND b.target_account_id = s.account_id)";

/// Sets who may reply to status `status_id`.
pub async fn set_policy(db: impl PgExecutor<'_>, status_id: i64, policy: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_reply_policies (status_id, policy) VALUES ($1, $2) \
         ON CONFLICT (status_id) DO UPDATE SET policy = EXCLUDED.policy",
    )
    .bind(status_id)
    .bind(policy)
    .execute(db)
    .await?;
    Ok(())
}

/// The reply policies of the statuses of `status_ids` that have one.
pub async fn policies(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT status_id, policy FROM status_reply_policies WHERE status_id = ANY($1)")
        .bind(status_ids)
        .fetch_all(db)
        .await
}

/// Whether status `status_id` mentions account `account_id`.
pub async fn mentions(
    db: impl PgExecutor<'_>,
    status_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mentions WHERE status_id = $1 AND account_id = $2)",
    )
    .bind(status_id)
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// Hides (`hidden`) or shows again reply `status_id` in its thread.
pub async fn set_hidden(db: impl PgExecutor<'_>, status_id: i64, hidden: bool) -> sqlx::Result<()> {
    let sql = if hidden {
        "INSERT INTO hidden_replies (status_id) VALUES ($1) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM hidden_replies WHERE status_id = $1"
    };
    sqlx::query(sql).bind(status_id).execute(db).await?;
    Ok(())
}

/// A `ReplyAuthorization` stamp issued for a remote reply to a local status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplyAuthorizationRow {
    /// The reply approved.
    pub status_id: i64,
    /// The local status it answers.
    pub parent_id: i64,
    /// The `ReplyRequest` answered, if the reply came as one.
    pub request_uri: Option<String>,
}

/// Records the stamp approving reply `status_id` to `parent_id` (idempotent: a reply
/// approved again keeps its first stamp).
pub async fn insert_authorization(
    db: impl PgExecutor<'_>,
    status_id: i64,
    parent_id: i64,
    request_uri: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reply_authorizations (status_id, parent_id, request_uri) \
         VALUES ($1, $2, $3) ON CONFLICT (status_id) DO NOTHING",
    )
    .bind(status_id)
    .bind(parent_id)
    .bind(request_uri)
    .execute(db)
    .await?;
    Ok(())
}

/// The stamp approving reply `status_id`, if one was issued.
pub async fn find_authorization(
    db: impl PgExecutor<'_>,
    status_id: i64,
) -> sqlx::Result<Option<ReplyAuthorizationRow>> {
    sqlx::query_as(
        "SELECT status_id, parent_id, request_uri FROM reply_authorizations WHERE status_id = $1",
    )
    .bind(status_id)
    .fetch_optional(db)
    .await
}
