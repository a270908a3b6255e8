//! The `statuses` table and its companions (mentions, tags), with the counters on
//! `accounts` and on parent statuses kept in step, and the visibility rule every read
//! applies: public and unlisted to anyone, private to the author and accepted followers,
//! direct to the author and the mentioned.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::custom_emojis::COLUMNS as EMOJI_COLUMNS;
use super::hiding::NOT_MUTED;
use super::media::COLUMNS as MEDIA_COLUMNS;
use super::reply_controls::SHOWN_IN_THREAD;
use crate::domain::Visibility;

/// A `statuses` row (columns mirror the table).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StatusRow {
    pub id: i64,
    pub account_id: i64,
    pub ap_id: Option<String>,
    pub url: Option<String>,
    pub local: bool,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    pub conversation: Option<String>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The OAuth app a local status was posted with.
    pub application_id: Option<i64>,
}

/// The [`StatusRow`] columns of status `s`, with `$text` as the source text's column.
macro_rules! status_columns {
    ($text:literal) => {
        concat!(
            "s.id, s.account_id, s.ap_id, s.url, s.local, ",
            $text,
            ", s.content, s.spoiler_text, \
    s.sensitive, s.visibility, s.language, s.in_reply_to_id, s.in_reply_to_account_id, s.reblog_of_id, \
    s.conversation, s.replies_count, s.reblogs_count, s.favourites_count, s.created_at, s.edited_at, \
    s.deleted_at, s.application_id"
        )
    };
}

/// Every [`StatusRow`] column of status `s`.
pub(crate) const COLUMNS: &str = status_columns!("s.text");

/// The [`StatusRow`] columns of status `s` for a page that is only rendered: the
/// source `text` (which clients see only from `/source`, an edit or a delete) is left
/// out, read as empty. It is as long as the content and was a third of what a
/// timeline page read from PostgreSQL.
pub(crate) const PAGE_COLUMNS: &str = status_columns!("''::text AS text");

/// The audience part of [`VISIBLE_TO_VIEWER`], as a literal so both constants are
/// built from one text: the author of status `s` is not suspended and its audience
/// includes viewer `$1`.
macro_rules! audience_includes_viewer {
    () => {
        "(NOT EXISTS (SELECT 1 FROM accounts sa \
        WHERE sa.id = s.account_id AND sa.suspended_at IS NOT NULL) \
    AND (s.visibility IN ('public', 'unlisted') \
    OR s.account_id = $1 \
    OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows f \
        WHERE f.account_id = $1 AND f.target_account_id = s.account_id AND f.accepted)) \
    OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = $1)))"
    };
}

/// SQL condition: the author of status `s` is not suspended (one by one, or with their
/// domain) and its audience includes viewer `$1` (NULL = anonymous), whatever blocks
/// lie between them. Reports use it: blocking an account and then reporting it must
/// not drop the statuses the reporter saw (Mastodon hides them only when the author
/// blocks the reporter).
pub const AUDIENCE_INCLUDES_VIEWER: &str = audience_includes_viewer!();

/// SQL condition: status `s` may be seen by viewer `$1` (NULL = anonymous): its author
/// is not suspended (one by one, or with their domain), its audience includes the
/// viewer, and no block separates the viewer from its author or from the author of the
/// status it boosts (either way; see `super::hiding`).
pub const VISIBLE_TO_VIEWER: &str = concat!(
    "(",
    audience_includes_viewer!(),
    " AND NOT EXISTS (SELECT 1 FROM blocks vb WHERE \
        (vb.account_id = $1 AND vb.target_account_id IN \
            (s.account_id, (SELECT vo.account_id FROM statuses vo WHERE vo.id = s.reblog_of_id))) \
        OR (vb.target_account_id = $1 AND vb.account_id IN \
            (s.account_id, (SELECT vo.account_id FROM statuses vo WHERE vo.id = s.reblog_of_id)))))"
);

/// A status to create.
#[derive(Debug)]
pub struct NewStatus<'a> {
    pub account_id: i64,
    pub local: bool,
    pub ap_id: Option<&'a str>,
    pub url: Option<&'a str>,
    pub text: &'a str,
    pub content: &'a str,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<&'a str>,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    pub conversation: Option<&'a str>,
    pub created_at: Option<DateTime<Utc>>,
    pub mentioned_account_ids: &'a [i64],
    pub tags: &'a [String],
    /// The custom emoji its text and content warning use.
    pub emoji_ids: &'a [i64],
    /// The OAuth app a local author posted it with.
    pub application_id: Option<i64>,
}

impl<'a> NewStatus<'a> {
    /// A boost of `original` by `account_id` (no text of its own).
    pub fn reblog(
        account_id: i64,
        local: bool,
        ap_id: Option<&'a str>,
        original: i64,
        visibility: Visibility,
    ) -> Self {
        NewStatus {
            account_id,
            local,
            ap_id,
            url: None,
            text: "",
            content: "",
            spoiler_text: "",
            sensitive: false,
            visibility,
            language: None,
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            reblog_of_id: Some(original),
            conversation: None,
            created_at: None,
            mentioned_account_ids: &[],
            tags: &[],
            emoji_ids: &[],
            application_id: None,
        }
    }
}

/// Inserts a status with its mentions and tags and moves the counters: the author's
/// `statuses_count` (not for boosts), the parent's `replies_count`, the boosted
/// status's `reblogs_count`. Run it in a transaction. Notifications are the services'
/// business (`services::statuses::insert` for posts, `services::interactions` for
/// boosts).
pub async fn insert(conn: &mut PgConnection, new: &NewStatus<'_>) -> sqlx::Result<StatusRow> {
    Ok(insert_row(conn, new, false).await?.0)
}

/// [`insert`], also answering the author as its counters left it, from the statement
/// that moves them: a local post shows its author at once, and reading the row back
/// cost posting a round trip. `None` for a boost (its author's counters do not move).
pub async fn insert_with_author(
    conn: &mut PgConnection,
    new: &NewStatus<'_>,
) -> sqlx::Result<(StatusRow, Option<super::accounts::AccountRow>)> {
    insert_row(conn, new, true).await
}

/// The insert of [`insert`], answering the author when `with_author`. (The counters
/// were once moved in the insert's own statement, a data-modifying `WITH`: B1 measured
/// it no faster than these separate statements, as the fan-out trigger then ran longer.)
async fn insert_row(
    conn: &mut PgConnection,
    new: &NewStatus<'_>,
    with_author: bool,
) -> sqlx::Result<(StatusRow, Option<super::accounts::AccountRow>)> {
    let row: StatusRow = sqlx::query_as(&format!(
        "INSERT INTO statuses AS s (account_id, local, ap_id, url, text, content, spoiler_text, sensitive, \
           visibility, language, in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation, created_at, \
           application_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, coalesce($15, now()), $16) \
         RETURNING {COLUMNS}"
    ))
    .bind(new.account_id)
    .bind(new.local)
    .bind(new.ap_id)
    .bind(new.url)
    .bind(new.text)
    .bind(new.content)
    .bind(new.spoiler_text)
    .bind(new.sensitive)
    .bind(new.visibility)
    .bind(new.language)
    .bind(new.in_reply_to_id)
    .bind(new.in_reply_to_account_id)
    .bind(new.reblog_of_id)
    .bind(new.conversation)
    .bind(new.created_at)
    .bind(new.application_id)
    .fetch_one(&mut *conn)
    .await?;
    if !new.mentioned_account_ids.is_empty() {
        sqlx::query("INSERT INTO mentions (status_id, account_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING")
            .bind(row.id)
            .bind(new.mentioned_account_ids)
            .execute(&mut *conn)
            .await?;
    }
    attach_tags(conn, row.id, new.tags).await?;
    super::custom_emojis::add_status_emojis(conn, row.id, new.emoji_ids).await?;
    let author = count(conn, &row, 1, with_author).await?;
    Ok((row, author))
}

/// Files the status under `tags` (created when new), in one statement, except those an
/// admin made unusable (`services::admin_tags`). The tags are
/// taken in one order (by lowercased name) whatever order the text gave: the upsert
/// locks each existing tag's row until the commit, and concurrent posts that took the
/// same tags in different orders deadlocked.
async fn attach_tags(conn: &mut PgConnection, status_id: i64, tags: &[String]) -> sqlx::Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    // The no-op update makes RETURNING yield the id of an existing tag too.
    sqlx::query(
        "WITH tag AS (INSERT INTO tags (name) \
           SELECT DISTINCT ON (lower(name)) name FROM unnest($2::text[]) AS wanted (name) \
           ORDER BY lower(name) \
           ON CONFLICT ((lower(name))) DO UPDATE SET name = tags.name RETURNING id, usable) \
         INSERT INTO status_tags (status_id, tag_id) SELECT $1, id FROM tag WHERE usable \
         ON CONFLICT DO NOTHING",
    )
    .bind(status_id)
    .bind(tags)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the counters a status contributes to by `delta` (+1 on insert, -1 on
/// delete); answers the author as the update left it when `answer_author` (and the
/// status is no boost, whose author's counters do not move).
async fn count(
    conn: &mut PgConnection,
    row: &StatusRow,
    delta: i64,
    answer_author: bool,
) -> sqlx::Result<Option<super::accounts::AccountRow>> {
    if let Some(reblogged) = row.reblog_of_id {
        sqlx::query(
            "UPDATE statuses SET reblogs_count = greatest(reblogs_count + $2, 0) WHERE id = $1",
        )
        .bind(reblogged)
        .bind(delta)
        .execute(&mut *conn)
        .await?;
        return Ok(None);
    }
    // Without RETURNING the update yields no row, so the one call answers `None`.
    let returning = match answer_author {
        true => format!(" RETURNING {}", super::accounts::COLUMNS),
        false => String::new(),
    };
    let author = sqlx::query_as(&format!(
        "UPDATE accounts SET statuses_count = greatest(statuses_count + $2, 0), \
           last_status_at = CASE WHEN $2 > 0 THEN greatest(last_status_at, $3) ELSE last_status_at END \
         WHERE id = $1{returning}"
    ))
    .bind(row.account_id)
    .bind(delta)
    .bind(row.created_at)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(parent) = row.in_reply_to_id {
        // Hidden replies and those by accounts the parent's author blocks never count.
        sqlx::query(&format!(
            "UPDATE statuses p SET replies_count = greatest(p.replies_count + $2, 0) \
             FROM statuses r WHERE p.id = $1 AND r.id = $3 AND {}",
            super::reply_controls::COUNTED
        ))
        .bind(parent)
        .bind(delta)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(author)
}

/// Marks a status deleted (it disappears from every read) and moves the counters
/// back; boosts of it go too. Returns the row as it was, or `None` if already gone.
pub async fn delete(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<StatusRow>> {
    let row: Option<StatusRow> = sqlx::query_as(&format!(
        "UPDATE statuses AS s SET deleted_at = now() WHERE s.id = $1 AND s.deleted_at IS NULL RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = &row {
        count(conn, row, -1, false).await?;
        sqlx::query(
            "UPDATE statuses SET deleted_at = now() WHERE reblog_of_id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(row)
}

/// A status that exists and `viewer` may see.
pub async fn find_visible(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    id: i64,
) -> sqlx::Result<Option<StatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statuses s WHERE s.id = $2 AND s.deleted_at IS NULL AND {VISIBLE_TO_VIEWER}"
    ))
    .bind(viewer)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The statuses of `ids` that `viewer` may see (not deleted), in any order.
pub async fn find_many_visible(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    ids: &[i64],
) -> sqlx::Result<Vec<StatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statuses s WHERE s.id = ANY($2) AND s.deleted_at IS NULL \
           AND {VISIBLE_TO_VIEWER}"
    ))
    .bind(viewer)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Loads statuses by id (deleted ones too, for boosts and parents), in any order.
pub async fn find_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<StatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statuses s WHERE s.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Mentioned account ids of each status.
pub async fn mentions(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT status_id, account_id FROM mentions WHERE status_id = ANY($1)")
        .bind(status_ids)
        .fetch_all(db)
        .await
}

/// Tag names of each status.
pub async fn tags(db: impl PgExecutor<'_>, status_ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT st.status_id, t.name FROM status_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = ANY($1)",
    )
    .bind(status_ids)
    .fetch_all(db)
    .await
}

/// Remembers the status created for an `Idempotency-Key`.
pub async fn remember_idempotency_key(
    conn: &mut PgConnection,
    account_id: i64,
    key: &str,
    status_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO idempotency_keys (account_id, key, status_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(account_id)
        .bind(key)
        .bind(status_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The status an `Idempotency-Key` already created (within a day), if any.
pub async fn idempotent_status(
    db: impl PgExecutor<'_>,
    account_id: i64,
    key: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND key = $2 \
         AND created_at > now() - interval '1 day'",
    )
    .bind(account_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// The viewer's own marks on statuses: which they favourited, boosted, bookmarked, pinned.
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct ViewerMarks {
    /// Absent from the JSON of [`StatusExtras`], which names the status once: set from
    /// it when read (`db::page_facts`).
    #[serde(default)]
    pub status_id: i64,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    /// The viewer muted the status's thread.
    pub muted: bool,
}

/// SQL: the [`ViewerMarks`] columns of status `t.id` for viewer `$1`, and the FROM
/// clause over the status ids `$2`.
fn viewer_marks_sql() -> String {
    format!(
        "EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = t.id AND f.account_id = $1) AS favourited, \
         EXISTS (SELECT 1 FROM statuses r WHERE r.reblog_of_id = t.id AND r.account_id = $1 \
           AND r.deleted_at IS NULL) AS reblogged, \
         EXISTS (SELECT 1 FROM bookmarks b WHERE b.status_id = t.id AND b.account_id = $1) AS bookmarked, \
         EXISTS (SELECT 1 FROM status_pins p WHERE p.status_id = t.id AND p.account_id = $1) AS pinned, \
         {muted} AS muted \
         FROM unnest($2::bigint[]) AS t(id)",
        muted = super::conversations::thread_muted("$1", "t.id")
    )
}

/// The viewer's marks on each status in `ids`.
pub async fn viewer_marks(
    db: impl PgExecutor<'_>,
    viewer: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<ViewerMarks>> {
    sqlx::query_as(&format!("SELECT t.id AS status_id, {}", viewer_marks_sql()))
        .bind(viewer)
        .bind(ids)
        .fetch_all(db)
        .await
}

/// One viewer's marks on one status (see [`viewer_marks_of_many`]).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MarksOfViewer {
    pub viewer: i64,
    #[sqlx(flatten)]
    pub marks: ViewerMarks,
}

/// The marks of every viewer in `viewers` on every status in `ids`, in one query (the
/// streaming hub renders a status for each recipient of a home stream with it).
pub async fn viewer_marks_of_many(
    db: impl PgExecutor<'_>,
    viewers: &[i64],
    ids: &[i64],
) -> sqlx::Result<Vec<MarksOfViewer>> {
    let marks = viewer_marks_sql().replace("$1", "v.viewer");
    sqlx::query_as(&format!(
        "SELECT v.viewer, t.id AS status_id, {marks} CROSS JOIN unnest($1::bigint[]) AS v(viewer)"
    ))
    .bind(viewers)
    .bind(ids)
    .fetch_all(db)
    .await
}

/// What a page of statuses needs besides the rows themselves, per status: read as
/// one JSON column of the page's facts ([`super::page_facts`], with [`extras_sql`]).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct StatusExtras {
    pub status_id: i64,
    /// The mentioned accounts, in account id order.
    pub mention_ids: Vec<i64>,
    /// The hashtags' names as first written.
    pub tag_names: Vec<String>,
    /// Its media attachments, in position order.
    pub media: sqlx::types::Json<Vec<super::media::MediaRow>>,
    /// The enabled custom emoji it uses, by shortcode.
    pub emojis: sqlx::types::Json<Vec<super::custom_emojis::CustomEmojiRow>>,
    /// The viewer's own marks (all false for an anonymous viewer).
    #[serde(flatten)]
    pub marks: ViewerMarks,
}

/// SQL: a `SELECT` of the [`StatusExtras`] of each status in `$2` for viewer `$1`
/// (NULL: anonymous).
pub(crate) fn extras_sql() -> String {
    format!(
        "SELECT t.id AS status_id, \
           ARRAY(SELECT m.account_id FROM mentions m WHERE m.status_id = t.id \
                 ORDER BY m.account_id) AS mention_ids, \
           ARRAY(SELECT tg.name FROM status_tags st JOIN tags tg ON tg.id = st.tag_id \
                 WHERE st.status_id = t.id ORDER BY lower(tg.name)) AS tag_names, \
           (SELECT coalesce(json_agg(ma ORDER BY ma.position, ma.id), '[]'::json) \
            FROM (SELECT {MEDIA_COLUMNS} FROM media_attachments WHERE status_id = t.id) ma) AS media, \
           (SELECT coalesce(json_agg(e ORDER BY e.shortcode), '[]'::json) \
            FROM (SELECT {EMOJI_COLUMNS} FROM status_emojis se \
                  JOIN custom_emojis ce ON ce.id = se.custom_emoji_id \
                  WHERE se.status_id = t.id AND NOT ce.disabled) e) AS emojis, \
           {marks}",
        marks = viewer_marks_sql()
    )
}

/// The live boost of `status_id` by `account_id`, if any.
pub async fn find_reblog(
    db: impl PgExecutor<'_>,
    account_id: i64,
    status_id: i64,
) -> sqlx::Result<Option<StatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statuses s WHERE s.account_id = $1 AND s.reblog_of_id = $2 AND s.deleted_at IS NULL"
    ))
    .bind(account_id)
    .bind(status_id)
    .fetch_optional(db)
    .await
}

/// Ancestors of a status that `viewer` may see and has not muted, oldest first (at
/// most `limit`).
pub async fn ancestors(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    id: i64,
    limit: i64,
) -> sqlx::Result<Vec<StatusRow>> {
    let mut rows: Vec<StatusRow> = sqlx::query_as(&format!(
        "WITH RECURSIVE up(id, depth) AS ( \
           SELECT in_reply_to_id, 1 FROM statuses WHERE id = $2 \
           UNION ALL SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id \
           WHERE up.depth < $3) \
         SELECT {COLUMNS} FROM statuses s JOIN up ON s.id = up.id \
         WHERE s.deleted_at IS NULL AND {VISIBLE_TO_VIEWER} AND {NOT_MUTED} ORDER BY up.depth DESC"
    ))
    .bind(viewer)
    .bind(id)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.dedup_by_key(|row| row.id);
    Ok(rows)
}

/// Descendants of a status that `viewer` may see and has not muted, in thread order by id (at most
/// `limit`, at most 60 levels deep), without the replies hidden or blocked by the author
/// of the status they answer (nor what answers them).
pub async fn descendants(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    id: i64,
    limit: i64,
) -> sqlx::Result<Vec<StatusRow>> {
    sqlx::query_as(&format!(
        "WITH RECURSIVE down(id, depth) AS ( \
           SELECT s.id, 1 FROM statuses s WHERE s.in_reply_to_id = $2 AND {SHOWN_IN_THREAD} \
           UNION ALL SELECT s.id, down.depth + 1 FROM statuses s JOIN down ON s.in_reply_to_id = down.id \
           WHERE down.depth < 60 AND {SHOWN_IN_THREAD}) \
         SELECT {COLUMNS} FROM statuses s JOIN down ON s.id = down.id \
         WHERE s.deleted_at IS NULL AND {VISIBLE_TO_VIEWER} AND {NOT_MUTED} ORDER BY s.id LIMIT $3"
    ))
    .bind(viewer)
    .bind(id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A page of the direct replies to status `id` that `viewer` (NULL: anonymous) may see
/// and has not muted, newest first (`page`'s bounds on their ids), without the replies
/// the thread hides (hidden by the parent's author, or by an account it blocks): the
/// comments of a post in the GraphQL API.
pub async fn replies(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    id: i64,
    page: &super::Page,
) -> sqlx::Result<Vec<StatusRow>> {
    use super::BindPage;
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statuses s \
         WHERE s.in_reply_to_id = $2 AND s.deleted_at IS NULL AND s.reblog_of_id IS NULL \
           AND {SHOWN_IN_THREAD} AND {VISIBLE_TO_VIEWER} AND {NOT_MUTED} AND {cut}",
        cut = page.cut("s.id", 3)
    ))
    .bind(viewer)
    .bind(id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// A reply in a replies collection: enough to name it by its ActivityPub id.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReplyRef {
    pub id: i64,
    /// The stored id of a remote reply (`None` for a local one, whose id is derived).
    pub ap_id: Option<String>,
    /// Its author's username (a local reply's id is derived from it).
    pub username: String,
}

/// A page of the direct replies to status `id`, oldest first, as its replies collection
/// lists them for `viewer` (NULL: anonymous): public and unlisted replies (as Mastodon's
/// collection) that `viewer` may see and that the thread shows (not hidden, not by an
/// account the parent's author blocks).
pub async fn replies_page(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    id: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ReplyRef>> {
    sqlx::query_as(&format!(
        "SELECT s.id, s.ap_id, a.username FROM statuses s JOIN accounts a ON a.id = s.account_id \
         WHERE s.in_reply_to_id = $2 AND s.deleted_at IS NULL AND s.reblog_of_id IS NULL \
           AND s.visibility IN ('public', 'unlisted') AND {SHOWN_IN_THREAD} AND {VISIBLE_TO_VIEWER} \
         ORDER BY s.id LIMIT $3 OFFSET $4"
    ))
    .bind(viewer)
    .bind(id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// One stored version of a status.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EditRow {
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: DateTime<Utc>,
    /// The poll's options in this version (null: no poll).
    pub poll_options: Option<Vec<String>>,
}

/// The new text of an edited status.
#[derive(Debug)]
pub struct StatusEdit<'a> {
    pub text: &'a str,
    pub content: &'a str,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
    pub mentioned_account_ids: &'a [i64],
    pub tags: &'a [String],
    /// The custom emoji the new text and content warning use.
    pub emoji_ids: &'a [i64],
}

/// Replaces a status's text, keeping every version in `status_edits` (the original is
/// recorded at the first edit). Run it in a transaction.
pub async fn edit(
    conn: &mut PgConnection,
    row: &StatusRow,
    edit: &StatusEdit<'_>,
) -> sqlx::Result<StatusRow> {
    if row.edited_at.is_none() {
        record_version(
            conn,
            row.id,
            &row.text,
            &row.content,
            &row.spoiler_text,
            row.sensitive,
            row.created_at,
        )
        .await?;
    }
    let updated: StatusRow = sqlx::query_as(&format!(
        "UPDATE statuses AS s SET text = $2, content = $3, spoiler_text = $4, sensitive = $5, \
           language = coalesce($6, language), edited_at = now() \
         WHERE s.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(edit.text)
    .bind(edit.content)
    .bind(edit.spoiler_text)
    .bind(edit.sensitive)
    .bind(edit.language)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM status_tags WHERE status_id = $1")
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    attach_tags(conn, row.id, edit.tags).await?;
    super::custom_emojis::set_status_emojis(conn, row.id, edit.emoji_ids).await?;
    // Mentions are only added: someone who could see a direct status keeps seeing it.
    sqlx::query("INSERT INTO mentions (status_id, account_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING")
        .bind(row.id)
        .bind(edit.mentioned_account_ids)
        .execute(&mut *conn)
        .await?;
    let at = updated.edited_at.unwrap_or(updated.created_at);
    record_version(
        conn,
        row.id,
        edit.text,
        edit.content,
        edit.spoiler_text,
        edit.sensitive,
        at,
    )
    .await?;
    Ok(updated)
}

async fn record_version(
    conn: &mut PgConnection,
    status_id: i64,
    text: &str,
    content: &str,
    spoiler_text: &str,
    sensitive: bool,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_edits (status_id, text, content, spoiler_text, sensitive, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(status_id)
    .bind(text)
    .bind(content)
    .bind(spoiler_text)
    .bind(sensitive)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every version of a status, oldest first (empty when never edited).
pub async fn versions(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<Vec<EditRow>> {
    sqlx::query_as(
        "SELECT text, content, spoiler_text, sensitive, created_at, poll_options FROM status_edits \
         WHERE status_id = $1 ORDER BY id",
    )
    .bind(status_id)
    .fetch_all(db)
    .await
}

/// A live status by its ActivityPub id.
pub async fn find_by_ap_id(
    db: impl PgExecutor<'_>,
    ap_id: &str,
) -> sqlx::Result<Option<StatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM statuses s WHERE s.ap_id = $1 AND s.deleted_at IS NULL"
    ))
    .bind(ap_id)
    .fetch_optional(db)
    .await
}

/// Whether any local account follows `account_id` (remote posts are kept only then,
/// or when they mention or answer someone here).
pub async fn has_local_followers(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.accepted AND a.domain IS NULL)",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// Live statuses posted on this instance (boosts not counted), for instance statistics.
pub async fn count_local(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM statuses WHERE local AND deleted_at IS NULL AND reblog_of_id IS NULL",
    )
    .fetch_one(db)
    .await
}

#[cfg(test)]
mod tests {
    use sqlx::PgPool;

    use super::*;
    use crate::db::{accounts, blocks};

    /// A public post by `account_id` replying to `parent` (if any).
    fn post(account_id: i64, parent: Option<&StatusRow>) -> NewStatus<'static> {
        NewStatus {
            text: "hi",
            content: "<p>hi</p>",
            reblog_of_id: None,
            in_reply_to_id: parent.map(|p| p.id),
            in_reply_to_account_id: parent.map(|p| p.account_id),
            ..NewStatus::reblog(account_id, true, None, 0, Visibility::Public)
        }
    }

    async fn reread(db: &PgPool, id: i64) -> StatusRow {
        find_visible(db, None, id)
            .await
            .expect("reads")
            .expect("found")
    }

    /// An insert moves the counters it contributes to: the author's (answered with the
    /// post), a boosted status's, and a parent's unless its author blocks the replier.
    #[sqlx::test]
    async fn an_insert_moves_the_counters_it_contributes_to(db: PgPool) {
        let alice = accounts::insert_local(&db, "alice", "PUB", "PRIV")
            .await
            .expect("alice");
        let bob = accounts::insert_local(&db, "bob", "PUB", "PRIV")
            .await
            .expect("bob");
        let mut conn = db.acquire().await.expect("connection");

        let (first, author) = insert_with_author(&mut conn, &post(alice.id, None))
            .await
            .expect("posts");
        let author = author.expect("a post answers its author");
        assert_eq!((author.id, author.statuses_count), (alice.id, 1));
        assert_eq!(author.last_status_at, Some(first.created_at));

        insert(&mut conn, &post(bob.id, Some(&first)))
            .await
            .expect("replies");
        assert_eq!(reread(&db, first.id).await.replies_count, 1);
        blocks::upsert(&mut conn, alice.id, bob.id, "https://x.example/block")
            .await
            .expect("blocks");
        insert(&mut conn, &post(bob.id, Some(&first)))
            .await
            .expect("replies");
        assert_eq!(
            reread(&db, first.id).await.replies_count,
            1,
            "blocked: not counted"
        );

        let boost = NewStatus::reblog(bob.id, true, None, first.id, Visibility::Public);
        let (_, booster) = insert_with_author(&mut conn, &boost).await.expect("boosts");
        assert!(booster.is_none(), "a boost moves no author counter");
        assert_eq!(reread(&db, first.id).await.reblogs_count, 1);
        let bob = accounts::find_by_id(&db, bob.id)
            .await
            .expect("reads")
            .expect("bob");
        assert_eq!(
            bob.statuses_count, 2,
            "two replies; the boost is not counted"
        );
        let alice = accounts::find_by_id(&db, alice.id)
            .await
            .expect("reads")
            .expect("alice");
        assert_eq!(
            alice.statuses_count, 1,
            "others' replies and boosts are not hers"
        );
    }
}
