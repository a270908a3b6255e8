//! PostgreSQL access: one file per table group. Functions take `impl PgExecutor` so the
//! caller decides between the pool and a transaction. Nothing here knows about HTTP.
//!
//! Queries are plain `sqlx::query_as` strings (checked at run time), and every query is
//! exercised by a test against a real database.

pub mod accounts;
pub mod oauth;
pub mod users;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens a connection pool with bounded size and acquire timeout.
pub async fn connect(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(database_url)?.application_name("roost");
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Applies every pending migration. Safe to call from several processes at once:
/// sqlx takes an advisory lock.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The name of the unique constraint or index a database error violated, if any.
/// Lets callers turn races on unique keys into client errors instead of 500s.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) if db.is_unique_violation() => db.constraint(),
        _ => None,
    }
}
