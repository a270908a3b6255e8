//! Notifications (one row per cause, deduplicated by a unique index) and read markers:
//! reading, dismissing and retracting them. Writing them is `super::new_notifications`'
//! (called by `services::notifications` inside the transaction of the change that causes
//! them); grouped reads are `super::notification_groups`'. A trigger queues each new,
//! unfiltered notification's Web Push messages in that same transaction (see `db::push`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::hiding::notification_allowed;
use super::{BindPage, Page};

/// The kinds of notification Mastodon clients know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Follow,
    FollowRequest,
    Mention,
    Reblog,
    Favourite,
    Status,
    Update,
    AdminSignUp,
    AdminReport,
    Poll,
    /// Someone quoted one of the recipient's posts (Mastodon 4.5).
    Quote,
    /// A post the recipient quoted was edited (Mastodon 4.5).
    QuotedUpdate,
    /// An account the recipient followed moved; they now follow its new account
    /// (Pleroma's and Akkoma's `move`, with the new account as `target`).
    Move,
}

impl Kind {
    /// The name in the API (`type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Follow => "follow",
            Kind::FollowRequest => "follow_request",
            Kind::Mention => "mention",
            Kind::Reblog => "reblog",
            Kind::Favourite => "favourite",
            Kind::Status => "status",
            Kind::Update => "update",
            Kind::AdminSignUp => "admin.sign_up",
            Kind::AdminReport => "admin.report",
            Kind::Poll => "poll",
            Kind::Quote => "quote",
            Kind::QuotedUpdate => "quoted_update",
            Kind::Move => "move",
        }
    }

    /// Every kind, for validating `types[]` filters.
    pub const ALL: [Kind; 13] = [
        Kind::Follow,
        Kind::FollowRequest,
        Kind::Mention,
        Kind::Reblog,
        Kind::Favourite,
        Kind::Status,
        Kind::Update,
        Kind::AdminSignUp,
        Kind::AdminReport,
        Kind::Poll,
        Kind::Quote,
        Kind::QuotedUpdate,
        Kind::Move,
    ];
}

/// Removes a notification whose cause was undone (an unfollow, an unfavourite…).
pub async fn retract(
    conn: &mut PgConnection,
    recipient: i64,
    from: i64,
    kind: Kind,
    status_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND type = $3 \
         AND coalesce(status_id, 0) = coalesce($4, 0)",
    )
    .bind(recipient)
    .bind(from)
    .bind(kind.as_str())
    .bind(status_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A `notifications` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub r#type: String,
    pub status_id: Option<i64>,
    /// The report of an `admin.report`.
    pub report_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Its group (`None`: it is a group of its own, `ungrouped-ID`).
    pub group_key: Option<String>,
    /// Hidden by the recipient's notification policy.
    pub filtered: bool,
}

/// The columns of a [`NotificationRow`] of `notifications n`.
pub const COLUMNS: &str =
    "n.id, n.account_id, n.from_account_id, n.type, n.status_id, n.report_id, \
     n.created_at, n.group_key, n.filtered";

/// Filters of the notification list.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    /// Only these types (empty: all).
    pub types: &'a [String],
    /// Not these types.
    pub exclude_types: &'a [String],
    /// Only from this account.
    pub from_account_id: Option<i64>,
    /// Also the notifications the recipient's policy filtered.
    pub include_filtered: bool,
}

/// The SQL condition of [`Filter`] on `notifications n`, with the filter bound as
/// `$2` (types), `$3` (excluded types), `$4` (sender) and `$5` (include filtered), and
/// the rule every list shares: the recipient (`n.account_id`) still wants to hear from
/// the sender, and the status it is about is not deleted.
pub fn listed() -> String {
    format!(
        "(cardinality($2::text[]) = 0 OR n.type = ANY($2)) AND NOT (n.type = ANY($3)) \
         AND ($4::bigint IS NULL OR n.from_account_id = $4) AND (NOT n.filtered OR $5) \
         AND (n.status_id IS NULL OR NOT EXISTS (SELECT 1 FROM statuses ls \
              WHERE ls.id = n.status_id AND ls.deleted_at IS NOT NULL)) \
         AND {}",
        notification_allowed("n.account_id", "n.from_account_id")
    )
}

/// A page of an account's notifications matching `filter`, newest first.
/// Notifications about statuses that are gone, or from accounts the recipient has
/// since blocked or muted, are left out.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    filter: &Filter<'_>,
    page: &Page,
) -> sqlx::Result<Vec<NotificationRow>> {
    let cut = page.cut("n.id", 6);
    let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM notifications n \
         WHERE n.account_id = $1 AND {listed} \
           AND {cut}",
        listed = listed()
    ))
    .bind(account_id)
    .bind(filter.types)
    .bind(filter.exclude_types)
    .bind(filter.from_account_id)
    .bind(filter.include_filtered)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// One notification of an account.
pub async fn find(
    db: impl PgExecutor<'_>,
    account_id: i64,
    id: i64,
) -> sqlx::Result<Option<NotificationRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM notifications n WHERE n.account_id = $1 AND n.id = $2"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Dismisses one notification; false when there was none.
pub async fn dismiss(db: impl PgExecutor<'_>, account_id: i64, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND id = $2")
        .bind(account_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Dismisses all of an account's notifications.
pub async fn clear(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM notifications WHERE account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The account's notifications matching `filter` newer than its `notifications`
/// marker (all of them without a marker), counting at most `limit`.
pub async fn unread_count(
    db: impl PgExecutor<'_>,
    account_id: i64,
    filter: &Filter<'_>,
    limit: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM notifications n \
             WHERE n.account_id = $1 AND n.id > coalesce((SELECT last_read_id FROM markers \
               WHERE account_id = $1 AND timeline = 'notifications'), 0) AND {} LIMIT $6) unread",
        listed()
    ))
    .bind(account_id)
    .bind(filter.types)
    .bind(filter.exclude_types)
    .bind(filter.from_account_id)
    .bind(filter.include_filtered)
    .bind(limit)
    .fetch_one(db)
    .await
}

/// The id of the account's `notifications` marker, if it has one.
pub async fn notifications_marker(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT last_read_id FROM markers WHERE account_id = $1 AND timeline = 'notifications'",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// A read marker.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MarkerRow {
    pub timeline: String,
    pub last_read_id: i64,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// The account's markers for the given timelines.
pub async fn markers(
    db: impl PgExecutor<'_>,
    account_id: i64,
    timelines: &[String],
) -> sqlx::Result<Vec<MarkerRow>> {
    sqlx::query_as(
        "SELECT timeline, last_read_id, version, updated_at FROM markers \
         WHERE account_id = $1 AND timeline = ANY($2)",
    )
    .bind(account_id)
    .bind(timelines)
    .fetch_all(db)
    .await
}

/// Sets a marker, bumping its version.
pub async fn set_marker(
    db: impl PgExecutor<'_>,
    account_id: i64,
    timeline: &str,
    last_read_id: i64,
) -> sqlx::Result<MarkerRow> {
    sqlx::query_as(
        "INSERT INTO markers (account_id, timeline, last_read_id) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = EXCLUDED.last_read_id, \
           version = markers.version + 1, updated_at = now() \
         RETURNING timeline, last_read_id, version, updated_at",
    )
    .bind(account_id)
    .bind(timeline)
    .bind(last_read_id)
    .fetch_one(db)
    .await
}

/// Deletes the notifications two accounts caused each other (when one blocks the
/// other).
pub async fn forget_between(conn: &mut PgConnection, first: i64, second: i64) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM notifications WHERE (account_id = $1 AND from_account_id = $2) \
           OR (account_id = $2 AND from_account_id = $1)",
    )
    .bind(first)
    .bind(second)
    .execute(conn)
    .await?;
    Ok(())
}
