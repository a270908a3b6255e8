//! The `follows` table: who follows whom, pending (a follow request to a locked
//! account) or accepted, with the counters on `accounts` kept in step in the same
//! statement batch.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::BindPage;

/// A `follows` row (columns mirror the table).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub accepted: bool,
    pub show_reblogs: bool,
    pub notify: bool,
    pub ap_id: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, account_id, target_account_id, accepted, show_reblogs, notify, ap_id, created_at";

/// A follow to record.
#[derive(Debug)]
pub struct NewFollow<'a> {
    pub account_id: i64,
    pub target_account_id: i64,
    pub accepted: bool,
    pub show_reblogs: bool,
    pub notify: bool,
    /// The languages whose posts the follower wants (Mastodon's `languages`); `None`
    /// keeps those of an existing follow (none for a new one).
    pub languages: Option<&'a [String]>,
    pub ap_id: &'a str,
}

/// The languages the follow `id` asks for (Mastodon's follow `languages`); `None`
/// for all languages or no such follow.
pub async fn languages(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Vec<String>>> {
    let languages: Option<Option<Vec<String>>> =
        sqlx::query_scalar("SELECT languages FROM follows WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(languages.flatten())
}

/// Creates a follow, or updates the options of an existing one between the same pair
/// (accepting it if `accepted`). Counters move only when a follow becomes accepted.
pub async fn upsert(conn: &mut PgConnection, follow: &NewFollow<'_>) -> sqlx::Result<FollowRow> {
    let before: Option<bool> = sqlx::query_scalar(
        "SELECT accepted FROM follows WHERE account_id = $1 AND target_account_id = $2 FOR UPDATE",
    )
    .bind(follow.account_id)
    .bind(follow.target_account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let row: FollowRow = sqlx::query_as(&format!(
        "INSERT INTO follows (account_id, target_account_id, accepted, show_reblogs, notify, ap_id, \
           languages) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (account_id, target_account_id) DO UPDATE SET \
           accepted = follows.accepted OR EXCLUDED.accepted, show_reblogs = EXCLUDED.show_reblogs, \
           notify = EXCLUDED.notify, languages = COALESCE($7, follows.languages), \
           updated_at = now() \
         RETURNING {COLUMNS}"
    ))
    .bind(follow.account_id)
    .bind(follow.target_account_id)
    .bind(follow.accepted)
    .bind(follow.show_reblogs)
    .bind(follow.notify)
    .bind(follow.ap_id)
    .bind(follow.languages)
    .fetch_one(&mut *conn)
    .await?;
    if row.accepted && before != Some(true) {
        adjust_counts(conn, row.account_id, row.target_account_id, 1).await?;
    }
    Ok(row)
}

/// Accepts a pending follow. Returns the row, or `None` if there is no such follow.
pub async fn accept(conn: &mut PgConnection, follow_id: i64) -> sqlx::Result<Option<FollowRow>> {
    let row: Option<FollowRow> = sqlx::query_as(&format!(
        "UPDATE follows SET accepted = true, updated_at = now() WHERE id = $1 AND NOT accepted RETURNING {COLUMNS}"
    ))
    .bind(follow_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = &row {
        adjust_counts(conn, row.account_id, row.target_account_id, 1).await?;
    }
    Ok(row)
}

/// Deletes a follow (unfollow, rejection, Undo). Returns the deleted row.
pub async fn delete(conn: &mut PgConnection, follow_id: i64) -> sqlx::Result<Option<FollowRow>> {
    let row: Option<FollowRow> = sqlx::query_as(&format!(
        "DELETE FROM follows WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(follow_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row.as_ref().filter(|r| r.accepted) {
        adjust_counts(conn, row.account_id, row.target_account_id, -1).await?;
    }
    Ok(row)
}

async fn adjust_counts(
    conn: &mut PgConnection,
    follower: i64,
    followed: i64,
    delta: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE accounts SET \
           following_count = greatest(following_count + CASE WHEN id = $1 THEN $3 ELSE 0 END, 0), \
           followers_count = greatest(followers_count + CASE WHEN id = $2 THEN $3 ELSE 0 END, 0) \
         WHERE id IN ($1, $2)",
    )
    .bind(follower)
    .bind(followed)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// The follow between two accounts, if any.
pub async fn find_pair(
    db: impl PgExecutor<'_>,
    account_id: i64,
    target_account_id: i64,
) -> sqlx::Result<Option<FollowRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM follows WHERE account_id = $1 AND target_account_id = $2"
    ))
    .bind(account_id)
    .bind(target_account_id)
    .fetch_optional(db)
    .await
}

/// The follow whose Follow activity has this id.
pub async fn find_by_ap_id(
    db: impl PgExecutor<'_>,
    ap_id: &str,
) -> sqlx::Result<Option<FollowRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM follows WHERE ap_id = $1"))
        .bind(ap_id)
        .fetch_optional(db)
        .await
}

/// Which side of a follow a list is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Accounts following the given account.
    Followers,
    /// Accounts the given account follows.
    Following,
}

/// A page of accepted follows of one account, newest first, paged by follow id
/// (`max_id` exclusive upper bound, `since_id`/`min_id` exclusive lower bound; with
/// `min_id` the page is the oldest after it, still returned newest first).
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    direction: Direction,
    accepted: bool,
    bounds: &crate::db::Page,
) -> sqlx::Result<Vec<FollowRow>> {
    let own = match direction {
        Direction::Followers => "target_account_id",
        Direction::Following => "account_id",
    };
    let cut = bounds.cut("id", 3);
    let rows: Vec<FollowRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM follows WHERE {own} = $1 AND accepted = $2 \
           AND {cut}"
    ))
    .bind(account_id)
    .bind(accepted)
    .bind_page(bounds)
    .fetch_all(db)
    .await?;
    Ok(bounds.newest_first(rows))
}

/// Inboxes (shared inbox preferred) of the remote accounts that follow `account_id`,
/// each once: where a local account's public activities go.
pub async fn follower_inboxes(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Vec<String>> {
    follower_and_relay_inboxes(db, account_id, false).await
}

/// [`follower_inboxes`], and the accepted relays' inboxes too when `with_relays` (a
/// public status's audience), in one statement: a post reads its audience while it
/// holds its transaction, and a round trip costs more than the relays' tiny read.
pub async fn follower_and_relay_inboxes(
    db: impl PgExecutor<'_>,
    account_id: i64,
    with_relays: bool,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT coalesce(a.shared_inbox_url, a.inbox_url) FROM follows f \
         JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.accepted AND a.domain IS NOT NULL \
           AND coalesce(a.shared_inbox_url, a.inbox_url) IS NOT NULL \
         UNION SELECT inbox_url FROM relays WHERE $2 AND state = 'accepted'",
    )
    .bind(account_id)
    .bind(with_relays)
    .fetch_all(db)
    .await
}

/// The follow state between a viewer and each of `ids`, in one query.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RelationshipRow {
    pub id: i64,
    pub following: bool,
    pub requested: bool,
    pub show_reblogs: bool,
    pub notify: bool,
    pub followed_by: bool,
    pub requested_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub domain_blocking: bool,
    /// The viewer features the account on their profile.
    pub endorsed: bool,
    /// The viewer's private note on the account (empty: none).
    pub note: String,
}

/// Relationships of `viewer` with each account in `ids` (order kept, unknown ids kept):
/// follows both ways, blocks both ways, the viewer's mute, domain block, endorsement
/// and note.
pub async fn relationships(
    db: impl PgExecutor<'_>,
    viewer: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<RelationshipRow>> {
    sqlx::query_as(
        "SELECT t.id, \
           coalesce(out.accepted, false) AS following, \
           coalesce(NOT out.accepted, false) AS requested, \
           coalesce(out.show_reblogs, false) AS show_reblogs, \
           coalesce(out.notify, false) AS notify, \
           coalesce(inc.accepted, false) AS followed_by, \
           coalesce(NOT inc.accepted, false) AS requested_by, \
           EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = $1 AND b.target_account_id = t.id) AS blocking, \
           EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = t.id AND b.target_account_id = $1) AS blocked_by, \
           mu.id IS NOT NULL AS muting, \
           coalesce(mu.notifications, false) AS muting_notifications, \
           EXISTS (SELECT 1 FROM accounts ta JOIN account_domain_blocks d ON d.domain = ta.domain \
             WHERE ta.id = t.id AND d.account_id = $1) AS domain_blocking, \
           EXISTS (SELECT 1 FROM account_endorsements e WHERE e.account_id = $1 \
             AND e.target_account_id = t.id) AS endorsed, \
           coalesce((SELECT n.comment FROM account_notes n WHERE n.account_id = $1 \
             AND n.target_account_id = t.id), '') AS note \
         FROM unnest($2::bigint[]) WITH ORDINALITY AS t(id, position) \
         LEFT JOIN follows out ON out.account_id = $1 AND out.target_account_id = t.id \
         LEFT JOIN follows inc ON inc.account_id = t.id AND inc.target_account_id = $1 \
         LEFT JOIN mutes mu ON mu.account_id = $1 AND mu.target_account_id = t.id \
           AND (mu.expires_at IS NULL OR mu.expires_at > now()) \
         ORDER BY t.position",
    )
    .bind(viewer)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// For each of `targets`, up to `per_target` accounts that `viewer` follows and that
/// follow the target (both follows accepted), the viewer's newest follow first, as
/// (target, familiar account) pairs: Mastodon's familiar followers. Suspended
/// accounts, accounts that hide their collections and accounts blocking or blocked by
/// the viewer are left out.
pub async fn familiar_followers(
    db: impl PgExecutor<'_>,
    viewer: i64,
    targets: &[i64],
    per_target: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT target, account FROM (\
           SELECT theirs.target_account_id AS target, mine.target_account_id AS account, \
             row_number() OVER (PARTITION BY theirs.target_account_id ORDER BY mine.id DESC) AS n \
           FROM follows mine \
           JOIN follows theirs ON theirs.account_id = mine.target_account_id AND theirs.accepted \
           JOIN accounts a ON a.id = mine.target_account_id \
           WHERE mine.account_id = $1 AND mine.accepted AND theirs.target_account_id = ANY($2) \
             AND a.suspended_at IS NULL AND NOT a.hide_collections \
             AND NOT EXISTS (SELECT 1 FROM blocks b \
               WHERE (b.account_id = $1 AND b.target_account_id = a.id) \
                  OR (b.account_id = a.id AND b.target_account_id = $1))) familiar \
         WHERE n <= $3 ORDER BY target, n",
    )
    .bind(viewer)
    .bind(targets)
    .bind(per_target)
    .fetch_all(db)
    .await
}
