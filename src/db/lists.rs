//! The `lists` and `list_accounts` tables: a user's lists and their members. The rules
//! (how many lists, who may be a member) are `services::lists`'s; a member leaving when
//! the owner's follow ends is the `lists` migration's trigger. The list timeline is
//! [`super::timelines`]'s.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::Page;

/// A `lists` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, account_id, title, replies_policy, exclusive, created_at";

/// The settings of a list, as stored.
#[derive(Debug)]
pub struct ListFields<'a> {
    pub title: &'a str,
    pub replies_policy: &'a str,
    pub exclusive: bool,
}

/// Creates a list owned by `account_id`.
pub async fn insert(
    db: impl PgExecutor<'_>,
    account_id: i64,
    fields: &ListFields<'_>,
) -> sqlx::Result<ListRow> {
    sqlx::query_as(&format!(
        "INSERT INTO lists (account_id, title, replies_policy, exclusive) \
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    ))
    .bind(account_id)
    .bind(fields.title)
    .bind(fields.replies_policy)
    .bind(fields.exclusive)
    .fetch_one(db)
    .await
}

/// Replaces the settings of list `id`; `None` when it does not exist.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: i64,
    fields: &ListFields<'_>,
) -> sqlx::Result<Option<ListRow>> {
    sqlx::query_as(&format!(
        "UPDATE lists SET title = $2, replies_policy = $3, exclusive = $4 WHERE id = $1 \
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(fields.title)
    .bind(fields.replies_policy)
    .bind(fields.exclusive)
    .fetch_optional(db)
    .await
}

/// Deletes list `id` (its members go with it). Returns whether it existed.
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM lists WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// List `id` if `owner` owns it, locked for the rest of the transaction when `lock`
/// (member changes of one list then run one after the other).
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
    lock: bool,
) -> sqlx::Result<Option<ListRow>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM lists WHERE id = $1 AND account_id = $2{lock}"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// The lists of `owner`, oldest first (as Mastodon lists them).
pub async fn of_owner(db: impl PgExecutor<'_>, owner: i64) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM lists WHERE account_id = $1 ORDER BY id"
    ))
    .bind(owner)
    .fetch_all(db)
    .await
}

/// How many lists `owner` has, counted with the owner's row locked so two creations at
/// once cannot both pass a limit.
pub async fn count_locked(db: impl PgExecutor<'_>, owner: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM lists WHERE account_id = \
         (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)",
    )
    .bind(owner)
    .fetch_one(db)
    .await
}

/// The lists of `owner` that contain `member`, oldest first.
pub async fn containing(
    db: impl PgExecutor<'_>,
    owner: i64,
    member: i64,
) -> sqlx::Result<Vec<ListRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM lists l WHERE l.account_id = $1 AND EXISTS \
         (SELECT 1 FROM list_accounts la WHERE la.list_id = l.id AND la.account_id = $2) \
         ORDER BY l.id"
    ))
    .bind(owner)
    .bind(member)
    .fetch_all(db)
    .await
}

/// Of `accounts`, the ones `owner` follows or asked to follow. The follows are locked
/// (shared) until the transaction ends, so one ending meanwhile waits, and its trigger
/// then finds the member added and removes it.
pub async fn followed_among(
    db: impl PgExecutor<'_>,
    owner: i64,
    accounts: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT target_account_id FROM follows WHERE account_id = $1 \
         AND target_account_id = ANY($2) FOR SHARE",
    )
    .bind(owner)
    .bind(accounts)
    .fetch_all(db)
    .await
}

/// Adds `accounts` to list `id` (those already in it stay as they are).
pub async fn add_members(db: impl PgExecutor<'_>, id: i64, accounts: &[i64]) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO list_accounts (list_id, account_id) SELECT $1, unnest($2::bigint[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(accounts)
    .execute(db)
    .await?;
    Ok(())
}

/// Removes `accounts` from list `id`.
pub async fn remove_members(
    db: impl PgExecutor<'_>,
    id: i64,
    accounts: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM list_accounts WHERE list_id = $1 AND account_id = ANY($2)")
        .bind(id)
        .bind(accounts)
        .execute(db)
        .await?;
    Ok(())
}

/// A page of the member ids of list `id`, newest account first, paged by account id;
/// `page` `None` = every member.
pub async fn members(
    db: impl PgExecutor<'_>,
    id: i64,
    page: Option<&Page>,
) -> sqlx::Result<Vec<i64>> {
    let all = Page::default();
    let bounds = page.unwrap_or(&all);
    let cut = bounds.cut("account_id", 2);
    let rows = sqlx::query_scalar(&format!(
        "SELECT account_id FROM list_accounts WHERE list_id = $1 AND {cut}"
    ))
    .bind(id)
    .bind(bounds.max_id)
    .bind(bounds.since_id)
    .bind(bounds.min_id)
    .bind(page.map(|page| page.limit))
    .fetch_all(db)
    .await?;
    Ok(bounds.newest_first(rows))
}
