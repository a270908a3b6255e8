//! Moving accounts: a local user's aliases (`account_aliases`, mirrored into
//! `accounts.also_known_as`), where an account moved to (`accounts.moved_to_account_id`)
//! and the moves applied here (`account_migrations`, whose dates give the cooldowns).
//! The rules are `services::account_moves`'.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// An alias a local user declared: another account they say is theirs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AliasRow {
    pub id: i64,
    pub account_id: i64,
    /// The address as typed and resolved (`user@domain`).
    pub acct: String,
    /// The actor id it resolved to.
    pub uri: String,
    pub created_at: DateTime<Utc>,
}

const ALIAS_COLUMNS: &str = "id, account_id, acct, uri, created_at";

/// A move applied here.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MigrationRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub acct: String,
    pub followers_count: i64,
    pub created_at: DateTime<Utc>,
}

const MIGRATION_COLUMNS: &str =
    "id, account_id, target_account_id, acct, followers_count, created_at";

/// The aliases of `account_id`, oldest first.
pub async fn aliases(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Vec<AliasRow>> {
    sqlx::query_as(&format!(
        "SELECT {ALIAS_COLUMNS} FROM account_aliases WHERE account_id = $1 ORDER BY id"
    ))
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Records an alias; `None` when the account has one for `uri` already.
pub async fn insert_alias(
    db: impl PgExecutor<'_>,
    account_id: i64,
    acct: &str,
    uri: &str,
) -> sqlx::Result<Option<AliasRow>> {
    sqlx::query_as(&format!(
        "INSERT INTO account_aliases (account_id, acct, uri) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, uri) DO NOTHING RETURNING {ALIAS_COLUMNS}"
    ))
    .bind(account_id)
    .bind(acct)
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// Deletes alias `id` of `account_id`; `None` when it has no such alias.
pub async fn delete_alias(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<AliasRow>> {
    sqlx::query_as(&format!(
        "DELETE FROM account_aliases WHERE account_id = $1 AND id = $2 RETURNING {ALIAS_COLUMNS}"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Sets a local account's `also_known_as` to the actor ids of its aliases.
pub async fn mirror_aliases(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE accounts SET also_known_as = ARRAY(SELECT uri FROM account_aliases \
           WHERE account_id = $1 ORDER BY id), updated_at = now() WHERE id = $1",
    )
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets (or with `None` clears) where `account_id` moved to.
pub async fn set_moved_to(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE accounts SET moved_to_account_id = $2, updated_at = now() \
         WHERE id = $1 AND moved_to_account_id IS DISTINCT FROM $2",
    )
    .bind(account_id)
    .bind(target)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a move of `account_id` to `target_account_id`.
pub async fn record_migration(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target_account_id: i64,
    acct: &str,
    followers_count: i64,
) -> sqlx::Result<MigrationRow> {
    sqlx::query_as(&format!(
        "INSERT INTO account_migrations (account_id, target_account_id, acct, followers_count) \
         VALUES ($1, $2, $3, $4) RETURNING {MIGRATION_COLUMNS}"
    ))
    .bind(account_id)
    .bind(target_account_id)
    .bind(acct)
    .bind(followers_count)
    .fetch_one(db)
    .await
}

/// The latest move of `account_id` recorded here, if any.
pub async fn latest_migration(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<MigrationRow>> {
    sqlx::query_as(&format!(
        "SELECT {MIGRATION_COLUMNS} FROM account_migrations WHERE account_id = $1 \
         ORDER BY created_at DESC LIMIT 1"
    ))
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Up to `limit` local accounts that follow `account_id` (accepted follows), with ids
/// above `after`, in id order: one batch of the followers a move carries over.
pub async fn local_followers(
    db: impl PgExecutor<'_>,
    account_id: i64,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.accepted AND a.domain IS NULL AND f.account_id > $2 \
         ORDER BY f.account_id LIMIT $3",
    )
    .bind(account_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Where account `account_id` moved to, if it did (`None` too for no such account).
pub async fn moved_to_of(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Option<i64>> {
    let moved: Option<Option<i64>> =
        sqlx::query_scalar("SELECT moved_to_account_id FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(db)
            .await?;
    Ok(moved.flatten())
}

#[cfg(test)]
mod tests {
    use sqlx::PgPool;

    use super::*;
    use crate::db::accounts;

    /// `account_moved_json` must name every `AccountRow` column: a column added to the
    /// row but not to the function makes this read fail.
    #[sqlx::test]
    async fn an_account_is_read_with_the_whole_account_it_moved_to(db: PgPool) {
        let old = accounts::insert_local(&db, "old", "PUB", "PRIV")
            .await
            .expect("inserts");
        let new = accounts::insert_local(&db, "new", "PUB", "PRIV")
            .await
            .expect("inserts");
        set_moved_to(&db, new.id, Some(old.id)).await.expect("sets");
        set_moved_to(&db, old.id, Some(new.id)).await.expect("sets");
        let read = accounts::find_by_id(&db, old.id)
            .await
            .expect("reads")
            .expect("found");
        let moved = read.moved_to.expect("moved to").0;
        assert_eq!(moved.id, new.id);
        assert_eq!(moved.username, "new");
        assert_eq!(moved.moved_to_account_id, Some(old.id));
        assert!(moved.moved_to.is_none(), "not nested");
        assert!(moved.public_key_pem.is_none(), "no key in the JSON");
        let many = accounts::find_many_for_display(&db, &[old.id])
            .await
            .expect("reads");
        assert_eq!(many[0].moved_to.as_ref().map(|m| m.0.id), Some(new.id));
    }
}
