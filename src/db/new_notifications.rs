//! Writing notifications: who each cause reaches, what the notification policy needs
//! to know about each recipient and the sender, the newest group a new notification
//! may join, and the insert. Deciding (accept, filter, drop; the group key) is
//! `services::notifications::create`'s, which calls these inside the transaction of the
//! change that causes the notification.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::hiding::notification_allowed;
use super::notifications::Kind;

/// The local author of `status_id`, if the status exists and is local.
pub async fn status_author(conn: &mut PgConnection, status_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT s.account_id FROM statuses s \
         WHERE s.id = $1 AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = s.account_id)",
    )
    .bind(status_id)
    .fetch_optional(conn)
    .await
}

/// Local followers of `author` who asked to hear of their posts (`notify` on the
/// follow), but those in `except`.
pub async fn subscribed_followers(
    conn: &mut PgConnection,
    author: i64,
    except: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f \
         WHERE f.target_account_id = $1 AND f.accepted AND f.notify \
           AND NOT (f.account_id = ANY($2))",
    )
    .bind(author)
    .bind(except)
    .fetch_all(conn)
    .await
}

/// The accounts that boosted, favourited or were mentioned in `status_id` (told of
/// its edits).
pub async fn interested_in(conn: &mut PgConnection, status_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT account_id FROM statuses WHERE reblog_of_id = $1 AND deleted_at IS NULL \
         UNION SELECT account_id FROM favourites WHERE status_id = $1 \
         UNION SELECT account_id FROM mentions WHERE status_id = $1",
    )
    .bind(status_id)
    .fetch_all(conn)
    .await
}

/// Every moderator and admin.
pub async fn staff(conn: &mut PgConnection) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT account_id FROM users WHERE role IN ('moderator', 'admin')")
        .fetch_all(conn)
        .await
}

/// What the policy of one recipient needs: their policy (`None`: never saved) and how
/// they and the sender are related.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RecipientFacts {
    pub account_id: i64,
    pub policy: Option<sqlx::types::Json<super::notification_policies::PolicyRow>>,
    /// The recipient follows the sender (accepted).
    pub follows_sender: bool,
    /// Since when the sender follows the recipient (accepted), if they do.
    pub followed_by_sender_since: Option<DateTime<Utc>>,
    /// The recipient accepted the sender's notification request once.
    pub permitted: bool,
}

/// The facts of those of `recipients` who may be notified by `sender` at all: local
/// users other than the sender who still want to hear from them (no block either
/// way, no mute with notifications, no domain block; see `super::hiding`), and, for a
/// cause about status `status`, who did not mute its thread.
pub async fn recipient_facts(
    conn: &mut PgConnection,
    sender: i64,
    recipients: &[i64],
    status: Option<i64>,
) -> sqlx::Result<Vec<RecipientFacts>> {
    sqlx::query_as(&format!(
        "SELECT r.id AS account_id, \
           (SELECT to_jsonb(p) FROM notification_policies p WHERE p.account_id = r.id) AS policy, \
           EXISTS (SELECT 1 FROM follows f WHERE f.account_id = r.id \
                   AND f.target_account_id = $1 AND f.accepted) AS follows_sender, \
           (SELECT f.created_at FROM follows f WHERE f.account_id = $1 \
                   AND f.target_account_id = r.id AND f.accepted) AS followed_by_sender_since, \
           EXISTS (SELECT 1 FROM notification_permissions np WHERE np.account_id = r.id \
                   AND np.from_account_id = $1) AS permitted \
         FROM (SELECT DISTINCT unnest($2::bigint[]) AS id) r \
         WHERE r.id <> $1 AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = r.id) AND {} \
           AND ($3::bigint IS NULL OR NOT {})",
        notification_allowed("r.id", "$1"),
        super::conversations::thread_muted("r.id", "$3")
    ))
    .bind(sender)
    .bind(recipients)
    .bind(status)
    .fetch_all(conn)
    .await
}

/// What the policy needs to know of the sender.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct SenderFacts {
    pub created_at: DateTime<Utc>,
    /// Limited by a moderator (or its domain).
    pub silenced: bool,
    /// A local moderator or admin.
    pub staff: bool,
}

/// The sender's facts; `None` when the account does not exist.
pub async fn sender_facts(
    conn: &mut PgConnection,
    sender: i64,
) -> sqlx::Result<Option<SenderFacts>> {
    sqlx::query_as(
        "SELECT a.created_at, a.silenced_at IS NOT NULL AS silenced, \
           EXISTS (SELECT 1 FROM users u WHERE u.account_id = a.id \
                   AND u.role IN ('moderator', 'admin')) AS staff \
         FROM accounts a WHERE a.id = $1",
    )
    .bind(sender)
    .fetch_optional(conn)
    .await
}

/// Whether `status_id` is a direct status (a private mention).
pub async fn is_direct(conn: &mut PgConnection, status_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT visibility = 'direct' FROM statuses WHERE id = $1")
        .bind(status_id)
        .fetch_optional(conn)
        .await
        .map(|direct| direct.unwrap_or(false))
}

/// Whether `status_id` answers a private mention of `sender` by `recipient`: a direct
/// status of the recipient mentioning the sender is among its ancestors (up to 100).
pub async fn answers_private_mention(
    conn: &mut PgConnection,
    status_id: i64,
    recipient: i64,
    sender: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "WITH RECURSIVE ancestors (id, depth) AS ( \
             SELECT in_reply_to_id, 1 FROM statuses WHERE id = $1 AND in_reply_to_id IS NOT NULL \
           UNION ALL \
             SELECT s.in_reply_to_id, a.depth + 1 FROM ancestors a JOIN statuses s ON s.id = a.id \
             WHERE s.in_reply_to_id IS NOT NULL AND a.depth < 100) \
         SELECT EXISTS (SELECT 1 FROM ancestors a JOIN statuses s ON s.id = a.id \
             WHERE s.account_id = $2 AND s.visibility = 'direct' \
               AND EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = $3))",
    )
    .bind(status_id)
    .bind(recipient)
    .bind(sender)
    .fetch_one(conn)
    .await
}

/// The group key of each recipient's newest grouped notification of `kind` about
/// `status_id` (for follows: none), by recipient.
pub async fn newest_group_keys(
    conn: &mut PgConnection,
    recipients: &[i64],
    kind: Kind,
    status_id: Option<i64>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (account_id) account_id, group_key FROM notifications \
         WHERE account_id = ANY($1) AND type = $2 AND coalesce(status_id, 0) = coalesce($3, 0) \
           AND group_key IS NOT NULL \
         ORDER BY account_id, id DESC",
    )
    .bind(recipients)
    .bind(kind.as_str())
    .bind(status_id)
    .fetch_all(conn)
    .await
}

/// A notification to write.
#[derive(Clone, Debug)]
pub struct NewNotification {
    pub account_id: i64,
    pub group_key: Option<String>,
    pub filtered: bool,
}

/// Writes one notification of `kind` from `sender` (about `status_id` or `report_id`)
/// per entry of `rows`; a cause already notified is skipped (the unique index).
/// Returns the recipients notified now with whether it was filtered.
pub async fn insert(
    conn: &mut PgConnection,
    sender: i64,
    kind: Kind,
    subject: (Option<i64>, Option<i64>),
    rows: &[NewNotification],
) -> sqlx::Result<Vec<(i64, bool)>> {
    let (status_id, report_id) = subject;
    let recipients: Vec<i64> = rows.iter().map(|row| row.account_id).collect();
    let keys: Vec<Option<String>> = rows.iter().map(|row| row.group_key.clone()).collect();
    let filtered: Vec<bool> = rows.iter().map(|row| row.filtered).collect();
    sqlx::query_as(
        "INSERT INTO notifications \
           (account_id, from_account_id, type, status_id, report_id, group_key, filtered) \
         SELECT r, $1, $2, $3, $4, k, f FROM unnest($5::bigint[], $6::text[], $7::boolean[]) AS t(r, k, f) \
         ON CONFLICT DO NOTHING RETURNING account_id, filtered",
    )
    .bind(sender)
    .bind(kind.as_str())
    .bind(status_id)
    .bind(report_id)
    .bind(&recipients)
    .bind(&keys)
    .bind(&filtered)
    .fetch_all(conn)
    .await
}
