//! The `account_domain_blocks` table: remote domains a local user hides (Mastodon's
//! user-level domain blocks, not the instance's). Domains are stored lowercase, as
//! `accounts.domain`. What a domain block hides is in [`super::hiding`].

use sqlx::PgExecutor;

use super::Page;

/// A blocked domain and the row id it is paged by.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainBlockRow {
    pub id: i64,
    pub domain: String,
}

/// Blocks `domain` for `account_id` (idempotent).
pub async fn insert(db: impl PgExecutor<'_>, account_id: i64, domain: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO account_domain_blocks (account_id, domain) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(domain)
    .execute(db)
    .await?;
    Ok(())
}

/// Unblocks `domain` for `account_id` (idempotent).
pub async fn delete(db: impl PgExecutor<'_>, account_id: i64, domain: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM account_domain_blocks WHERE account_id = $1 AND domain = $2")
        .bind(account_id)
        .bind(domain)
        .execute(db)
        .await?;
    Ok(())
}

/// A page of the domains `account_id` blocks, newest first, paged by row id.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<DomainBlockRow>> {
    page.of_owner(
        db,
        "SELECT id, domain FROM account_domain_blocks WHERE account_id = $1",
        account_id,
    )
    .await
}

/// Ids of the accounts on `domain` that follow (or asked to follow) `account_id`: the
/// followers a domain block removes.
pub async fn follower_ids_on_domain(
    db: impl PgExecutor<'_>,
    account_id: i64,
    domain: &str,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND a.domain = $2",
    )
    .bind(account_id)
    .bind(domain)
    .fetch_all(db)
    .await
}
