//! Creating local users: the one path used by `POST /api/v1/accounts` and by
//! `roost admin create-user`, so both apply the same rules.
//!
//! With SMTP on (`ROOST_SMTP_HOST`), a user who signs up through the API starts with
//! an unconfirmed address and is mailed a confirmation link in the creating
//! transaction (`services::email_confirmation`). Users created by an admin, and every
//! user when SMTP is off, are confirmed at once.

use sqlx::PgPool;

use super::password::{Busy, HashError, PasswordPool};
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::users::{self, CreateUserError, NewUser, UserRow};
use crate::domain::{Email, Invalid, Password, Role, Username};
use crate::sms::settings::PhoneAtSignUp;

/// Who is creating the account: reserved usernames are refused only to the public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpOrigin {
    /// `POST /api/v1/accounts`.
    Api,
    /// `roost admin create-user`.
    Admin,
}

/// What a new user supplies.
#[derive(Debug)]
pub struct SignUp<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub role: Role,
    /// False when registrations need a moderator's approval.
    pub approved: bool,
    pub locale: &'a str,
    pub reason: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub origin: SignUpOrigin,
    /// The app that registers the user (`POST /api/v1/accounts`): the only one that may
    /// ask for the confirmation mail again.
    pub app_id: Option<i64>,
    /// A phone verification this app completed (`services::phone_verification`):
    /// the user gets its number. Required of API sign-ups when
    /// `ROOST_PHONE_VERIFICATION=required`.
    pub phone_verification: Option<i64>,
}

/// Why sign-up failed.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// One or more fields are invalid, taken or reserved: (field name, why).
    #[error("{}", .0.iter().map(|(field, why)| format!("{field}: {why}")).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<(&'static str, Invalid)>),
    /// An IP block refuses sign-ups from the client's address (403, Mastodon's answer).
    #[error("This action is not allowed")]
    IpBlocked,
    /// Every password hasher is busy: the client should retry later (503).
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<HashError> for SignUpError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy(busy) => SignUpError::Busy(busy),
            HashError::Internal(error) => SignUpError::Internal(error),
        }
    }
}

/// Validates every field (reporting all problems at once), hashes the password
/// (argon2id, on `passwords`) and creates the account and user rows in one
/// transaction, with the confirmation mail when one is due (see the module doc).
/// Usernames and e-mail addresses are unique case-insensitively.
pub async fn sign_up(
    db: &PgPool,
    passwords: &PasswordPool,
    config: &Config,
    input: &SignUp<'_>,
) -> Result<(AccountRow, UserRow), SignUpError> {
    let mut problems = Vec::new();
    let username = Username::parse(input.username)
        .map_err(|why| problems.push(("username", why)))
        .ok();
    if input.origin == SignUpOrigin::Api && username.as_ref().is_some_and(Username::is_reserved) {
        problems.push((
            "username",
            taken_or_reserved("ERR_RESERVED", "Username is reserved"),
        ));
    }
    let email = Email::parse(input.email)
        .map_err(|why| problems.push(("email", why)))
        .ok();
    let password = Password::parse(input.password)
        .map_err(|why| problems.push(("password", why)))
        .ok();
    let (Some(username), Some(email), Some(password)) = (username, email, password) else {
        return Err(SignUpError::Invalid(problems));
    };
    let approved = match input.origin {
        SignUpOrigin::Api => screen(db, input, email.as_str(), &mut problems).await?,
        SignUpOrigin::Admin => input.approved,
    };
    let phone_required = config.sms.at_sign_up == PhoneAtSignUp::Required;
    if input.origin == SignUpOrigin::Api && phone_required && input.phone_verification.is_none() {
        problems.push((
            "phone_verification",
            taken_or_reserved("ERR_BLANK", "A verified phone number is required"),
        ));
    }
    if !problems.is_empty() {
        return Err(SignUpError::Invalid(problems));
    }
    let password_hash = passwords.hash(password.expose()).await?;
    let keys = tokio::task::spawn_blocking(crate::federation::signatures::generate_rsa_keypair)
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    let locale = normalize_locale(input.locale);
    let new_user = NewUser {
        username: username.as_str(),
        email: email.as_str(),
        password_hash: &password_hash,
        role: input.role,
        approved,
        locale: &locale,
        sign_up_reason: input.reason,
        sign_up_ip: input.ip,
        public_key_pem: &keys.public_pem,
        private_key_pem: &keys.private_pem,
    };
    let mut transaction = db.begin().await.map_err(anyhow::Error::from)?;
    let created =
        users::create(&mut transaction, &new_user)
            .await
            .map_err(|error| match error {
                CreateUserError::UsernameTaken => SignUpError::Invalid(vec![(
                    "username",
                    taken_or_reserved("ERR_TAKEN", "Username has already been taken"),
                )]),
                CreateUserError::EmailTaken => SignUpError::Invalid(vec![(
                    "email",
                    taken_or_reserved("ERR_TAKEN", "Email has already been taken"),
                )]),
                CreateUserError::Database(error) => SignUpError::Internal(error.into()),
            })?;
    if let Some(verification) = input.phone_verification {
        attach_phone(&mut transaction, input, verification, created.1.id).await?;
    }
    let created = settle_confirmation(&mut transaction, config, input, created)
        .await
        .map_err(anyhow::Error::from)?;
    if input.origin == SignUpOrigin::Api {
        crate::services::notifications::create::notify_staff_of_sign_up(
            &mut transaction,
            created.0.id,
        )
        .await
        .map_err(anyhow::Error::from)?;
    }
    transaction.commit().await.map_err(anyhow::Error::from)?;
    Ok(created)
}

/// Leaves an API sign-up unconfirmed and mails it the confirmation link when SMTP is
/// on; records the registering app. Returns the rows as they now are.
async fn settle_confirmation(
    conn: &mut sqlx::PgConnection,
    config: &Config,
    input: &SignUp<'_>,
    (account, mut user): (AccountRow, UserRow),
) -> sqlx::Result<(AccountRow, UserRow)> {
    use crate::db::email_tokens::{self, MailUser};
    if input.origin == SignUpOrigin::Api && config.smtp.enabled() {
        email_tokens::await_confirmation(&mut *conn, user.id, input.app_id).await?;
        let mail_user = MailUser {
            user_id: user.id,
            account_id: account.id,
            username: account.username.clone(),
            email: user.email.clone(),
            confirmed_at: None,
            approved: user.approved,
            sign_up_reason: input.reason.map(str::to_owned),
            created_by_app_id: input.app_id,
            unconfirmed_email: None,
        };
        crate::services::email_confirmation::send_instructions(conn, config, &mail_user).await?;
        user.confirmed_at = None;
    } else if let Some(app_id) = input.app_id {
        email_tokens::set_created_by_app(&mut *conn, user.id, app_id).await?;
    }
    Ok((account, user))
}

/// Gives the new user `user_id` the number of the verified phone verification
/// `verification` of the registering app, using it up, in the sign-up's transaction.
async fn attach_phone(
    conn: &mut sqlx::PgConnection,
    input: &SignUp<'_>,
    verification: i64,
    user_id: i64,
) -> Result<(), SignUpError> {
    use crate::services::phone_verification;
    let invalid = || {
        SignUpError::Invalid(vec![(
            "phone_verification",
            taken_or_reserved("ERR_INVALID", "Phone verification is invalid or expired"),
        )])
    };
    let number = phone_verification::take_for_sign_up(&mut *conn, verification, input.app_id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(invalid)?;
    match phone_verification::give_number(conn, user_id, &number).await {
        Ok(()) => Ok(()),
        Err(crate::error::ApiError::Validation(_)) => Err(SignUpError::Invalid(vec![(
            "phone_number",
            taken_or_reserved("ERR_TAKEN", "Phone number is already in use"),
        )])),
        Err(error) => Err(SignUpError::Internal(anyhow::anyhow!("{error}"))),
    }
}

/// Applies the admins' IP and e-mail blocks to a sign-up through the API: refuses an
/// address from a blocked network (`IpBlocked`), adds a blocked e-mail address to
/// `problems`, and returns whether the account starts approved (false when a block
/// asks for approval, whatever the registration mode).
async fn screen(
    db: &PgPool,
    input: &SignUp<'_>,
    email: &str,
    problems: &mut Vec<(&'static str, Invalid)>,
) -> Result<bool, SignUpError> {
    use crate::services::email_blocks::{self, SignUpWithEmail};
    use crate::services::ip_blocks::{self, SignUpFromIp};
    let from_ip = match input.ip {
        Some(ip) => ip_blocks::sign_up_from(db, ip)
            .await
            .map_err(anyhow::Error::from)?,
        None => SignUpFromIp::Allowed,
    };
    if from_ip == SignUpFromIp::Blocked {
        return Err(SignUpError::IpBlocked);
    }
    let with_email = email_blocks::sign_up_with(db, email, input.ip)
        .await
        .map_err(anyhow::Error::from)?;
    let needs_approval = match with_email {
        SignUpWithEmail::Refused(why) => {
            problems.push(("email", why));
            false
        }
        SignUpWithEmail::RequiresApproval => true,
        SignUpWithEmail::Allowed => false,
    };
    Ok(input.approved && !needs_approval && from_ip == SignUpFromIp::Allowed)
}

fn taken_or_reserved(code: &'static str, reason: &str) -> Invalid {
    Invalid {
        code,
        reason: reason.to_owned(),
    }
}

/// A BCP 47-ish language tag of at most 16 letters, digits and dashes; anything else
/// becomes `en` (the locale only picks a language, it is never an error).
fn normalize_locale(locale: &str) -> String {
    let valid = !locale.is_empty()
        && locale.len() <= 16
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        locale.to_owned()
    } else {
        "en".to_owned()
    }
}
