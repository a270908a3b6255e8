//! Deleting a suspended account's data (`DELETE /api/v1/admin/accounts/:id`, Mastodon's
//! "delete user data"): every row the account owns or is named in goes, but the
//! `accounts` row stays, emptied, so the username stays reserved and its `Delete` (sent
//! on suspension) keeps its meaning. Two kinds of rows stay on purpose: reports about
//! or by the account (moderation history) and its pending deliveries (the `Delete`
//! still on its way to other servers). A new table that references `accounts` joins
//! [`OWNED`]; a test checks that no other table keeps a row naming a deleted account.

use sqlx::PgConnection;

use super::reply_controls::COUNTED;

/// The tables and columns naming an account whose rows go with its data (its statuses
/// take their mentions, favourites, boosts, tags and edits with them by cascade).
const OWNED: &[(&str, &str)] = &[
    ("users", "account_id"),
    ("account_ed25519_keys", "account_id"),
    ("oauth_authorization_codes", "account_id"),
    ("oauth_access_tokens", "account_id"),
    ("oauth_refresh_tokens", "account_id"),
    ("follows", "account_id"),
    ("follows", "target_account_id"),
    ("statuses", "account_id"),
    ("mentions", "account_id"),
    ("favourites", "account_id"),
    ("bookmarks", "account_id"),
    ("status_pins", "account_id"),
    ("idempotency_keys", "account_id"),
    ("notifications", "account_id"),
    ("notifications", "from_account_id"),
    ("markers", "account_id"),
    ("push_subscriptions", "account_id"),
    ("media_attachments", "account_id"),
    ("blocks", "account_id"),
    ("blocks", "target_account_id"),
    ("mutes", "account_id"),
    ("mutes", "target_account_id"),
    ("account_domain_blocks", "account_id"),
    ("async_refreshes", "account_id"),
    ("lists", "account_id"),
    ("list_accounts", "account_id"),
    ("account_conversations", "account_id"),
    ("account_notes", "account_id"),
    ("account_notes", "target_account_id"),
    ("account_endorsements", "account_id"),
    ("account_endorsements", "target_account_id"),
    ("tag_follows", "account_id"),
    ("annual_reports", "account_id"),
    ("conversation_mutes", "account_id"),
    ("notification_policies", "account_id"),
    ("notification_requests", "account_id"),
    ("notification_requests", "from_account_id"),
    ("notification_permissions", "account_id"),
    ("notification_permissions", "from_account_id"),
    ("account_emojis", "account_id"),
    ("custom_filters", "account_id"),
    ("announcement_dismissals", "account_id"),
    ("announcement_reactions", "account_id"),
    ("featured_tags", "account_id"),
    ("suggestion_dismissals", "account_id"),
    ("suggestion_dismissals", "target_account_id"),
    ("home_feed_entries", "account_id"),
    ("home_feed_entries", "author_id"),
    ("quotes", "account_id"),
    ("quotes", "quoted_account_id"),
    ("quote_policy_defaults", "account_id"),
    ("reply_policy_defaults", "account_id"),
    ("featured_suggestions", "account_id"),
    ("suggestion_caches", "account_id"),
    ("account_aliases", "account_id"),
    ("account_migrations", "account_id"),
    ("account_migrations", "target_account_id"),
    ("bulk_imports", "account_id"),
    ("bulk_import_rows", "target_account_id"),
    ("account_archives", "account_id"),
];

/// The storage keys of the account's files: its uploads, avatar, header and archives. Read
/// before [`purge`], removed after the commit.
pub async fn file_keys(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT key FROM (\
           SELECT unnest(ARRAY[file_key, preview_key]) AS key FROM media_attachments \
             WHERE account_id = $1 \
           UNION ALL SELECT unnest(ARRAY[avatar_key, header_key]) FROM accounts WHERE id = $1 \
           UNION ALL SELECT file_key FROM account_archives WHERE account_id = $1) k \
         WHERE key IS NOT NULL",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await
}

/// Deletes the account's data (see the module documentation) and empties its profile,
/// keeping other accounts' and statuses' counters true.
pub async fn purge(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    fix_counters(&mut *conn, account_id).await?;
    // Others' boosts of its statuses go by cascade; their feed entries (no foreign key,
    // see the `home_feeds` migration) go here.
    sqlx::query(
        "DELETE FROM home_feed_entries WHERE status_id IN (SELECT b.id FROM statuses b \
           JOIN statuses s ON s.id = b.reblog_of_id WHERE s.account_id = $1)",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    for (table, column) in OWNED {
        sqlx::query(&format!("DELETE FROM {table} WHERE {column} = $1"))
            .bind(account_id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE accounts SET display_name = '', note = '', note_source = '', fields = '[]', \
           avatar_key = NULL, header_key = NULL, avatar_remote_url = NULL, \
           header_remote_url = NULL, followers_count = 0, following_count = 0, \
           statuses_count = 0, last_status_at = NULL, updated_at = now() WHERE id = $1",
    )
    .bind(account_id)
    .execute(conn)
    .await?;
    super::oauth::wrote_auth_state();
    Ok(())
}

/// Takes back what the account added to others' counters: its favourites and boosts
/// of their statuses, its replies, and its follows either way.
async fn fix_counters(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    // Only replies that counted are taken back (not hidden ones, nor those by an
    // account the parent's author blocks).
    let replies = format!(
        "UPDATE statuses p SET replies_count = greatest(p.replies_count - n.replies, 0) \
         FROM (SELECT r.in_reply_to_id, count(*) AS replies FROM statuses r \
               JOIN statuses p ON p.id = r.in_reply_to_id \
               WHERE r.account_id = $1 AND r.deleted_at IS NULL AND {COUNTED} \
               GROUP BY r.in_reply_to_id) n \
         WHERE p.id = n.in_reply_to_id AND p.account_id <> $1"
    );
    let statements = [
        "UPDATE statuses s SET favourites_count = greatest(s.favourites_count - 1, 0) \
         FROM favourites f WHERE f.account_id = $1 AND f.status_id = s.id AND s.account_id <> $1",
        "UPDATE statuses s SET reblogs_count = greatest(s.reblogs_count - 1, 0) \
         FROM statuses b WHERE b.account_id = $1 AND b.reblog_of_id = s.id \
           AND b.deleted_at IS NULL AND s.account_id <> $1",
        replies.as_str(),
        "UPDATE accounts a SET followers_count = greatest(a.followers_count - 1, 0) \
         FROM follows f WHERE f.account_id = $1 AND f.target_account_id = a.id AND f.accepted",
        "UPDATE accounts a SET following_count = greatest(a.following_count - 1, 0) \
         FROM follows f WHERE f.target_account_id = $1 AND f.account_id = a.id AND f.accepted",
    ];
    for statement in statements {
        sqlx::query(statement)
            .bind(account_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records that the user of `account_id` deleted their own account now.
pub async fn request(db: impl sqlx::PgExecutor<'_>, account_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET deletion_requested_at = now() WHERE account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets a self-deletion (staff restored the account).
pub async fn cancel_request(db: impl sqlx::PgExecutor<'_>, account_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET deletion_requested_at = NULL WHERE account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Up to `limit` accounts their owners deleted before `cutoff` and that are still
/// suspended: due for purging. The purge removes the `users` row, so each comes once.
pub async fn due(
    db: impl sqlx::PgExecutor<'_>,
    cutoff: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT u.account_id FROM users u JOIN accounts a ON a.id = u.account_id \
         WHERE u.deletion_requested_at <= $1 AND a.suspended_at IS NOT NULL \
         ORDER BY u.deletion_requested_at LIMIT $2",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(db)
    .await
}
