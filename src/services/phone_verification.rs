//! Verifying a phone number with a 6-digit code sent by SMS (`ROOST_SMS_*`), for a
//! sign-up that needs one (`ROOST_PHONE_VERIFICATION=optional|required`) or for a
//! signed-in user who adds or changes their number.
//!
//! 1. [`start`]: the number is read (E.164), a random code is stored as a digest
//!    bound to the verification and sent through the gateway. At most
//!    [`SENDS_PER_NUMBER`] codes per number and [`SENDS_PER_IP`] per client address
//!    in [`SEND_WINDOW_SECS`]; a number another user has is refused.
//! 2. [`confirm`]: the code is checked at most [`MAX_TRIES`] times, within
//!    [`CODE_LIFETIME_SECS`]; a user's new number is set at once.
//! 3. A sign-up uses the verified verification once, within [`USE_WITHIN_SECS`]
//!    (`auth::signup` calls [`take_for_sign_up`] in its transaction).
//!
//! Numbers and codes are stored as HMAC digests (`auth::two_factor_keys`); the
//! E.164 form is kept beside the digest to send messages to and to show its owner.

use chrono::{DateTime, Utc};
use rand::Rng;
use sqlx::PgConnection;
use subtle::ConstantTimeEq;

use crate::db::phone_verifications::{self as rows, NewVerification};
use crate::domain::phone::{self, PhoneNumber};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A code is valid this long.
pub const CODE_LIFETIME_SECS: i64 = 10 * 60;
/// Wrong codes allowed per verification; then a new code must be asked for.
pub const MAX_TRIES: i32 = 5;
/// The window of the send limits.
pub const SEND_WINDOW_SECS: i64 = 60 * 60;
/// Codes sent to one number per window.
pub const SENDS_PER_NUMBER: i64 = 3;
/// Codes asked for from one client address per window.
pub const SENDS_PER_IP: i64 = 10;
/// A verified number must be used (by a sign-up) this soon.
pub const USE_WITHIN_SECS: i64 = 60 * 60;

/// Who a verification is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A sign-up through the app `app_id` (its client-credentials token asks).
    SignUp { app_id: i64 },
    /// A sign-up on the web page: no app; the code is entered with the sign-up form
    /// itself, so whoever knows the code is the one signing up.
    WebSignUp,
    /// The signed-in user `user_id`'s own number.
    UserPhone { user_id: i64 },
    /// The second factor of user `user_id`'s sign-in, texted to their number.
    SignIn { user_id: i64 },
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::SignUp { .. } | Purpose::WebSignUp => "sign_up",
            Purpose::UserPhone { .. } => "user_phone",
            Purpose::SignIn { .. } => "sign_in",
        }
    }

    fn owner(self) -> Option<i64> {
        match self {
            Purpose::SignUp { app_id } => Some(app_id),
            Purpose::UserPhone { user_id } | Purpose::SignIn { user_id } => Some(user_id),
            Purpose::WebSignUp => None,
        }
    }
}

/// A code on its way.
#[derive(Debug, Clone)]
pub struct Started {
    pub id: i64,
    /// The number, mostly hidden (`+14•••••••23`).
    pub masked: String,
    pub expires_at: DateTime<Utc>,
}

/// A verification whose code was right.
#[derive(Debug, Clone)]
pub struct Verified {
    pub id: i64,
    pub masked: String,
}

/// Sends a code to `number` for `purpose`, asked from the client address `ip`.
///
/// # Errors
/// `Unprocessable` when SMS is off; `Validation` (`phone_number`) for a number that is
/// not E.164 or that another user has; `RateLimited` past a send limit;
/// `Unavailable` when the gateway refuses or cannot be reached.
pub async fn start(
    state: &AppState,
    purpose: Purpose,
    number: &str,
    ip: &str,
) -> ApiResult<Started> {
    if !state.sms.enabled() {
        return Err(ApiError::Unprocessable(
            "Phone verification is not enabled on this server".into(),
        ));
    }
    let number = PhoneNumber::parse(number)
        .map_err(|why| ApiError::validation("phone_number", why.code, why.reason))?;
    let digest = state.two_factor_keys.phone_digest(number.as_str());
    let except = match purpose {
        Purpose::UserPhone { user_id } | Purpose::SignIn { user_id } => Some(user_id),
        Purpose::SignUp { .. } | Purpose::WebSignUp => None,
    };
    if rows::number_taken(&state.db, &digest, except).await? {
        return Err(ApiError::validation(
            "phone_number",
            "ERR_TAKEN",
            "Phone number is already in use",
        ));
    }
    send_code(state, purpose, &number, &digest, ip).await
}

/// Texts a new code for `purpose` to `number` (whose digest is `digest`), within the
/// send limits; the verification is forgotten when the gateway fails.
async fn send_code(
    state: &AppState,
    purpose: Purpose,
    number: &PhoneNumber,
    digest: &str,
    ip: &str,
) -> ApiResult<Started> {
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let (id, expires_at) = record(state, purpose, number, digest, ip, &code).await?;
    let text = format!(
        "{} code: {code}. It expires in 10 minutes.",
        state.config.instance_title
    );
    if let Err(error) = state.sms.send(&state.http, number.as_str(), &text).await {
        rows::delete(&state.db, id).await?;
        return Err(ApiError::Unavailable(error.into()));
    }
    Ok(Started {
        id,
        masked: number.masked(),
        expires_at,
    })
}

/// Texts a sign-in code to user `user_id`, who turned on two-factor sign-in by SMS,
/// asked from `ip` (the web sign-in's "Text me a code"). Same limits as other codes.
///
/// # Errors
/// `Unprocessable` when the user has no number or SMS sign-in is off (or SMS is off on
/// the server); `RateLimited`; `Unavailable`.
pub async fn send_sign_in_code(state: &AppState, user_id: i64, ip: &str) -> ApiResult<Started> {
    let phone = rows::user_phone(&state.db, user_id)
        .await?
        .filter(|phone| phone.two_factor && state.sms.enabled())
        .ok_or_else(|| {
            ApiError::Unprocessable("Sign-in codes by text message are not enabled".into())
        })?;
    let number = PhoneNumber::parse(&phone.e164)
        .map_err(|why| ApiError::Internal(anyhow::anyhow!("a stored number: {}", why.reason)))?;
    let digest = state.two_factor_keys.phone_digest(number.as_str());
    send_code(state, Purpose::SignIn { user_id }, &number, &digest, ip).await
}

/// Whether `code` is the newest texted sign-in code of user `user_id` (within its
/// lifetime and [`MAX_TRIES`]); a right code is spent. Wrong codes also count towards
/// the two-factor lockout of `services::two_factor`, which calls this.
pub async fn accept_sign_in_code(state: &AppState, user_id: i64, code: &str) -> ApiResult<bool> {
    let Some(id) = rows::pending_sign_in(&state.db, user_id).await? else {
        return Ok(false);
    };
    let Some(row) = rows::count_try(&state.db, id).await? else {
        return Ok(false);
    };
    if row.attempts > MAX_TRIES {
        return Ok(false);
    }
    let expected = state.two_factor_keys.phone_code_digest(id, code.trim());
    if !bool::from(expected.as_bytes().ct_eq(row.code_digest.as_bytes())) {
        return Ok(false);
    }
    Ok(rows::spend_sign_in(&state.db, id).await?)
}

/// Turns two-factor sign-in by SMS on or off for the user of `account_id`, who proves
/// it is them with `password`.
///
/// # Errors
/// `Validation` (`current_password`) for a wrong password; `Unprocessable` to turn
/// it on without a verified number or with SMS off on the server.
pub async fn set_sms_two_factor(
    state: &AppState,
    account_id: i64,
    password: &str,
    on: bool,
) -> ApiResult<()> {
    let user =
        crate::services::reauthentication::confirm_password(state, account_id, password).await?;
    if on && !state.sms.enabled() {
        return Err(ApiError::Unprocessable(
            "Phone verification is not enabled on this server".into(),
        ));
    }
    if !rows::set_sms_two_factor(&state.db, user.id, on).await? {
        return Err(ApiError::Unprocessable(
            "Add a verified phone number first".into(),
        ));
    }
    tracing::info!(user_id = user.id, on, "two-factor sign-in by SMS changed");
    Ok(())
}

/// Stores the verification after checking the send limits, both under a lock on the
/// number so concurrent requests are counted one after another.
async fn record(
    state: &AppState,
    purpose: Purpose,
    number: &PhoneNumber,
    digest: &str,
    ip: &str,
    code: &str,
) -> ApiResult<(i64, DateTime<Utc>)> {
    let mut transaction = state.db.begin().await?;
    rows::lock_number(&mut transaction, digest).await?;
    let (to_number, from_ip) =
        rows::recent_sends(&mut *transaction, digest, ip, SEND_WINDOW_SECS).await?;
    if to_number >= SENDS_PER_NUMBER || from_ip >= SENDS_PER_IP {
        return Err(too_many(SEND_WINDOW_SECS));
    }
    let id = rows::next_id(&mut *transaction).await?;
    let (app_id, user_id) = match purpose {
        Purpose::SignUp { app_id } => (Some(app_id), None),
        Purpose::UserPhone { user_id } | Purpose::SignIn { user_id } => (None, Some(user_id)),
        Purpose::WebSignUp => (None, None),
    };
    let new = NewVerification {
        purpose: purpose.name(),
        phone_digest: digest,
        phone_e164: number.as_str(),
        app_id,
        user_id,
        ip,
        lifetime_secs: CODE_LIFETIME_SECS,
    };
    let code_digest = state.two_factor_keys.phone_code_digest(id, code);
    let expires_at = rows::insert(&mut *transaction, id, &new, &code_digest).await?;
    transaction.commit().await?;
    Ok((id, expires_at))
}

/// Checks `code` for verification `id`, which must be `purpose`'s; for a user's own
/// number, sets it on the user.
///
/// # Errors
/// `NotFound` for someone else's, a used or an unknown verification; `Unprocessable`
/// for a wrong or expired code; `RateLimited` once [`MAX_TRIES`] were used (a new
/// code must be asked for); `Validation` when the number was taken meanwhile.
pub async fn confirm(
    state: &AppState,
    purpose: Purpose,
    id: i64,
    code: &str,
) -> ApiResult<Verified> {
    let row = rows::count_try(&state.db, id)
        .await?
        .filter(|row| row.purpose == purpose.name())
        .filter(|row| row.app_id.or(row.user_id) == purpose.owner())
        .ok_or(ApiError::NotFound)?;
    if row.attempts > MAX_TRIES {
        return Err(too_many(CODE_LIFETIME_SECS));
    }
    if row.expires_at < Utc::now() {
        return Err(ApiError::Unprocessable(
            "The code has expired; ask for a new one".into(),
        ));
    }
    let code = code.trim();
    let expected = state.two_factor_keys.phone_code_digest(id, code);
    if !bool::from(expected.as_bytes().ct_eq(row.code_digest.as_bytes())) {
        return Err(ApiError::Unprocessable("Invalid code".into()));
    }
    let mut transaction = state.db.begin().await?;
    rows::mark_verified(&mut *transaction, id).await?;
    if let Purpose::UserPhone { user_id } = purpose {
        let taken = rows::take(
            &mut transaction,
            id,
            purpose.name(),
            purpose.owner(),
            USE_WITHIN_SECS,
        )
        .await?
        .ok_or(ApiError::NotFound)?;
        give_number(&mut transaction, user_id, &taken).await?;
    }
    transaction.commit().await?;
    Ok(Verified {
        id,
        masked: phone::mask(&row.phone_e164),
    })
}

/// Uses the verified sign-up verification `id` of the app `app_id` (`None`: of the
/// web page), in the sign-up's transaction: the number's digest and E.164 form, once;
/// `None` when it is not verified, someone else's, used, or verified too long ago.
pub async fn take_for_sign_up(
    conn: &mut PgConnection,
    id: i64,
    app_id: Option<i64>,
) -> sqlx::Result<Option<(String, String)>> {
    let purpose = app_id.map_or(Purpose::WebSignUp, |app_id| Purpose::SignUp { app_id });
    rows::take(conn, id, purpose.name(), purpose.owner(), USE_WITHIN_SECS).await
}

/// Gives user `user_id` the verified number `(digest, e164)` in the caller's
/// transaction, unless another user has it (checked under the number's lock, so two
/// users verifying one number at once cannot both get it).
///
/// # Errors
/// `Validation` (`phone_number`, `ERR_TAKEN`).
pub async fn give_number(
    conn: &mut PgConnection,
    user_id: i64,
    (digest, e164): &(String, String),
) -> ApiResult<()> {
    rows::lock_number(conn, digest).await?;
    if rows::number_taken(&mut *conn, digest, Some(user_id)).await? {
        return Err(ApiError::validation(
            "phone_number",
            "ERR_TAKEN",
            "Phone number is already in use",
        ));
    }
    rows::set_user_phone(conn, user_id, digest, e164).await?;
    Ok(())
}

/// The signed-in user's number (its `e164` mostly hidden), when it was verified, and
/// whether sign-in asks for a texted code.
pub async fn own_phone(state: &AppState, user_id: i64) -> ApiResult<Option<rows::UserPhone>> {
    let phone = rows::user_phone(&state.db, user_id).await?;
    Ok(phone.map(|phone| rows::UserPhone {
        e164: phone::mask(&phone.e164),
        ..phone
    }))
}

/// Removes the signed-in user's number (two-factor sign-in by SMS goes with it).
/// Errors: `NotFound` when they have none.
pub async fn remove_phone(state: &AppState, user_id: i64) -> ApiResult<()> {
    if rows::clear_user_phone(&state.db, user_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

fn too_many(retry_after_secs: i64) -> ApiError {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(retry_after_secs),
    );
    ApiError::RateLimited(headers)
}
