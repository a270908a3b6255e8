//! The `accounts` table: every actor, local (`domain IS NULL`) or remote.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

/// One profile field as stored: `value` is HTML, `source` what a local user typed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredField {
    /// The label, plain text.
    pub name: String,
    /// The value as HTML, ready to show.
    pub value: String,
    /// The value as the local user typed it; `None` for remote accounts.
    #[serde(default)]
    pub source: Option<String>,
    /// When a rel="me" link in the value was verified.
    #[serde(default)]
    pub verified_at: Option<DateTime<Utc>>,
}

/// An `accounts` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    pub note: String,
    pub note_source: String,
    pub fields: sqlx::types::Json<Vec<StoredField>>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub hide_collections: bool,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<DateTime<Utc>>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub silenced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, username, domain, display_name, note, note_source, fields, locked, \
    bot, discoverable, indexable, hide_collections, followers_count, following_count, \
    statuses_count, last_status_at, suspended_at, silenced_at, created_at, updated_at";

/// Accounts that the API shows: remote ones, and local ones whose user was approved.
const VISIBLE: &str = "(domain IS NOT NULL OR EXISTS \
    (SELECT 1 FROM users u WHERE u.account_id = accounts.id AND u.approved))";

/// Finds an account by id, local or remote, suspended or not.
pub async fn find_by_id(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Finds an account by id unless it is a local account awaiting approval.
pub async fn find_visible_by_id(
    db: impl PgExecutor<'_>,
    id: i64,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = $1 AND {VISIBLE}"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Finds a visible account by username (case-insensitive) and domain (`None` = local).
pub async fn find_visible_by_acct(
    db: impl PgExecutor<'_>,
    username: &str,
    domain: Option<&str>,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts \
         WHERE lower(username) = lower($1) AND coalesce(lower(domain), '') = coalesce(lower($2), '') \
           AND {VISIBLE}"
    ))
    .bind(username)
    .bind(domain)
    .fetch_optional(db)
    .await
}

/// Inserts a local account with a fresh id and returns it. Fails with a unique
/// violation on `accounts_username_domain_key` when the username is taken.
pub async fn insert_local(db: impl PgExecutor<'_>, username: &str) -> sqlx::Result<AccountRow> {
    sqlx::query_as(&format!(
        "INSERT INTO accounts (username) VALUES ($1) RETURNING {COLUMNS}"
    ))
    .bind(username)
    .fetch_one(db)
    .await
}

/// The profile changes of `PATCH /api/v1/accounts/update_credentials`; `None` keeps a value.
#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub note_source: Option<String>,
    pub note_html: Option<String>,
    pub fields: Option<Vec<StoredField>>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    pub hide_collections: Option<bool>,
}

/// Applies a profile update in one statement and returns the new row.
pub async fn update_profile(
    db: impl PgExecutor<'_>,
    id: i64,
    update: ProfileUpdate,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "UPDATE accounts SET \
           display_name = coalesce($2, display_name), \
           note_source = coalesce($3, note_source), \
           note = coalesce($4, note), \
           fields = coalesce($5, fields), \
           locked = coalesce($6, locked), \
           bot = coalesce($7, bot), \
           discoverable = coalesce($8, discoverable), \
           indexable = coalesce($9, indexable), \
           hide_collections = coalesce($10, hide_collections), \
           updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(update.display_name)
    .bind(update.note_source)
    .bind(update.note_html)
    .bind(update.fields.map(sqlx::types::Json))
    .bind(update.locked)
    .bind(update.bot)
    .bind(update.discoverable)
    .bind(update.indexable)
    .bind(update.hide_collections)
    .fetch_optional(db)
    .await
}

/// Number of local accounts that are not suspended (NodeInfo and instance statistics).
pub async fn count_local(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM accounts WHERE domain IS NULL AND suspended_at IS NULL",
    )
    .fetch_one(db)
    .await
}

/// Number of other servers Roost knows accounts of.
pub async fn count_known_domains(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(DISTINCT lower(domain)) FROM accounts WHERE domain IS NOT NULL",
    )
    .fetch_one(db)
    .await
}

/// Local users who signed in or signed up during the last 30 days.
pub async fn count_active_local(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM users \
         WHERE greatest(last_sign_in_at, created_at) > now() - interval '30 days'",
    )
    .fetch_one(db)
    .await
}
