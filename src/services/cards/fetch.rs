//! The HTTP side of preview cards: GETs of a linked page, its oEmbed document and its
//! image, each through the federation fetcher's SSRF guard
//! (`federation::fetch::check_destination`, which refuses private and loopback
//! addresses unless `ROOST_INSECURE_HTTP`) and the domain blocks, redirects followed by
//! hand (each hop checked again, at most [`MAX_REDIRECTS`]), bodies read as they
//! stream and dropped past their limit, every request bounded by [`REQUEST_TIME`].

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use url::Url;

use crate::federation::fetch::check_destination;
use crate::state::AppState;

/// Most HTML read from a page: the metadata is in its head.
pub const MAX_HTML_BYTES: usize = 1024 * 1024;
/// Largest oEmbed document.
pub const MAX_OEMBED_BYTES: usize = 64 * 1024;
/// Largest image downloaded for a card.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// Redirects followed per request.
const MAX_REDIRECTS: usize = 3;
/// Longest wait for one request, from connecting to the last byte read.
pub const REQUEST_TIME: Duration = Duration::from_secs(5);

/// Why a fetch gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not a URL Roost may contact, or too many redirects: never worth a retry.
    #[error("refused: {0}")]
    Refused(String),
    /// The server answered, but not with what a card is made of: final.
    #[error("unusable answer: {0}")]
    Unusable(String),
    /// Network trouble, a timeout or a server error: worth another try.
    #[error("temporary: {0}")]
    Temporary(String),
}

impl FetchError {
    /// Whether trying again later could help.
    pub fn is_temporary(&self) -> bool {
        matches!(self, FetchError::Temporary(_))
    }
}

/// A body read within its limit, with the URL it came from (after redirects).
#[derive(Debug)]
pub struct Fetched {
    pub url: Url,
    pub body: Vec<u8>,
}

/// GETs `url` (following checked redirects) and reads at most `max` bytes of a body
/// whose media type `accepts` — beyond `max`, the answer is refused unless
/// `truncate` (a page's head is enough), all within [`REQUEST_TIME`] per request.
pub async fn get(
    state: &AppState,
    url: &Url,
    accept: &str,
    accepts: fn(&str) -> bool,
    max: usize,
    truncate: bool,
) -> Result<Fetched, FetchError> {
    let mut current = url.clone();
    for _hop in 0..=MAX_REDIRECTS {
        let response = tokio::time::timeout(REQUEST_TIME, send(state, &current, accept))
            .await
            .map_err(|_| FetchError::Temporary("no answer in time".into()))??;
        if response.status().is_redirection() {
            current = next_hop(&current, &response)?;
            continue;
        }
        check_answer(&response, accepts)?;
        let body = tokio::time::timeout(REQUEST_TIME, read(response, max, truncate))
            .await
            .map_err(|_| FetchError::Temporary("body not read in time".into()))??;
        return Ok(Fetched { url: current, body });
    }
    Err(FetchError::Refused("too many redirects".into()))
}

/// One GET to a destination the guard allows.
async fn send(state: &AppState, url: &Url, accept: &str) -> Result<reqwest::Response, FetchError> {
    check_destination(&state.config, url)
        .await
        .map_err(|error| FetchError::Refused(error.to_string()))?;
    let suspended = crate::federation::domain_policy::refuses(state, url)
        .await
        .map_err(|error| FetchError::Temporary(error.to_string()))?;
    if suspended {
        return Err(FetchError::Refused(format!(
            "{url} is on a suspended domain"
        )));
    }
    state
        .http
        .get(url.clone())
        .header(ACCEPT, accept)
        .timeout(REQUEST_TIME)
        .send()
        .await
        .map_err(|error| FetchError::Temporary(error.to_string()))
}

/// Where a redirect points, resolved against the URL that answered.
fn next_hop(current: &Url, response: &reqwest::Response) -> Result<Url, FetchError> {
    response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| current.join(value).ok())
        .ok_or_else(|| FetchError::Unusable("a redirect without a location".into()))
}

/// Refuses error statuses (5xx and 429 are worth a retry) and unwanted media types.
fn check_answer(response: &reqwest::Response, accepts: fn(&str) -> bool) -> Result<(), FetchError> {
    let status = response.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(FetchError::Temporary(format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(FetchError::Unusable(format!("HTTP {status}")));
    }
    let media_type = media_type(response);
    if !accepts(&media_type) {
        return Err(FetchError::Unusable(format!("media type {media_type:?}")));
    }
    Ok(())
}

/// The lowercased media type of the answer, without parameters.
fn media_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the body as it streams, stopping at `max` bytes: truncated there when
/// `truncate`, refused otherwise (a declared length past `max` is refused at once).
async fn read(
    mut response: reqwest::Response,
    max: usize,
    truncate: bool,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::Unusable(format!("more than {max} bytes"));
    if !truncate && response.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| FetchError::Temporary(error.to_string()))?
    {
        let room = max - body.len();
        if chunk.len() > room {
            if !truncate {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
