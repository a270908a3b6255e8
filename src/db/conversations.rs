//! The `account_conversations` table: each local account's direct-message threads
//! (Mastodon's `AccountConversation`). Who gets a row and when is
//! `services::conversations`'s; the `direct` stream's event is the `conversations`
//! migration's trigger.

use sqlx::PgExecutor;

use super::{BindPage, Page};

/// An `account_conversations` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub account_id: i64,
    /// The other participants, sorted (empty: a note to oneself).
    pub participant_ids: Vec<i64>,
    pub last_status_id: i64,
    pub unread: bool,
}

const COLUMNS: &str = "id, account_id, participant_ids, last_status_id, unread";

/// Adds direct status `status_id` (by `author_id`) to the conversation of each local
/// account among `participants` (the author and the mentioned accounts) that does not
/// block the author, creating it when new. The thread (SQL `status_thread`) and the
/// owner's other participants key the row; it is unread for all but the author.
pub async fn add_status(
    db: impl PgExecutor<'_>,
    status_id: i64,
    author_id: i64,
    participants: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO account_conversations \
           (account_id, conversation, participant_ids, status_ids, last_status_id, unread) \
         SELECT a.id, (SELECT status_thread(s.conversation, s.in_reply_to_id, s.id) \
             FROM statuses s WHERE s.id = $1), \
           ARRAY(SELECT DISTINCT p FROM unnest($3::bigint[]) p WHERE p <> a.id ORDER BY p), \
           ARRAY[$1::bigint], $1, a.id <> $2 \
         FROM accounts a WHERE a.id = ANY($3) AND a.domain IS NULL \
           AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = a.id \
             AND b.target_account_id = $2) \
         ON CONFLICT (account_id, conversation, participant_ids) DO UPDATE SET \
           status_ids = account_conversations.status_ids || $1::bigint, \
           last_status_id = GREATEST(account_conversations.last_status_id, $1), \
           unread = EXCLUDED.unread",
    )
    .bind(status_id)
    .bind(author_id)
    .bind(participants)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes deleted status `status_id` out of every conversation holding it: the newest
/// remaining status becomes the last one, and a conversation left empty goes. Run in
/// the deleting transaction (two statements: one row is never changed twice in one).
pub async fn remove_status(conn: &mut sqlx::PgConnection, status_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM account_conversations WHERE status_ids = ARRAY[$1::bigint]")
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE account_conversations SET status_ids = array_remove(status_ids, $1), \
           last_status_id = (SELECT max(x) FROM unnest(status_ids) x WHERE x <> $1) \
         WHERE status_ids @> ARRAY[$1::bigint]",
    )
    .bind(status_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A page of `account_id`'s conversations, newest last status first (paged by it).
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<ConversationRow>> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM account_conversations WHERE account_id = $1 \
           AND {cut}",
        cut = page.cut("last_status_id", 2)
    ))
    .bind(account_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// `account_id`'s conversation `id`.
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<ConversationRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM account_conversations WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Marks `account_id`'s conversation `id` read; the row, or `None` if not theirs.
pub async fn mark_read(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<ConversationRow>> {
    sqlx::query_as(&format!(
        "UPDATE account_conversations SET unread = false WHERE id = $1 AND account_id = $2 \
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Removes `account_id`'s conversation `id`; false if there was none.
pub async fn delete(db: impl PgExecutor<'_>, account_id: i64, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM account_conversations WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// `account_id` mutes the thread of status `status_id` (again: nothing changes).
pub async fn mute_thread(
    db: impl PgExecutor<'_>,
    account_id: i64,
    status_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO conversation_mutes (account_id, conversation) \
         SELECT $1, status_thread(s.conversation, s.in_reply_to_id, s.id) FROM statuses s \
         WHERE s.id = $2 ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(status_id)
    .execute(db)
    .await?;
    Ok(())
}

/// `account_id` unmutes the thread of status `status_id`.
pub async fn unmute_thread(
    db: impl PgExecutor<'_>,
    account_id: i64,
    status_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM conversation_mutes cm USING statuses s WHERE s.id = $2 \
         AND cm.account_id = $1 AND cm.conversation = status_thread(s.conversation, s.in_reply_to_id, s.id)",
    )
    .bind(account_id)
    .bind(status_id)
    .execute(db)
    .await?;
    Ok(())
}

/// SQL: account `{account}` muted the thread of status `{status}` (an id expression).
pub(crate) fn thread_muted(account: &str, status: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM conversation_mutes cm JOIN statuses ms ON ms.id = {status} \
         WHERE cm.account_id = {account} \
           AND cm.conversation = status_thread(ms.conversation, ms.in_reply_to_id, ms.id))"
    )
}
