//! The `bulk_imports` and `bulk_import_rows` tables: CSV imports and their rows, the
//! rows as a durable queue (claimed with `FOR UPDATE SKIP LOCKED`, leased, settled one
//! by one with the import's counters moved in the same statement batch), and
//! `import_resolve_domains`, the per-domain pace of WebFinger resolutions.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};

/// The NOTIFY channel a trigger announces new rows on.
pub const NOTIFY_CHANNEL: &str = "bulk_import_rows";

/// A `bulk_imports` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub overwrite: bool,
    pub total_items: i32,
    pub processed_items: i32,
    pub imported_items: i32,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const IMPORT_COLUMNS: &str = "id, account_id, kind, overwrite, total_items, processed_items, \
     imported_items, created_at, finished_at";

/// A claimed row with what its attempt needs from its import.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedRow {
    pub id: i64,
    pub import_id: i64,
    pub action: String,
    pub data: Json<Value>,
    pub target_account_id: Option<i64>,
    pub target_status_id: Option<i64>,
    pub attempts: i32,
    /// The importing account.
    pub account_id: i64,
    /// The import's kind (`following`, `blocking`, …).
    pub kind: String,
}

/// Creates an import of `kind` for `account_id` with no rows yet.
pub async fn insert(
    conn: &mut PgConnection,
    account_id: i64,
    kind: &str,
    overwrite: bool,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO bulk_imports (account_id, kind, overwrite) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(account_id)
    .bind(kind)
    .bind(overwrite)
    .fetch_one(conn)
    .await
}

/// Adds the file's rows (`add`), in their order; returns how many.
pub async fn add_rows(
    conn: &mut PgConnection,
    import_id: i64,
    rows: &[Value],
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO bulk_import_rows (import_id, action, data) \
         SELECT $1, 'add', r.item FROM jsonb_array_elements($2) WITH ORDINALITY AS r(item, n) \
         ORDER BY n",
    )
    .bind(import_id)
    .bind(Json(rows))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Adds a `remove` row for every account the importer follows, blocks or mutes (by
/// `relation`) whose address (`user@domain`, local accounts under `local_domain`) no
/// `add` row of the import names; returns how many.
pub async fn remove_accounts_not_listed(
    conn: &mut PgConnection,
    import_id: i64,
    account_id: i64,
    relation: AccountRelation,
    local_domain: &str,
) -> sqlx::Result<u64> {
    let table = relation.table();
    let done = sqlx::query(&format!(
        "INSERT INTO bulk_import_rows (import_id, action, data, target_account_id) \
         SELECT $1, 'remove', jsonb_build_object('acct', t.acct), t.id FROM ( \
           SELECT a.id, a.username || '@' || coalesce(a.domain, $3) AS acct FROM {table} x \
           JOIN accounts a ON a.id = x.target_account_id WHERE x.account_id = $2) t \
         WHERE NOT EXISTS (SELECT 1 FROM bulk_import_rows r WHERE r.import_id = $1 \
           AND r.action = 'add' AND lower(r.data->>'acct') = lower(t.acct))"
    ))
    .bind(import_id)
    .bind(account_id)
    .bind(local_domain)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The relations an overwriting import of accounts replaces.
#[derive(Clone, Copy, Debug)]
pub enum AccountRelation {
    Follows,
    Blocks,
    Mutes,
}

impl AccountRelation {
    fn table(self) -> &'static str {
        match self {
            AccountRelation::Follows => "follows",
            AccountRelation::Blocks => "blocks",
            AccountRelation::Mutes => "mutes",
        }
    }
}

/// Adds a `remove` row for every domain the importer blocks that no `add` row names.
pub async fn remove_domains_not_listed(
    conn: &mut PgConnection,
    import_id: i64,
    account_id: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO bulk_import_rows (import_id, action, data) \
         SELECT $1, 'remove', jsonb_build_object('domain', b.domain) FROM account_domain_blocks b \
         WHERE b.account_id = $2 AND NOT EXISTS (SELECT 1 FROM bulk_import_rows r \
           WHERE r.import_id = $1 AND r.action = 'add' AND r.data->>'domain' = b.domain)",
    )
    .bind(import_id)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Adds `remove` rows for bookmarked statuses (ids with their URIs).
pub async fn remove_statuses(
    conn: &mut PgConnection,
    import_id: i64,
    statuses: &[(i64, String)],
) -> sqlx::Result<u64> {
    let (ids, uris): (Vec<i64>, Vec<String>) = statuses.iter().cloned().unzip();
    let done = sqlx::query(
        "INSERT INTO bulk_import_rows (import_id, action, data, target_status_id) \
         SELECT $1, 'remove', jsonb_build_object('uri', uri), id FROM unnest($2::bigint[], $3::text[]) \
           AS s(id, uri)",
    )
    .bind(import_id)
    .bind(ids)
    .bind(uris)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Records how many rows the import has in all (an empty import is finished at once).
pub async fn set_total(conn: &mut PgConnection, import_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE bulk_imports SET total_items = (SELECT count(*) FROM bulk_import_rows \
           WHERE import_id = $1), \
         finished_at = CASE WHEN EXISTS (SELECT 1 FROM bulk_import_rows WHERE import_id = $1) \
           THEN NULL ELSE now() END WHERE id = $1",
    )
    .bind(import_id)
    .execute(conn)
    .await
    .map(drop)
}

/// Claims (and leases for `lease_secs`) up to `limit` due rows, oldest first.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedRow>> {
    sqlx::query_as(
        "WITH claimed AS (UPDATE bulk_import_rows r \
           SET locked_until = now() + make_interval(secs => $2) \
           WHERE r.id IN (SELECT id FROM bulk_import_rows WHERE state = 'pending' \
             AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now()) \
             ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) \
           RETURNING r.id, r.import_id, r.action, r.data, r.target_account_id, \
             r.target_status_id, r.attempts) \
         SELECT c.*, i.account_id, i.kind FROM claimed c JOIN bulk_imports i ON i.id = c.import_id",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Settles a claimed row (imported, or failed with `error`) and counts it on its
/// import, which is finished with its last row. Settling twice counts once.
pub async fn settle(conn: &mut PgConnection, row_id: i64, error: Option<&str>) -> sqlx::Result<()> {
    let import_id: Option<i64> = sqlx::query_scalar(
        "UPDATE bulk_import_rows SET state = CASE WHEN $2::text IS NULL THEN 'imported' \
           ELSE 'failed' END, error = $2, locked_until = NULL \
         WHERE id = $1 AND state = 'pending' RETURNING import_id",
    )
    .bind(row_id)
    .bind(error)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(import_id) = import_id else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE bulk_imports SET processed_items = processed_items + 1, \
           imported_items = imported_items + CASE WHEN $2 THEN 1 ELSE 0 END, \
           finished_at = CASE WHEN processed_items + 1 >= total_items THEN now() END \
         WHERE id = $1",
    )
    .bind(import_id)
    .bind(error.is_none())
    .execute(conn)
    .await
    .map(drop)
}

/// Puts a claimed row back for `at`, counting a failed attempt when `failed`.
pub async fn postpone(
    db: impl PgExecutor<'_>,
    row_id: i64,
    at: DateTime<Utc>,
    failed: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE bulk_import_rows SET next_attempt_at = $2, locked_until = NULL, \
           attempts = attempts + CASE WHEN $3 THEN 1 ELSE 0 END WHERE id = $1",
    )
    .bind(row_id)
    .bind(at)
    .bind(failed)
    .execute(db)
    .await
    .map(drop)
}

/// The account's latest imports, newest first.
pub async fn recent(
    db: impl PgExecutor<'_>,
    account_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<ImportRow>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM bulk_imports WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One import of the account, if it is theirs.
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    account_id: i64,
    import_id: i64,
) -> sqlx::Result<Option<ImportRow>> {
    sqlx::query_as(&format!(
        "SELECT {IMPORT_COLUMNS} FROM bulk_imports WHERE account_id = $1 AND id = $2"
    ))
    .bind(account_id)
    .bind(import_id)
    .fetch_optional(db)
    .await
}

/// The data of the import's failed `add` rows, in file order.
pub async fn failures(db: impl PgExecutor<'_>, import_id: i64) -> sqlx::Result<Vec<Json<Value>>> {
    sqlx::query_scalar(
        "SELECT data FROM bulk_import_rows WHERE import_id = $1 AND state = 'failed' \
           AND action = 'add' ORDER BY id",
    )
    .bind(import_id)
    .fetch_all(db)
    .await
}

/// Takes the next resolution slot of `domain` (one every `interval_ms`); `false` when
/// another resolution took it less than `interval_ms` ago.
pub async fn take_resolve_slot(
    db: impl PgExecutor<'_>,
    domain: &str,
    interval_ms: i64,
) -> sqlx::Result<bool> {
    let taken: Option<bool> = sqlx::query_scalar(
        "INSERT INTO import_resolve_domains (domain, next_allowed_at) \
         VALUES ($1, now() + make_interval(secs => $2)) \
         ON CONFLICT (domain) DO UPDATE SET next_allowed_at = now() + make_interval(secs => $2) \
         WHERE import_resolve_domains.next_allowed_at <= now() RETURNING true",
    )
    .bind(domain)
    .bind(interval_ms as f64 / 1000.0)
    .fetch_optional(db)
    .await?;
    Ok(taken.is_some())
}

/// When `domain`'s next resolution slot is free (now or past when unknown).
pub async fn resolve_slot_free_at(
    db: impl PgExecutor<'_>,
    domain: &str,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT next_allowed_at FROM import_resolve_domains WHERE domain = $1")
        .bind(domain)
        .fetch_optional(db)
        .await
}

/// For an overwriting lists import: deletes `owner`'s lists whose title is not in
/// `keep` and empties the others (Mastodon clears them rather than diffing members).
pub async fn replace_lists(
    db: impl PgExecutor<'_>,
    owner: i64,
    keep: &[String],
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH gone AS (DELETE FROM lists WHERE account_id = $1 AND NOT (title = ANY($2)) \
           RETURNING id) \
         DELETE FROM list_accounts WHERE list_id IN (SELECT id FROM lists \
           WHERE account_id = $1 AND title = ANY($2))",
    )
    .bind(owner)
    .bind(keep)
    .execute(db)
    .await
    .map(drop)
}
