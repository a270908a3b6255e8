//! WebFinger: the JRD document that turns `user@domain` into an actor URI, the parser of
//! the `acct:` resources it is queried with, and the document Roost answers with.
//!
//! Roost's answer follows Mastodon's: `subject`, the profile and actor URLs as `aliases`,
//! and three links (profile page, `self` actor, OStatus subscribe template). Reading a
//! peer's answer only extracts links; checking that the actor it names lives on the
//! queried domain is the caller's job.
//!
//! Specs: RFC 7033 (<https://www.rfc-editor.org/rfc/rfc7033>), RFC 7565 (`acct:` URIs),
//! <https://docs.joinmastodon.org/spec/webfinger/>.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use super::{actor::LocalActorUrls, join_segments, lenient, InvalidBaseUrl};

/// The media type of a JRD response body.
pub const JRD_MEDIA_TYPE: &str = "application/jrd+json";
/// Link relation of the actor document link.
pub const SELF_REL: &str = "self";
/// Link relation of the human-facing profile page.
pub const PROFILE_PAGE_REL: &str = "http://webfinger.net/rel/profile-page";
/// Link relation of the remote-interaction ("subscribe") URL template.
pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";
/// The ActivityPub media type Roost advertises for its `self` links.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// A JSON Resource Descriptor: the body of a WebFinger response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jrd {
    /// The canonical URI of the resource, normally `acct:user@domain`. Mastodon refuses
    /// a JRD without one, and so does this parser.
    pub subject: String,
    /// Other URIs for the same resource (profile page, actor id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub aliases: Vec<String>,
    /// Typed links. Malformed entries are skipped.
    #[serde(default, deserialize_with = "lenient::valid_items")]
    pub links: Vec<JrdLink>,
}

/// One link of a [`Jrd`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JrdLink {
    /// The relation, e.g. [`SELF_REL`].
    pub rel: String,
    /// The target's media type, e.g. [`ACTIVITY_JSON`].
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub media_type: Option<String>,
    /// The target, as sent (not necessarily a valid URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub href: Option<String>,
    /// A URI template, for links like [`SUBSCRIBE_REL`] that have one instead of `href`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub template: Option<String>,
}

impl Jrd {
    /// Roost's answer for a local account: `subject` is `acct`, `aliases` are the profile
    /// page and actor id, and the links are the profile page (`text/html`), the actor
    /// (`application/activity+json`) and `{base}/authorize_interaction?uri={uri}`.
    pub fn local(acct: &AcctUri, urls: &LocalActorUrls, base: &Url) -> Result<Jrd, InvalidBaseUrl> {
        let authorize = join_segments(base, &["authorize_interaction"])?;
        let link = |rel: &str, media_type: Option<&str>, href: &Url| JrdLink {
            rel: rel.to_owned(),
            media_type: media_type.map(str::to_owned),
            href: Some(href.to_string()),
            template: None,
        };
        Ok(Jrd {
            subject: acct.to_string(),
            aliases: vec![urls.profile.to_string(), urls.id.to_string()],
            links: vec![
                link(PROFILE_PAGE_REL, Some("text/html"), &urls.profile),
                link(SELF_REL, Some(ACTIVITY_JSON), &urls.id),
                JrdLink {
                    rel: SUBSCRIBE_REL.to_owned(),
                    media_type: None,
                    href: None,
                    // Braces must stay literal: a Url would percent-encode them.
                    template: Some(format!("{authorize}?uri={{uri}}")),
                },
            ],
        })
    }

    /// The actor URI: the `href` of the first `self` link whose media type is
    /// `application/activity+json` or `application/ld+json` (any parameters, any case).
    /// `None` if there is none or its `href` is not a URL.
    pub fn activitypub_actor(&self) -> Option<Url> {
        self.links
            .iter()
            .filter(|link| link.rel == SELF_REL)
            .filter(|link| {
                link.media_type
                    .as_deref()
                    .is_some_and(is_activitypub_media_type)
            })
            .find_map(|link| Url::parse(link.href.as_deref()?).ok())
    }

    /// The human-facing profile page, if linked.
    pub fn profile_page(&self) -> Option<Url> {
        self.links
            .iter()
            .filter(|link| link.rel == PROFILE_PAGE_REL)
            .find_map(|link| Url::parse(link.href.as_deref()?).ok())
    }

    /// The remote-interaction template (with a literal `{uri}` placeholder), if any.
    pub fn subscribe_template(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|link| link.rel == SUBSCRIBE_REL)
            .and_then(|link| link.template.as_deref())
    }
}

/// Whether a media type denotes an ActivityStreams document: its essence (before any
/// `;` parameters) is `application/activity+json` or `application/ld+json`.
pub fn is_activitypub_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(ACTIVITY_JSON)
        || essence.eq_ignore_ascii_case("application/ld+json")
}

/// A parsed `acct:user@domain` resource.
///
/// [`AcctUri::parse`] accepts what peers and users send: `acct:` in any case or missing
/// (GoToSocial allows that), a leading `@`, and a port in the domain. The domain is
/// lowercased (and IDNA-encoded); the username keeps its case, since matching accounts
/// case-insensitively is the caller's decision. Displays as `acct:user@domain`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AcctUri {
    /// The username, as given.
    pub username: String,
    /// The domain, lowercase, with `:port` if one was given (and not the https default).
    pub domain: String,
}

/// Why a WebFinger resource is not a usable `acct:` URI.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AcctUriError {
    /// A URL such as `https://…`: not an `acct:` resource (look it up as a URL instead).
    #[error("the resource is a URL, not an acct: URI")]
    NotAcct,
    /// No `@domain` part.
    #[error("the resource has no domain")]
    MissingDomain,
    /// The username part is empty or contains characters no username has.
    #[error("the username is empty or malformed")]
    InvalidUsername,
    /// The domain part is not a host with an optional port.
    #[error("the domain is not a valid host")]
    InvalidDomain,
}

impl AcctUri {
    /// Parses a WebFinger `resource` value or a typed handle; see [`AcctUri`].
    pub fn parse(resource: &str) -> Result<AcctUri, AcctUriError> {
        let resource = resource.trim();
        let rest = match resource.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("acct") => rest,
            // A colon after the `@` is a port; before it, some other scheme.
            Some((before, _)) if !before.contains('@') && !before.starts_with('@') => {
                return Err(AcctUriError::NotAcct);
            }
            _ => resource,
        };
        let rest = rest.strip_prefix('@').unwrap_or(rest);
        let (username, domain) = rest.split_once('@').ok_or(AcctUriError::MissingDomain)?;
        if username.is_empty() || username.contains(is_forbidden_in_username) {
            return Err(AcctUriError::InvalidUsername);
        }
        Ok(AcctUri {
            username: username.to_owned(),
            domain: normalize_domain(domain)?,
        })
    }

    /// The handle without scheme: `user@domain`.
    pub fn handle(&self) -> String {
        format!("{}@{}", self.username, self.domain)
    }
}

impl fmt::Display for AcctUri {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "acct:{}@{}", self.username, self.domain)
    }
}

fn is_forbidden_in_username(character: char) -> bool {
    character.is_whitespace() || character.is_control() || "@/?#:%".contains(character)
}

/// Checks `host[:port]` by parsing it as the authority of an https URL, and returns the
/// normalised form.
fn normalize_domain(domain: &str) -> Result<String, AcctUriError> {
    if domain.is_empty() || domain.contains(|c: char| c.is_whitespace() || "@/?#\\".contains(c)) {
        return Err(AcctUriError::InvalidDomain);
    }
    let url = Url::parse(&format!("https://{domain}/")).map_err(|_| AcctUriError::InvalidDomain)?;
    let host = url.host_str().ok_or(AcctUriError::InvalidDomain)?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}
