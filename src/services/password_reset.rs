//! Password reset by mail: a user who forgot their password asks for a link
//! (`https://DOMAIN/auth/password/edit?reset_password_token=TOKEN`) and chooses a new
//! password with it. The token is random, stored as a SHA-256 hash, works once and for
//! one hour. Choosing the password revokes every access and refresh token of the user.
//!
//! Mastodon has no REST API for this (its web pages do it); the pages are
//! `web::email_links`. Not here: web sessions, which the caller revokes with the user
//! id [`reset`] returns.

use chrono::{Duration, Utc};

use crate::auth::password::HashError;
use crate::auth::secrets::{random_token, sha256_hex};
use crate::db::email_tokens::{self, Purpose, Spend};
use crate::db::{oauth, users};
use crate::domain::{Invalid, Password};
use crate::mail::{outbox, texts};
use crate::state::AppState;

/// How long a reset link works.
pub const TOKEN_LIFETIME: Duration = Duration::hours(1);
/// Most reset links mailed to one address in an hour; further requests are answered
/// the same and mail nothing.
const MAX_LINKS_PER_HOUR: i64 = 3;

/// Mails a reset link to the user whose address is `email`, if there is one who may
/// sign in, and at most three an hour. Answers the same whether or not the address
/// is known, so it tells nobody who has an account. Nothing is mailed with SMTP off.
pub async fn request(state: &AppState, email: &str) -> anyhow::Result<()> {
    if !state.config.smtp.enabled() {
        return Ok(());
    }
    let email = email.trim();
    if email.is_empty() || email.len() > crate::domain::Email::MAX_LEN {
        return Ok(());
    }
    let Some(user) = email_tokens::find_usable_by_email(&state.db, email).await? else {
        return Ok(());
    };
    let since = Utc::now() - Duration::hours(1);
    let recent =
        email_tokens::issued_since(&state.db, user.user_id, Purpose::PasswordReset, since).await?;
    if recent >= MAX_LINKS_PER_HOUR {
        tracing::info!(
            user_id = user.user_id,
            "password reset mail not sent: rate limited"
        );
        return Ok(());
    }
    let token = random_token(32);
    let link = format!(
        "{}/auth/password/edit?reset_password_token={token}",
        state.config.base_url()
    );
    let instance = texts::Instance::from_config(&state.config);
    let mail = texts::password_reset(&instance, &user.email, &user.username, &link);
    let mut transaction = state.db.begin().await?;
    let expires_at = Utc::now() + TOKEN_LIFETIME;
    email_tokens::insert(
        &mut *transaction,
        &sha256_hex(&token),
        user.user_id,
        Purpose::PasswordReset,
        &user.email,
        expires_at,
    )
    .await?;
    outbox::queue(&mut transaction, &state.config, &[mail]).await?;
    transaction.commit().await?;
    Ok(())
}

/// Why a reset was refused.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// No such link.
    #[error("This password reset link is not valid")]
    Unknown,
    /// The link is older than an hour.
    #[error("This password reset link has expired")]
    Expired,
    /// The link was used already.
    #[error("This password reset link was already used")]
    Used,
    /// The new password breaks the rules (the link stays usable).
    #[error("{0}")]
    InvalidPassword(Invalid),
    /// Every password hasher is busy: try again (the link stays usable).
    #[error(transparent)]
    Busy(#[from] crate::auth::password::Busy),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ResetError {
    fn from(error: sqlx::Error) -> Self {
        ResetError::Internal(error.into())
    }
}

/// Whose password a reset changed, so the caller can end their web sessions too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordChanged {
    pub user_id: i64,
    pub account_id: i64,
}

/// Sets the password of the link's user to `new_password` (argon2id, on the password
/// pool), spends the link and every other reset link of the user, and revokes all of
/// the user's access and refresh tokens, in one transaction. The password is checked
/// and hashed before the link is spent, so a refused password leaves it usable.
pub async fn reset(
    state: &AppState,
    token: &str,
    new_password: &str,
) -> Result<PasswordChanged, ResetError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(ResetError::Unknown);
    }
    let password = Password::parse(new_password).map_err(ResetError::InvalidPassword)?;
    let hash = state
        .passwords
        .hash(password.expose())
        .await
        .map_err(|error| match error {
            HashError::Busy(busy) => ResetError::Busy(busy),
            HashError::Internal(error) => ResetError::Internal(error),
        })?;
    let mut transaction = state.db.begin().await?;
    let user_id =
        match email_tokens::spend(&mut transaction, &sha256_hex(token), Purpose::PasswordReset)
            .await?
        {
            Spend::Spent { user_id, .. } => user_id,
            Spend::Used => return Err(ResetError::Used),
            Spend::Expired => return Err(ResetError::Expired),
            Spend::Unknown => return Err(ResetError::Unknown),
        };
    let user = email_tokens::find_user(&mut *transaction, user_id)
        .await?
        .ok_or(ResetError::Unknown)?;
    users::set_password_hash(&mut *transaction, user_id, &hash).await?;
    email_tokens::spend_all(&mut *transaction, user_id, Purpose::PasswordReset).await?;
    oauth::revoke_all_for_account(&mut transaction, user.account_id).await?;
    transaction.commit().await?;
    Ok(PasswordChanged {
        user_id,
        account_id: user.account_id,
    })
}
