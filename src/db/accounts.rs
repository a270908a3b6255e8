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

/// An `accounts` row. It also deserializes from the JSON of `account_moved_json` (the
/// `moved_to` of another row), which names the same columns.
#[derive(Clone, Debug, sqlx::FromRow, Deserialize)]
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
    pub actor_type: String,
    pub ap_id: Option<String>,
    pub url: Option<String>,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub key_id: Option<String>,
    pub public_key_pem: Option<String>,
    pub last_fetched_at: Option<DateTime<Utc>>,
    pub key_refetched_at: Option<DateTime<Utc>>,
    /// Storage key of a local account's avatar (see `media::storage`).
    pub avatar_key: Option<String>,
    /// Storage key of a local account's header image.
    pub header_key: Option<String>,
    /// A remote account's avatar URL (`icon` of its actor), shown as is.
    pub avatar_remote_url: Option<String>,
    /// A remote account's header URL (`image` of its actor).
    pub header_remote_url: Option<String>,
    /// The enabled custom emoji its profile uses, by shortcode (see `db::custom_emojis`).
    pub emojis: sqlx::types::Json<Vec<super::custom_emojis::CustomEmojiRow>>,
    /// The account this one moved to (see `services::account_moves`).
    pub moved_to_account_id: Option<i64>,
    /// The actor ids this account says it also is (`alsoKnownAs`).
    pub also_known_as: Vec<String>,
    /// The account of `moved_to_account_id`, read with this one (`account_moved_json`);
    /// always `None` inside it, as Mastodon does not nest `moved`.
    #[serde(default)]
    pub moved_to: Option<sqlx::types::Json<Box<AccountRow>>>,
}

impl AccountRow {
    /// Whether this account lives on this instance.
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// Whether this account is a group (a `Group` actor: a Lemmy community, an Mbin
    /// magazine, a Friendica forum), which shares what its members post (FEP-1b12).
    pub fn is_group(&self) -> bool {
        self.actor_type == "Group"
    }

    /// Its handle as Mastodon's `acct`: `user` for a local account, `user@domain` for
    /// a remote one.
    pub fn acct(&self) -> String {
        match &self.domain {
            None => self.username.clone(),
            Some(domain) => format!("{}@{domain}", self.username),
        }
    }
}

/// The [`AccountRow`] columns, with `$source` for the bio's source, `$key` for the
/// key's id and PEM, and `$emojis` for the profile's custom emoji (JSON).
macro_rules! account_columns {
    ($source:literal, $key:literal) => {
        account_columns!($source, $key, "account_emojis_json(id)")
    };
    ($source:literal, $key:literal, $emojis:literal) => {
        concat!(
            "id, username, domain, display_name, note, ",
            $source,
            ", fields, locked, \
    bot, discoverable, indexable, hide_collections, followers_count, following_count, \
    statuses_count, last_status_at, suspended_at, silenced_at, created_at, updated_at, \
    actor_type, ap_id, url, inbox_url, shared_inbox_url, outbox_url, followers_url, following_url, \
    featured_url, ",
            $key,
            ", last_fetched_at, key_refetched_at, avatar_key, header_key, \
    avatar_remote_url, header_remote_url, moved_to_account_id, also_known_as, ",
            $emojis,
            " AS emojis, account_moved_json(moved_to_account_id) AS moved_to"
        )
    };
}

/// Every [`AccountRow`] column.
pub(crate) const COLUMNS: &str = account_columns!("note_source", "key_id, public_key_pem");

/// The [`AccountRow`] columns of `accounts` aliased as `alias` (for joins).
pub(crate) fn columns_of(alias: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|column| match column.trim() {
            column if column.ends_with(" AS emojis") => {
                format!("account_emojis_json({alias}.id) AS emojis")
            }
            column if column.ends_with(" AS moved_to") => {
                format!("account_moved_json({alias}.moved_to_account_id) AS moved_to")
            }
            column => format!("{alias}.{column}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The [`AccountRow`] columns an Account entity is rendered from: the bio's source and
/// the public key (half a kilobyte, never shown to clients) are read as empty. Only
/// for statements that read `accounts` without an alias: the custom emoji are a
/// subquery on `accounts.id`, planned with the statement (and kept with it), where
/// `account_emojis_json`, an SQL function, is planned again at every execution
/// (0.36 → 0.24 ms for 20 accounts).
const DISPLAY_COLUMNS: &str = account_columns!(
    "''::text AS note_source",
    "NULL::text AS key_id, NULL::text AS public_key_pem",
    "(SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.shortcode), '[]'::jsonb) \
      FROM account_emojis ae JOIN custom_emojis e ON e.id = ae.custom_emoji_id \
      WHERE ae.account_id = accounts.id AND NOT e.disabled)"
);

/// Accounts that the API shows: remote ones, and local ones whose user was approved.
pub(crate) const VISIBLE: &str = "(domain IS NOT NULL OR EXISTS \
    (SELECT 1 FROM users u WHERE u.account_id = accounts.id AND u.approved))";

/// Finds an account by id, local or remote, suspended or not.
pub async fn find_by_id(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The domain of account `id`: `None` for a local account and for no such account.
pub async fn domain_of(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<String>> {
    let domain: Option<Option<String>> =
        sqlx::query_scalar("SELECT domain FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(domain.flatten())
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

/// The accounts of `ids` the API may show (not local accounts awaiting approval), in
/// any order.
pub async fn find_many_visible(
    db: impl PgExecutor<'_>,
    ids: &[i64],
) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = ANY($1) AND {VISIBLE}"
    ))
    .bind(ids)
    .fetch_all(db)
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

/// Inserts a local account with its RSA key pair and returns it. Fails with a unique
/// violation on `accounts_username_domain_key` when the username is taken.
pub async fn insert_local(
    db: impl PgExecutor<'_>,
    username: &str,
    public_key_pem: &str,
    private_key_pem: &str,
) -> sqlx::Result<AccountRow> {
    sqlx::query_as(&format!(
        "INSERT INTO accounts (username, public_key_pem, private_key_pem) VALUES ($1, $2, $3) \
         RETURNING {COLUMNS}"
    ))
    .bind(username)
    .bind(public_key_pem)
    .bind(private_key_pem)
    .fetch_one(db)
    .await
}

/// The private key (PKCS#8 PEM) of a local account, for signing its deliveries.
pub async fn private_key(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT private_key_pem FROM accounts WHERE id = $1 AND domain IS NULL")
        .bind(id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// Finds a remote account by its actor id.
pub async fn find_by_ap_id(
    db: impl PgExecutor<'_>,
    ap_id: &str,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE ap_id = $1"))
        .bind(ap_id)
        .fetch_optional(db)
        .await
}

/// What Roost stores of a remote actor document.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub ap_id: String,
    pub username: String,
    pub domain: String,
    pub actor_type: String,
    pub display_name: String,
    pub note: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    /// Whether the actor lets its public posts be found by full-text search.
    pub indexable: bool,
    pub fields: Vec<StoredField>,
    /// Avatar URL (`icon`), if the actor has one.
    pub avatar_url: Option<String>,
    /// Header URL (`image`), if the actor has one.
    pub header_url: Option<String>,
    /// The custom emoji of its profile (its `Emoji` tags).
    pub emojis: Vec<super::custom_emojis::RemoteEmoji>,
    /// Its keys besides `key_id` (stored in `remote_actor_keys`, not in `accounts`).
    pub further_keys: Vec<super::actor_keys::ActorKey>,
    /// The actor ids it says it also is (`alsoKnownAs`).
    pub also_known_as: Vec<String>,
    /// Where it says it moved (`movedTo`); linked to an account by
    /// `federation::resolve::link_moved_to`, not by [`upsert_remote`].
    pub moved_to: Option<String>,
}

/// Inserts or refreshes a remote account, keyed by its actor id. A username change
/// that collides with another account of the same domain keeps the old username.
pub async fn upsert_remote(
    db: impl PgExecutor<'_>,
    actor: &RemoteActor,
) -> sqlx::Result<AccountRow> {
    sqlx::query_as(&format!(
        "INSERT INTO accounts (ap_id, username, domain, actor_type, display_name, note, url, inbox_url, \
           shared_inbox_url, outbox_url, followers_url, following_url, featured_url, key_id, \
           public_key_pem, locked, bot, discoverable, fields, avatar_remote_url, header_remote_url, \
           last_fetched_at, indexable, also_known_as) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
           $20, $21, now(), $22, $23) \
         ON CONFLICT (ap_id) WHERE ap_id IS NOT NULL DO UPDATE SET \
           actor_type = EXCLUDED.actor_type, display_name = EXCLUDED.display_name, note = EXCLUDED.note, \
           url = EXCLUDED.url, inbox_url = EXCLUDED.inbox_url, shared_inbox_url = EXCLUDED.shared_inbox_url, \
           outbox_url = EXCLUDED.outbox_url, followers_url = EXCLUDED.followers_url, \
           following_url = EXCLUDED.following_url, featured_url = EXCLUDED.featured_url, \
           key_id = EXCLUDED.key_id, public_key_pem = EXCLUDED.public_key_pem, locked = EXCLUDED.locked, \
           bot = EXCLUDED.bot, discoverable = EXCLUDED.discoverable, fields = EXCLUDED.fields, \
           avatar_remote_url = EXCLUDED.avatar_remote_url, \
           header_remote_url = EXCLUDED.header_remote_url, \
           last_fetched_at = now(), updated_at = now(), indexable = EXCLUDED.indexable, \
           also_known_as = EXCLUDED.also_known_as \
         RETURNING {COLUMNS}"
    ))
    .bind(&actor.ap_id)
    .bind(&actor.username)
    .bind(&actor.domain)
    .bind(&actor.actor_type)
    .bind(&actor.display_name)
    .bind(&actor.note)
    .bind(&actor.url)
    .bind(&actor.inbox_url)
    .bind(&actor.shared_inbox_url)
    .bind(&actor.outbox_url)
    .bind(&actor.followers_url)
    .bind(&actor.following_url)
    .bind(&actor.featured_url)
    .bind(&actor.key_id)
    .bind(&actor.public_key_pem)
    .bind(actor.locked)
    .bind(actor.bot)
    .bind(actor.discoverable)
    .bind(sqlx::types::Json(&actor.fields))
    .bind(&actor.avatar_url)
    .bind(&actor.header_url)
    .bind(actor.indexable)
    .bind(&actor.also_known_as)
    .fetch_one(db)
    .await
}

/// Whether `error` is a new account's username colliding with another account of the
/// same domain (the `accounts_username_domain_key` index, case-insensitive).
pub fn is_username_conflict(error: &sqlx::Error) -> bool {
    super::violated_constraint(error) == Some("accounts_username_domain_key")
}

/// Which profile image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileImage {
    Avatar,
    Header,
}

impl ProfileImage {
    /// `avatar` or `header`: the form field, and the stem of stored file names.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileImage::Avatar => "avatar",
            ProfileImage::Header => "header",
        }
    }
}

/// Sets (or with `None` removes) a local account's avatar or header storage key and
/// returns the key it replaces, whose file the caller may delete.
pub async fn set_profile_image(
    db: impl PgExecutor<'_>,
    id: i64,
    which: ProfileImage,
    key: Option<&str>,
) -> sqlx::Result<Option<String>> {
    let column = match which {
        ProfileImage::Avatar => "avatar_key",
        ProfileImage::Header => "header_key",
    };
    sqlx::query_scalar(&format!(
        "UPDATE accounts AS new SET {column} = $2, updated_at = now() \
         FROM accounts AS old WHERE new.id = $1 AND old.id = new.id RETURNING old.{column}"
    ))
    .bind(id)
    .bind(key)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// Records that the key of a remote account was just refetched (rate-limits refetches).
pub async fn touch_key_refetch(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE accounts SET key_refetched_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
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

/// The remote domains this instance knows accounts of, lowercased and sorted, except
/// those a domain block covers (the block's domain or a subdomain of it), at most
/// `limit`.
pub async fn known_domains(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT d.domain FROM (SELECT DISTINCT lower(domain) AS domain FROM accounts \
           WHERE domain IS NOT NULL) d \
         WHERE NOT EXISTS (SELECT 1 FROM domain_blocks b WHERE d.domain = b.domain \
           OR right(d.domain, length(b.domain) + 1) = '.' || b.domain) \
         ORDER BY d.domain LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
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

/// Ids of local accounts without a key pair (created before federation existed).
pub async fn local_without_keys(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE domain IS NULL AND private_key_pem IS NULL")
        .fetch_all(db)
        .await
}

/// Stores a key pair for a local account that has none (never replaces a key).
pub async fn set_keys_if_missing(
    db: impl PgExecutor<'_>,
    id: i64,
    public_pem: &str,
    private_pem: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE accounts SET public_key_pem = $2, private_key_pem = $3 \
         WHERE id = $1 AND domain IS NULL AND private_key_pem IS NULL",
    )
    .bind(id)
    .bind(public_pem)
    .bind(private_pem)
    .execute(db)
    .await?;
    Ok(())
}

/// Loads accounts by id (any state), in any order.
/// The accounts with these ids, to be rendered only (statuses' authors and mentioned
/// accounts of a page): without the bio's source and the public key (see
/// [`DISPLAY_COLUMNS`]), so never use the rows for signatures or `/source`.
pub async fn find_many_for_display(
    db: impl PgExecutor<'_>,
    ids: &[i64],
) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {DISPLAY_COLUMNS} FROM accounts WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

/// An account as [`find_many_for_display`] reads it, with its row's version: `xmin`,
/// which every update of the row changes (see `api::entities::account_cache`).
#[derive(Debug, sqlx::FromRow)]
pub struct VersionedAccount {
    pub version: i64,
    #[sqlx(flatten)]
    pub account: AccountRow,
}

/// [`find_many_for_display`], each account with its row's version.
pub async fn find_many_for_display_versioned(
    db: impl PgExecutor<'_>,
    ids: &[i64],
) -> sqlx::Result<Vec<VersionedAccount>> {
    sqlx::query_as(&format!(
        "SELECT xmin::text::bigint AS version, {DISPLAY_COLUMNS} FROM accounts \
         WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

pub async fn find_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

/// The profile directory: discoverable, visible accounts that are neither suspended nor
/// silenced, local only when `local_only`; newest first when `newest`, else those
/// who posted last first (never-posted ones last).
pub async fn directory(
    db: impl PgExecutor<'_>,
    local_only: bool,
    newest: bool,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<AccountRow>> {
    let order = if newest {
        "created_at DESC, id DESC"
    } else {
        "last_status_at DESC NULLS LAST, id DESC"
    };
    sqlx::query_as(&format!(
        "SELECT {DISPLAY_COLUMNS} FROM accounts WHERE discoverable AND suspended_at IS NULL \
           AND silenced_at IS NULL AND {VISIBLE} AND (NOT $1 OR domain IS NULL) \
         ORDER BY {order} OFFSET $2 LIMIT $3"
    ))
    .bind(local_only)
    .bind(offset)
    .bind(limit)
    .fetch_all(db)
    .await
}
