//! Handlers of `/api/v1` (and the v2 endpoints that share their logic).

pub mod accounts;
pub mod apps;
pub mod blocks;
pub mod compose;
pub mod domain_blocks;
pub mod follows;
pub mod instance;
pub mod interactions;
pub mod media;
pub mod notifications;
pub mod push;
pub mod reports;
pub mod search;
pub mod statuses;
pub mod timelines;

use crate::error::ApiError;

/// Checks that an optional text parameter is at most `max` characters.
pub(crate) fn check_length(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<(), ApiError> {
    match value {
        Some(text) if text.chars().count() > max => Err(ApiError::validation(
            field,
            "ERR_TOO_LONG",
            format!("{field} is too long (maximum is {max} characters)"),
        )),
        _ => Ok(()),
    }
}
