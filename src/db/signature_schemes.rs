//! Which HTTP signature scheme each domain accepted last (`domain_signature_schemes`),
//! so that double-knocking happens once per domain rather than once per delivery.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// The scheme remembered for `domain` (as stored: `rfc9421-ed25519`, `rfc9421-rsa`,
/// `cavage`) and when it was recorded.
pub async fn find(
    db: impl PgExecutor<'_>,
    domain: &str,
) -> sqlx::Result<Option<(String, DateTime<Utc>)>> {
    sqlx::query_as("SELECT scheme, updated_at FROM domain_signature_schemes WHERE domain = $1")
        .bind(domain)
        .fetch_optional(db)
        .await
}

/// Records that `domain` accepted `scheme` now.
pub async fn record(db: impl PgExecutor<'_>, domain: &str, scheme: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO domain_signature_schemes (domain, scheme) VALUES ($1, $2) \
         ON CONFLICT (domain) DO UPDATE SET scheme = EXCLUDED.scheme, updated_at = now()",
    )
    .bind(domain)
    .bind(scheme)
    .execute(db)
    .await?;
    Ok(())
}
