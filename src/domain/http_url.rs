//! Web addresses taken from other servers' documents. Every URL Roost hands to clients or
//! puts into HTML on another server's say-so (a post's or profile's `url`, avatars,
//! headers, media, emoji, link targets) must be one a browser can only *visit*: an
//! absolute `http` or `https` URL with a host. `javascript:`, `data:`, `file:`,
//! `blob:` and the rest are refused, so a hostile peer cannot plant script or local
//! file access behind a link a client renders.
//!
//! The rule lives in [`HttpUrl::from_url`]; the ActivityPub wire types in
//! `federation::protocol` use [`HttpUrl`] for those properties, so a URL that breaks it
//! is dropped while the document is parsed and nothing downstream can forget the check.
//! Identifiers (`id`, `inbox`, …) are not covered here: those are checked against the
//! sender's origin instead, which an opaque `javascript:` URL never matches.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

/// An absolute `http`/`https` URL with a host, at most [`HttpUrl::MAX_LEN`] bytes long.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HttpUrl(Url);

/// Why a URL was refused as an [`HttpUrl`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidHttpUrl {
    /// Not a URL at all.
    #[error("not a URL")]
    Unparseable,
    /// A scheme other than `http` and `https` (`javascript:`, `data:`, `file:`, …).
    #[error("the scheme {0:?} is not http or https")]
    Scheme(String),
    /// No host to visit.
    #[error("the URL has no host")]
    NoHost,
    /// Longer than [`HttpUrl::MAX_LEN`].
    #[error("the URL is longer than {} bytes", HttpUrl::MAX_LEN)]
    TooLong,
}

impl HttpUrl {
    /// Longest URL accepted (bytes of its serialization). Real links, avatars and media
    /// URLs are far shorter; a longer one only costs storage and rendering.
    pub const MAX_LEN: usize = 2048;

    /// Parses `text` as an absolute URL and checks it with [`HttpUrl::from_url`].
    pub fn parse(text: &str) -> Result<HttpUrl, InvalidHttpUrl> {
        let url = Url::parse(text).map_err(|_| InvalidHttpUrl::Unparseable)?;
        HttpUrl::from_url(url)
    }

    /// The rule: the scheme is `http` or `https`, there is a non-empty host and the
    /// whole URL fits in [`HttpUrl::MAX_LEN`] bytes.
    pub fn from_url(url: Url) -> Result<HttpUrl, InvalidHttpUrl> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(InvalidHttpUrl::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(InvalidHttpUrl::NoHost);
        }
        if url.as_str().len() > HttpUrl::MAX_LEN {
            return Err(InvalidHttpUrl::TooLong);
        }
        Ok(HttpUrl(url))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URL as a [`Url`].
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The inner [`Url`].
    pub fn into_url(self) -> Url {
        self.0
    }
}

impl TryFrom<Url> for HttpUrl {
    type Error = InvalidHttpUrl;

    fn try_from(url: Url) -> Result<Self, Self::Error> {
        HttpUrl::from_url(url)
    }
}

impl From<HttpUrl> for Url {
    fn from(url: HttpUrl) -> Url {
        url.0
    }
}

impl Deref for HttpUrl {
    type Target = Url;

    fn deref(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for HttpUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    /// Reads a string and applies [`HttpUrl::parse`]: anything else is an error, which
    /// the protocol's lenient readers turn into "absent".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HttpUrl::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `host[:port]` of a URL, lowercased (how Roost names remote domains).
pub fn authority(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_are_accepted_as_written() {
        for text in [
            "https://example.com/@alice",
            "http://127.0.0.1:8080/media/1.png?size=small#top",
            "HTTPS://Example.COM/a",
        ] {
            let url = HttpUrl::parse(text).expect("accepted");
            assert!(url.as_str().starts_with("http"), "{url}");
        }
    }

    #[test]
    fn script_data_and_file_urls_are_refused() {
        for text in [
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            "java\tscript:alert(1)",
            "data:image/png;base64,iVBORw0KGgo=",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:msgbox(1)",
            "blob:https://example.com/1",
            "ftp://example.com/1.png",
            "mailto:a@example.com",
        ] {
            assert!(
                matches!(HttpUrl::parse(text), Err(InvalidHttpUrl::Scheme(_))),
                "{text} accepted"
            );
        }
    }

    #[test]
    fn relative_hostless_and_overlong_urls_are_refused() {
        assert_eq!(
            HttpUrl::parse("/users/alice"),
            Err(InvalidHttpUrl::Unparseable)
        );
        assert_eq!(HttpUrl::parse(""), Err(InvalidHttpUrl::Unparseable));
        assert!(HttpUrl::parse("https://").is_err());
        let long = format!("https://example.com/{}", "a".repeat(HttpUrl::MAX_LEN));
        assert_eq!(HttpUrl::parse(&long), Err(InvalidHttpUrl::TooLong));
    }

    #[test]
    fn it_reads_and_writes_json_as_a_string() {
        let url: HttpUrl = serde_json::from_str("\"https://a.example/x\"").expect("reads");
        assert_eq!(
            serde_json::to_string(&url).expect("writes"),
            "\"https://a.example/x\""
        );
        assert!(serde_json::from_str::<HttpUrl>("\"javascript:alert(1)\"").is_err());
        assert!(serde_json::from_str::<HttpUrl>("{\"href\": \"https://a\"}").is_err());
    }
}
