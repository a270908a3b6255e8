//! The `custom_emojis` table (local emoji an admin adds, remote ones known by
//! reference) and the links saying which status (`status_emojis`) and which account
//! (`account_emojis`) uses which. An account's emoji come with every `accounts` read
//! (`account_emojis_json`, see `db::accounts`); a page of statuses reads its emoji with
//! its mentions and tags (`db::statuses::extras_sql`).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::{PgConnection, PgExecutor};

/// How many times this process changed which emoji an account shows (its links, or a
/// local emoji deleted). The kept accounts of `api::entities::account_cache` are
/// forgotten when it moves, so that this process never shows an account's emoji from
/// before its own write; other processes learn it by `NOTIFY roost_accounts` (the
/// triggers of migration `…account_cache_notify`).
static EMOJI_WRITES: AtomicU64 = AtomicU64::new(0);

/// See [`EMOJI_WRITES`].
pub fn emoji_writes() -> u64 {
    EMOJI_WRITES.load(Ordering::Acquire)
}

fn wrote_emojis() {
    EMOJI_WRITES.fetch_add(1, Ordering::AcqRel);
}

/// A `custom_emojis` row. Also read from JSON (`to_jsonb` of the row), so the field
/// names are the column names.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, sqlx::FromRow)]
pub struct CustomEmojiRow {
    pub id: i64,
    pub shortcode: String,
    /// `None` for a local emoji.
    pub domain: Option<String>,
    /// Local: storage key of the image.
    pub image_key: Option<String>,
    /// Local: storage key of its still PNG.
    pub static_key: Option<String>,
    /// Remote: where its server serves the image.
    pub image_url: Option<String>,
    /// Remote: the `Emoji` tag's id.
    pub uri: Option<String>,
    pub content_type: String,
    pub category: Option<String>,
    pub visible_in_picker: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CustomEmojiRow {
    /// Whether this emoji was added here (not seen on another server).
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }
}

/// The [`CustomEmojiRow`] columns.
pub(crate) const COLUMNS: &str = "id, shortcode, domain, image_key, static_key, image_url, uri, \
    content_type, category, visible_in_picker, disabled, created_at, updated_at";

/// A local emoji to record; its files are stored already.
#[derive(Debug)]
pub struct NewLocalEmoji<'a> {
    pub shortcode: &'a str,
    pub image_key: &'a str,
    pub static_key: &'a str,
    pub content_type: &'a str,
    pub category: Option<&'a str>,
    pub visible_in_picker: bool,
}

/// What Roost keeps of a remote `Emoji` tag (already checked and bounded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteEmoji {
    pub shortcode: String,
    pub image_url: String,
    pub uri: Option<String>,
    pub content_type: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Records a local emoji. Fails with a unique violation on
/// `custom_emojis_local_shortcode_key` when the shortcode is taken.
pub async fn insert_local(
    db: impl PgExecutor<'_>,
    new: &NewLocalEmoji<'_>,
) -> sqlx::Result<CustomEmojiRow> {
    sqlx::query_as(&format!(
        "INSERT INTO custom_emojis (shortcode, image_key, static_key, content_type, category, \
           visible_in_picker) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(new.shortcode)
    .bind(new.image_key)
    .bind(new.static_key)
    .bind(new.content_type)
    .bind(new.category)
    .bind(new.visible_in_picker)
    .fetch_one(db)
    .await
}

/// Deletes the local emoji `shortcode` (and, by cascade, every use of it); returns the
/// row it was, for its files.
pub async fn delete_local(
    db: impl PgExecutor<'_>,
    shortcode: &str,
) -> sqlx::Result<Option<CustomEmojiRow>> {
    let deleted: Option<CustomEmojiRow> = sqlx::query_as(&format!(
        "DELETE FROM custom_emojis WHERE domain IS NULL AND shortcode = $1 RETURNING {COLUMNS}"
    ))
    .bind(shortcode)
    .fetch_optional(db)
    .await?;
    if deleted.is_some() {
        wrote_emojis();
    }
    Ok(deleted)
}

/// The local emoji `id`, enabled or not.
pub async fn find_local(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<CustomEmojiRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_emojis WHERE id = $1 AND domain IS NULL"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Every local emoji, enabled or not, by category then shortcode.
pub async fn all_local(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CustomEmojiRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_emojis WHERE domain IS NULL \
         ORDER BY category NULLS FIRST, shortcode"
    ))
    .fetch_all(db)
    .await
}

/// The local emoji the picker lists: enabled and visible, by shortcode (Mastodon's
/// `CustomEmoji.listed`).
pub async fn listed(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CustomEmojiRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_emojis \
         WHERE domain IS NULL AND NOT disabled AND visible_in_picker ORDER BY shortcode"
    ))
    .fetch_all(db)
    .await
}

/// The enabled local emoji among `shortcodes`, in the order of `shortcodes`.
pub async fn local_enabled(
    db: impl PgExecutor<'_>,
    shortcodes: &[String],
) -> sqlx::Result<Vec<CustomEmojiRow>> {
    if shortcodes.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_emojis e JOIN unnest($1::text[]) WITH ORDINALITY AS w(code, n) \
           ON w.code = e.shortcode \
         WHERE e.domain IS NULL AND NOT e.disabled ORDER BY w.n"
    ))
    .bind(shortcodes)
    .fetch_all(db)
    .await
}

/// Records (or refreshes: image, id, media type) the emoji `emojis` of `domain` and
/// returns their rows, enabled ones only, by shortcode. One statement, taking the rows
/// in shortcode order, so concurrent posts using the same emoji cannot deadlock.
pub async fn upsert_remote(
    conn: &mut PgConnection,
    domain: &str,
    emojis: &[RemoteEmoji],
) -> sqlx::Result<Vec<CustomEmojiRow>> {
    if emojis.is_empty() {
        return Ok(Vec::new());
    }
    let field = |pick: fn(&RemoteEmoji) -> Option<String>| -> Vec<Option<String>> {
        emojis.iter().map(pick).collect()
    };
    let updated: Vec<Option<DateTime<Utc>>> = emojis.iter().map(|e| e.updated_at).collect();
    sqlx::query_as(&format!(
        "INSERT INTO custom_emojis AS e (shortcode, domain, image_url, uri, content_type, updated_at) \
         SELECT DISTINCT ON (code) code, $1, url, uri, kind, coalesce(at, now()) \
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) \
           AS t(code, url, uri, kind, at) ORDER BY code \
         ON CONFLICT (shortcode, domain) DO UPDATE SET image_url = EXCLUDED.image_url, \
           uri = EXCLUDED.uri, content_type = EXCLUDED.content_type, updated_at = EXCLUDED.updated_at \
         RETURNING {COLUMNS}"
    ))
    .bind(domain)
    .bind(field(|e| Some(e.shortcode.clone())))
    .bind(field(|e| Some(e.image_url.clone())))
    .bind(field(|e| e.uri.clone()))
    .bind(field(|e| Some(e.content_type.clone())))
    .bind(updated)
    .fetch_all(&mut *conn)
    .await
    .map(|mut rows: Vec<CustomEmojiRow>| {
        rows.retain(|row| !row.disabled);
        rows.sort_by(|a, b| a.shortcode.cmp(&b.shortcode));
        rows
    })
}

/// The enabled emoji status `status_id` uses, by shortcode.
pub async fn of_status(
    db: impl PgExecutor<'_>,
    status_id: i64,
) -> sqlx::Result<Vec<CustomEmojiRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_emojis e JOIN status_emojis se ON se.custom_emoji_id = e.id \
         WHERE se.status_id = $1 AND NOT e.disabled ORDER BY e.shortcode"
    ))
    .bind(status_id)
    .fetch_all(db)
    .await
}

/// Makes `emoji_ids` the emoji status `status_id` uses (replacing earlier ones).
pub async fn set_status_emojis(
    conn: &mut PgConnection,
    status_id: i64,
    emoji_ids: &[i64],
) -> sqlx::Result<()> {
    set_links(conn, "status_emojis", "status_id", status_id, emoji_ids).await?;
    Ok(())
}

/// Makes `emoji_ids` the emoji account `account_id`'s profile uses (replacing earlier
/// ones).
pub async fn set_account_emojis(
    conn: &mut PgConnection,
    account_id: i64,
    emoji_ids: &[i64],
) -> sqlx::Result<()> {
    if set_links(conn, "account_emojis", "account_id", account_id, emoji_ids).await? {
        wrote_emojis();
    }
    Ok(())
}

/// Records the emoji a status just inserted uses (it has none yet: nothing to
/// replace, no statement when it uses none).
pub async fn add_status_emojis(
    conn: &mut PgConnection,
    status_id: i64,
    emoji_ids: &[i64],
) -> sqlx::Result<()> {
    add_links(conn, "status_emojis", "status_id", status_id, emoji_ids).await?;
    Ok(())
}

/// Replaces the links of `owner_id`; whether any link changed.
async fn set_links(
    conn: &mut PgConnection,
    table: &str,
    owner: &str,
    owner_id: i64,
    emoji_ids: &[i64],
) -> sqlx::Result<bool> {
    let removed = sqlx::query(&format!(
        "DELETE FROM {table} WHERE {owner} = $1 AND custom_emoji_id <> ALL($2)"
    ))
    .bind(owner_id)
    .bind(emoji_ids)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let added = add_links(conn, table, owner, owner_id, emoji_ids).await?;
    Ok(removed + added > 0)
}

/// Adds links of `owner_id`; how many were new.
async fn add_links(
    conn: &mut PgConnection,
    table: &str,
    owner: &str,
    owner_id: i64,
    emoji_ids: &[i64],
) -> sqlx::Result<u64> {
    if emoji_ids.is_empty() {
        return Ok(0);
    }
    let added = sqlx::query(&format!(
        "INSERT INTO {table} ({owner}, custom_emoji_id) SELECT $1, unnest($2::bigint[]) \
         ON CONFLICT DO NOTHING"
    ))
    .bind(owner_id)
    .bind(emoji_ids)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(added)
}
