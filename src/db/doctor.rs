//! What `roost doctor` asks the database: its version, its clock, and which migrations
//! it has applied (sqlx's `_sqlx_migrations`, which may not exist yet).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// One applied migration as sqlx recorded it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AppliedMigration {
    pub version: i64,
    pub checksum: Vec<u8>,
    pub success: bool,
}

/// The server's version as a number (150004 for 15.4).
pub async fn server_version(db: impl PgExecutor<'_>) -> sqlx::Result<i32> {
    let text: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(db)
        .await?;
    Ok(text.trim().parse().unwrap_or(0))
}

/// The database server's clock.
pub async fn now(db: impl PgExecutor<'_>) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar("SELECT now()").fetch_one(db).await
}

/// Every migration recorded as applied; none when the table does not exist.
pub async fn applied_migrations(db: &mut PgConnection) -> sqlx::Result<Vec<AppliedMigration>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *db)
        .await?;
    if !exists {
        return Ok(Vec::new());
    }
    sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(db)
        .await
}
