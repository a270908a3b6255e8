//! Creating local users: the one path used by `POST /api/v1/accounts` and by
//! `roost admin create-user`, so both apply the same rules.

use sqlx::PgPool;

use super::password::hash_password;
use crate::db::accounts::AccountRow;
use crate::db::users::{self, CreateUserError, NewUser, UserRow};
use crate::domain::{Email, Password, Role, Username};

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
}

/// Why sign-up failed, by input field.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("{0}")]
    Username(String),
    #[error("{0}")]
    Email(String),
    #[error("{0}")]
    Password(String),
    #[error("Username has already been taken")]
    UsernameTaken,
    #[error("Email has already been taken")]
    EmailTaken,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Validates, hashes the password (argon2id) and creates the account and user rows in
/// one transaction. Usernames and e-mail addresses are unique case-insensitively.
pub async fn sign_up(
    db: &PgPool,
    input: &SignUp<'_>,
) -> Result<(AccountRow, UserRow), SignUpError> {
    let username = Username::parse(input.username).map_err(SignUpError::Username)?;
    let email = Email::parse(input.email).map_err(SignUpError::Email)?;
    let password = Password::parse(input.password).map_err(SignUpError::Password)?;
    let locale = normalize_locale(input.locale);
    let password_hash = hash_password(password.expose()).await?;
    let new_user = NewUser {
        username: username.as_str(),
        email: email.as_str(),
        password_hash: &password_hash,
        role: input.role,
        approved: input.approved,
        locale: &locale,
        sign_up_reason: input.reason,
        sign_up_ip: input.ip,
    };
    let mut transaction = db.begin().await.map_err(anyhow::Error::from)?;
    let created =
        users::create(&mut transaction, &new_user)
            .await
            .map_err(|error| match error {
                CreateUserError::UsernameTaken => SignUpError::UsernameTaken,
                CreateUserError::EmailTaken => SignUpError::EmailTaken,
                CreateUserError::Database(error) => SignUpError::Internal(error.into()),
            })?;
    transaction.commit().await.map_err(anyhow::Error::from)?;
    Ok(created)
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
