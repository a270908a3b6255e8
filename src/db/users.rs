//! The `users` table: credentials and settings of local accounts.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::accounts::{self, AccountRow};
use crate::domain::Role;

/// A `users` row (columns mirror the table).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub approved: bool,
    pub disabled: bool,
    pub locale: String,
    pub default_privacy: crate::domain::Visibility,
    pub default_sensitive: bool,
    pub default_language: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// When the user confirmed their e-mail address; `None` while it awaits
    /// confirmation (see `services::email_confirmation`).
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl UserRow {
    /// The user's role, parsed.
    pub fn role(&self) -> Role {
        Role::from_db(&self.role)
    }
}

/// What posting needs to know of its local author before writing, read in one
/// statement: whether the account moved away, its user's defaults (visibility,
/// language) and its default reply and quote policies (stored names, if set).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostingSettings {
    pub moved_to_account_id: Option<i64>,
    /// `None` for an account without a user (posting then defaults to public).
    pub default_privacy: Option<crate::domain::Visibility>,
    pub default_language: Option<String>,
    pub reply_policy: Option<String>,
    pub quote_policy: Option<String>,
}

/// [`PostingSettings`] of local account `account_id`; `None` when it does not exist.
pub async fn posting_settings(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<PostingSettings>> {
    sqlx::query_as(
        "SELECT a.moved_to_account_id, u.default_privacy, u.default_language, \
                (SELECT policy FROM reply_policy_defaults r WHERE r.account_id = a.id) AS reply_policy, \
                (SELECT policy FROM quote_policy_defaults q WHERE q.account_id = a.id) AS quote_policy \
         FROM accounts a LEFT JOIN users u ON u.account_id = a.id WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await
}

pub(crate) const COLUMNS: &str =
    "id, account_id, email, password_hash, role, approved, disabled, locale, \
    default_privacy, default_sensitive, default_language, created_at, last_sign_in_at, confirmed_at";

/// What sign-up (API or `roost admin create-user`) needs to create a local user.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub approved: bool,
    pub locale: &'a str,
    pub sign_up_reason: Option<&'a str>,
    pub sign_up_ip: Option<&'a str>,
    /// The actor's RSA key pair (PEM), generated at sign-up.
    pub public_key_pem: &'a str,
    pub private_key_pem: &'a str,
}

/// Why a local user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// Another account (any case) already has this username.
    #[error("Username has already been taken")]
    UsernameTaken,
    /// Another user (any case) already has this e-mail address.
    #[error("Email has already been taken")]
    EmailTaken,
    /// Anything else.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates the account and its user row. Run it inside a transaction so both rows
/// land together; unique-key races come back as `UsernameTaken` / `EmailTaken`.
pub async fn create(
    conn: &mut PgConnection,
    new: &NewUser<'_>,
) -> Result<(AccountRow, UserRow), CreateUserError> {
    let account = accounts::insert_local(
        &mut *conn,
        new.username,
        new.public_key_pem,
        new.private_key_pem,
    )
    .await
    .map_err(classify)?;
    let user = sqlx::query_as(&format!(
        "INSERT INTO users (account_id, email, password_hash, role, approved, locale, \
                            sign_up_reason, sign_up_ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(account.id)
    .bind(new.email)
    .bind(new.password_hash)
    .bind(new.role.as_str())
    .bind(new.approved)
    .bind(new.locale)
    .bind(new.sign_up_reason)
    .bind(new.sign_up_ip)
    .fetch_one(&mut *conn)
    .await
    .map_err(classify)?;
    Ok((account, user))
}

fn classify(error: sqlx::Error) -> CreateUserError {
    match super::violated_constraint(&error) {
        Some("accounts_username_domain_key") => CreateUserError::UsernameTaken,
        Some("users_email_key") => CreateUserError::EmailTaken,
        _ => CreateUserError::Database(error),
    }
}

/// Finds a user by e-mail address or by local username, both case-insensitive.
pub async fn find_by_login(db: impl PgExecutor<'_>, login: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!(
        "SELECT u.{cols} FROM users u JOIN accounts a ON a.id = u.account_id \
         WHERE lower(u.email) = lower($1) \
            OR (a.domain IS NULL AND lower(a.username) = lower($1)) \
         ORDER BY lower(u.email) = lower($1) DESC LIMIT 1",
        cols = COLUMNS.replace(", ", ", u.")
    ))
    .bind(login)
    .fetch_optional(db)
    .await
}

/// Finds the user of a local account.
pub async fn find_by_account_id(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE account_id = $1"
    ))
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Records a successful sign-in.
pub async fn touch_sign_in(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_sign_in_at = now() WHERE id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Changes a user's role; returns false when no such user exists.
pub async fn set_role(db: impl PgExecutor<'_>, user_id: i64, role: Role) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
        .bind(user_id)
        .bind(role.as_str())
        .execute(db)
        .await?;
    super::oauth::wrote_auth_state();
    Ok(result.rows_affected() == 1)
}

/// Approves a user held for approval; returns false when no such user exists.
pub async fn set_approved(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE users SET approved = true WHERE id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    super::oauth::wrote_auth_state();
    Ok(result.rows_affected() == 1)
}

/// Replaces a user's password hash; returns false when no such user exists.
pub async fn set_password_hash(
    db: impl PgExecutor<'_>,
    user_id: i64,
    password_hash: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(password_hash)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Changes the posting defaults of a local account's user (`None` keeps a value; a
/// `language` of `""` clears it) and returns the user as it now is; `None` when the
/// account has no user.
pub async fn update_defaults(
    db: impl PgExecutor<'_>,
    account_id: i64,
    privacy: Option<crate::domain::Visibility>,
    sensitive: Option<bool>,
    language: Option<&str>,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!(
        "UPDATE users SET default_privacy = coalesce($2, default_privacy), \
           default_sensitive = coalesce($3, default_sensitive), \
           default_language = CASE WHEN $4::text IS NULL THEN default_language ELSE nullif($4, '') END \
         WHERE account_id = $1 RETURNING {COLUMNS}"
    ))
    .bind(account_id)
    .bind(privacy)
    .bind(sensitive)
    .bind(language)
    .fetch_optional(db)
    .await
}
