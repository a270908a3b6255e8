//! Re-entering the password before a sensitive change (a new password, a new e-mail
//! address, moving the account, deleting it): one check, one error, wherever it is
//! asked.

use crate::db::users::{self, UserRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The user of `account_id` when `password` is theirs.
///
/// Errors: a 422 on `current_password` (`ERR_INVALID`, "is invalid") for a wrong
/// password, as Mastodon's settings forms answer; `NotFound` when the account has no
/// user.
pub async fn confirm_password(
    state: &AppState,
    account_id: i64,
    password: &str,
) -> ApiResult<UserRow> {
    let user = users::find_by_account_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !state
        .passwords
        .verify(password, &user.password_hash)
        .await?
    {
        return Err(ApiError::validation(
            "current_password",
            "ERR_INVALID",
            "is invalid",
        ));
    }
    Ok(user)
}
