//! E-mail confirmation: with SMTP on, a user who signs up through the API must prove
//! their address before their token is accepted (403 "Your login is missing a
//! confirmed e-mail address", see `auth::extractor`). This module mails the link,
//! confirms it, and resends it (Mastodon's `POST /api/v1/emails/confirmations`).
//!
//! A link is `https://DOMAIN/auth/confirmation?confirmation_token=TOKEN`; the token is
//! random, stored as a SHA-256 hash, works once and for two days, and a newer link
//! replaces the older ones. Confirming a user who awaits approval tells staff by mail,
//! as Mastodon does: only then is the sign-up worth a moderator's time.
//!
//! A confirmed user may change their address ([`request_change`], the web settings):
//! the new one waits in `unconfirmed_email` until its link is followed, the old one
//! keeps working and is told of the change.
//!
//! With SMTP off nobody is ever unconfirmed (sign-ups are confirmed at once) and
//! nothing is mailed. Spec: <https://docs.joinmastodon.org/methods/emails/>.

use chrono::{Duration, Utc};
use sqlx::PgConnection;

use crate::auth::secrets::{random_token, sha256_hex};
use crate::config::Config;
use crate::db::accounts::{self, AccountRow};
use crate::db::email_tokens::{self, MailUser, Purpose, Spend};
use crate::domain::Email;
use crate::error::{ApiError, ApiResult};
use crate::mail::{outbox, texts};
use crate::state::AppState;

/// How long a confirmation link works.
pub const TOKEN_LIFETIME: Duration = Duration::days(2);
/// Most confirmation mails one user can ask for in an hour.
const MAX_RESENDS_PER_HOUR: i64 = 5;

/// Why a confirmation link was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// No such link (mistyped, or never sent).
    #[error("This confirmation link is not valid")]
    Unknown,
    /// The link is older than two days.
    #[error("This confirmation link has expired")]
    Expired,
    /// The link was used already, or a newer one replaced it.
    #[error("This confirmation link was already used")]
    Used,
    /// The new address it confirms became another account's meanwhile.
    #[error("This e-mail address is now used by another account")]
    Taken,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ConfirmError {
    fn from(error: sqlx::Error) -> Self {
        ConfirmError::Internal(error.into())
    }
}

/// Issues a new confirmation link for `user` (spending older ones) and queues the
/// mail, in the caller's transaction. Nothing happens with SMTP off.
pub async fn send_instructions(
    conn: &mut PgConnection,
    config: &Config,
    user: &MailUser,
) -> sqlx::Result<()> {
    if !config.smtp.enabled() {
        return Ok(());
    }
    let link = issue_link(&mut *conn, config, user.user_id, &user.email).await?;
    let instance = texts::Instance::from_config(config);
    let mail = texts::confirmation(&instance, &user.email, &user.username, &link);
    outbox::queue(conn, config, &[mail]).await
}

/// Stores a new confirmation token proving `address` for the user (spending their
/// older ones: only the newest link works) and returns the link that carries it.
async fn issue_link(
    conn: &mut PgConnection,
    config: &Config,
    user_id: i64,
    address: &str,
) -> sqlx::Result<String> {
    email_tokens::spend_all(&mut *conn, user_id, Purpose::Confirmation).await?;
    let token = random_token(32);
    let expires_at = Utc::now() + TOKEN_LIFETIME;
    email_tokens::insert(
        &mut *conn,
        &sha256_hex(&token),
        user_id,
        Purpose::Confirmation,
        address,
        expires_at,
    )
    .await?;
    Ok(format!(
        "{}/auth/confirmation?confirmation_token={token}",
        config.base_url()
    ))
}

/// Confirms the address the link `token` was sent to and returns the user's account.
/// When the user awaits approval, staff are mailed in the same transaction. A link
/// whose address is no longer the user's confirms nothing but is spent all the same.
pub async fn confirm(state: &AppState, token: &str) -> Result<AccountRow, ConfirmError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(ConfirmError::Unknown);
    }
    let mut transaction = state.db.begin().await?;
    let (user_id, email) =
        match email_tokens::spend(&mut transaction, &sha256_hex(token), Purpose::Confirmation)
            .await?
        {
            Spend::Spent { user_id, email } => (user_id, email),
            Spend::Used => return Err(ConfirmError::Used),
            Spend::Expired => return Err(ConfirmError::Expired),
            Spend::Unknown => return Err(ConfirmError::Unknown),
        };
    let user = email_tokens::find_user(&mut *transaction, user_id)
        .await?
        .ok_or(ConfirmError::Unknown)?;
    let confirmed = email_tokens::confirm(&mut *transaction, user_id, &email).await?;
    if !confirmed && user.unconfirmed_email.is_some() {
        match email_tokens::adopt_unconfirmed_email(&mut *transaction, user_id, &email).await {
            Ok(_) => {}
            Err(error) if crate::db::violated_constraint(&error) == Some("users_email_key") => {
                return Err(ConfirmError::Taken)
            }
            Err(error) => return Err(error.into()),
        }
    }
    if confirmed && !user.approved {
        outbox::notify_staff_of_pending_account(&mut transaction, &state.config, &user).await?;
    }
    let account = accounts::find_by_id(&mut *transaction, user.account_id)
        .await?
        .ok_or(ConfirmError::Unknown)?;
    transaction.commit().await?;
    Ok(account)
}

/// `POST /api/v1/emails/confirmations`: mails a new confirmation link to the signed-in
/// user, first changing their address to `new_email` when given. Only the app that
/// registered the user may ask, and only while the address awaits confirmation (403
/// otherwise, Mastodon's answers); a taken, invalid or blocked address is a 422; more
/// than five requests an hour are a 429 without mail.
pub async fn resend(
    state: &AppState,
    account_id: i64,
    app_id: i64,
    new_email: Option<&str>,
) -> ApiResult<()> {
    let user = email_tokens::find_by_account(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.created_by_app_id != Some(app_id) {
        return Err(ApiError::Forbidden(
            "This method is only available to the application the user originally signed-up with"
                .into(),
        ));
    }
    if user.confirmed_at.is_some() {
        return Err(ApiError::Forbidden(
            "This method is only available while the e-mail is awaiting confirmation".into(),
        ));
    }
    let since = Utc::now() - Duration::hours(1);
    let recent =
        email_tokens::issued_since(&state.db, user.user_id, Purpose::Confirmation, since).await?;
    if recent >= MAX_RESENDS_PER_HOUR {
        return Err(ApiError::RateLimited(Default::default()));
    }
    let mut transaction = state.db.begin().await?;
    let mut user = user;
    if let Some(text) = new_email {
        user.email = change_email(state, &mut transaction, user.user_id, text).await?;
    }
    send_instructions(&mut transaction, &state.config, &user).await?;
    transaction.commit().await?;
    Ok(())
}

/// What asking for a new address did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailChange {
    /// A link went to the new address; the old one stays until it is followed.
    AwaitingConfirmation(String),
    /// The address is the new one already (SMTP off: no mail to prove it with), or
    /// it was the current one and a pending change is cancelled.
    Changed,
}

/// Changes the signed-in user's address after checking their password: with SMTP on
/// the new address gets a confirmation link (and the old one a notice), with SMTP off
/// it takes effect at once. A user whose address awaits confirmation simply gets the
/// new one instead. Wrong password, invalid, blocked or taken addresses are 422s on
/// the field at fault; more than five links an hour a 429.
pub async fn request_change(
    state: &AppState,
    account_id: i64,
    current_password: &str,
    new_email: &str,
) -> ApiResult<EmailChange> {
    let user = email_tokens::find_by_account(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::reauthentication::confirm_password(state, account_id, current_password).await?;
    let email = screened_email(state, new_email).await?;
    if email.eq_ignore_ascii_case(&user.email) {
        email_tokens::set_unconfirmed_email(&state.db, user.user_id, None).await?;
        return Ok(EmailChange::Changed);
    }
    if email_tokens::email_taken(&state.db, &email, user.user_id).await? {
        return Err(taken());
    }
    let since = Utc::now() - Duration::hours(1);
    let recent =
        email_tokens::issued_since(&state.db, user.user_id, Purpose::Confirmation, since).await?;
    if recent >= MAX_RESENDS_PER_HOUR {
        return Err(ApiError::RateLimited(Default::default()));
    }
    let mut transaction = state.db.begin().await?;
    let outcome = if user.confirmed_at.is_none() {
        let mut user = user;
        user.email = change_email(state, &mut transaction, user.user_id, &email).await?;
        send_instructions(&mut transaction, &state.config, &user).await?;
        if state.config.smtp.enabled() {
            EmailChange::AwaitingConfirmation(email)
        } else {
            EmailChange::Changed
        }
    } else if state.config.smtp.enabled() {
        email_tokens::set_unconfirmed_email(&mut *transaction, user.user_id, Some(&email)).await?;
        let link = issue_link(&mut transaction, &state.config, user.user_id, &email).await?;
        let instance = texts::Instance::from_config(&state.config);
        let mails = [
            texts::email_change(&instance, &email, &user.username, &link),
            texts::email_change_notice(&instance, &user.email, &user.username, &email),
        ];
        outbox::queue(&mut transaction, &state.config, &mails).await?;
        EmailChange::AwaitingConfirmation(email)
    } else {
        match email_tokens::replace_email(&mut *transaction, user.user_id, &email).await {
            Ok(()) => EmailChange::Changed,
            Err(error) if crate::db::violated_constraint(&error) == Some("users_email_key") => {
                return Err(taken())
            }
            Err(error) => return Err(error.into()),
        }
    };
    transaction.commit().await?;
    Ok(outcome)
}

fn taken() -> ApiError {
    ApiError::validation("email", "ERR_TAKEN", "Email has already been taken")
}

/// A well-formed address that the admins' e-mail blocks let in, normalised.
async fn screened_email(state: &AppState, text: &str) -> ApiResult<String> {
    use crate::services::email_blocks::{self, SignUpWithEmail};
    let invalid = |code: &'static str, reason: String| ApiError::validation("email", code, reason);
    let email = Email::parse(text).map_err(|why| invalid(why.code, why.reason))?;
    if let SignUpWithEmail::Refused(why) =
        email_blocks::sign_up_with(&state.db, email.as_str(), None).await?
    {
        return Err(invalid(why.code, why.reason));
    }
    Ok(email.as_str().to_owned())
}

/// Validates and screens a new address and gives it to the unconfirmed user.
async fn change_email(
    state: &AppState,
    conn: &mut PgConnection,
    user_id: i64,
    text: &str,
) -> ApiResult<String> {
    let email = screened_email(state, text).await?;
    match email_tokens::change_unconfirmed_email(&mut *conn, user_id, &email).await {
        Ok(_) => Ok(email),
        Err(error) if crate::db::violated_constraint(&error) == Some("users_email_key") => {
            Err(taken())
        }
        Err(error) => Err(error.into()),
    }
}

/// The user's address and the new one awaiting confirmation, for their settings.
pub async fn address(state: &AppState, account_id: i64) -> ApiResult<MailUser> {
    email_tokens::find_by_account(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `GET /api/v1/emails/check_confirmation`: whether the user's address is confirmed.
pub async fn is_confirmed(state: &AppState, account_id: i64) -> ApiResult<bool> {
    let user = email_tokens::find_by_account(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(user.confirmed_at.is_some())
}
