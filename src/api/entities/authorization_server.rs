//! The OAuth 2.0 Authorization Server Metadata document (RFC 8414,
//! <https://www.rfc-editor.org/rfc/rfc8414#section-2>) served at
//! `/.well-known/oauth-authorization-server`, as Mastodon serves it
//! (<https://docs.joinmastodon.org/methods/oauth/#authorization-server-metadata>).

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::scopes::KNOWN_SCOPES;
use crate::config::Config;

/// Where Roost's OAuth endpoints are and what they support.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuthorizationServerMetadata {
    pub issuer: String,
    pub service_documentation: &'static str,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    /// Mastodon's app registration (`POST /api/v1/apps`).
    pub app_registration_endpoint: String,
    pub scopes_supported: &'static [&'static str],
    pub response_types_supported: [&'static str; 1],
    pub response_modes_supported: [&'static str; 1],
    pub grant_types_supported: [&'static str; 4],
    pub token_endpoint_auth_methods_supported: [&'static str; 3],
    pub code_challenge_methods_supported: [&'static str; 1],
}

impl AuthorizationServerMetadata {
    /// The document of this server.
    pub fn new(config: &Config) -> AuthorizationServerMetadata {
        let base = config.base_url();
        AuthorizationServerMetadata {
            issuer: config.issuer(),
            service_documentation: "https://docs.joinmastodon.org/",
            authorization_endpoint: format!("{base}/oauth/authorize"),
            token_endpoint: format!("{base}/oauth/token"),
            revocation_endpoint: format!("{base}/oauth/revoke"),
            app_registration_endpoint: format!("{base}/api/v1/apps"),
            scopes_supported: KNOWN_SCOPES,
            response_types_supported: ["code"],
            response_modes_supported: ["query"],
            grant_types_supported: [
                "authorization_code",
                "password",
                "client_credentials",
                "refresh_token",
            ],
            token_endpoint_auth_methods_supported: [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            code_challenge_methods_supported: ["S256"],
        }
    }
}
