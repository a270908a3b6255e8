//! What the exports read: an account's follows, followers, blocks, mutes, domain
//! blocks, lists and bookmarks a page at a time (keyset-paged, so an export of any
//! size is read in bounded memory), the counts of the export page, and the rows of
//! an archive (own statuses, media, liked and bookmarked statuses).

use sqlx::PgExecutor;

use super::statuses::{StatusRow, COLUMNS as STATUS_COLUMNS};

/// An account named in an export, with the row's cursor.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AccountEntry {
    pub cursor: i64,
    pub username: String,
    /// `None` for a local account.
    pub domain: Option<String>,
}

/// A followed account with the follow's options.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowEntry {
    pub cursor: i64,
    pub username: String,
    pub domain: Option<String>,
    pub show_reblogs: bool,
    pub notify: bool,
    pub languages: Option<Vec<String>>,
}

/// A muted account and whether its notifications are hidden too.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MuteEntry {
    pub cursor: i64,
    pub username: String,
    pub domain: Option<String>,
    pub notifications: bool,
}

/// A blocked domain.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainEntry {
    pub cursor: i64,
    pub domain: String,
}

/// One member of one of the account's lists.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListEntry {
    pub list_id: i64,
    pub member_id: i64,
    pub title: String,
    pub username: String,
    pub domain: Option<String>,
}

/// A status named by its URI: stored for a remote one, derived from its author's
/// username and its id for a local one.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StatusEntry {
    pub cursor: i64,
    pub status_id: i64,
    pub ap_id: Option<String>,
    pub username: String,
}

/// The export page's counts.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Summary {
    pub storage_bytes: i64,
    pub statuses: i64,
    pub follows: i64,
    pub followers: i64,
    pub lists: i64,
    pub blocks: i64,
    pub mutes: i64,
    pub domain_blocks: i64,
    pub bookmarks: i64,
}

/// The greatest cursor: a first page starts below it.
pub const FIRST: i64 = i64::MAX;

/// The accepted follows of `account_id` below `before`, newest first.
pub async fn follows(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<FollowEntry>> {
    sqlx::query_as(
        "SELECT f.id AS cursor, a.username, a.domain, f.show_reblogs, f.notify, f.languages \
         FROM follows f JOIN accounts a ON a.id = f.target_account_id \
         WHERE f.account_id = $1 AND f.accepted AND f.id < $2 ORDER BY f.id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The accepted followers of `account_id` below `before`, newest first.
pub async fn followers(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<AccountEntry>> {
    sqlx::query_as(
        "SELECT f.id AS cursor, a.username, a.domain \
         FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.accepted AND f.id < $2 ORDER BY f.id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The accounts `account_id` blocks below `before`, newest first.
pub async fn blocks(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<AccountEntry>> {
    sqlx::query_as(
        "SELECT b.id AS cursor, a.username, a.domain \
         FROM blocks b JOIN accounts a ON a.id = b.target_account_id \
         WHERE b.account_id = $1 AND b.id < $2 ORDER BY b.id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The accounts `account_id` mutes below `before`, newest first (ended mutes too,
/// until they are cleaned up, as Mastodon lists them).
pub async fn mutes(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<MuteEntry>> {
    sqlx::query_as(
        "SELECT m.id AS cursor, a.username, a.domain, m.notifications \
         FROM mutes m JOIN accounts a ON a.id = m.target_account_id \
         WHERE m.account_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The domains `account_id` blocks below `before`, newest first.
pub async fn domain_blocks(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<DomainEntry>> {
    sqlx::query_as(
        "SELECT id AS cursor, domain FROM account_domain_blocks \
         WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The members of `account_id`'s lists after `(list_id, member_id)`, list by list.
pub async fn list_members(
    db: impl PgExecutor<'_>,
    account_id: i64,
    after: (i64, i64),
    limit: i64,
) -> sqlx::Result<Vec<ListEntry>> {
    sqlx::query_as(
        "SELECT l.id AS list_id, a.id AS member_id, l.title, a.username, a.domain \
         FROM lists l JOIN list_accounts la ON la.list_id = l.id \
         JOIN accounts a ON a.id = la.account_id \
         WHERE l.account_id = $1 AND (l.id, a.id) > ($2, $3) ORDER BY l.id, a.id LIMIT $4",
    )
    .bind(account_id)
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The statuses `account_id` bookmarked below `before`, newest bookmark first.
pub async fn bookmarks(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<StatusEntry>> {
    marked(db, "bookmarks", account_id, before, limit).await
}

/// The statuses `account_id` favourited below `before`, newest first.
pub async fn favourites(
    db: impl PgExecutor<'_>,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<StatusEntry>> {
    marked(db, "favourites", account_id, before, limit).await
}

/// The live statuses of `table` (`bookmarks` or `favourites`) of `account_id`.
async fn marked(
    db: impl PgExecutor<'_>,
    table: &str,
    account_id: i64,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<StatusEntry>> {
    sqlx::query_as(&format!(
        "SELECT m.id AS cursor, s.id AS status_id, s.ap_id, a.username \
         FROM {table} m JOIN statuses s ON s.id = m.status_id JOIN accounts a ON a.id = s.account_id \
         WHERE m.account_id = $1 AND s.deleted_at IS NULL AND m.id < $2 \
         ORDER BY m.id DESC LIMIT $3"
    ))
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The export page's counts for `account_id`, in one query.
pub async fn summary(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Summary> {
    sqlx::query_as(
        "SELECT \
           (SELECT coalesce(sum(file_size), 0)::bigint FROM media_attachments \
             WHERE account_id = $1) AS storage_bytes, \
           (SELECT count(*) FROM statuses WHERE account_id = $1 AND deleted_at IS NULL) AS statuses, \
           (SELECT count(*) FROM follows WHERE account_id = $1 AND accepted) AS follows, \
           (SELECT count(*) FROM follows WHERE target_account_id = $1 AND accepted) AS followers, \
           (SELECT count(*) FROM lists WHERE account_id = $1) AS lists, \
           (SELECT count(*) FROM blocks WHERE account_id = $1) AS blocks, \
           (SELECT count(*) FROM mutes WHERE account_id = $1) AS mutes, \
           (SELECT count(*) FROM account_domain_blocks WHERE account_id = $1) AS domain_blocks, \
           (SELECT count(*) FROM bookmarks WHERE account_id = $1) AS bookmarks",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// The live original statuses (boosts left out) of `account_id` after `after`, oldest
/// first, for an archive's outbox.
pub async fn own_statuses(
    db: impl PgExecutor<'_>,
    account_id: i64,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<StatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.account_id = $1 AND s.deleted_at IS NULL \
           AND s.reblog_of_id IS NULL AND s.id > $2 ORDER BY s.id LIMIT $3"
    ))
    .bind(account_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The stored files of `account_id`'s uploads attached to live statuses after media
/// id `after`: `(id, key)`, oldest first.
pub async fn media_files(
    db: impl PgExecutor<'_>,
    account_id: i64,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.file_key FROM media_attachments m JOIN statuses s ON s.id = m.status_id \
         WHERE m.account_id = $1 AND m.file_key IS NOT NULL AND s.deleted_at IS NULL \
           AND m.id > $2 ORDER BY m.id LIMIT $3",
    )
    .bind(account_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}
