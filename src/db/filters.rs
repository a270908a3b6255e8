//! The `custom_filters`, `custom_filter_keywords` and `custom_filter_statuses` tables:
//! a user's content filters, their keywords and the statuses they name. The rules
//! (bounds, contexts, the v1 mapping) are `services::filters`'s; the `filters_changed`
//! stream event is the `filters` migration's trigger.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// A `custom_filters` row (also read as JSON, by [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct FilterRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    pub context: Vec<String>,
    pub filter_action: String,
    pub expires_at: Option<DateTime<Utc>>,
}

pub(super) const COLUMNS: &str = "id, account_id, title, context, filter_action, expires_at";

/// A `custom_filter_keywords` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeywordRow {
    pub id: i64,
    pub custom_filter_id: i64,
    pub keyword: String,
    pub whole_word: bool,
}

const KEYWORD_COLUMNS: &str = "k.id, k.custom_filter_id, k.keyword, k.whole_word";

/// A `custom_filter_statuses` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FilterStatusRow {
    pub id: i64,
    pub custom_filter_id: i64,
    pub status_id: i64,
}

const STATUS_COLUMNS: &str = "fs.id, fs.custom_filter_id, fs.status_id";

/// The settings of a filter, as stored.
#[derive(Debug)]
pub struct FilterFields<'a> {
    pub title: &'a str,
    pub context: &'a [String],
    pub filter_action: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a filter owned by `account_id`.
pub async fn insert(
    db: impl PgExecutor<'_>,
    account_id: i64,
    fields: &FilterFields<'_>,
) -> sqlx::Result<FilterRow> {
    sqlx::query_as(&format!(
        "INSERT INTO custom_filters (account_id, title, context, filter_action, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(account_id)
    .bind(fields.title)
    .bind(fields.context)
    .bind(fields.filter_action)
    .bind(fields.expires_at)
    .fetch_one(db)
    .await
}

/// Replaces the settings of filter `id`; `None` when it does not exist.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: i64,
    fields: &FilterFields<'_>,
) -> sqlx::Result<Option<FilterRow>> {
    sqlx::query_as(&format!(
        "UPDATE custom_filters SET title = $2, context = $3, filter_action = $4, \
         expires_at = $5 WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(fields.title)
    .bind(fields.context)
    .bind(fields.filter_action)
    .bind(fields.expires_at)
    .fetch_optional(db)
    .await
}

/// Deletes filter `id` with its keywords and statuses.
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM custom_filters WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Filter `id` if `owner` owns it, locked for the rest of the transaction when `lock`
/// (changes to one filter's keywords and statuses then run one after the other).
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
    lock: bool,
) -> sqlx::Result<Option<FilterRow>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_filters WHERE id = $1 AND account_id = $2{lock}"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// The filters of `owner`, oldest first (expired ones too).
pub async fn of_owner(db: impl PgExecutor<'_>, owner: i64) -> sqlx::Result<Vec<FilterRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_filters WHERE account_id = $1 ORDER BY id"
    ))
    .bind(owner)
    .fetch_all(db)
    .await
}

/// How many filters `owner` has, counted with the owner's row locked so two creations
/// at once cannot both pass a limit.
pub async fn count_locked(db: impl PgExecutor<'_>, owner: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM custom_filters WHERE account_id = \
         (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)",
    )
    .bind(owner)
    .fetch_one(db)
    .await
}

/// The keywords of `filters`, oldest first.
pub async fn keywords_of(
    db: impl PgExecutor<'_>,
    filters: &[i64],
) -> sqlx::Result<Vec<KeywordRow>> {
    sqlx::query_as(&format!(
        "SELECT {KEYWORD_COLUMNS} FROM custom_filter_keywords k \
         WHERE k.custom_filter_id = ANY($1) ORDER BY k.id"
    ))
    .bind(filters)
    .fetch_all(db)
    .await
}

/// Every keyword of `owner`'s filters, oldest first (the v1 filters).
pub async fn keywords_of_owner(
    db: impl PgExecutor<'_>,
    owner: i64,
) -> sqlx::Result<Vec<KeywordRow>> {
    sqlx::query_as(&format!(
        "SELECT {KEYWORD_COLUMNS} FROM custom_filter_keywords k \
         JOIN custom_filters f ON f.id = k.custom_filter_id \
         WHERE f.account_id = $1 ORDER BY k.id"
    ))
    .bind(owner)
    .fetch_all(db)
    .await
}

/// Keyword `id` if one of `owner`'s filters has it.
pub async fn find_keyword_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
) -> sqlx::Result<Option<KeywordRow>> {
    sqlx::query_as(&format!(
        "SELECT {KEYWORD_COLUMNS} FROM custom_filter_keywords k \
         JOIN custom_filters f ON f.id = k.custom_filter_id \
         WHERE k.id = $1 AND f.account_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// Adds a keyword to filter `filter_id`.
pub async fn insert_keyword(
    db: impl PgExecutor<'_>,
    filter_id: i64,
    keyword: &str,
    whole_word: bool,
) -> sqlx::Result<KeywordRow> {
    sqlx::query_as(
        "INSERT INTO custom_filter_keywords AS k (custom_filter_id, keyword, whole_word) \
         VALUES ($1, $2, $3) RETURNING k.id, k.custom_filter_id, k.keyword, k.whole_word",
    )
    .bind(filter_id)
    .bind(keyword)
    .bind(whole_word)
    .fetch_one(db)
    .await
}

/// Changes keyword `id` of filter `filter_id`; `None` when the filter has no such
/// keyword.
pub async fn update_keyword(
    db: impl PgExecutor<'_>,
    filter_id: i64,
    id: i64,
    keyword: &str,
    whole_word: bool,
) -> sqlx::Result<Option<KeywordRow>> {
    sqlx::query_as(
        "UPDATE custom_filter_keywords k SET keyword = $3, whole_word = $4 \
         WHERE k.id = $2 AND k.custom_filter_id = $1 \
         RETURNING k.id, k.custom_filter_id, k.keyword, k.whole_word",
    )
    .bind(filter_id)
    .bind(id)
    .bind(keyword)
    .bind(whole_word)
    .fetch_optional(db)
    .await
}

/// Removes keywords `ids` of filter `filter_id` (ids it does not have are ignored).
pub async fn delete_keywords(
    db: impl PgExecutor<'_>,
    filter_id: i64,
    ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM custom_filter_keywords WHERE custom_filter_id = $1 AND id = ANY($2)")
        .bind(filter_id)
        .bind(ids)
        .execute(db)
        .await?;
    Ok(())
}

/// How many keywords filter `filter_id` has.
pub async fn count_keywords(db: impl PgExecutor<'_>, filter_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM custom_filter_keywords WHERE custom_filter_id = $1")
        .bind(filter_id)
        .fetch_one(db)
        .await
}

/// The statuses `filters` name, oldest first.
pub async fn statuses_of(
    db: impl PgExecutor<'_>,
    filters: &[i64],
) -> sqlx::Result<Vec<FilterStatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {STATUS_COLUMNS} FROM custom_filter_statuses fs \
         WHERE fs.custom_filter_id = ANY($1) ORDER BY fs.id"
    ))
    .bind(filters)
    .fetch_all(db)
    .await
}

/// Filter status `id` if one of `owner`'s filters has it.
pub async fn find_status_owned(
    db: impl PgExecutor<'_>,
    owner: i64,
    id: i64,
) -> sqlx::Result<Option<FilterStatusRow>> {
    sqlx::query_as(&format!(
        "SELECT {STATUS_COLUMNS} FROM custom_filter_statuses fs \
         JOIN custom_filters f ON f.id = fs.custom_filter_id \
         WHERE fs.id = $1 AND f.account_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// Adds status `status_id` to filter `filter_id`; `None` when the filter names it
/// already.
pub async fn insert_status(
    db: impl PgExecutor<'_>,
    filter_id: i64,
    status_id: i64,
) -> sqlx::Result<Option<FilterStatusRow>> {
    sqlx::query_as(
        "INSERT INTO custom_filter_statuses AS fs (custom_filter_id, status_id) \
         VALUES ($1, $2) ON CONFLICT DO NOTHING \
         RETURNING fs.id, fs.custom_filter_id, fs.status_id",
    )
    .bind(filter_id)
    .bind(status_id)
    .fetch_optional(db)
    .await
}

/// Removes filter status `id`.
pub async fn delete_status(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM custom_filter_statuses WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// How many statuses filter `filter_id` names.
pub async fn count_statuses(db: impl PgExecutor<'_>, filter_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM custom_filter_statuses WHERE custom_filter_id = $1")
        .bind(filter_id)
        .fetch_one(db)
        .await
}

/// A filter that has not expired, with its rules, as the matcher needs it (also read
/// as JSON, by [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct ActiveFilterRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub filter: FilterRow,
    /// Its keywords, oldest first, and their `whole_word` (same order).
    pub keywords: Vec<String>,
    pub whole_words: Vec<bool>,
    /// The statuses it names.
    pub status_ids: Vec<i64>,
}

/// The columns of an [`ActiveFilterRow`] after [`COLUMNS`], from `custom_filters f`.
pub(super) const RULE_COLUMNS: &str = "\
    ARRAY(SELECT k.keyword FROM custom_filter_keywords k \
          WHERE k.custom_filter_id = f.id ORDER BY k.id) AS keywords, \
    ARRAY(SELECT k.whole_word FROM custom_filter_keywords k \
          WHERE k.custom_filter_id = f.id ORDER BY k.id) AS whole_words, \
    ARRAY(SELECT fs.status_id FROM custom_filter_statuses fs \
          WHERE fs.custom_filter_id = f.id) AS status_ids";

/// SQL condition: filter `f` has not expired.
pub(super) const UNEXPIRED: &str = "(f.expires_at IS NULL OR f.expires_at > now())";

/// The filters of `accounts` that have not expired, with their keywords and statuses,
/// in one query (a stream event for every viewer costs one; a page of statuses reads
/// its viewer's with its other facts, in [`super::page_facts`]).
pub async fn active_of(
    db: impl PgExecutor<'_>,
    accounts: &[i64],
) -> sqlx::Result<Vec<ActiveFilterRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, {RULE_COLUMNS} \
         FROM custom_filters f WHERE f.account_id = ANY($1) AND {UNEXPIRED} ORDER BY f.id"
    ))
    .bind(accounts)
    .fetch_all(db)
    .await
}
