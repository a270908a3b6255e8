//! Outbound GETs of ActivityPub documents: signed with the instance actor's key (so
//! servers in authorized-fetch mode answer), bounded in size and time, one redirect at
//! most, and never to private or loopback addresses unless `ROOST_INSECURE_HTTP`.

use std::net::IpAddr;

use chrono::Utc;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT};
use serde_json::Value;

use super::signatures;
use crate::config::Config;
use crate::state::AppState;

/// Largest document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// What `Accept` asks for: Mastodon's pair of ActivityStreams media types.
const ACTIVITY_ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not one Roost may contact (scheme, private address…).
    #[error("refusing to contact {0}")]
    Forbidden(String),
    /// The server answered 404 or 410: the object is gone.
    #[error("not found ({0})")]
    Gone(u16),
    /// Any other non-success status.
    #[error("HTTP {0}")]
    Status(u16),
    /// The body is larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document too large")]
    TooLarge,
    /// The body is not JSON.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Network, TLS or timeout.
    #[error("network: {0}")]
    Network(#[from] reqwest::Error),
    /// Anything else (keys, database).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Refuses URLs Roost must not contact: non-HTTPS (unless insecure mode), and hosts
/// that resolve to loopback, private, link-local or unspecified addresses (unless
/// insecure mode, which tests use to federate over 127.0.0.1).
pub async fn check_destination(config: &Config, url: &url::Url) -> Result<(), FetchError> {
    let forbidden = || FetchError::Forbidden(url.to_string());
    match url.scheme() {
        "https" => {}
        "http" if config.insecure_http => {}
        _ => return Err(forbidden()),
    }
    if config.insecure_http {
        return Ok(());
    }
    let host = url.host_str().ok_or_else(forbidden)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| forbidden())?;
    for address in addresses {
        if !is_public(address.ip()) {
            return Err(forbidden());
        }
    }
    Ok(())
}

/// Whether an address is on the public internet.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (segments[0] & 0xfe00) == 0xfc00
                || (segments[0] & 0xffc0) == 0xfe80)
                && v6
                    .to_ipv4_mapped()
                    .is_none_or(|v4| is_public(IpAddr::V4(v4)))
        }
    }
}

/// GETs an ActivityStreams document with a signature by the instance actor and
/// returns it as JSON.
pub async fn fetch_object(state: &AppState, url: &url::Url) -> Result<Value, FetchError> {
    get_json(state, url, ACTIVITY_ACCEPT, true).await
}

/// GETs a JSON document (WebFinger, NodeInfo) without a signature.
pub async fn fetch_plain_json(state: &AppState, url: &url::Url) -> Result<Value, FetchError> {
    get_json(state, url, "application/jrd+json, application/json", false).await
}

async fn get_json(
    state: &AppState,
    url: &url::Url,
    accept: &str,
    signed: bool,
) -> Result<Value, FetchError> {
    let mut response = send_get(state, url, accept, signed).await?;
    if response.status().is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| url.join(value).ok())
            .ok_or(FetchError::Status(response.status().as_u16()))?;
        response = send_get(state, &location, accept, signed).await?;
        if response.status().is_redirection() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
    }
    read_json(response).await
}

/// GETs an ActivityStreams document with `Authorization: Bearer token` (a bearcap's,
/// see `federation::protocol::story`). A redirect is not followed: the token is for
/// `url`'s server only.
pub async fn fetch_with_bearer(
    state: &AppState,
    url: &url::Url,
    token: &str,
) -> Result<Value, FetchError> {
    check_allowed(state, url).await?;
    let response = state
        .http
        .get(url.clone())
        .header(ACCEPT, ACTIVITY_ACCEPT)
        .bearer_auth(token)
        .send()
        .await?;
    if response.status().is_redirection() {
        return Err(FetchError::Status(response.status().as_u16()));
    }
    read_json(response).await
}

/// Refuses a destination that is not public or whose domain the instance blocks.
async fn check_allowed(state: &AppState, url: &url::Url) -> Result<(), FetchError> {
    check_destination(&state.config, url).await?;
    let refused = super::domain_policy::refuses(state, url)
        .await
        .map_err(anyhow::Error::from)?;
    if refused {
        return Err(FetchError::Forbidden(url.to_string()));
    }
    Ok(())
}

/// One GET to a checked destination, signed by the instance actor when `signed`.
async fn send_get(
    state: &AppState,
    url: &url::Url,
    accept: &str,
    signed: bool,
) -> Result<reqwest::Response, FetchError> {
    check_allowed(state, url).await?;
    let mut request = state.http.get(url.clone()).header(ACCEPT, accept);
    if signed {
        let (key_id, key) = crate::delivery::worker::instance_signing_key(state).await?;
        let headers = signatures::sign(&reqwest::Method::GET, url, None, &key_id, &key, Utc::now())
            .map_err(anyhow::Error::from)?;
        for (name, value) in headers.iter() {
            let value = HeaderValue::from_str(value).map_err(anyhow::Error::from)?;
            request = request.header(HeaderName::from_static(name), value);
        }
    }
    Ok(request.send().await?)
}

/// Reads a successful response's JSON body, at most [`MAX_DOCUMENT_BYTES`], with
/// every NUL character removed (PostgreSQL stores none; see [`crate::domain::nul`]).
async fn read_json(mut response: reqwest::Response) -> Result<Value, FetchError> {
    let status = response.status().as_u16();
    match status {
        200..=299 => {}
        404 | 410 => return Err(FetchError::Gone(status)),
        _ => return Err(FetchError::Status(status)),
    }
    if response
        .content_length()
        .is_some_and(|length| length > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let mut document: Value = serde_json::from_slice(&body)?;
    crate::domain::nul::strip_nul(&mut document);
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                !is_public(private.parse().expect("ip")),
                "{private} counted as public"
            );
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "1.1.1.1",
        ] {
            assert!(
                is_public(public.parse().expect("ip")),
                "{public} counted as private"
            );
        }
    }
}
