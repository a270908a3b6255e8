//! Notification policies, notification requests (a sender's filtered mentions waiting
//! for the recipient) and the permissions accepting a request leaves behind
//! (<https://docs.joinmastodon.org/methods/notifications/#get-policy>). What the
//! policy's values mean is `services::notifications::policy`'s.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::Page;

/// A saved policy: each field is `accept`, `filter` or `drop`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, sqlx::FromRow)]
pub struct PolicyRow {
    pub for_not_following: String,
    pub for_not_followers: String,
    pub for_new_accounts: String,
    pub for_private_mentions: String,
    pub for_limited_accounts: String,
}

/// The account's saved policy, `None` if it never saved one.
pub async fn find(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Option<PolicyRow>> {
    sqlx::query_as(
        "SELECT for_not_following, for_not_followers, for_new_accounts, for_private_mentions, \
           for_limited_accounts FROM notification_policies WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Saves the account's whole policy.
pub async fn save(
    db: impl PgExecutor<'_>,
    account_id: i64,
    policy: &PolicyRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_policies (account_id, for_not_following, for_not_followers, \
           for_new_accounts, for_private_mentions, for_limited_accounts) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id) DO UPDATE SET for_not_following = EXCLUDED.for_not_following, \
           for_not_followers = EXCLUDED.for_not_followers, for_new_accounts = EXCLUDED.for_new_accounts, \
           for_private_mentions = EXCLUDED.for_private_mentions, \
           for_limited_accounts = EXCLUDED.for_limited_accounts, updated_at = now()",
    )
    .bind(account_id)
    .bind(&policy.for_not_following)
    .bind(&policy.for_not_followers)
    .bind(&policy.for_new_accounts)
    .bind(&policy.for_private_mentions)
    .bind(&policy.for_limited_accounts)
    .execute(db)
    .await?;
    Ok(())
}

/// The pending requests of an account (at most 100 counted) and the notifications in
/// them.
pub async fn summary(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*), coalesce(sum(notifications_count), 0)::bigint FROM ( \
           SELECT notifications_count FROM notification_requests WHERE account_id = $1 LIMIT 100) r",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// A `notification_requests` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub last_status_id: Option<i64>,
    pub notifications_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const REQUEST_COLUMNS: &str = "id, account_id, from_account_id, last_status_id, \
    notifications_count, created_at, updated_at";

/// Creates or updates `recipient`'s request for the filtered mentions of `sender`,
/// with `status_id` as its newest status and its count recomputed (at most 100).
pub async fn record_request(
    conn: &mut PgConnection,
    recipient: i64,
    sender: i64,
    status_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_requests (account_id, from_account_id, last_status_id, notifications_count) \
         SELECT $1, $2, $3, count(*) FROM (SELECT 1 FROM notifications WHERE account_id = $1 \
             AND from_account_id = $2 AND filtered AND type = 'mention' LIMIT 100) kept \
         ON CONFLICT (account_id, from_account_id) DO UPDATE SET \
           last_status_id = coalesce(EXCLUDED.last_status_id, notification_requests.last_status_id), \
           notifications_count = EXCLUDED.notifications_count, updated_at = now()",
    )
    .bind(recipient)
    .bind(sender)
    .bind(status_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of the account's requests, newest first, leaving out suspended senders.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<RequestRow>> {
    page.of_owner(
        db,
        &format!(
            "SELECT {REQUEST_COLUMNS} FROM notification_requests r WHERE account_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.from_account_id \
                             AND a.suspended_at IS NOT NULL)"
        ),
        account_id,
    )
    .await
}

/// Those of `ids` that are the account's requests.
pub async fn find_many(
    db: impl PgExecutor<'_>,
    account_id: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM notification_requests \
         WHERE account_id = $1 AND id = ANY($2) ORDER BY id DESC"
    ))
    .bind(account_id)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Accepts a request: its sender's notifications are accepted from now on (a
/// permission), the filtered ones become ordinary notifications, and the request goes.
pub async fn accept(conn: &mut PgConnection, request: &RequestRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_permissions (account_id, from_account_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(request.account_id)
    .bind(request.from_account_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE notifications SET filtered = false \
         WHERE account_id = $1 AND from_account_id = $2 AND filtered",
    )
    .bind(request.account_id)
    .bind(request.from_account_id)
    .execute(&mut *conn)
    .await?;
    delete(conn, request.id).await
}

/// Dismisses a request: the sender's filtered notifications are deleted with it.
pub async fn dismiss(conn: &mut PgConnection, request: &RequestRow) -> sqlx::Result<()> {
    delete(&mut *conn, request.id).await?;
    sqlx::query(
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND filtered",
    )
    .bind(request.account_id)
    .bind(request.from_account_id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn delete(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM notification_requests WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
