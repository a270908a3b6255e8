//! Instance-level domain blocks and allows (Mastodon's DomainBlock and DomainAllow),
//! and the federation policy they add up to for one host. A block of `example.com`
//! also covers its subdomains (`media.example.com`), as in Mastodon.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::BindPage;

/// SQL: the row `b` covers one of the lower-case names in `$1` (the domain itself or
/// a subdomain of it).
const COVERS_ANY: &str =
    "EXISTS (SELECT 1 FROM unnest($1::text[]) n WHERE n = b.domain OR n LIKE '%.' || b.domain)";

/// A `domain_blocks` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainBlockRow {
    pub id: i64,
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, domain, severity, reject_media, reject_reports, private_comment, \
    public_comment, obfuscate, created_at";

/// The settings of a block, as an admin gives them.
#[derive(Clone, Debug)]
pub struct BlockSettings {
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
}

/// Creates a block; `None` when the domain is already blocked.
pub async fn create(
    conn: &mut PgConnection,
    domain: &str,
    settings: &BlockSettings,
) -> sqlx::Result<Option<DomainBlockRow>> {
    let row: Option<DomainBlockRow> = sqlx::query_as(&format!(
        "INSERT INTO domain_blocks (domain, severity, reject_media, reject_reports, \
           private_comment, public_comment, obfuscate) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (domain) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(domain)
    .bind(&settings.severity)
    .bind(settings.reject_media)
    .bind(settings.reject_reports)
    .bind(&settings.private_comment)
    .bind(&settings.public_comment)
    .bind(settings.obfuscate)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(block) = &row {
        apply_severity(conn, &block.domain, &block.severity).await?;
    }
    Ok(row)
}

/// Changes a block's settings (the domain stays); `None` when there is no such block.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    settings: &BlockSettings,
) -> sqlx::Result<Option<DomainBlockRow>> {
    let row: Option<DomainBlockRow> = sqlx::query_as(&format!(
        "UPDATE domain_blocks SET severity = $2, reject_media = $3, reject_reports = $4, \
           private_comment = $5, public_comment = $6, obfuscate = $7, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&settings.severity)
    .bind(settings.reject_media)
    .bind(settings.reject_reports)
    .bind(&settings.private_comment)
    .bind(&settings.public_comment)
    .bind(settings.obfuscate)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(block) = &row {
        lift_severity(conn, &block.domain).await?;
        apply_severity(conn, &block.domain, &block.severity).await?;
    }
    Ok(row)
}

/// Removes a block and lifts what it imposed on the domain's accounts; false when
/// there was none.
pub async fn delete(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    let domain: Option<String> =
        sqlx::query_scalar("DELETE FROM domain_blocks WHERE id = $1 RETURNING domain")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match domain {
        Some(domain) => {
            lift_severity(conn, &domain).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Suspends or silences every known account of the domain (and its subdomains); a
/// suspension also ends every follow between them and local accounts.
async fn apply_severity(conn: &mut PgConnection, domain: &str, severity: &str) -> sqlx::Result<()> {
    let column = match severity {
        "suspend" => "suspended_at",
        "silence" => "silenced_at",
        _ => return Ok(()),
    };
    sqlx::query(&format!(
        "UPDATE accounts SET {column} = coalesce({column}, now()) \
         WHERE domain = $1 OR domain LIKE '%.' || $1"
    ))
    .bind(domain)
    .execute(&mut *conn)
    .await?;
    if severity == "suspend" {
        sqlx::query(
            "DELETE FROM follows f USING accounts a \
             WHERE (a.id = f.account_id OR a.id = f.target_account_id) \
               AND (a.domain = $1 OR a.domain LIKE '%.' || $1)",
        )
        .bind(domain)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Lifts the suspension and silence of the domain's accounts.
async fn lift_severity(conn: &mut PgConnection, domain: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE accounts SET suspended_at = NULL, silenced_at = NULL \
         WHERE domain = $1 OR domain LIKE '%.' || $1",
    )
    .bind(domain)
    .execute(conn)
    .await?;
    Ok(())
}

/// One block by id.
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<DomainBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM domain_blocks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The block of exactly this domain.
pub async fn find_by_domain(
    db: impl PgExecutor<'_>,
    domain: &str,
) -> sqlx::Result<Option<DomainBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM domain_blocks WHERE domain = $1"
    ))
    .bind(domain)
    .fetch_optional(db)
    .await
}

/// A page of blocks, newest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    bounds: &super::Page,
) -> sqlx::Result<Vec<DomainBlockRow>> {
    paged(db, &format!("SELECT {COLUMNS} FROM domain_blocks"), bounds).await
}

/// Every block covering any of `names` (a host, or `host:port`): each name's own block
/// and its parent domains'. One query, however many names.
pub async fn all_covering(
    db: impl PgExecutor<'_>,
    names: &[String],
) -> sqlx::Result<Vec<DomainBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM domain_blocks b WHERE {COVERS_ANY}"
    ))
    .bind(names)
    .fetch_all(db)
    .await
}

/// Whether any of `names` (or a parent domain of one) is on the allowlist.
pub async fn is_allowed(db: impl PgExecutor<'_>, names: &[String]) -> sqlx::Result<bool> {
    sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM domain_allows b WHERE {COVERS_ANY})"
    ))
    .bind(names)
    .fetch_one(db)
    .await
}

/// A `domain_allows` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainAllowRow {
    pub id: i64,
    pub domain: String,
    pub created_at: DateTime<Utc>,
}

/// Allows a domain; returns the (new or existing) row.
pub async fn allow(db: impl PgExecutor<'_>, domain: &str) -> sqlx::Result<DomainAllowRow> {
    sqlx::query_as(
        "INSERT INTO domain_allows (domain) VALUES ($1) \
         ON CONFLICT (domain) DO UPDATE SET domain = EXCLUDED.domain \
         RETURNING id, domain, created_at",
    )
    .bind(domain)
    .fetch_one(db)
    .await
}

/// One allow by id.
pub async fn find_allow(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<DomainAllowRow>> {
    sqlx::query_as("SELECT id, domain, created_at FROM domain_allows WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Removes an allow; false when there was none.
pub async fn disallow(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM domain_allows WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A page of allows, newest first.
pub async fn allows_page(
    db: impl PgExecutor<'_>,
    bounds: &super::Page,
) -> sqlx::Result<Vec<DomainAllowRow>> {
    paged(
        db,
        "SELECT id, domain, created_at FROM domain_allows",
        bounds,
    )
    .await
}

/// Runs `select` (one table, without WHERE) with Mastodon's id paging, newest first;
/// the admin lists of blocks share it.
pub async fn paged<T>(
    db: impl PgExecutor<'_>,
    select: &str,
    bounds: &super::Page,
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let cut = bounds.cut("id", 1);
    let rows: Vec<T> = sqlx::query_as(&format!("{select} WHERE {cut}"))
        .bind_page(bounds)
        .fetch_all(db)
        .await?;
    Ok(bounds.newest_first(rows))
}

/// The blocks users are told about (Mastodon's `with_user_facing_limitations`: silence
/// and suspend, not noop), suspensions first, then by domain; at most `limit`.
pub async fn user_facing(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<DomainBlockRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM domain_blocks WHERE severity IN ('silence', 'suspend') \
         ORDER BY severity = 'suspend' DESC, domain LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}
