//! Mastodon's admin API (`/api/v1/admin`, `/api/v2/admin`) and Roost's own delivery
//! admin. Every endpoint needs a staff role **and** an admin scope: moderators may
//! moderate accounts and reports; domain blocks, allows, IP and e-mail blocks,
//! deliveries and relays are for admins.
//! Each handler declares both at once by the [`Staff`] it extracts, e.g.
//! `Staff<WriteReports>`. Spec: <https://docs.joinmastodon.org/methods/admin/>.

pub mod accounts;
pub mod announcements;
pub mod dashboard;
pub mod deliveries;
pub mod domains;
pub mod email_blocks;
pub mod ip_blocks;
pub mod relays;
pub mod reports;
pub mod tags;
pub mod trends;

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{Scope, User};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult};
use crate::services::moderation::Moderator;
use crate::state::AppState;

/// Who may use an admin endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Moderators and admins.
    Moderator,
    /// Admins only.
    Admin,
}

/// What an admin endpoint requires: any of its [`Scope`]'s scopes, and the role `NEEDS`.
pub trait Permission: Scope {
    /// The role required.
    const NEEDS: Needs;
}

/// Declares permission types: `Name, [scopes], Needs`.
macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident, [$($scope:literal),+], $needs:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name;

        impl Scope for $name {
            const ACCEPTED: &'static [&'static str] = &[$($scope),+];
        }

        impl Permission for $name {
            const NEEDS: Needs = Needs::$needs;
        }
    )+};
}

permissions! {
    /// Reading accounts: moderators.
    ReadAccounts, ["admin:read:accounts"], Moderator;
    /// Acting on accounts: moderators.
    WriteAccounts, ["admin:write:accounts"], Moderator;
    /// Reading reports: moderators.
    ReadReports, ["admin:read:reports"], Moderator;
    /// Handling reports: moderators.
    WriteReports, ["admin:write:reports"], Moderator;
    /// Reading domain blocks: admins.
    ReadDomainBlocks, ["admin:read:domain_blocks"], Admin;
    /// Changing domain blocks: admins.
    WriteDomainBlocks, ["admin:write:domain_blocks"], Admin;
    /// Reading the allowlist: admins.
    ReadDomainAllows, ["admin:read:domain_allows"], Admin;
    /// Changing the allowlist: admins.
    WriteDomainAllows, ["admin:write:domain_allows"], Admin;
    /// Reading the delivery view: admins.
    ReadDeliveries, ["admin:read"], Admin;
    /// Replaying deliveries: admins.
    WriteDeliveries, ["admin:write"], Admin;
    /// Reading every announcement: admins.
    ReadAnnouncements, ["admin:read"], Admin;
    /// Publishing, changing and removing announcements: admins.
    WriteAnnouncements, ["admin:write"], Admin;
    /// Reading IP blocks: admins (Mastodon's manage_blocks).
    ReadIpBlocks, ["admin:read:ip_blocks"], Admin;
    /// Changing IP blocks: admins.
    WriteIpBlocks, ["admin:write:ip_blocks"], Admin;
    /// Reading e-mail domain blocks: admins (manage_blocks).
    ReadEmailDomainBlocks, ["admin:read:email_domain_blocks"], Admin;
    /// Changing e-mail domain blocks: admins.
    WriteEmailDomainBlocks, ["admin:write:email_domain_blocks"], Admin;
    /// Reading canonical e-mail blocks: admins (manage_blocks).
    ReadCanonicalEmailBlocks, ["admin:read:canonical_email_blocks"], Admin;
    /// Changing canonical e-mail blocks: admins.
    WriteCanonicalEmailBlocks, ["admin:write:canonical_email_blocks"], Admin;
    /// Reading hashtags and the dashboard (measures, dimensions, retention): moderators
    /// (Mastodon's `manage_taxonomies` and `view_dashboard`).
    ReadTags, ["admin:read"], Moderator;
    /// Reviewing hashtags: moderators.
    WriteTags, ["admin:write"], Moderator;
    /// Reading relays: admins (Mastodon's `manage_federation`).
    ReadRelays, ["admin:read"], Admin;
    /// Adding, enabling, disabling and removing relays: admins.
    WriteRelays, ["admin:write"], Admin;
    /// Deleting a suspended account's data: admins (Mastodon's `delete_user_data`).
    DeleteAccounts, ["admin:write:accounts"], Admin;
}

/// A staff member whose token passed the permission `P`: the extractor of every admin
/// endpoint. Rejects like [`User`] without a usable token or the scope (403 "outside
/// the authorized scopes", as for any endpoint), then checks the role (403 "This action is not allowed", Mastodon's answer).
#[derive(Debug)]
pub struct Staff<P> {
    /// The staff member's account.
    pub account_id: i64,
    /// The role they hold now.
    pub role: Role,
    permission: PhantomData<P>,
}

impl<P> Staff<P> {
    /// The moderator behind the request, for `services::moderation` (whose role rule
    /// decides whom they may act on).
    pub fn moderator(&self) -> Moderator {
        Moderator::Staff {
            account_id: self.account_id,
            role: self.role,
        }
    }
}

impl<P: Permission + Send> FromRequestParts<AppState> for Staff<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let user = User::<P>::from_request_parts(parts, state).await?;
        let allowed = match P::NEEDS {
            Needs::Moderator => user.token.role.is_staff(),
            Needs::Admin => user.token.role == Role::Admin,
        };
        if !allowed {
            return Err(ApiError::Forbidden("This action is not allowed".into()));
        }
        Ok(Staff {
            account_id: user.account_id,
            role: user.token.role,
            permission: PhantomData,
        })
    }
}
