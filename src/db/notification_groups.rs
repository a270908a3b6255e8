//! Notification groups (<https://docs.joinmastodon.org/methods/grouped_notifications/>):
//! pages of groups, each group's members and counts, and dismissing a group. A group
//! is the notifications sharing a `group_key`; a notification without one (or of a
//! kind the client does not group) is a group of its own, `ungrouped-ID`.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use super::notifications::{listed, Filter, NotificationRow, COLUMNS};
use super::{BindPage, Page};

/// How many of a group's newest senders are named (`sample_account_ids`).
pub const SAMPLE_ACCOUNTS: i64 = 8;

/// The SQL of a notification's group as the client asked (`$6`: the grouped kinds).
const LISTED_KEY: &str = "CASE WHEN n.type = ANY($6) AND n.group_key IS NOT NULL THEN n.group_key \
     ELSE 'ungrouped-' || n.id END";

/// A notification heading its group on a page, with the group's key as listed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GroupHead {
    #[sqlx(flatten)]
    pub notification: NotificationRow,
    pub listed_key: String,
}

/// The newest notification of each of the first `page.limit` groups inside the page's
/// bounds, walking from the newest notification down (from the oldest up after
/// `min_id`) and skipping groups already met, so a page holds distinct groups.
/// Returned newest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    filter: &Filter<'_>,
    grouped_kinds: &[String],
    page: &Page,
) -> sqlx::Result<Vec<GroupHead>> {
    let (order, step) = if page.min_id.is_some() {
        ("ASC", "n.id > w.id")
    } else {
        ("DESC", "n.id < w.id")
    };
    let bounds = "($7::bigint IS NULL OR n.id < $7) AND ($8::bigint IS NULL OR n.id > $8) \
                  AND ($9::bigint IS NULL OR n.id > $9)";
    let candidates = format!(
        "SELECT n.id, {LISTED_KEY} AS listed_key FROM notifications n \
         WHERE n.account_id = $1 AND {listed} AND {bounds}",
        listed = listed()
    );
    let rows: Vec<GroupHead> = sqlx::query_as(&format!(
        "WITH RECURSIVE walk (id, listed_key, seen) AS ( \
           (SELECT c.id, c.listed_key, ARRAY[c.listed_key] FROM ({candidates}) c \
            ORDER BY c.id {order} LIMIT 1) \
         UNION ALL \
           SELECT next.id, next.listed_key, w.seen || next.listed_key FROM walk w \
           CROSS JOIN LATERAL ( \
             SELECT n.id, {LISTED_KEY} AS listed_key FROM notifications n \
             WHERE n.account_id = $1 AND {listed} AND {bounds} AND {step} \
               AND NOT ({LISTED_KEY} = ANY(w.seen)) \
             ORDER BY n.id {order} LIMIT 1) next \
           WHERE cardinality(w.seen) < $10) \
         SELECT {COLUMNS}, w.listed_key FROM walk w JOIN notifications n ON n.id = w.id \
         ORDER BY n.id {order}",
        listed = listed()
    ))
    .bind(account_id)
    .bind(filter.types)
    .bind(filter.exclude_types)
    .bind(filter.from_account_id)
    .bind(filter.include_filtered)
    .bind(grouped_kinds)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// Groups (as [`page`] lists them) newer than `after`, counting at most `limit`.
pub async fn count_newer(
    db: impl PgExecutor<'_>,
    account_id: i64,
    filter: &Filter<'_>,
    grouped_kinds: &[String],
    after: Option<i64>,
    limit: i64,
) -> sqlx::Result<i64> {
    let bounds = Page {
        min_id: Some(after.unwrap_or(0)),
        limit,
        ..Page::default()
    };
    Ok(page(db, account_id, filter, grouped_kinds, &bounds)
        .await?
        .len() as i64)
}

/// What a group holds, up to the newest notification shown (`until`, or all of it).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GroupSummary {
    pub group_key: String,
    pub most_recent_notification_id: i64,
    pub latest_notification_at: DateTime<Utc>,
    /// Senders of its newest notifications, newest first (at most [`SAMPLE_ACCOUNTS`]).
    pub sample_account_ids: Vec<i64>,
    pub notifications_count: i64,
    /// Its oldest notification not older than the page's lower bound.
    pub page_min_id: Option<i64>,
}

/// The summaries of the account's groups `keys` (real keys, not `ungrouped-ID`),
/// counting the notifications up to `until` and the page from `from` (both inclusive,
/// both optional).
pub async fn summaries(
    db: impl PgExecutor<'_>,
    account_id: i64,
    keys: &[String],
    from: Option<i64>,
    until: Option<i64>,
) -> sqlx::Result<Vec<GroupSummary>> {
    let member = "g.account_id = $1 AND g.group_key = k.key AND ($4::bigint IS NULL OR g.id <= $4)";
    sqlx::query_as(&format!(
        "SELECT k.key AS group_key, newest.id AS most_recent_notification_id, \
           newest.created_at AS latest_notification_at, \
           array(SELECT g.from_account_id FROM notifications g WHERE {member} \
                 ORDER BY g.id DESC LIMIT $5) AS sample_account_ids, \
           (SELECT count(*) FROM notifications g WHERE {member}) AS notifications_count, \
           (SELECT g.id FROM notifications g WHERE {member} AND g.id >= coalesce($3, 0) \
                 ORDER BY g.id ASC LIMIT 1) AS page_min_id \
         FROM unnest($2::text[]) AS k(key) \
         CROSS JOIN LATERAL (SELECT g.id, g.created_at FROM notifications g WHERE {member} \
                 ORDER BY g.id DESC LIMIT 1) newest"
    ))
    .bind(account_id)
    .bind(keys)
    .bind(from)
    .bind(until)
    .bind(SAMPLE_ACCOUNTS)
    .fetch_all(db)
    .await
}

/// The condition selecting the members of group `$2` of account `$1`.
const MEMBERS: &str = "n.account_id = $1 AND CASE WHEN $2 LIKE 'ungrouped-%' \
    THEN n.id::text = substr($2, 11) ELSE n.group_key = $2 END";

/// The newest notification of the account's group `key`, if the group exists.
pub async fn newest(
    db: impl PgExecutor<'_>,
    account_id: i64,
    key: &str,
) -> sqlx::Result<Option<NotificationRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM notifications n WHERE {MEMBERS} ORDER BY n.id DESC LIMIT 1"
    ))
    .bind(account_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Deletes every notification of the account's group `key`; how many there were.
pub async fn dismiss(db: impl PgExecutor<'_>, account_id: i64, key: &str) -> sqlx::Result<u64> {
    let done = sqlx::query(&format!("DELETE FROM notifications n WHERE {MEMBERS}"))
        .bind(account_id)
        .bind(key)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// A page of the group's members as (notification id, sender), newest first.
pub async fn members(
    db: impl PgExecutor<'_>,
    account_id: i64,
    key: &str,
    page: &Page,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let cut = page.cut("n.id", 3);
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT n.id, n.from_account_id FROM notifications n WHERE {MEMBERS} \
           AND {cut}"
    ))
    .bind(account_id)
    .bind(key)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}
