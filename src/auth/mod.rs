//! Authentication and authorization: password hashing (argon2id), access tokens (JWT,
//! HS256, one database row per `jti`), rotating refresh tokens, OAuth scopes and the
//! axum extractors that turn a `Bearer` header into a checked caller holding the
//! scope its endpoint declares.
//!
//! Specs: OAuth 2.0 (RFC 6749), PKCE (RFC 7636), token revocation (RFC 7009), and
//! Mastodon's scope list (<https://docs.joinmastodon.org/api/oauth-scopes/>).

pub mod app_cache;
pub mod extractor;
pub mod grants;
pub mod password;
pub mod scoped;
pub mod scopes;
pub mod secrets;
pub mod signup;
pub mod token_cache;
pub mod tokens;
pub mod two_factor_keys;

pub use extractor::{AnyToken, CurrentUser, MaybeToken, TokenInfo, UnconfirmedUser};
pub use scoped::{Bearer, OptionalToken, Scope, User};
pub use scopes::Scopes;
pub use secrets::{random_token, sha256_hex};
pub use tokens::TokenIssuer;
