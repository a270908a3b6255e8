//! The Token entity (<https://docs.joinmastodon.org/entities/Token/>), the response of
//! `POST /oauth/token` and of registration.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::tokens::IssuedTokens;
use crate::auth::Scopes;

/// An OAuth token response (RFC 6749 §5.1 plus Mastodon's `created_at`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub access_token: String,
    pub token_type: &'static str,
    pub scope: String,
    pub created_at: i64,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl Token {
    /// The response for freshly issued tokens.
    pub fn from_issued(issued: IssuedTokens, scopes: &Scopes) -> Token {
        Token {
            access_token: issued.access_token,
            token_type: "Bearer",
            scope: scopes.to_string(),
            created_at: issued.created_at,
            expires_in: issued.expires_in,
            refresh_token: issued.refresh_token,
        }
    }
}
