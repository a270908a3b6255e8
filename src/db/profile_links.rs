//! The `profile_link_checks` queue (migration `20261207201000_profile_link_checks`) and
//! the `verified_at` stamps it leads to on `accounts.fields`. The rules are
//! `services::profile_links`'.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::accounts::StoredField;

/// The NOTIFY channel announcing new checks (sent by a trigger on insert).
pub const NOTIFY_CHANNEL: &str = "profile_link_checks";

/// A claimed check.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedCheck {
    pub account_id: i64,
    pub url: String,
    pub attempts: i32,
}

/// Queues checks of `urls` for `account_id`, due after `delay_secs`; a link already
/// queued keeps its row.
pub async fn enqueue(
    db: impl PgExecutor<'_>,
    account_id: i64,
    urls: &[String],
    delay_secs: i64,
) -> sqlx::Result<()> {
    if urls.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO profile_link_checks (account_id, url, next_attempt_at) \
         SELECT $1, url, now() + make_interval(secs => $3) FROM unnest($2::text[]) AS url \
         ON CONFLICT (account_id, url) DO NOTHING",
    )
    .bind(account_id)
    .bind(urls)
    .bind(delay_secs as f64)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims (and leases for `lease_secs`) up to `limit` due checks.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedCheck>> {
    sqlx::query_as(
        "UPDATE profile_link_checks c SET locked_until = now() + make_interval(secs => $2) \
         WHERE (c.account_id, c.url) IN (SELECT account_id, url FROM profile_link_checks \
           WHERE next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING c.account_id, c.url, c.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Tries the check again at `at`, counting the attempt that failed.
pub async fn postpone(
    db: impl PgExecutor<'_>,
    account_id: i64,
    url: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE profile_link_checks SET attempts = attempts + 1, next_attempt_at = $3, \
           locked_until = NULL WHERE account_id = $1 AND url = $2",
    )
    .bind(account_id)
    .bind(url)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// Removes a settled check.
pub async fn finish(db: impl PgExecutor<'_>, account_id: i64, url: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM profile_link_checks WHERE account_id = $1 AND url = $2")
        .bind(account_id)
        .bind(url)
        .execute(db)
        .await?;
    Ok(())
}

/// The account's fields, locked for update until the transaction ends.
pub async fn lock_fields(
    conn: &mut PgConnection,
    account_id: i64,
) -> sqlx::Result<Option<Vec<StoredField>>> {
    let fields: Option<sqlx::types::Json<Vec<StoredField>>> =
        sqlx::query_scalar("SELECT fields FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(account_id)
            .fetch_optional(conn)
            .await?;
    Ok(fields.map(|fields| fields.0))
}

/// Replaces the account's fields (the `verified_at` stamps changed), without touching
/// `updated_at`: the profile did not change.
pub async fn store_fields(
    conn: &mut PgConnection,
    account_id: i64,
    fields: &[StoredField],
) -> sqlx::Result<()> {
    sqlx::query("UPDATE accounts SET fields = $2 WHERE id = $1")
        .bind(account_id)
        .bind(sqlx::types::Json(fields))
        .execute(conn)
        .await?;
    Ok(())
}
