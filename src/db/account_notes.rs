//! The `account_notes` and `account_endorsements` tables: what one account keeps about
//! another, its private note and whether it features it on its profile. The rules are
//! `services::account_notes`'s; both show in the Relationship (`super::follows`).

use sqlx::PgExecutor;

use super::{BindPage, Page};

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
           AND {cut}",
        cut = page.cut("id", 2)
    ))
    .bind(account_id)
    .bind_page(page)
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

/// The ids of the known accounts a list names, in its order. Position `i` names a
/// remote account by actor id (`ap_ids[i]`) or a local one by username
/// (`usernames[i]`); the other entry is `None`. Unknown accounts are left out.
pub async fn known_accounts(
    db: impl PgExecutor<'_>,
    ap_ids: &[Option<String>],
    usernames: &[Option<String>],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "WITH u AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(ap_id, username, n)) \
         SELECT id FROM ( \
           SELECT a.id, u.n FROM u JOIN accounts a ON a.ap_id = u.ap_id \
           UNION ALL \
           SELECT a.id, u.n FROM u JOIN accounts a ON a.domain IS NULL AND a.username = u.username \
         ) found ORDER BY n",
    )
    .bind(ap_ids)
    .bind(usernames)
    .fetch_all(db)
    .await
}

/// Replaces every endorsement of `account_id` by `targets`, the first newest (so they
/// list in the order given). Run it in a transaction.
pub async fn replace_endorsed(
    conn: &mut sqlx::PgConnection,
    account_id: i64,
    targets: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM account_endorsements WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO account_endorsements (account_id, target_account_id) \
         SELECT $1, u.target FROM unnest($2::bigint[]) WITH ORDINALITY AS u(target, n) \
         ORDER BY u.n DESC ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(targets)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
