//! The `account_notes` and `account_endorsements` tables: what one account keeps about
//! another, its private note and whether it features it on its profile. The rules are
//! `services::account_notes`'s; both show in the Relationship (`super::follows`).

use sqlx::PgExecutor;

use super::Page;

/// Sets `account_id`'s note on `target` (an empty note removes it).
pub async fn set_note(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target: i64,
    comment: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH gone AS (DELETE FROM account_notes WHERE account_id = $1 AND target_account_id = $2 \
           AND $3 = '') \
         INSERT INTO account_notes (account_id, target_account_id, comment) \
         SELECT $1, $2, $3 WHERE $3 <> '' \
         ON CONFLICT (account_id, target_account_id) DO UPDATE SET comment = EXCLUDED.comment",
    )
    .bind(account_id)
    .bind(target)
    .bind(comment)
    .execute(db)
    .await?;
    Ok(())
}

/// `account_id` features `target` (again: nothing changes).
pub async fn endorse(db: impl PgExecutor<'_>, account_id: i64, target: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO account_endorsements (account_id, target_account_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(target)
    .execute(db)
    .await?;
    Ok(())
}

/// `account_id` stops featuring `target`.
pub async fn unendorse(db: impl PgExecutor<'_>, account_id: i64, target: i64) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM account_endorsements WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(account_id)
    .bind(target)
    .execute(db)
    .await?;
    Ok(())
}

/// A page of `account_id`'s endorsements, newest first: (endorsement id, account id).
pub async fn endorsed(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let rows = sqlx::query_as(&format!(
        "SELECT id, target_account_id FROM account_endorsements WHERE account_id = $1 \
           AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3) \
           AND ($4::bigint IS NULL OR id > $4) \
         ORDER BY id {order} LIMIT $5",
        order = page.order()
    ))
    .bind(account_id)
    .bind(page.max_id)
    .bind(page.since_id)
    .bind(page.min_id)
    .bind(page.limit)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// How many accounts `account_id` features, counted with its row locked so two
/// endorsements at once cannot both pass a limit.
pub async fn count_endorsed_locked(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM account_endorsements WHERE account_id = \
         (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}
