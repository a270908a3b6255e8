//! The `blocks` table: who blocks whom, local or remote, with the id of the `Block`
//! activity that `Undo(Block)` names. What a block hides is in [`super::hiding`].

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::Page;

/// A `blocks` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BlockRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub ap_id: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, account_id, target_account_id, ap_id, created_at";

/// Records that `account_id` blocks `target_account_id`. A block that exists already
/// keeps its row but takes the new activity id (a remote server may block again with a
/// fresh one). Returns the row.
pub async fn upsert(
    conn: &mut PgConnection,
    account_id: i64,
    target_account_id: i64,
    ap_id: &str,
) -> sqlx::Result<BlockRow> {
    sqlx::query_as(&format!(
        "INSERT INTO blocks (account_id, target_account_id, ap_id) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, target_account_id) DO UPDATE SET ap_id = EXCLUDED.ap_id \
         RETURNING {COLUMNS}"
    ))
    .bind(account_id)
    .bind(target_account_id)
    .bind(ap_id)
    .fetch_one(conn)
    .await
}

/// The block of `target_account_id` by `account_id`, if any.
pub async fn find_pair(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target_account_id: i64,
) -> sqlx::Result<Option<BlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM blocks WHERE account_id = $1 AND target_account_id = $2"
    ))
    .bind(account_id)
    .bind(target_account_id)
    .fetch_optional(db)
    .await
}

/// The block by `account_id` whose Block activity has this id.
pub async fn find_by_ap_id(
    db: impl PgExecutor<'_>,
    account_id: i64,
    ap_id: &str,
) -> sqlx::Result<Option<BlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM blocks WHERE account_id = $1 AND ap_id = $2"
    ))
    .bind(account_id)
    .bind(ap_id)
    .fetch_optional(db)
    .await
}

/// Deletes a block; returns the deleted row (`None` when there was none).
pub async fn delete(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<BlockRow>> {
    sqlx::query_as(&format!(
        "DELETE FROM blocks WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A page of the accounts `account_id` blocks, newest block first, paged by block id.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<BlockRow>> {
    page.of_owner(
        db,
        &format!("SELECT {COLUMNS} FROM blocks WHERE account_id = $1"),
        account_id,
    )
    .await
}
