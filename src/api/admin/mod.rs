//! Mastodon's admin API (`/api/v1/admin`, `/api/v2/admin`) and Roost's own delivery
//! admin. Every endpoint needs a staff role **and** an admin scope: moderators may
//! moderate accounts and reports; domain blocks, allows and deliveries are for admins.
//! Spec: <https://docs.joinmastodon.org/methods/admin/>.

pub mod accounts;
pub mod deliveries;
pub mod domains;
pub mod reports;

use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::error::{ApiError, ApiResult};

/// Who may use an admin endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Moderators and admins.
    Moderator,
    /// Admins only.
    Admin,
}

/// Checks the scope first (403 "outside the authorized scopes", as for any endpoint),
/// then the role (403 "This action is not allowed", Mastodon's answer).
pub fn authorize(user: &CurrentUser, scopes: &[&str], needs: Needs) -> ApiResult<()> {
    user.token.require_scope(scopes)?;
    let allowed = match needs {
        Needs::Moderator => user.token.role.is_staff(),
        Needs::Admin => user.token.role == Role::Admin,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden("This action is not allowed".into()))
    }
}
