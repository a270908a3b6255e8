//! The follows FEP-8fcf compares across servers: the followers of a local account on
//! one remote server (digested for the `Collection-Synchronization` header, listed for
//! the partial collection), the local followers of a remote account, and the shared
//! rate limit on fetching a remote account's partial collection.

use sqlx::PgExecutor;

/// The digest of the accepted followers of `account_id` on the server `domain` whose
/// ids start with `prefix` (`https://host/`), computed by PostgreSQL: `bit_xor` of the
/// `sha256` of each id, as 256 binary digits (`None` when there is no such follower;
/// read with `federation::collection_sync::digest_from_bits`). One row comes back
/// however many followers there are.
pub async fn followers_digest_bits(
    db: impl PgExecutor<'_>,
    account_id: i64,
    domain: &str,
    prefix: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT bit_xor(('x' || encode(sha256(convert_to(a.ap_id, 'UTF8')), 'hex'))::bit(256))::text \
         FROM accounts a JOIN follows f ON f.account_id = a.id \
         WHERE a.domain = $2 AND starts_with(a.ap_id, $3) \
           AND f.target_account_id = $1 AND f.accepted",
    )
    .bind(account_id)
    .bind(domain)
    .bind(prefix)
    .fetch_one(db)
    .await
}

/// The ids of the accepted followers of `account_id` on the server `domain` whose ids
/// start with `prefix`, at most `limit`: the partial followers collection served to
/// that server.
pub async fn follower_ids_on(
    db: impl PgExecutor<'_>,
    account_id: i64,
    domain: &str,
    prefix: &str,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT a.ap_id FROM accounts a JOIN follows f ON f.account_id = a.id \
         WHERE a.domain = $2 AND starts_with(a.ap_id, $3) \
           AND f.target_account_id = $1 AND f.accepted \
         ORDER BY f.id LIMIT $4",
    )
    .bind(account_id)
    .bind(domain)
    .bind(prefix)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The usernames of the local accounts whose follow of the remote `account_id` is
/// accepted.
pub async fn local_follower_usernames(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT a.username FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.accepted AND a.domain IS NULL",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Takes the right to fetch the partial followers collection of the remote
/// `account_id` now: true (and the time recorded) unless it was fetched less than
/// `interval_secs` ago, by this process or another.
pub async fn claim_sync(
    db: impl PgExecutor<'_>,
    account_id: i64,
    interval_secs: i64,
) -> sqlx::Result<bool> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO follower_synchronizations (account_id, synced_at) VALUES ($1, now()) \
         ON CONFLICT (account_id) DO UPDATE SET synced_at = now() \
         WHERE follower_synchronizations.synced_at < now() - make_interval(secs => $2) \
         RETURNING account_id",
    )
    .bind(account_id)
    .bind(interval_secs as f64)
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}
