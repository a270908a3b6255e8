//! `ip_blocks`: addresses and networks an admin limits (Mastodon's IpBlock). The
//! network is a `cidr` column matched with `>>=` through a GiST index; expired rows
//! (`expires_at` in the past) are kept but never match.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// An `ip_blocks` row; `ip` as PostgreSQL renders a `cidr` (`192.0.2.0/24`).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IpBlockRow {
    pub id: i64,
    pub ip: String,
    pub severity: String,
    pub comment: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, ip::text AS ip, severity, comment, expires_at, created_at";

/// SQL: the block has not expired.
const ACTIVE: &str = "(expires_at IS NULL OR expires_at > now())";

/// A block's settings as they are to be stored.
#[derive(Clone, Debug)]
pub struct IpBlockSettings {
    /// A network PostgreSQL accepts as `cidr` (see `domain::IpRange`'s Display).
    pub ip: String,
    pub severity: String,
    pub comment: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a block; `None` when that network is blocked already.
pub async fn create(
    db: impl PgExecutor<'_>,
    settings: &IpBlockSettings,
) -> sqlx::Result<Option<IpBlockRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO ip_blocks (ip, severity, comment, expires_at) \
         VALUES ($1::cidr, $2, $3, $4) ON CONFLICT (ip) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(&settings.ip)
    .bind(&settings.severity)
    .bind(&settings.comment)
    .bind(settings.expires_at)
    .fetch_optional(db)
    .await
}

/// Replaces a block's settings; `None` when there is no such block. A network
/// another block has already fails with a unique violation.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: i64,
    settings: &IpBlockSettings,
) -> sqlx::Result<Option<IpBlockRow>> {
    sqlx::query_as(&format!(
        "UPDATE ip_blocks SET ip = $2::cidr, severity = $3, comment = $4, expires_at = $5, \
           updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&settings.ip)
    .bind(&settings.severity)
    .bind(&settings.comment)
    .bind(settings.expires_at)
    .fetch_optional(db)
    .await
}

/// Deletes a block; false when there was none.
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM ip_blocks WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// One block by id.
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<IpBlockRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM ip_blocks WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A page of blocks, newest first (expired ones included).
pub async fn page(db: impl PgExecutor<'_>, bounds: &super::Page) -> sqlx::Result<Vec<IpBlockRow>> {
    super::domain_blocks::paged(db, &format!("SELECT {COLUMNS} FROM ip_blocks"), bounds).await
}

/// The severities of the unexpired blocks containing `address` (an IP address as
/// text): one indexed query.
pub async fn severities_containing(
    db: impl PgExecutor<'_>,
    address: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(&format!(
        "SELECT DISTINCT severity FROM ip_blocks WHERE ip >>= $1::inet AND {ACTIVE}"
    ))
    .bind(address)
    .fetch_all(db)
    .await
}

/// Every unexpired `no_access` block: the list each process keeps in memory.
pub async fn active_no_access(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<IpBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM ip_blocks WHERE severity = 'no_access' AND {ACTIVE}"
    ))
    .fetch_all(db)
    .await
}
