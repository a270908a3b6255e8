//! The OAuth 2 grants (RFC 6749 §4, PKCE RFC 7636) and revocation (RFC 7009), as
//! database operations that return issued tokens or a registered OAuth error code.
//! HTTP concerns (parameter parsing, client authentication headers) stay in
//! `api::oauth`.

use base64::Engine;
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::password::{Busy, HashError};
use super::tokens::{Grant, IssuedTokens};
use super::{random_token, sha256_hex, Scopes};
use crate::db::oauth::{
    self, AppRow, AuthorizationCodeRow, CodeExchange, CodeRedemption, RefreshSpend,
};
use crate::db::users::{self, UserRow};
use crate::state::AppState;

/// The redirect URI that shows the code to the user instead of redirecting.
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Authorization codes live this long (RFC 6749 recommends at most 10 minutes).
const CODE_LIFETIME_MINUTES: i64 = 10;

/// A grant failure with its RFC 6749 §5.2 error code.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("{0}")]
    InvalidRequest(String),
    /// Too many wrong two-factor codes for this user: refused until `until` (429).
    #[error("Too many invalid two-factor authentication codes; try again later")]
    TwoFactorLockedOut { until: chrono::DateTime<Utc> },
    /// Every password hasher is busy: the client should retry later (503).
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<HashError> for GrantError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy(busy) => GrantError::Busy(busy),
            HashError::Internal(error) => GrantError::Internal(error),
        }
    }
}

impl From<sqlx::Error> for GrantError {
    fn from(error: sqlx::Error) -> Self {
        GrantError::Internal(error.into())
    }
}

/// Finds the app by `client_id` and, when a secret is given, checks it in constant
/// time. `require_secret` is false only for PKCE code exchanges by public clients.
pub async fn authenticate_client(
    state: &AppState,
    client_id: &str,
    client_secret: Option<&str>,
    require_secret: bool,
) -> Result<AppRow, GrantError> {
    let invalid = || GrantError::InvalidClient("Client authentication failed".into());
    let app = oauth::find_app_by_client_id(&state.db, client_id)
        .await?
        .ok_or_else(invalid)?;
    match client_secret {
        Some(secret) => {
            let given = sha256_hex(secret);
            if !bool::from(given.as_bytes().ct_eq(app.client_secret_hash.as_bytes())) {
                return Err(invalid());
            }
        }
        None if require_secret => return Err(invalid()),
        None => {}
    }
    Ok(app)
}

/// Resolves the scopes a token request asks for: `read` when none are given (as
/// Mastodon documents), and always a subset of the app's registered scopes.
pub fn requested_scopes(app: &AppRow, requested: Option<&str>) -> Result<Scopes, GrantError> {
    let app_scopes = Scopes::from_stored(app.scopes.clone());
    let text = requested.map(str::trim).unwrap_or_default();
    let scopes = Scopes::parse(text).map_err(GrantError::InvalidScope)?;
    if app_scopes.covers(&scopes) {
        Ok(scopes)
    } else {
        Err(GrantError::InvalidScope(
            "The requested scope is invalid, unknown, or malformed.".into(),
        ))
    }
}

/// RFC 6749 §5.2 `invalid_grant`, with Doorkeeper's description (what Mastodon answers
/// for a bad code or refresh token, whatever the reason: no oracle).
fn invalid_grant() -> GrantError {
    GrantError::InvalidGrant(
        "The provided authorization grant is invalid, expired, revoked, does not match the \
         redirection URI used in the authorization request, or was issued to another client."
            .into(),
    )
}

/// Issues tokens within one transaction.
async fn issue(
    state: &AppState,
    app: &AppRow,
    account_id: Option<i64>,
    scopes: &Scopes,
    family_id: Uuid,
) -> Result<IssuedTokens, GrantError> {
    let mut transaction = state.db.begin().await?;
    let issued = issue_on(state, &mut transaction, app, account_id, scopes, family_id).await?;
    transaction.commit().await?;
    Ok(issued)
}

/// Issues tokens on `conn`, so that a grant can spend its code or refresh token in
/// the same transaction: either both happen or neither.
async fn issue_on(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    app: &AppRow,
    account_id: Option<i64>,
    scopes: &Scopes,
    family_id: Uuid,
) -> Result<IssuedTokens, GrantError> {
    let grant = Grant {
        app_id: app.id,
        client_id: &app.client_id,
        account_id,
        scopes,
        family_id,
        with_refresh_token: account_id.is_some(),
    };
    Ok(state.tokens.issue(conn, &grant).await?)
}

/// `grant_type=client_credentials`: an app-only token (used for registration).
pub async fn client_credentials(
    state: &AppState,
    app: &AppRow,
    scopes: &Scopes,
) -> Result<IssuedTokens, GrantError> {
    issue(state, app, None, scopes, Uuid::new_v4()).await
}

/// `grant_type=password`: signs a user in with e-mail (or username) and password, and
/// for a user with two-factor sign-in also a current code or a recovery code
/// (`otp_attempt`). Mastodon refuses this grant outright for such users; Roost accepts
/// it with a code, so command-line clients keep working. The code is only looked at
/// once the password is right, so it reveals nothing to someone without it.
pub async fn password(
    state: &AppState,
    app: &AppRow,
    login: &str,
    password: &str,
    otp_attempt: Option<&str>,
    scopes: &Scopes,
) -> Result<(IssuedTokens, UserRow), GrantError> {
    let user = check_credentials(state, login, password)
        .await?
        .ok_or_else(|| GrantError::InvalidGrant("Invalid email or password".into()))?;
    check_second_factor(state, &user, otp_attempt).await?;
    let issued = issue(state, app, Some(user.account_id), scopes, Uuid::new_v4()).await?;
    users::touch_sign_in(&state.db, user.id).await?;
    Ok((issued, user))
}

/// For a user with two-factor sign-in, checks `otp_attempt` (see
/// `services::two_factor::verify`); nothing for other users.
async fn check_second_factor(
    state: &AppState,
    user: &UserRow,
    otp_attempt: Option<&str>,
) -> Result<(), GrantError> {
    use crate::services::two_factor::{self, TwoFactorError};
    if !two_factor::is_enabled(&state.db, user.id).await? {
        return Ok(());
    }
    let Some(code) = otp_attempt.map(str::trim).filter(|code| !code.is_empty()) else {
        return Err(GrantError::InvalidGrant(
            "A two-factor authentication code is required: send it as otp_attempt".into(),
        ));
    };
    match two_factor::verify(state, user, code).await {
        Ok(()) => Ok(()),
        Err(TwoFactorError::LockedOut { until }) => Err(GrantError::TwoFactorLockedOut { until }),
        Err(TwoFactorError::Internal(error)) => Err(GrantError::Internal(error)),
        Err(TwoFactorError::Busy(busy)) => Err(GrantError::Busy(busy)),
        Err(_) => Err(GrantError::InvalidGrant(
            "Invalid two-factor authentication code".into(),
        )),
    }
}

/// Checks a login and password; `None` when either is wrong (indistinguishable, and in
/// about the same time). Passwords longer than any we accept are wrong without hashing.
/// Fails with [`GrantError::Busy`] when no password hasher is free in time.
pub async fn check_credentials(
    state: &AppState,
    login: &str,
    password: &str,
) -> Result<Option<UserRow>, GrantError> {
    if login.len() > 320 || password.chars().count() > crate::domain::Password::MAX_LEN {
        return Ok(None);
    }
    match users::find_by_login(&state.db, login.trim()).await? {
        Some(user)
            if state
                .passwords
                .verify(password, &user.password_hash)
                .await? =>
        {
            Ok(Some(user))
        }
        Some(_) => Ok(None),
        None => {
            state.passwords.verify_dummy(password).await?;
            Ok(None)
        }
    }
}

/// Creates an authorization code for a signed-in user who approved the app.
/// `code_challenge` is the PKCE S256 challenge, if the client sent one.
pub async fn create_authorization_code(
    state: &AppState,
    app: &AppRow,
    account_id: i64,
    redirect_uri: &str,
    scopes: &Scopes,
    code_challenge: Option<&str>,
) -> Result<String, GrantError> {
    let code = random_token(32);
    let row = AuthorizationCodeRow {
        app_id: app.id,
        account_id,
        redirect_uri: redirect_uri.to_owned(),
        scopes: scopes.as_slice().to_vec(),
        code_challenge: code_challenge.map(str::to_owned),
        family_id: Uuid::new_v4(),
        expires_at: Utc::now() + Duration::minutes(CODE_LIFETIME_MINUTES),
    };
    oauth::insert_authorization_code(&state.db, &sha256_hex(&code), &row).await?;
    Ok(code)
}

/// `grant_type=authorization_code`: exchanges a code. The code must have been issued
/// to `app` for this redirect URI; with PKCE the verifier must hash to the challenge.
/// All of that is checked as the code is spent, and the tokens are issued in the same
/// transaction, so a refused request leaves the code to its owner. A code presented
/// twice by its own client revokes every token issued from it (RFC 6749 §4.1.2).
pub async fn authorization_code(
    state: &AppState,
    app: &AppRow,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> Result<(IssuedTokens, Scopes), GrantError> {
    let code_hash = sha256_hex(code);
    let verifier_challenge = code_verifier.map(pkce_s256);
    let exchange = CodeExchange {
        code_hash: &code_hash,
        app_id: app.id,
        redirect_uri,
        verifier_challenge: verifier_challenge.as_deref(),
    };
    let mut transaction = state.db.begin().await?;
    let row = match oauth::redeem_authorization_code(&mut transaction, &exchange).await? {
        CodeRedemption::Redeemed(row) => row,
        CodeRedemption::AlreadyUsed { family_id } => {
            return Err(revoke_reused(transaction, family_id, "authorization code").await)
        }
        CodeRedemption::Invalid => return Err(invalid_grant()),
    };
    let scopes = Scopes::from_stored(row.scopes);
    issue_and_commit(
        state,
        transaction,
        app,
        row.account_id,
        scopes,
        row.family_id,
    )
    .await
}

/// BASE64URL(SHA256(verifier)), RFC 7636 §4.6.
pub fn pkce_s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `grant_type=refresh_token`: spends the refresh token and issues a new pair in the
/// same family, in one transaction: a refused request (another app's token, a wider
/// scope) spends nothing. Presenting a spent token of the same app revokes the whole
/// family; another app's token is simply invalid for it.
pub async fn refresh(
    state: &AppState,
    app: &AppRow,
    refresh_token: &str,
    requested: Option<&str>,
) -> Result<(IssuedTokens, Scopes), GrantError> {
    let token_hash = sha256_hex(refresh_token);
    let mut transaction = state.db.begin().await?;
    let spend = oauth::spend_refresh_token(&mut transaction, &token_hash, app.id).await?;
    let row = match spend {
        RefreshSpend::Spent(row) => row,
        RefreshSpend::Reused { family_id } => {
            return Err(revoke_reused(transaction, family_id, "refresh token").await)
        }
        RefreshSpend::Invalid => return Err(invalid_grant()),
    };
    let scopes = narrowed_scopes(Scopes::from_stored(row.scopes), requested)?;
    issue_and_commit(
        state,
        transaction,
        app,
        row.account_id,
        scopes,
        row.family_id,
    )
    .await
}

/// A spent code or refresh token presented again by its own app: someone else may hold
/// it, so every token of its family is revoked (committed), and the grant is refused.
async fn revoke_reused(
    mut transaction: sqlx::Transaction<'_, sqlx::Postgres>,
    family_id: Uuid,
    what: &'static str,
) -> GrantError {
    let revoked = async {
        oauth::revoke_family(&mut transaction, family_id).await?;
        transaction.commit().await
    };
    if let Err(error) = revoked.await {
        return GrantError::from(error);
    }
    tracing::warn!(%family_id, "{what} reused: revoked its token family");
    invalid_grant()
}

/// Issues the new pair of a code exchange or refresh in the transaction that spent
/// the old grant, and commits both together (a refused request spends nothing).
async fn issue_and_commit(
    state: &AppState,
    mut transaction: sqlx::Transaction<'_, sqlx::Postgres>,
    app: &AppRow,
    account_id: i64,
    scopes: Scopes,
    family_id: Uuid,
) -> Result<(IssuedTokens, Scopes), GrantError> {
    let issued = issue_on(
        state,
        &mut transaction,
        app,
        Some(account_id),
        &scopes,
        family_id,
    )
    .await?;
    transaction.commit().await?;
    Ok((issued, scopes))
}

/// The scopes a refresh asks for: all of the original grant by default, else a
/// subset of it (RFC 6749 §6).
fn narrowed_scopes(granted: Scopes, requested: Option<&str>) -> Result<Scopes, GrantError> {
    let Some(text) = requested.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(granted);
    };
    let narrowed = Scopes::parse(text).map_err(GrantError::InvalidScope)?;
    if granted.covers(&narrowed) {
        Ok(narrowed)
    } else {
        Err(GrantError::InvalidScope(
            "The requested scope exceeds the original grant".into(),
        ))
    }
}

/// RFC 7009: revokes an access token (JWT) or a refresh token issued to `app`, with
/// everything of its family. Unknown tokens and other apps' tokens are ignored.
pub async fn revoke(state: &AppState, app: &AppRow, token: &str) -> Result<(), GrantError> {
    let family = match state.tokens.verify_ignoring_expiry(token) {
        Some(claims) => oauth::access_token_family(&state.db, claims.jti, app.id).await?,
        None => oauth::refresh_token_family(&state.db, &sha256_hex(token), app.id).await?,
    };
    if let Some(family_id) = family {
        let mut connection = state.db.acquire().await?;
        oauth::revoke_family(&mut connection, family_id).await?;
    }
    Ok(())
}
