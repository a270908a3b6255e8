//! ActivityPub wire types: the JSON documents Roost sends and receives over federation,
//! as plain serde structs and enums.
//!
//! This module owns the *shape* of actors, activities, collections, WebFinger and NodeInfo
//! documents, the constructors for Roost's own outbound documents, and the pieces every
//! shape shares ([`OneOrMany`], [`ObjectRef`], [`Link`], [`Image`], [`Tag`], [`context`],
//! [`PUBLIC`]). It does no
//! I/O, touches no database, checks no signature and decides nothing about trust: a parsed
//! document is only well-formed, not authentic. Behaviour (fetching, verifying, storing,
//! dispatching) lives in the rest of `federation/`.
//!
//! Parsing is lenient where real servers are inconsistent (a value or an array, `null` for
//! "absent", unknown fields and types, extra JSON-LD terms): unknown fields are ignored and
//! optional fields that fail to parse are dropped rather than failing the whole document.
//! Serialization is strict camelCase ActivityStreams JSON.
//!
//! Every URL a client may be shown or follow (`url`, `href`, `icon`, `image`, media,
//! emoji, `inReplyTo`, quotes) is an [`HttpUrl`]: one that is not `http(s)` (a
//! `javascript:` or `data:` URL) fails to parse and is dropped with its property.
//!
//! Specs:
//! - ActivityStreams 2.0 vocabulary: <https://www.w3.org/TR/activitystreams-vocabulary/>
//! - ActivityPub: <https://www.w3.org/TR/activitypub/>
//! - Mastodon's extensions: <https://docs.joinmastodon.org/spec/activitypub/>
//! - WebFinger (RFC 7033): <https://www.rfc-editor.org/rfc/rfc7033>
//! - NodeInfo: <https://nodeinfo.diaspora.software/protocol.html>

pub mod activity;
pub mod actor;
pub mod actor_update;
pub mod collection;
pub mod emoji;
pub mod featured_tags;
pub mod interaction_policy;
mod lenient;
pub mod moderation;
pub mod moves;
pub mod nodeinfo;
pub mod note;
pub mod raw;
pub mod story;
pub mod thread_collection;
pub mod webfinger;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use url::Url;

use crate::domain::HttpUrl;

pub use activity::{Accept, Activity, ActivityKind, Follow, Reject, Undo};
pub use actor::{Actor, ActorKind, Endpoints, LocalActorUrls, PropertyValue, PublicKey};
pub use collection::{CollectionKind, OrderedCollection, OrderedCollectionPage};
pub use emoji::Emoji;
pub use moderation::Flag;
pub use nodeinfo::{NodeInfo, NodeInfoLinks};
pub use webfinger::{AcctUri, Jrd, JrdLink};

/// The ActivityStreams JSON-LD context document.
pub const ACTIVITY_STREAMS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// The W3C security vocabulary context, which defines `publicKey` and `publicKeyPem`.
pub const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";

/// The special collection meaning "everyone": an object addressed to it is public.
/// Compare with [`is_public`], which also accepts the compacted spellings peers send.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Whether an addressing URI means the public collection: the full [`PUBLIC`] IRI or its
/// JSON-LD compactions `as:Public` and `Public`, all of which appear in the wild.
pub fn is_public(uri: &str) -> bool {
    matches!(uri, PUBLIC | "as:Public" | "Public")
}

/// [`PUBLIC`] as a parsed URL, the form [`Activity::to`] and friends hold after parsing.
pub fn public_url() -> Url {
    Url::parse(PUBLIC).expect("the ActivityStreams Public IRI is a valid URL")
}

/// The JSON-LD `@context` Roost puts on every top-level document it sends.
///
/// It names ActivityStreams, the security vocabulary (for `publicKey`) and only the
/// Mastodon extension terms Roost's documents use, so JSON-LD processors (LD signatures,
/// Mastodon's own parsing) read those properties with their intended meaning.
pub fn context() -> Value {
    json!([
        ACTIVITY_STREAMS_CONTEXT,
        SECURITY_CONTEXT,
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "Multikey": "sec:Multikey",
            "assertionMethod": { "@id": "sec:assertionMethod", "@type": "@id", "@container": "@set" },
            "controller": { "@id": "sec:controller", "@type": "@id" },
            "publicKeyMultibase": "sec:publicKeyMultibase",
            "toot": "http://joinmastodon.org/ns#",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "featuredTags": { "@id": "toot:featuredTags", "@type": "@id" },
            "endorsements": { "@id": "toot:endorsements", "@type": "@id" },
            "Hashtag": "as:Hashtag",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "Emoji": "toot:Emoji",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// A property that holds either one value or an array of them, as ActivityStreams allows
/// for almost every property. Serializes back in the form it holds.
///
/// `T` must not itself deserialize from a JSON array (so not `serde_json::Value`), or every
/// array would be read as [`OneOrMany::One`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value, written without brackets.
    One(T),
    /// An array of values (possibly empty).
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The first value, if any.
    pub fn first(&self) -> Option<&T> {
        match self {
            OneOrMany::One(value) => Some(value),
            OneOrMany::Many(values) => values.first(),
        }
    }

    /// All values in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            OneOrMany::One(value) => std::slice::from_ref(value).iter(),
            OneOrMany::Many(values) => values.iter(),
        }
    }

    /// All values in order, owned.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(value) => vec![value],
            OneOrMany::Many(values) => values,
        }
    }
}

/// Deserializes a value-or-array field into a `Vec`, treating `null` as empty.
/// Use with `#[serde(default, deserialize_with = "deserialize_one_or_many")]`.
///
/// Strict: one malformed element fails the whole field. For fields where a bad element
/// should just be skipped, the types in this module use lenient readers instead.
pub fn deserialize_one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let values = Option::<OneOrMany<T>>::deserialize(deserializer)?;
    Ok(values.map(OneOrMany::into_vec).unwrap_or_default())
}

/// A type whose documents always carry an `id`, so a reference to it always has a URI.
pub trait HasId {
    /// The document's `id`.
    fn id(&self) -> &Url;
}

/// A reference to another object: a bare URI, or the object embedded inline.
///
/// `Undo.object`, `Accept.object`, an activity's `actor` and collection items all come in
/// both forms depending on the sender. An embedded object is only a claim by the sender:
/// anything security-relevant in it must be checked against the origin (or refetched).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ObjectRef<T = EmbeddedObject> {
    /// Just the object's `id`.
    Uri(Url),
    /// The object itself, inline.
    Object(Box<T>),
}

impl<T> ObjectRef<T> {
    /// Wraps an embedded object.
    pub fn object(object: T) -> Self {
        ObjectRef::Object(Box::new(object))
    }

    /// The embedded object, if the sender embedded one.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            ObjectRef::Uri(_) => None,
            ObjectRef::Object(object) => Some(object),
        }
    }
}

impl<T: HasId> ObjectRef<T> {
    /// The referenced object's `id`, whichever form the reference takes.
    pub fn id(&self) -> &Url {
        match self {
            ObjectRef::Uri(uri) => uri,
            ObjectRef::Object(object) => object.id(),
        }
    }
}

/// Any embedded object with an `id`: the generic target of an [`ObjectRef`] when the
/// exact type does not matter (an inline actor, an unknown activity's object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmbeddedObject {
    /// The object's `id`.
    pub id: Url,
    /// The object's `type`, if it has a single one.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub kind: Option<String>,
    /// Every other property, uninterpreted.
    #[serde(flatten)]
    pub properties: Map<String, Value>,
}

impl HasId for EmbeddedObject {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// An ActivityStreams `Link`: an `href` with optional metadata, used where a property may
/// be "a URL or a Link object" (an actor's `url`, for example).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// The link target.
    pub href: HttpUrl,
    /// The target's media type, e.g. `text/html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Link relations, if given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub rel: Vec<String>,
}

/// A property value that is either a bare URL or a [`Link`] object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UrlOrLink {
    /// A bare URL string.
    Url(HttpUrl),
    /// A `Link` object.
    Link(Link),
}

impl UrlOrLink {
    /// The URL this points at, whichever form it takes.
    pub fn href(&self) -> &HttpUrl {
        match self {
            UrlOrLink::Url(url) => url,
            UrlOrLink::Link(link) => &link.href,
        }
    }

    /// The media type, when it is a `Link` that states one.
    pub fn media_type(&self) -> Option<&str> {
        match self {
            UrlOrLink::Url(_) => None,
            UrlOrLink::Link(link) => link.media_type.as_deref(),
        }
    }
}

/// An image (avatar, header, emoji icon).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Always `Image` on Roost's documents; whatever the sender wrote on received ones.
    #[serde(rename = "type", default = "image_type")]
    pub kind: String,
    /// Where the image is.
    pub url: HttpUrl,
    /// Its media type, e.g. `image/png`, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub media_type: Option<String>,
    /// Alt text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub name: Option<String>,
}

fn image_type() -> String {
    "Image".to_owned()
}

impl Image {
    /// An `Image` at `url` with an optional media type and no alt text.
    pub fn new(url: HttpUrl, media_type: Option<String>) -> Image {
        Image {
            kind: image_type(),
            url,
            media_type,
            name: None,
        }
    }
}

/// A tag on an actor or object: a custom `Emoji`, a `Hashtag` or a `Mention`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// `Emoji`, `Hashtag`, `Mention` or another type, verbatim.
    #[serde(rename = "type")]
    pub kind: String,
    /// The tag's text: `:shortcode:`, `#tag` or `@user@domain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub name: Option<String>,
    /// The tag's target (hashtag page, mentioned actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub href: Option<HttpUrl>,
    /// The tag's own id (custom emoji have one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub id: Option<Url>,
    /// A custom emoji's image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub icon: Option<Image>,
    /// When a custom emoji's image last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
}

/// A base URL that cannot have a path appended (such as `data:` or `mailto:` URLs), so
/// Roost's own document URLs cannot be built from it. A configuration error.
#[derive(Debug, thiserror::Error)]
#[error("the base URL {0} cannot have paths appended")]
pub struct InvalidBaseUrl(pub Url);

/// `base` with `segments` appended as path segments (each percent-encoded as needed),
/// for building Roost's own URLs from its configured base.
pub(crate) fn join_segments(base: &Url, segments: &[&str]) -> Result<Url, InvalidBaseUrl> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| InvalidBaseUrl(base.clone()))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}
