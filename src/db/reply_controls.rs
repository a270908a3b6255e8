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

/// Sets who may quote and who may reply to a new local status, in one statement (a
/// post writes both, and a round trip costs more than either insert: see
/// docs/benchmarks.md, B1). The quote policy's table is `db::quotes`'.
pub async fn set_new_post_policies(
    db: impl PgExecutor<'_>,
    status_id: i64,
    quote_policy: &str,
    reply_policy: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH quote AS (INSERT INTO status_quote_policies (status_id, policy) VALUES ($1, $2) \
           ON CONFLICT (status_id) DO UPDATE SET policy = EXCLUDED.policy) \
         INSERT INTO status_reply_policies (status_id, policy) VALUES ($1, $3) \
         ON CONFLICT (status_id) DO UPDATE SET policy = EXCLUDED.policy",
    )
    .bind(status_id)
    .bind(quote_policy)
    .bind(reply_policy)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets who may reply to status `status_id` (leaving who may ask as it was).
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

/// Sets who may reply to remote status `status_id` and who may ask its author to
/// approve a reply (`manual`).
pub async fn set_remote_policy(
    db: impl PgExecutor<'_>,
    status_id: i64,
    policy: &str,
    manual: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_reply_policies (status_id, policy, manual_policy) VALUES ($1, $2, $3) \
         ON CONFLICT (status_id) DO UPDATE \
         SET policy = EXCLUDED.policy, manual_policy = EXCLUDED.manual_policy",
    )
    .bind(status_id)
    .bind(policy)
    .bind(manual)
    .execute(db)
    .await?;
    Ok(())
}

/// Who may ask the author of status `status_id` to approve a reply, if anyone.
pub async fn manual_policy(
    db: impl PgExecutor<'_>,
    status_id: i64,
) -> sqlx::Result<Option<String>> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT manual_policy FROM status_reply_policies WHERE status_id = $1")
            .bind(status_id)
            .fetch_optional(db)
            .await?;
    Ok(found.flatten())
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

/// SQL condition: reply `r` is not by an account its parent `p`'s author blocks.
const NOT_BLOCKED: &str = "NOT EXISTS (SELECT 1 FROM blocks b \
       WHERE b.account_id = p.account_id AND b.target_account_id = r.account_id)";

/// SQL condition: reply `r` counts in its parent `p`'s `replies_count` (while live): not
/// hidden and not by an account `p`'s author blocks (the rule of [`SHOWN_IN_THREAD`]).
pub const COUNTED: &str = "NOT EXISTS (SELECT 1 FROM hidden_replies h WHERE h.status_id = r.id) \
     AND NOT EXISTS (SELECT 1 FROM blocks b \
       WHERE b.account_id = p.account_id AND b.target_account_id = r.account_id)";

/// Keeps the stamp another server issued for local reply `status_id`.
pub async fn set_received_stamp(
    db: impl PgExecutor<'_>,
    status_id: i64,
    authorization_uri: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reply_stamps (status_id, authorization_uri) VALUES ($1, $2) \
         ON CONFLICT (status_id) DO UPDATE SET authorization_uri = EXCLUDED.authorization_uri",
    )
    .bind(status_id)
    .bind(authorization_uri)
    .execute(db)
    .await?;
    Ok(())
}

/// The stamp another server issued for local reply `status_id`, if any.
pub async fn received_stamp(
    db: impl PgExecutor<'_>,
    status_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT authorization_uri FROM reply_stamps WHERE status_id = $1")
        .bind(status_id)
        .fetch_optional(db)
        .await
}

/// Whether reply `status_id` is hidden from its thread.
pub async fn is_hidden(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM hidden_replies WHERE status_id = $1)")
        .bind(status_id)
        .fetch_one(db)
        .await
}

/// Hides (`hidden`) or shows again reply `status_id` in its thread; its parent's
/// `replies_count` follows when the reply's state changed (and it is not by an account
/// the parent's author blocks, which never counts).
pub async fn set_hidden(db: impl PgExecutor<'_>, status_id: i64, hidden: bool) -> sqlx::Result<()> {
    let (change, delta) = if hidden {
        (
            "INSERT INTO hidden_replies (status_id) VALUES ($1) \
             ON CONFLICT DO NOTHING RETURNING status_id",
            -1,
        )
    } else {
        (
            "DELETE FROM hidden_replies WHERE status_id = $1 RETURNING status_id",
            1,
        )
    };
    sqlx::query(&format!(
        "WITH changed AS ({change}) \
         UPDATE statuses p SET replies_count = greatest(p.replies_count + $2, 0) \
         FROM changed JOIN statuses r ON r.id = changed.status_id \
         WHERE p.id = r.in_reply_to_id AND r.deleted_at IS NULL AND {NOT_BLOCKED}"
    ))
    .bind(status_id)
    .bind(delta)
    .execute(db)
    .await?;
    Ok(())
}

/// Moves the `replies_count` of `blocker`'s statuses by `delta` (-1 on a block, +1 on
/// its end) for each counted reply `blocked` wrote to them. Run it in the transaction
/// that creates or deletes the block, after the block is gone (unblock) or before it
/// exists (block): [`COUNTED`] then judges the replies without it.
pub async fn count_blocked_replies(
    conn: &mut sqlx::PgConnection,
    blocker: i64,
    blocked: i64,
    delta: i64,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "UPDATE statuses p SET replies_count = greatest(p.replies_count + $3 * n.replies, 0) \
         FROM (SELECT r.in_reply_to_id AS id, count(*) AS replies FROM statuses r \
               JOIN statuses p ON p.id = r.in_reply_to_id \
               WHERE r.account_id = $2 AND r.in_reply_to_account_id = $1 AND p.account_id = $1 \
                 AND r.deleted_at IS NULL AND {COUNTED} GROUP BY r.in_reply_to_id) n \
         WHERE p.id = n.id"
    ))
    .bind(blocker)
    .bind(blocked)
    .bind(delta)
    .execute(conn)
    .await?;
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

/// Local account `account_id`'s default reply policy, if set.
pub async fn default_policy(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT policy FROM reply_policy_defaults WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// Sets local account `account_id`'s default reply policy.
pub async fn set_default_policy(
    db: impl PgExecutor<'_>,
    account_id: i64,
    policy: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reply_policy_defaults (account_id, policy) VALUES ($1, $2) \
         ON CONFLICT (account_id) DO UPDATE SET policy = EXCLUDED.policy",
    )
    .bind(account_id)
    .bind(policy)
    .execute(db)
    .await?;
    Ok(())
}
