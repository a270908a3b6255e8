//! OAuth 2 storage: client apps, authorization codes, access-token rows (one per JWT
//! `jti`) and rotating refresh tokens. Secrets are stored only as SHA-256 hashes.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Counts this process's writes that can change what a token check answers (a
/// revocation; a user's role, approval, confirmation or `disabled` flag; a
/// suspension; a deletion). `auth::token_cache` empties itself when it moves, so that
/// a request that follows such a write on the same process never meets an answer
/// kept from before it; other processes learn of it by `NOTIFY roost_auth` (triggers).
static AUTH_WRITES: AtomicU64 = AtomicU64::new(0);

/// How many auth-changing writes this process has made (see [`AUTH_WRITES`]).
pub fn auth_writes() -> u64 {
    AUTH_WRITES.load(Ordering::Acquire)
}

/// Records an auth-changing write (see [`AUTH_WRITES`]); called by the functions of
/// `db` that make one, right after their statement (and by tests that change auth
/// state by hand, where only the slightly later NOTIFY would tell the process).
pub fn wrote_auth_state() {
    AUTH_WRITES.fetch_add(1, Ordering::AcqRel);
}

/// An `oauth_apps` row (columns mirror the table; also read as JSON, by
/// [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct AppRow {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub client_id: String,
    pub client_secret_hash: String,
    pub created_at: DateTime<Utc>,
}

pub(super) const APP_COLUMNS: &str =
    "id, name, website, redirect_uris, scopes, client_id, client_secret_hash, created_at";

/// What `POST /api/v1/apps` stores.
#[derive(Debug)]
pub struct NewApp<'a> {
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub redirect_uris: &'a [String],
    pub scopes: &'a [String],
    pub client_id: &'a str,
    pub client_secret_hash: &'a str,
}

/// Registers a client application.
pub async fn insert_app(db: impl PgExecutor<'_>, app: &NewApp<'_>) -> sqlx::Result<AppRow> {
    sqlx::query_as(&format!(
        "INSERT INTO oauth_apps (name, website, redirect_uris, scopes, client_id, client_secret_hash) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {APP_COLUMNS}"
    ))
    .bind(app.name)
    .bind(app.website)
    .bind(app.redirect_uris)
    .bind(app.scopes)
    .bind(app.client_id)
    .bind(app.client_secret_hash)
    .fetch_one(db)
    .await
}

/// Finds an app by its public `client_id`.
pub async fn find_app_by_client_id(
    db: impl PgExecutor<'_>,
    client_id: &str,
) -> sqlx::Result<Option<AppRow>> {
    sqlx::query_as(&format!(
        "SELECT {APP_COLUMNS} FROM oauth_apps WHERE client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(db)
    .await
}

/// Finds an app by id.
pub async fn find_app(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AppRow>> {
    sqlx::query_as(&format!(
        "SELECT {APP_COLUMNS} FROM oauth_apps WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An authorization code as stored (the code itself only as a hash).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuthorizationCodeRow {
    pub app_id: i64,
    pub account_id: i64,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Stores a freshly issued authorization code.
pub async fn insert_authorization_code(
    db: impl PgExecutor<'_>,
    code_hash: &str,
    code: &AuthorizationCodeRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO oauth_authorization_codes \
           (code_hash, app_id, account_id, redirect_uri, scopes, code_challenge, family_id, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(code_hash)
    .bind(code.app_id)
    .bind(code.account_id)
    .bind(&code.redirect_uri)
    .bind(&code.scopes)
    .bind(&code.code_challenge)
    .bind(code.family_id)
    .bind(code.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// What presenting an authorization code found.
#[derive(Debug)]
pub enum CodeRedemption {
    /// First use of a live code: it is now spent.
    Redeemed(AuthorizationCodeRow),
    /// The code was already spent: an attacker or a replay. Its tokens should be revoked.
    AlreadyUsed { family_id: Uuid },
    /// Unknown or expired.
    Invalid,
}

/// What an authorization code exchange must match besides the code itself.
#[derive(Debug)]
pub struct CodeExchange<'a> {
    /// SHA-256 (hex) of the presented code.
    pub code_hash: &'a str,
    /// The authenticated client presenting it.
    pub app_id: i64,
    /// The `redirect_uri` of the token request.
    pub redirect_uri: &'a str,
    /// BASE64URL(SHA256(code_verifier)) when a verifier was sent: it must equal the
    /// stored PKCE challenge, and a code issued with a challenge needs one.
    pub verifier_challenge: Option<&'a str>,
}

/// Spends an authorization code atomically: exactly one concurrent caller redeems it,
/// and only when the client, the redirect URI and the PKCE verifier all match, checked
/// in the same statement, so a mismatched request spends nothing (RFC 6749 §4.1.3).
/// A spent code presented again by its own client is `AlreadyUsed`; presented by
/// another client it is `Invalid`, so no other app can revoke its owner's tokens.
pub async fn redeem_authorization_code(
    db: &mut sqlx::PgConnection,
    exchange: &CodeExchange<'_>,
) -> sqlx::Result<CodeRedemption> {
    let redeemed: Option<AuthorizationCodeRow> = sqlx::query_as(
        "UPDATE oauth_authorization_codes SET used_at = now() \
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() \
           AND app_id = $2 AND redirect_uri = $3 AND code_challenge IS NOT DISTINCT FROM $4 \
         RETURNING app_id, account_id, redirect_uri, scopes, code_challenge, family_id, expires_at",
    )
    .bind(exchange.code_hash)
    .bind(exchange.app_id)
    .bind(exchange.redirect_uri)
    .bind(exchange.verifier_challenge)
    .fetch_optional(&mut *db)
    .await?;
    if let Some(code) = redeemed {
        return Ok(CodeRedemption::Redeemed(code));
    }
    let spent: Option<Uuid> = sqlx::query_scalar(
        "SELECT family_id FROM oauth_authorization_codes \
         WHERE code_hash = $1 AND app_id = $2 AND used_at IS NOT NULL",
    )
    .bind(exchange.code_hash)
    .bind(exchange.app_id)
    .fetch_optional(&mut *db)
    .await?;
    Ok(match spent {
        Some(family_id) => CodeRedemption::AlreadyUsed { family_id },
        None => CodeRedemption::Invalid,
    })
}

/// One issued access token (the JWT's claims, as stored).
#[derive(Clone, Debug)]
pub struct NewAccessToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub app_id: i64,
    pub account_id: Option<i64>,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// Records an access token so it can be checked and revoked.
pub async fn insert_access_token(
    db: impl PgExecutor<'_>,
    token: &NewAccessToken,
) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar(
        "INSERT INTO oauth_access_tokens (id, family_id, app_id, account_id, scopes, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at",
    )
    .bind(token.id)
    .bind(token.family_id)
    .bind(token.app_id)
    .bind(token.account_id)
    .bind(&token.scopes)
    .bind(token.expires_at)
    .fetch_one(db)
    .await
}

/// A live access token together with the state of its user: what a token check
/// answers from (one indexed lookup; kept per process by `auth::token_cache` until an
/// auth change is announced, so revocation and suspension still act at once).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LiveToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub app_id: i64,
    pub account_id: Option<i64>,
    pub scopes: Vec<String>,
    pub role: Option<String>,
    pub approved: Option<bool>,
    /// Whether the user confirmed their e-mail address (see `services::email_confirmation`).
    pub confirmed: Option<bool>,
    pub disabled: Option<bool>,
    pub suspended: Option<bool>,
    /// When the token expires (a kept answer is not used past it).
    pub expires_at: DateTime<Utc>,
}

/// Loads an unrevoked, unexpired access token by its `jti`.
pub async fn find_live_access_token(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> sqlx::Result<Option<LiveToken>> {
    sqlx::query_as(
        "SELECT t.id, t.family_id, t.app_id, t.account_id, t.scopes, \
                u.role, u.approved, (u.confirmed_at IS NOT NULL) AS confirmed, u.disabled, \
                (a.suspended_at IS NOT NULL) AS suspended, t.expires_at \
         FROM oauth_access_tokens t \
         LEFT JOIN accounts a ON a.id = t.account_id \
         LEFT JOIN users u ON u.account_id = t.account_id \
         WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > now()",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// What a live access token was issued with, so that its JWT can be minted again
/// (Web Push payloads carry the subscription's token; Roost never stores tokens).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IssuedAccessToken {
    pub id: Uuid,
    pub account_id: Option<i64>,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Loads an unrevoked, unexpired access token with its app's client id.
pub async fn find_issued_access_token(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> sqlx::Result<Option<IssuedAccessToken>> {
    sqlx::query_as(
        "SELECT t.id, t.account_id, a.client_id, t.scopes, t.created_at, t.expires_at \
         FROM oauth_access_tokens t JOIN oauth_apps a ON a.id = t.app_id \
         WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > now()",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Finds the family of an access token issued to `app_id` (for revocation by the app).
pub async fn access_token_family(
    db: impl PgExecutor<'_>,
    id: Uuid,
    app_id: i64,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT family_id FROM oauth_access_tokens WHERE id = $1 AND app_id = $2")
        .bind(id)
        .bind(app_id)
        .fetch_optional(db)
        .await
}

/// Revokes every access and refresh token of a family (one grant and its refreshes).
pub async fn revoke_family(db: &mut sqlx::PgConnection, family_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE oauth_access_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "UPDATE oauth_refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .execute(&mut *db)
    .await?;
    wrote_auth_state();
    Ok(())
}

/// Revokes every token of an account (password reset, suspension).
pub async fn revoke_all_for_account(
    db: &mut sqlx::PgConnection,
    account_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE oauth_access_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "UPDATE oauth_refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .execute(&mut *db)
    .await?;
    wrote_auth_state();
    Ok(())
}

/// A refresh token as stored (the token itself only as a hash).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RefreshTokenRow {
    pub family_id: Uuid,
    pub app_id: i64,
    pub account_id: i64,
    pub scopes: Vec<String>,
}

/// Stores a new refresh token of a family.
pub async fn insert_refresh_token(
    db: impl PgExecutor<'_>,
    token_hash: &str,
    token: &RefreshTokenRow,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO oauth_refresh_tokens (token_hash, family_id, app_id, account_id, scopes, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(token.family_id)
    .bind(token.app_id)
    .bind(token.account_id)
    .bind(&token.scopes)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// What presenting a refresh token found.
#[derive(Debug)]
pub enum RefreshSpend {
    /// A live token of the presenting app, now spent; the caller issues its successor.
    Spent(RefreshTokenRow),
    /// A token of the presenting app that was already spent or revoked: reuse. The
    /// caller revokes the family.
    Reused { family_id: Uuid },
    /// Unknown, expired, or issued to another app.
    Invalid,
}

/// Spends a refresh token of `app_id` atomically: of two concurrent uses, one wins and
/// the other is treated as reuse. The app is checked in the same statement, so another
/// app presenting the token spends nothing and never counts as reuse.
pub async fn spend_refresh_token(
    db: &mut sqlx::PgConnection,
    token_hash: &str,
    app_id: i64,
) -> sqlx::Result<RefreshSpend> {
    let spent: Option<RefreshTokenRow> = sqlx::query_as(
        "UPDATE oauth_refresh_tokens SET used_at = now() \
         WHERE token_hash = $1 AND app_id = $2 \
           AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() \
         RETURNING family_id, app_id, account_id, scopes",
    )
    .bind(token_hash)
    .bind(app_id)
    .fetch_optional(&mut *db)
    .await?;
    if let Some(row) = spent {
        return Ok(RefreshSpend::Spent(row));
    }
    let reused: Option<Uuid> = sqlx::query_scalar(
        "SELECT family_id FROM oauth_refresh_tokens \
         WHERE token_hash = $1 AND app_id = $2 AND (used_at IS NOT NULL OR revoked_at IS NOT NULL)",
    )
    .bind(token_hash)
    .bind(app_id)
    .fetch_optional(&mut *db)
    .await?;
    Ok(match reused {
        Some(family_id) => RefreshSpend::Reused { family_id },
        None => RefreshSpend::Invalid,
    })
}

/// Finds the family of a refresh token issued to `app_id` (for `POST /oauth/revoke`).
pub async fn refresh_token_family(
    db: impl PgExecutor<'_>,
    token_hash: &str,
    app_id: i64,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT family_id FROM oauth_refresh_tokens WHERE token_hash = $1 AND app_id = $2",
    )
    .bind(token_hash)
    .bind(app_id)
    .fetch_optional(db)
    .await
}

/// An app that can act for an account (it holds a live access or refresh token).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuthorizedApp {
    pub app_id: i64,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub authorized_at: DateTime<Utc>,
}

/// The apps that can act for `account_id`, most recently authorized first (at most 100).
pub async fn authorized_apps(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Vec<AuthorizedApp>> {
    sqlx::query_as(
        "SELECT a.id AS app_id, a.name, a.website, \
                array_agg(DISTINCT live.scope ORDER BY live.scope) AS scopes, \
                min(live.created_at) AS authorized_at \
         FROM (SELECT app_id, unnest(scopes) AS scope, created_at FROM oauth_access_tokens \
                WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > now() \
               UNION ALL \
               SELECT app_id, unnest(scopes), created_at FROM oauth_refresh_tokens \
                WHERE account_id = $1 AND revoked_at IS NULL AND used_at IS NULL \
                  AND expires_at > now()) live \
         JOIN oauth_apps a ON a.id = live.app_id \
         GROUP BY a.id, a.name, a.website ORDER BY authorized_at DESC LIMIT 100",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Revokes every token `app_id` holds for `account_id`. Returns false when it held none.
pub async fn revoke_app_for_account(
    db: &mut sqlx::PgConnection,
    account_id: i64,
    app_id: i64,
) -> sqlx::Result<bool> {
    let access = sqlx::query(
        "UPDATE oauth_access_tokens SET revoked_at = now() \
         WHERE account_id = $1 AND app_id = $2 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .bind(app_id)
    .execute(&mut *db)
    .await?;
    let refresh = sqlx::query(
        "UPDATE oauth_refresh_tokens SET revoked_at = now() \
         WHERE account_id = $1 AND app_id = $2 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .bind(app_id)
    .execute(&mut *db)
    .await?;
    wrote_auth_state();
    Ok(access.rows_affected() + refresh.rows_affected() > 0)
}
