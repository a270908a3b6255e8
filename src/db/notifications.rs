//! Notifications (one row per cause, deduplicated by a unique index) and read markers.
//! `notify` is called inside the transaction of the change that causes it. A trigger
//! queues each new notification's Web Push messages in that same transaction (see
//! `db::push`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::hiding::notification_allowed;
use super::Page;

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
        }
    }

    /// Every kind, for validating `types[]` filters.
    pub const ALL: [Kind; 9] = [
        Kind::Follow,
        Kind::FollowRequest,
        Kind::Mention,
        Kind::Reblog,
        Kind::Favourite,
        Kind::Status,
        Kind::Update,
        Kind::AdminSignUp,
        Kind::AdminReport,
    ];
}

/// Notifies `recipient` of `kind` caused by `from` (about `status_id`, if any). Only
/// local recipients are notified, never of their own actions nor by accounts they
/// blocked, muted or domain-blocked (see `super::hiding`), and a cause notifies once
/// however often it arrives. Returns whether a notification was created.
pub async fn notify(
    conn: &mut PgConnection,
    recipient: i64,
    from: i64,
    kind: Kind,
    status_id: Option<i64>,
) -> sqlx::Result<bool> {
    if recipient == from {
        return Ok(false);
    }
    let inserted = sqlx::query(&format!(
        "INSERT INTO notifications (account_id, from_account_id, type, status_id) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM users u WHERE u.account_id = $1) \
           AND {} \
         ON CONFLICT DO NOTHING",
        notification_allowed("$1", "$2")
    ))
    .bind(recipient)
    .bind(from)
    .bind(kind.as_str())
    .bind(status_id)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
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
}

const COLUMNS: &str =
    "n.id, n.account_id, n.from_account_id, n.type, n.status_id, n.report_id, n.created_at";

/// Filters of the notification list.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    /// Only these types (empty: all).
    pub types: &'a [String],
    /// Not these types.
    pub exclude_types: &'a [String],
    /// Only from this account.
    pub from_account_id: Option<i64>,
}

/// A page of an account's notifications, newest first. Notifications about statuses
/// that are gone, or from accounts the recipient has since blocked or muted, are left
/// out.
pub async fn page(
    db: impl PgExecutor<'_>,
    account_id: i64,
    filter: &Filter<'_>,
    page: &Page,
) -> sqlx::Result<Vec<NotificationRow>> {
    let order = page.order();
    let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM notifications n \
         LEFT JOIN statuses s ON s.id = n.status_id \
         WHERE n.account_id = $1 AND (n.status_id IS NULL OR s.deleted_at IS NULL) \
           AND {allowed} \
           AND (cardinality($2::text[]) = 0 OR n.type = ANY($2)) AND NOT (n.type = ANY($3)) \
           AND ($4::bigint IS NULL OR n.from_account_id = $4) \
           AND ($5::bigint IS NULL OR n.id < $5) AND ($6::bigint IS NULL OR n.id > $6) \
           AND ($7::bigint IS NULL OR n.id > $7) \
         ORDER BY n.id {order} LIMIT $8",
        allowed = notification_allowed("n.account_id", "n.from_account_id")
    ))
    .bind(account_id)
    .bind(filter.types)
    .bind(filter.exclude_types)
    .bind(filter.from_account_id)
    .bind(page.max_id)
    .bind(page.since_id)
    .bind(page.min_id)
    .bind(page.limit)
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

/// Notifications newer than the account's `notifications` marker (at most `limit`).
pub async fn unread_count(
    db: impl PgExecutor<'_>,
    account_id: i64,
    limit: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM notifications n \
             WHERE n.account_id = $1 AND n.id > coalesce((SELECT last_read_id FROM markers \
               WHERE account_id = $1 AND timeline = 'notifications'), 0) AND {} LIMIT $2) unread",
        notification_allowed("n.account_id", "n.from_account_id")
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_one(db)
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

/// Notifies the local author of `status_id` of `kind` by `from` (favourite, reblog).
pub async fn notify_status_author(
    conn: &mut PgConnection,
    status_id: i64,
    from: i64,
    kind: Kind,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO notifications (account_id, from_account_id, type, status_id) \
         SELECT s.account_id, $2, $3, s.id FROM statuses s \
         WHERE s.id = $1 AND s.account_id <> $2 AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = s.account_id) \
           AND {} \
         ON CONFLICT DO NOTHING",
        notification_allowed("s.account_id", "$2")
    ))
    .bind(status_id)
    .bind(from)
    .bind(kind.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Notifications for a new status: `mention` to each mentioned local account, and
/// `status` to local followers who asked to be notified (`notify` on the follow) and
/// may see it.
pub async fn notify_new_status(
    conn: &mut PgConnection,
    status_id: i64,
    author: i64,
    visibility: crate::domain::Visibility,
    mentioned: &[i64],
) -> sqlx::Result<()> {
    if !mentioned.is_empty() {
        sqlx::query(&format!(
            "INSERT INTO notifications (account_id, from_account_id, type, status_id) \
             SELECT m, $2, 'mention', $1 FROM unnest($3::bigint[]) AS m \
             WHERE m <> $2 AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = m) AND {} \
             ON CONFLICT DO NOTHING",
            notification_allowed("m", "$2")
        ))
        .bind(status_id)
        .bind(author)
        .bind(mentioned)
        .execute(&mut *conn)
        .await?;
    }
    if visibility == crate::domain::Visibility::Direct {
        return Ok(());
    }
    sqlx::query(&format!(
        "INSERT INTO notifications (account_id, from_account_id, type, status_id) \
         SELECT f.account_id, $2, 'status', $1 FROM follows f \
         WHERE f.target_account_id = $2 AND f.accepted AND f.notify \
           AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = f.account_id) \
           AND NOT (f.account_id = ANY($3)) AND {} \
         ON CONFLICT DO NOTHING",
        notification_allowed("f.account_id", "$2")
    ))
    .bind(status_id)
    .bind(author)
    .bind(mentioned)
    .execute(conn)
    .await?;
    Ok(())
}

/// `update` notifications for an edited status: to local accounts that boosted,
/// favourited or were mentioned in it (once per account and status).
pub async fn notify_edit(conn: &mut PgConnection, status_id: i64, author: i64) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO notifications (account_id, from_account_id, type, status_id) \
         SELECT DISTINCT who, $2, 'update', $1 FROM ( \
             SELECT account_id AS who FROM statuses WHERE reblog_of_id = $1 AND deleted_at IS NULL \
             UNION SELECT account_id FROM favourites WHERE status_id = $1 \
             UNION SELECT account_id FROM mentions WHERE status_id = $1) interested \
         WHERE who <> $2 AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = who) AND {} \
         ON CONFLICT DO NOTHING",
        notification_allowed("who", "$2")
    ))
    .bind(status_id)
    .bind(author)
    .execute(conn)
    .await?;
    Ok(())
}

/// `admin.sign_up` to every moderator and admin, for a new local account.
pub async fn notify_staff_of_sign_up(
    conn: &mut PgConnection,
    new_account: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notifications (account_id, from_account_id, type) \
         SELECT u.account_id, $1, 'admin.sign_up' FROM users u \
         WHERE u.role IN ('moderator', 'admin') AND u.account_id <> $1 ON CONFLICT DO NOTHING",
    )
    .bind(new_account)
    .execute(conn)
    .await?;
    Ok(())
}

/// `admin.report` to every moderator and admin (but the reporter), for a new report
/// filed by `reporter`; the notification names the report.
pub async fn notify_staff_of_report(
    conn: &mut PgConnection,
    report_id: i64,
    reporter: i64,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO notifications (account_id, from_account_id, type, report_id) \
         SELECT u.account_id, $2, 'admin.report', $1 FROM users u \
         WHERE u.role IN ('moderator', 'admin') AND u.account_id <> $2 AND {} \
         ON CONFLICT DO NOTHING",
        notification_allowed("u.account_id", "$2")
    ))
    .bind(report_id)
    .bind(reporter)
    .execute(conn)
    .await?;
    Ok(())
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
