//! The reply-control tables (`…reply_controls` migration): `status_reply_policies` (who
//! may reply to a status) and `hidden_replies`. The rules are `services::reply_controls`'s.

use sqlx::PgExecutor;

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
