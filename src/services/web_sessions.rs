//! Signing in to the web pages: checking the password (and, when the user has turned it
//! on, the two-factor code), creating the server-side session a cookie points at,
//! listing and revoking sessions, and changing the password from the settings.
//!
//! The rules are the OAuth password grant's (`auth::grants::check_credentials`): a wrong
//! login and a wrong password are indistinguishable; disabled, suspended and unapproved
//! users cannot sign in. Cookies themselves are the web transport's business
//! (`web::session`); this module deals in tokens and rows.

use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

use crate::auth::secrets::random_token;
use crate::db::users::{self, UserRow};
use crate::db::web_sessions::{self, LiveSession, NewSession};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How long a session lives without being used.
const IDLE_LIFETIME_DAYS: i64 = 30;
/// A session's use is recorded at most this often (one write per page otherwise).
const TOUCH_EVERY_MINUTES: i64 = 5;
/// How long a session that still owes its second factor may wait for it.
const SECOND_FACTOR_MINUTES: i64 = 10;

/// Where a sign-in comes from, remembered so the user can recognise their sessions.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub user_agent: String,
    pub ip: Option<String>,
}

/// A new session: the secret for the cookie, and whether a code is still owed.
#[derive(Debug)]
pub struct Opened {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub awaiting_second_factor: bool,
}

/// Why signing in failed, in words the sign-in page shows.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Invalid e-mail address or password.")]
    WrongCredentials,
    #[error("{0}")]
    Unusable(&'static str),
    #[error("Invalid two-factor code.")]
    WrongCode,
    #[error("Too many invalid codes. Try again in a few minutes.")]
    LockedOut,
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// The digest a session token is stored and looked up under.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Checks `login` and `password` and opens a session. With two-factor sign-in on, the
/// session is opened awaiting the code ([`complete_second_factor`]) and grants nothing
/// else until then.
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    client: &ClientMeta,
) -> Result<Opened, SignInError> {
    let user = crate::auth::grants::check_credentials(state, login, password)
        .await
        .map_err(|error| SignInError::Api(crate::api::oauth::grant_error(error)))?
        .ok_or(SignInError::WrongCredentials)?;
    if let Some(reason) = unusable_reason(state, &user).await? {
        return Err(SignInError::Unusable(reason));
    }
    let awaiting = crate::services::two_factor::is_enabled(&state.db, user.id)
        .await
        .map_err(ApiError::from)?;
    let opened = open(state, &user, awaiting, client).await?;
    if !awaiting {
        users::touch_sign_in(&state.db, user.id)
            .await
            .map_err(ApiError::from)?;
    }
    Ok(opened)
}

/// Why a user with the right password may still not sign in (Mastodon's words).
pub async fn unusable_reason(state: &AppState, user: &UserRow) -> ApiResult<Option<&'static str>> {
    let account = crate::db::accounts::find_by_id(&state.db, user.account_id).await?;
    let suspended = account.is_none_or(|a| a.suspended_at.is_some());
    Ok(if user.disabled || suspended {
        Some("Your login is currently disabled.")
    } else if user.confirmed_at.is_none() {
        Some("You have to confirm your e-mail address before continuing.")
    } else if !user.approved {
        Some("Your login is currently pending approval.")
    } else {
        None
    })
}

/// Opens a session for a user whose identity was already established (sign-in, or
/// sign-up on an open instance).
pub async fn open(
    state: &AppState,
    user: &UserRow,
    awaiting_second_factor: bool,
    client: &ClientMeta,
) -> ApiResult<Opened> {
    let token = random_token(32);
    let csrf = random_token(24);
    let lifetime = if awaiting_second_factor {
        Duration::minutes(SECOND_FACTOR_MINUTES)
    } else {
        Duration::days(IDLE_LIFETIME_DAYS)
    };
    let user_agent: String = client.user_agent.chars().take(300).collect();
    web_sessions::create(
        &state.db,
        &NewSession {
            token_hash: &token_hash(&token),
            user_id: user.id,
            csrf_token: &csrf,
            awaiting_second_factor,
            user_agent: &user_agent,
            ip: client.ip.as_deref(),
            expires_at: Utc::now() + lifetime,
        },
    )
    .await?;
    Ok(Opened {
        token,
        awaiting_second_factor,
    })
}

/// The live session a cookie's token opens, recording its use (at most every few
/// minutes). `None` for an unknown, expired or revoked token.
pub async fn find(state: &AppState, token: &str) -> ApiResult<Option<LiveSession>> {
    let Some(session) = web_sessions::find_live(&state.db, &token_hash(token)).await? else {
        return Ok(None);
    };
    let stale = Utc::now() - session.last_seen_at > Duration::minutes(TOUCH_EVERY_MINUTES);
    if stale && !session.awaiting_second_factor {
        let expires = Utc::now() + Duration::days(IDLE_LIFETIME_DAYS);
        web_sessions::touch(&state.db, session.id, expires).await?;
    }
    Ok(Some(session))
}

/// Finishes a sign-in that owes its two-factor code: a right code (or recovery code)
/// makes the session a full one.
pub async fn complete_second_factor(
    state: &AppState,
    session: &LiveSession,
    code: &str,
) -> Result<(), SignInError> {
    use crate::services::two_factor::{self, TwoFactorError};
    let user = users::find_by_account_id(&state.db, session.account_id)
        .await
        .map_err(ApiError::from)?
        .ok_or(SignInError::WrongCredentials)?;
    match two_factor::verify(state, &user, code).await {
        Ok(()) => {}
        Err(TwoFactorError::InvalidCode | TwoFactorError::NotEnabled) => {
            return Err(SignInError::WrongCode)
        }
        Err(TwoFactorError::LockedOut { .. }) => return Err(SignInError::LockedOut),
        Err(other) => return Err(SignInError::Api(other.into())),
    }
    let expires = Utc::now() + Duration::days(IDLE_LIFETIME_DAYS);
    web_sessions::complete_second_factor(&state.db, session.id)
        .await
        .map_err(ApiError::from)?;
    web_sessions::touch(&state.db, session.id, expires)
        .await
        .map_err(ApiError::from)?;
    users::touch_sign_in(&state.db, session.user_id)
        .await
        .map_err(ApiError::from)?;
    Ok(())
}

/// Signs a session out (idempotent).
pub async fn sign_out(state: &AppState, session: &LiveSession) -> ApiResult<()> {
    web_sessions::delete(&state.db, session.user_id, session.id).await?;
    Ok(())
}

/// Revokes one of the user's sessions; 404 when it is not theirs.
pub async fn revoke(state: &AppState, user_id: i64, session_id: i64) -> ApiResult<()> {
    if web_sessions::delete(&state.db, user_id, session_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Changes the password after checking the current one, then signs out every other
/// session and revokes every access and refresh token (as Mastodon does), so whoever
/// knew the old password loses what it opened.
pub async fn change_password(
    state: &AppState,
    session: &LiveSession,
    current: &str,
    new: &str,
) -> ApiResult<()> {
    let user =
        super::reauthentication::confirm_password(state, session.account_id, current).await?;
    let password = crate::domain::Password::parse(new)
        .map_err(|why| ApiError::validation("password", why.code, why.reason))?;
    let hash = state.passwords.hash(password.expose()).await?;
    let mut transaction = state.db.begin().await?;
    users::set_password_hash(&mut *transaction, user.id, &hash).await?;
    crate::db::oauth::revoke_all_for_account(&mut transaction, user.account_id).await?;
    web_sessions::delete_all_but(&mut *transaction, user.id, Some(session.id)).await?;
    transaction.commit().await?;
    Ok(())
}

/// The apps that can act for the account (they hold a live token).
pub async fn authorized_apps(
    state: &AppState,
    account_id: i64,
) -> ApiResult<Vec<crate::db::oauth::AuthorizedApp>> {
    Ok(crate::db::oauth::authorized_apps(&state.db, account_id).await?)
}

/// Takes away every token `app_id` holds for the account (Mastodon's "revoke" of an
/// authorized application); 404 when it holds none.
pub async fn revoke_app(state: &AppState, account_id: i64, app_id: i64) -> ApiResult<()> {
    let mut connection = state.db.acquire().await?;
    if crate::db::oauth::revoke_app_for_account(&mut connection, account_id, app_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The user's signed-in browsers.
pub async fn list(state: &AppState, user_id: i64) -> ApiResult<Vec<web_sessions::SessionSummary>> {
    Ok(web_sessions::list(&state.db, user_id).await?)
}
