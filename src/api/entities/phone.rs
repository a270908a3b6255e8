//! Roost's phone verification entities (an extension of the Mastodon API, see
//! docs/api.md "Phone verification"): a code sent, a number verified, a user's number.
//! Numbers are always shown mostly hidden.

use serde::Serialize;

use super::timestamp;
use crate::services::phone_verification::{Started, Verified};

/// A verification whose code was sent (`POST /api/v1/roost/phone_verifications`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhoneVerification {
    /// Pass it to `…/confirm` and, for a sign-up, as `phone_verification` to
    /// `POST /api/v1/accounts`.
    pub id: String,
    /// Where the code went, mostly hidden (`+14•••••••23`).
    pub phone_number: String,
    /// When the code stops working.
    pub expires_at: Option<String>,
    /// Whether the code was confirmed.
    pub verified: bool,
}

impl PhoneVerification {
    pub fn started(started: &Started) -> Self {
        PhoneVerification {
            id: started.id.to_string(),
            phone_number: started.masked.clone(),
            expires_at: Some(timestamp(started.expires_at)),
            verified: false,
        }
    }

    pub fn verified(verified: &Verified) -> Self {
        PhoneVerification {
            id: verified.id.to_string(),
            phone_number: verified.masked.clone(),
            expires_at: None,
            verified: true,
        }
    }
}

/// The signed-in user's verified number (`GET /api/v1/roost/phone`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Phone {
    /// Mostly hidden.
    pub phone_number: String,
    pub verified_at: String,
    /// Whether sign-in asks for a code texted to this number.
    pub two_factor: bool,
}
