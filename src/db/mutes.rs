//! The `mutes` table: accounts a local user mutes, with or without their
//! notifications, forever or until `expires_at`. Expired mutes count as absent
//! everywhere (and `crate::maintenance` deletes them). What a mute hides is in [`super::hiding`].

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::Page;

/// A `mutes` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MuteRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub notifications: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, account_id, target_account_id, notifications, expires_at, created_at";

/// SQL condition: the mute is in force.
const ACTIVE: &str = "(expires_at IS NULL OR expires_at > now())";

/// Mutes `target_account_id` for `account_id`, or changes an existing mute's options
/// (muting again restarts an expired one).
pub async fn upsert(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target_account_id: i64,
    notifications: bool,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<MuteRow> {
    sqlx::query_as(&format!(
        "INSERT INTO mutes (account_id, target_account_id, notifications, expires_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, target_account_id) DO UPDATE SET \
           notifications = EXCLUDED.notifications, expires_at = EXCLUDED.expires_at, updated_at = now() \
         RETURNING {COLUMNS}"
    ))
    .bind(account_id)
    .bind(target_account_id)
    .bind(notifications)
    .bind(expires_at)
    .fetch_one(db)
    .await
}

/// Ends a mute; false when there was none.
pub async fn delete(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target_account_id: i64,
) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target_account_id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A page of the mutes in force of `account_id`, newest first, paged by mute id.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<MuteRow>> {
    page.of_owner(
        db,
        &format!("SELECT {COLUMNS} FROM mutes WHERE account_id = $1 AND {ACTIVE}"),
        account_id,
    )
    .await
}
