//! `email_domain_blocks` (with their refused attempts) and `canonical_email_blocks`:
//! the e-mail addresses sign-up refuses (Mastodon's EmailDomainBlock and
//! CanonicalEmailBlock). What an address's domain and canonical hash are is
//! `services::email_blocks`'.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// An `email_domain_blocks` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EmailDomainBlockRow {
    pub id: i64,
    pub domain: String,
    pub allow_with_approval: bool,
    pub created_at: DateTime<Utc>,
}

const DOMAIN_COLUMNS: &str = "id, domain, allow_with_approval, created_at";

/// Refused attempts of one block on one day (UTC).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttemptDay {
    pub day: DateTime<Utc>,
    /// Refused sign-ups.
    pub uses: i64,
    /// Distinct addresses they came from.
    pub accounts: i64,
}

/// Blocks `domain`; `None` when it is blocked already.
pub async fn create_domain(
    db: impl PgExecutor<'_>,
    domain: &str,
    allow_with_approval: bool,
) -> sqlx::Result<Option<EmailDomainBlockRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO email_domain_blocks (domain, allow_with_approval) VALUES ($1, $2) \
         ON CONFLICT (domain) DO NOTHING RETURNING {DOMAIN_COLUMNS}"
    ))
    .bind(domain)
    .bind(allow_with_approval)
    .fetch_optional(db)
    .await
}

/// One domain block by id.
pub async fn find_domain(
    db: impl PgExecutor<'_>,
    id: i64,
) -> sqlx::Result<Option<EmailDomainBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {DOMAIN_COLUMNS} FROM email_domain_blocks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Deletes a domain block; false when there was none.
pub async fn delete_domain(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM email_domain_blocks WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A page of domain blocks, newest first.
pub async fn domain_page(
    db: impl PgExecutor<'_>,
    bounds: &super::Page,
) -> sqlx::Result<Vec<EmailDomainBlockRow>> {
    super::domain_blocks::paged(
        db,
        &format!("SELECT {DOMAIN_COLUMNS} FROM email_domain_blocks"),
        bounds,
    )
    .await
}

/// The blocks of any of `domains` (an address's domain and its parents).
pub async fn domains_matching(
    db: impl PgExecutor<'_>,
    domains: &[String],
) -> sqlx::Result<Vec<EmailDomainBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {DOMAIN_COLUMNS} FROM email_domain_blocks WHERE domain = ANY($1)"
    ))
    .bind(domains)
    .fetch_all(db)
    .await
}

/// Records a sign-up the block `block_id` refused, and forgets its attempts older
/// than `keep_days` (they fall out of the history).
pub async fn record_attempt(
    db: impl PgExecutor<'_>,
    block_id: i64,
    ip: Option<&str>,
    keep_days: i32,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH old AS (DELETE FROM email_domain_block_attempts \
           WHERE block_id = $1 AND attempted_at < now() - make_interval(days => $3)) \
         INSERT INTO email_domain_block_attempts (block_id, ip) VALUES ($1, $2::inet)",
    )
    .bind(block_id)
    .bind(ip)
    .bind(keep_days)
    .execute(db)
    .await?;
    Ok(())
}

/// The refused attempts of each of `block_ids` per day over the last `days` days
/// (today included), as (block id, day) rows; days without attempts are absent.
pub async fn attempt_days(
    db: impl PgExecutor<'_>,
    block_ids: &[i64],
    days: i32,
) -> sqlx::Result<Vec<(i64, AttemptDay)>> {
    let rows: Vec<(i64, DateTime<Utc>, i64, i64)> = sqlx::query_as(
        "SELECT block_id, date_trunc('day', attempted_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', \
           count(*), count(DISTINCT ip) FROM email_domain_block_attempts \
         WHERE block_id = ANY($1) \
           AND attempted_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' \
                               - make_interval(days => $2 - 1) \
         GROUP BY 1, 2",
    )
    .bind(block_ids)
    .bind(days)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, day, uses, accounts)| {
            (
                id,
                AttemptDay {
                    day,
                    uses,
                    accounts,
                },
            )
        })
        .collect())
}

/// A `canonical_email_blocks` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CanonicalEmailBlockRow {
    pub id: i64,
    pub canonical_email_hash: String,
    pub created_at: DateTime<Utc>,
}

const CANONICAL_COLUMNS: &str = "id, canonical_email_hash, created_at";

/// Blocks the canonical address hashed to `hash`; `None` when it is blocked already.
pub async fn create_canonical(
    db: impl PgExecutor<'_>,
    hash: &str,
) -> sqlx::Result<Option<CanonicalEmailBlockRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO canonical_email_blocks (canonical_email_hash) VALUES ($1) \
         ON CONFLICT (canonical_email_hash) DO NOTHING RETURNING {CANONICAL_COLUMNS}"
    ))
    .bind(hash)
    .fetch_optional(db)
    .await
}

/// One canonical block by id.
pub async fn find_canonical(
    db: impl PgExecutor<'_>,
    id: i64,
) -> sqlx::Result<Option<CanonicalEmailBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {CANONICAL_COLUMNS} FROM canonical_email_blocks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The blocks of the canonical hash `hash` (none or one).
pub async fn canonical_matching(
    db: impl PgExecutor<'_>,
    hash: &str,
) -> sqlx::Result<Vec<CanonicalEmailBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {CANONICAL_COLUMNS} FROM canonical_email_blocks WHERE canonical_email_hash = $1"
    ))
    .bind(hash)
    .fetch_all(db)
    .await
}

/// Deletes a canonical block; false when there was none.
pub async fn delete_canonical(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM canonical_email_blocks WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A page of canonical blocks, newest first.
pub async fn canonical_page(
    db: impl PgExecutor<'_>,
    bounds: &super::Page,
) -> sqlx::Result<Vec<CanonicalEmailBlockRow>> {
    super::domain_blocks::paged(
        db,
        &format!("SELECT {CANONICAL_COLUMNS} FROM canonical_email_blocks"),
        bounds,
    )
    .await
}
