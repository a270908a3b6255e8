//! Who is looking at a web page: the session cookie (a random token whose hash names a
//! `web_sessions` row, see `services::web_sessions`) and the CSRF token every form of
//! the page must carry.
//!
//! Cookies are `HttpOnly`, `SameSite=Lax` and, unless `ROOST_INSECURE_HTTP` is set,
//! `Secure` with the `__Host-` prefix (bound to this host and path `/`). A signed-in
//! visitor's forms carry the session's own CSRF token; a signed-out visitor's (sign-in,
//! sign-up) carry a random token also set as the `csrf` cookie, compared on submit
//! (double submit), so a form posted from another site fails either way.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request};
use axum::http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::secrets::random_token;
use crate::config::Config;
use crate::db::web_sessions::LiveSession;
use crate::error::ApiError;
use crate::services::web_sessions::{self, ClientMeta};
use crate::state::AppState;

/// Session cookie names: with and without HTTPS (the `__Host-` prefix requires `Secure`).
const SESSION_SECURE: &str = "__Host-roost_session";
const SESSION_PLAIN: &str = "roost_session";
const CSRF_SECURE: &str = "__Host-roost_csrf";
const CSRF_PLAIN: &str = "roost_csrf";

/// The visitor of a page, signed in or not.
pub struct Visitor {
    /// A fully signed-in session of a usable account.
    pub session: Option<LiveSession>,
    /// A session that gave its password but still owes its two-factor code.
    pub pending: Option<LiveSession>,
    /// The CSRF token the page's forms carry.
    pub csrf: String,
    /// The client's address and browser, recorded with new sessions.
    pub client: ClientMeta,
    pub ip: IpAddr,
}

impl Visitor {
    /// The signed-in account's id, for visibility checks.
    pub fn account_id(&self) -> Option<i64> {
        self.session.as_ref().map(|session| session.account_id)
    }

    /// Whether `sent` is this visitor's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, sent: &str) -> bool {
        use subtle::ConstantTimeEq;
        !sent.is_empty() && bool::from(sent.as_bytes().ct_eq(self.csrf.as_bytes()))
    }
}

/// Where the middleware collects a CSRF cookie an extractor minted, to set it on the
/// response.
#[derive(Clone, Default)]
struct MintedCsrf(Arc<Mutex<Option<String>>>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let config = &state.config;
        let session_token = cookie(parts, session_cookie_name(config));
        let live = match session_token {
            Some(token) => web_sessions::find(state, &token).await?,
            None => None,
        };
        let (session, pending) = match live {
            Some(live) if !live.usable => (None, None),
            Some(live) if live.awaiting_second_factor => (None, Some(live)),
            Some(live) => (Some(live), None),
            None => (None, None),
        };
        let csrf = match (&session, &pending) {
            (Some(live), _) | (None, Some(live)) => live.csrf_token.clone(),
            (None, None) => pre_session_token(parts, config),
        };
        let ip = crate::api::ClientIp::from_request_parts(parts, state)
            .await?
            .0;
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(Visitor {
            session,
            pending,
            csrf,
            client: ClientMeta {
                user_agent,
                ip: Some(ip.to_string()),
            },
            ip,
        })
    }
}

/// The signed-out CSRF token: the cookie's, or a new one the middleware will set.
fn pre_session_token(parts: &Parts, config: &Config) -> String {
    if let Some(token) = cookie(parts, csrf_cookie_name(config)).filter(|t| t.len() >= 32) {
        return token;
    }
    let token = random_token(24);
    if let Some(minted) = parts.extensions.get::<MintedCsrf>() {
        if let Ok(mut slot) = minted.0.lock() {
            *slot = Some(token.clone());
        }
    }
    token
}

/// Middleware: lets extractors mint the signed-out CSRF cookie and sets it on the
/// response when one did.
pub async fn csrf_cookie_layer(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let minted = MintedCsrf::default();
    request.extensions_mut().insert(minted.clone());
    let mut response = next.run(request).await;
    let token = minted.0.lock().ok().and_then(|mut slot| slot.take());
    if let Some(token) = token {
        let name = csrf_cookie_name(&state.config);
        let value = cookie_header(name, &token, &state.config, Some(60 * 60 * 24));
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// A `Set-Cookie` value that gives the browser the session token.
pub fn session_cookie(config: &Config, token: &str) -> HeaderValue {
    cookie_header(session_cookie_name(config), token, config, None)
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(config: &Config) -> HeaderValue {
    cookie_header(session_cookie_name(config), "", config, Some(0))
}

fn session_cookie_name(config: &Config) -> &'static str {
    if config.insecure_http {
        SESSION_PLAIN
    } else {
        SESSION_SECURE
    }
}

fn csrf_cookie_name(config: &Config) -> &'static str {
    if config.insecure_http {
        CSRF_PLAIN
    } else {
        CSRF_SECURE
    }
}

/// Builds a cookie with Roost's attributes; `max_age` of `None` lasts as long as the
/// server-side row says (the browser keeps it until the session is gone).
fn cookie_header(name: &str, value: &str, config: &Config, max_age: Option<i64>) -> HeaderValue {
    let secure = if config.insecure_http { "" } else { "; Secure" };
    let age = max_age.unwrap_or(60 * 60 * 24 * 30);
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{secure}");
    // Names and values are URL-safe base64 or fixed ASCII, always a valid header.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of cookie `name` in the request, if sent.
fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.len() <= 128)
}

/// The signed-in session of a request's cookie, for the event stream the pages' script
/// opens (`EventSource` sends cookies, not headers). Only read-only streaming endpoints
/// take it: a cookie never authenticates a client-API call that changes anything.
pub struct StreamSession(pub Option<crate::auth::extractor::TokenInfo>);

impl FromRequestParts<AppState> for StreamSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = cookie(parts, session_cookie_name(&state.config)) else {
            return Ok(StreamSession(None));
        };
        let session = web_sessions::find(state, &token)
            .await?
            .filter(|session| session.usable && !session.awaiting_second_factor);
        Ok(StreamSession(session.map(|session| {
            crate::auth::extractor::TokenInfo {
                id: uuid::Uuid::nil(),
                family_id: uuid::Uuid::nil(),
                app_id: 0,
                account_id: Some(session.account_id),
                scopes: crate::auth::Scopes::from_stored(vec!["read".to_owned()]),
                role: crate::domain::Role::from_db(&session.role),
            }
        })))
    }
}
