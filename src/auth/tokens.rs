//! Access tokens (JWT, HS256) and opaque secrets (refresh tokens, authorization codes,
//! client secrets).
//!
//! A JWT alone is never trusted: every request also loads the token's row by `jti`
//! (see [`crate::db::oauth::find_live_access_token`]), so a revoked token fails at once
//! on every process. The JWT's job is to carry a well-formed, unforgeable id.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::scopes::Scopes;
// Re-exported: `roost-bench` makes secret keys with `auth::tokens::random_token`.
pub use super::secrets::{random_token, sha256_hex};
use crate::config::SecretKey;
use crate::db::oauth::{self, NewAccessToken, RefreshTokenRow};

/// The claims of a Roost access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: the instance's base URL with a trailing slash.
    pub iss: String,
    /// Subject: the account id, absent for app-only (client_credentials) tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The app's client_id.
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Token id, the primary key of its `oauth_access_tokens` row.
    pub jti: Uuid,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
}

/// What to issue tokens for.
#[derive(Debug)]
pub struct Grant<'a> {
    pub app_id: i64,
    pub client_id: &'a str,
    pub account_id: Option<i64>,
    pub scopes: &'a Scopes,
    /// Tokens issued by refreshing keep the family of the grant they descend from.
    pub family_id: Uuid,
    /// Whether to issue a refresh token too (not for app-only tokens).
    pub with_refresh_token: bool,
}

/// Tokens just issued, ready for the `/oauth/token` response.
#[derive(Debug)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub created_at: i64,
}

/// Signs, verifies and records tokens. Cheap to clone; lives in the app state.
#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

impl TokenIssuer {
    /// Builds an issuer from the instance secret, base URL and token lifetimes (seconds).
    pub fn new(secret: &SecretKey, issuer: String, access_ttl: u64, refresh_ttl: u64) -> Self {
        let clamp = |secs: u64| Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2_000));
        TokenIssuer {
            encoding: EncodingKey::from_secret(&secret.0),
            decoding: DecodingKey::from_secret(&secret.0),
            issuer,
            access_ttl: clamp(access_ttl),
            refresh_ttl: clamp(refresh_ttl),
        }
    }

    /// Issues an access token (and optionally a refresh token) and records both, on the
    /// given connection, so callers can make it part of a larger transaction.
    pub async fn issue(
        &self,
        db: &mut PgConnection,
        grant: &Grant<'_>,
    ) -> anyhow::Result<IssuedTokens> {
        let now = Utc::now();
        let expires_at = now + self.access_ttl;
        let row = NewAccessToken {
            id: Uuid::new_v4(),
            family_id: grant.family_id,
            app_id: grant.app_id,
            account_id: grant.account_id,
            scopes: grant.scopes.as_slice().to_vec(),
            expires_at,
        };
        let created_at = oauth::insert_access_token(&mut *db, &row).await?;
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: grant.account_id.map(|id| id.to_string()),
            client_id: grant.client_id.to_owned(),
            scope: grant.scopes.to_string(),
            jti: row.id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let access_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        let refresh_token = match (grant.with_refresh_token, grant.account_id) {
            (true, Some(account_id)) => Some(self.issue_refresh(db, grant, account_id).await?),
            _ => None,
        };
        Ok(IssuedTokens {
            access_token,
            refresh_token,
            expires_in: self.access_ttl.num_seconds(),
            created_at: created_at.timestamp(),
        })
    }

    async fn issue_refresh(
        &self,
        db: &mut PgConnection,
        grant: &Grant<'_>,
        account_id: i64,
    ) -> anyhow::Result<String> {
        let token = random_token(32);
        let row = RefreshTokenRow {
            family_id: grant.family_id,
            app_id: grant.app_id,
            account_id,
            scopes: grant.scopes.as_slice().to_vec(),
        };
        oauth::insert_refresh_token(
            &mut *db,
            &sha256_hex(&token),
            &row,
            Utc::now() + self.refresh_ttl,
        )
        .await?;
        Ok(token)
    }

    /// Mints the JWT of an already issued access token again (same `jti`, scopes and
    /// lifetime), for payloads that must carry the token, such as Web Push messages.
    pub fn reissue(&self, token: &oauth::IssuedAccessToken) -> anyhow::Result<String> {
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: token.account_id.map(|id| id.to_string()),
            client_id: token.client_id.clone(),
            scope: token.scopes.join(" "),
            jti: token.id,
            iat: token.created_at.timestamp(),
            exp: token.expires_at.timestamp(),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies a JWT's signature, issuer and expiry. `None` for anything invalid.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        self.decode(token, true)
    }

    /// Verifies signature and issuer but accepts an expired token (for revocation).
    pub fn verify_ignoring_expiry(&self, token: &str) -> Option<Claims> {
        self.decode(token, false)
    }

    fn decode(&self, token: &str, check_expiry: bool) -> Option<Claims> {
        if token.len() > 4096 {
            return None;
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_exp = check_expiry;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(secret: &str) -> TokenIssuer {
        TokenIssuer::new(
            &SecretKey(secret.as_bytes().to_vec()),
            "http://a.test".into(),
            60,
            60,
        )
    }

    fn sign(issuer: &TokenIssuer, exp: i64) -> String {
        let claims = Claims {
            iss: "http://a.test".into(),
            sub: Some("1".into()),
            client_id: "c".into(),
            scope: "read".into(),
            jti: Uuid::new_v4(),
            iat: 0,
            exp,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &issuer.encoding)
            .expect("signs")
    }

    #[test]
    fn tokens_from_another_key_or_expired_are_rejected() {
        let ours = issuer("0123456789abcdef0123456789abcdef");
        let theirs = issuer("fedcba9876543210fedcba9876543210");
        let future = Utc::now().timestamp() + 600;
        assert!(ours.verify(&sign(&ours, future)).is_some());
        assert!(ours.verify(&sign(&theirs, future)).is_none());
        let past = Utc::now().timestamp() - 10;
        assert!(ours.verify(&sign(&ours, past)).is_none());
        assert!(ours.verify_ignoring_expiry(&sign(&ours, past)).is_some());
        assert!(ours.verify("garbage").is_none());
    }
}
