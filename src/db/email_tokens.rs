//! One-time links sent by mail (`email_tokens`: e-mail confirmation and password
//! reset) and the columns of `users` they act on (`confirmed_at`, `email`,
//! `created_by_app_id`). Tokens are stored as SHA-256 hashes only.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms the address it was sent to.
    Confirmation,
    /// Lets its holder choose a new password.
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Confirmation => "confirmation",
            Purpose::PasswordReset => "password_reset",
        }
    }
}

/// Stores a new token (by its hash) for `user_id`.
pub async fn insert(
    db: impl PgExecutor<'_>,
    token_hash: &str,
    user_id: i64,
    purpose: Purpose,
    email: &str,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(email)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// What presenting a token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spend {
    /// A live token, now spent: its user and the address it was sent to.
    Spent { user_id: i64, email: String },
    /// A token spent before (or replaced by a newer one).
    Used,
    /// A token past its expiry.
    Expired,
    /// No such token for this purpose.
    Unknown,
}

/// Spends a token atomically: of two concurrent uses, one wins and the other finds it
/// used.
pub async fn spend(
    conn: &mut PgConnection,
    token_hash: &str,
    purpose: Purpose,
) -> sqlx::Result<Spend> {
    let spent: Option<(i64, String)> = sqlx::query_as(
        "UPDATE email_tokens SET used_at = now() \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() \
         RETURNING user_id, email",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((user_id, email)) = spent {
        return Ok(Spend::Spent { user_id, email });
    }
    let found: Option<(bool,)> = sqlx::query_as(
        "SELECT used_at IS NOT NULL FROM email_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match found {
        Some((true,)) => Spend::Used,
        Some((false,)) => Spend::Expired,
        None => Spend::Unknown,
    })
}

/// Spends every live token of the user for `purpose` (a newer one replaces them, or
/// the thing they were for is done).
pub async fn spend_all(
    db: impl PgExecutor<'_>,
    user_id: i64,
    purpose: Purpose,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE email_tokens SET used_at = now() \
         WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(db)
    .await?;
    Ok(())
}

/// Tokens issued to the user for `purpose` since `since` (for rate limits).
pub async fn issued_since(
    db: impl PgExecutor<'_>,
    user_id: i64,
    purpose: Purpose,
    since: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM email_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(since)
    .fetch_one(db)
    .await
}

/// A local user as the mail flows see them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MailUser {
    pub user_id: i64,
    pub account_id: i64,
    pub username: String,
    pub email: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub approved: bool,
    pub sign_up_reason: Option<String>,
    /// The app that registered the user through the API, if any.
    pub created_by_app_id: Option<i64>,
    /// A new address that awaits confirmation (the user keeps `email` until then).
    pub unconfirmed_email: Option<String>,
}

const MAIL_USER: &str =
    "SELECT u.id AS user_id, u.account_id, a.username, u.email, u.confirmed_at, \
       u.approved, u.sign_up_reason, u.created_by_app_id, u.unconfirmed_email \
     FROM users u JOIN accounts a ON a.id = u.account_id";

/// The user with this id.
pub async fn find_user(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Option<MailUser>> {
    sqlx::query_as(&format!("{MAIL_USER} WHERE u.id = $1"))
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The user of a local account.
pub async fn find_by_account(
    db: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<MailUser>> {
    sqlx::query_as(&format!("{MAIL_USER} WHERE u.account_id = $1"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// The user whose address is `email` (any case), unless disabled or suspended.
pub async fn find_usable_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<MailUser>> {
    sqlx::query_as(&format!(
        "{MAIL_USER} WHERE lower(u.email) = lower($1) AND NOT u.disabled AND a.suspended_at IS NULL"
    ))
    .bind(email)
    .fetch_optional(db)
    .await
}

/// Marks a new user unconfirmed and records the app that registered them (sign-up
/// with mail on: the user must confirm their address).
pub async fn await_confirmation(
    db: impl PgExecutor<'_>,
    user_id: i64,
    app_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET confirmed_at = NULL, created_by_app_id = $2 WHERE id = $1")
        .bind(user_id)
        .bind(app_id)
        .execute(db)
        .await?;
    super::oauth::wrote_auth_state();
    Ok(())
}

/// Records the app that registered a user (who is confirmed already).
pub async fn set_created_by_app(
    db: impl PgExecutor<'_>,
    user_id: i64,
    app_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET created_by_app_id = $2 WHERE id = $1")
        .bind(user_id)
        .bind(app_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Confirms the user's address when it is still `email` (the token's address);
/// returns false when the address changed since, or it was confirmed already.
pub async fn confirm(db: impl PgExecutor<'_>, user_id: i64, email: &str) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE users SET confirmed_at = now() \
         WHERE id = $1 AND lower(email) = lower($2) AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(email)
    .execute(db)
    .await?;
    super::oauth::wrote_auth_state();
    Ok(result.rows_affected() == 1)
}

/// Replaces the address of a user who has not confirmed one yet. Errors with the
/// `users_email_key` violation when another user has it.
pub async fn change_unconfirmed_email(
    db: impl PgExecutor<'_>,
    user_id: i64,
    email: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE users SET email = $2 WHERE id = $1 AND confirmed_at IS NULL")
        .bind(user_id)
        .bind(email)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Whether another user than `user_id` has `email` (any case) as their address.
pub async fn email_taken(db: impl PgExecutor<'_>, email: &str, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2)",
    )
    .bind(email)
    .bind(user_id)
    .fetch_one(db)
    .await
}

/// Sets (or with `None` clears) the address a confirmed user is changing to.
pub async fn set_unconfirmed_email(
    db: impl PgExecutor<'_>,
    user_id: i64,
    email: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET unconfirmed_email = $2 WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .execute(db)
        .await?;
    Ok(())
}

/// Makes the pending new address the user's own when it is still `email` (the
/// token's address): confirmed, as its link was followed. False when the user changed
/// their mind since. Errors with the `users_email_key` violation when another user
/// took the address meanwhile.
pub async fn adopt_unconfirmed_email(
    db: impl PgExecutor<'_>,
    user_id: i64,
    email: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE users SET email = unconfirmed_email, unconfirmed_email = NULL, confirmed_at = now() \
         WHERE id = $1 AND lower(unconfirmed_email) = lower($2)",
    )
    .bind(user_id)
    .bind(email)
    .execute(db)
    .await?;
    super::oauth::wrote_auth_state();
    Ok(result.rows_affected() == 1)
}

/// Replaces the user's address at once (no mail to confirm it with: SMTP is off).
/// Errors with the `users_email_key` violation when another user has it.
pub async fn replace_email(db: impl PgExecutor<'_>, user_id: i64, email: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET email = $2, unconfirmed_email = NULL WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .execute(db)
        .await?;
    Ok(())
}
