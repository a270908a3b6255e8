//! Actor documents: the `Person`/`Service`/`Group`/… JSON a server serves at an actor's
//! `id`, which tells peers where its inbox is and which key signs its requests.
//!
//! [`Actor`] parses remote actors leniently (Mastodon, GoToSocial, Pleroma/Akkoma,
//! Misskey, Lemmy all differ in what they omit or add) and serializes Roost's own, built
//! with [`Actor::local`] from [`LocalActorUrls`]. Only `id`, `type`, `inbox` and
//! `publicKey` are required: without them Roost can neither deliver to nor verify the
//! actor. Fetching, caching and key checks are not here.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#actor-objects>,
//! <https://docs.joinmastodon.org/spec/activitypub/#as> (Mastodon's actor extensions).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{
    context, join_segments, lenient, HasId, Image, InvalidBaseUrl, OneOrMany, Tag, UrlOrLink,
};
use crate::domain::HttpUrl;

/// An actor as ActivityPub and Mastodon describe it. Unknown properties are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// JSON-LD context: set to [`context()`] on Roost's own actors, kept but not
    /// interpreted on received ones.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The actor's URI, which is also where its document is served.
    pub id: Url,
    /// What kind of actor this is; `Service` and `Application` are bots. From a type
    /// array the first entry is kept.
    #[serde(rename = "type", deserialize_with = "lenient::first_of")]
    pub kind: ActorKind,
    /// The username part of the actor's `user@domain` handle (confirm it via WebFinger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub preferred_username: Option<String>,
    /// Display name (plain text, may contain `:emoji:` shortcodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub name: Option<String>,
    /// Biography as HTML; sanitize before display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub summary: Option<String>,
    /// Human-facing profile page: a URL, a `Link`, or an array of either.
    /// See [`Actor::profile_url`]. Entries that are neither are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::one_or_many_valid")]
    pub url: Option<OneOrMany<UrlOrLink>>,
    /// Where activities for this actor are delivered.
    pub inbox: Url,
    /// The actor's outbox collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub outbox: Option<Url>,
    /// The followers collection, which also addresses followers-only posts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub followers: Option<Url>,
    /// The following collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub following: Option<Url>,
    /// Mastodon's pinned-posts collection (`toot:featured`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub featured: Option<Url>,
    /// Mastodon's featured hashtags collection (`toot:featuredTags`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub featured_tags: Option<Url>,
    /// The accounts the actor endorses (features on its profile), Roost's
    /// `toot:endorsements` collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub endorsements: Option<Url>,
    /// Server-wide endpoints, chiefly the shared inbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub endpoints: Option<Endpoints>,
    /// Misskey repeats `sharedInbox` at the top level; read only as a fallback for
    /// [`Actor::shared_inbox`], never written.
    #[serde(rename = "sharedInbox", default, skip_serializing)]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub top_level_shared_inbox: Option<Url>,
    /// The key that signs this actor's HTTP requests. An array is accepted; its first
    /// element is kept.
    #[serde(deserialize_with = "lenient::first_of")]
    pub public_key: PublicKey,
    /// Whether follows need the actor's approval (Mastodon's "locked"). `null` or
    /// absent means `false`.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub manually_approves_followers: bool,
    /// Whether the actor opts into directories and recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub discoverable: Option<bool>,
    /// Whether the actor's public posts may be indexed for full-text search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub indexable: Option<bool>,
    /// When the account was created; dropped if unparseable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub published: Option<DateTime<Utc>>,
    /// Avatar. From an array the first usable image is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub icon: Option<Image>,
    /// Header image. From an array the first usable image is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub image: Option<Image>,
    /// Profile fields. Attachments that are not `PropertyValue`s are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub attachment: Vec<PropertyValue>,
    /// Custom emoji and hashtags used in the profile. Malformed tags are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub tag: Vec<Tag>,
    /// FEP-521a: the Multikeys the actor asserts with (Roost publishes an Ed25519 key
    /// for RFC 9421 signatures). Entries that are not Multikeys are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub assertion_method: Vec<Multikey>,
    /// Other actors this account claims to also be (needed to verify a `Move`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub also_known_as: Vec<Url>,
    /// Where this account has moved to, if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub moved_to: Option<Url>,
    /// FEP-844e: the software behind the actor and what it implements (Roost
    /// advertises RFC 9421). Read but not acted on: double-knocking finds out anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub generator: Option<Generator>,
}

/// FEP-844e: an anonymous `Application` listing the specifications it implements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    /// Always `Application`.
    #[serde(rename = "type")]
    pub kind: String,
    /// One `Link` per implemented specification.
    #[serde(default, deserialize_with = "lenient::valid_items")]
    pub implements: Vec<Implemented>,
}

/// A specification an application implements (FEP-844e `implements` entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Implemented {
    /// The specification's URI, its identifier.
    pub href: Url,
    /// A short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Generator {
    /// What Roost advertises: RFC 9421 HTTP Message Signatures (verified on receipt and
    /// sent first on delivery).
    pub fn roost() -> Generator {
        let rfc9421 =
            Url::parse("https://datatracker.ietf.org/doc/html/rfc9421").expect("a valid URL");
        Generator {
            kind: "Application".to_owned(),
            implements: vec![Implemented {
                href: rfc9421,
                name: Some("RFC-9421: HTTP Message Signatures".to_owned()),
            }],
        }
    }
}

impl Actor {
    /// A Roost-local actor with every URL filled from `urls`, the `@context` set and all
    /// optional profile data empty: set `name`, `summary`, `icon`, `attachment`… on the
    /// result. `manually_approves_followers` starts `false`.
    pub fn local(urls: &LocalActorUrls, kind: ActorKind, public_key_pem: String) -> Actor {
        Actor {
            context: Some(context()),
            id: urls.id.clone(),
            kind,
            preferred_username: Some(urls.username.clone()),
            name: None,
            summary: None,
            url: HttpUrl::from_url(urls.profile.clone())
                .ok()
                .map(|profile| OneOrMany::One(UrlOrLink::Url(profile))),
            inbox: urls.inbox.clone(),
            outbox: Some(urls.outbox.clone()),
            followers: Some(urls.followers.clone()),
            following: Some(urls.following.clone()),
            featured: Some(urls.featured.clone()),
            featured_tags: Some(urls.featured_tags.clone()),
            endorsements: Some(urls.endorsements.clone()),
            endpoints: Some(Endpoints {
                shared_inbox: Some(urls.shared_inbox.clone()),
            }),
            top_level_shared_inbox: None,
            public_key: PublicKey {
                id: urls.key_id.clone(),
                owner: urls.id.clone(),
                public_key_pem,
            },
            manually_approves_followers: false,
            discoverable: None,
            indexable: None,
            published: None,
            icon: None,
            image: None,
            attachment: Vec::new(),
            tag: Vec::new(),
            assertion_method: Vec::new(),
            also_known_as: Vec::new(),
            moved_to: None,
            generator: Some(Generator::roost()),
        }
    }

    /// The server-wide inbox to deliver to instead of [`Actor::inbox`] when several
    /// recipients share a server: `endpoints.sharedInbox`, else Misskey's top-level
    /// `sharedInbox`. `None` means deliver to the personal inbox (GoToSocial has none).
    pub fn shared_inbox(&self) -> Option<&Url> {
        self.endpoints
            .as_ref()
            .and_then(|endpoints| endpoints.shared_inbox.as_ref())
            .or(self.top_level_shared_inbox.as_ref())
    }

    /// The human-facing profile URL: the first `text/html` link if the sender labels
    /// them, else the first URL given.
    pub fn profile_url(&self) -> Option<&HttpUrl> {
        let urls = self.url.as_ref()?;
        urls.iter()
            .find(|url| url.media_type() == Some("text/html"))
            .or_else(|| urls.first())
            .map(UrlOrLink::href)
    }

    /// Whether the actor is automated (`Service` or `Application`), Mastodon's "bot".
    pub fn is_bot(&self) -> bool {
        matches!(self.kind, ActorKind::Service | ActorKind::Application)
    }
}

impl HasId for Actor {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The `type` of an actor. Types Roost does not know parse as [`ActorKind::Other`] rather
/// than failing, and serialize back unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ActorKind {
    /// A human user.
    Person,
    /// An automated account (Mastodon bots, GoToSocial bots).
    Service,
    /// A software agent, e.g. an instance actor.
    Application,
    /// A community or group (Lemmy communities, Friendica forums).
    Group,
    /// An organization.
    Organization,
    /// Any other type, kept verbatim.
    Other(String),
}

impl ActorKind {
    /// The type's ActivityStreams name.
    pub fn as_str(&self) -> &str {
        match self {
            ActorKind::Person => "Person",
            ActorKind::Service => "Service",
            ActorKind::Application => "Application",
            ActorKind::Group => "Group",
            ActorKind::Organization => "Organization",
            ActorKind::Other(other) => other,
        }
    }
}

impl From<String> for ActorKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "Person" => ActorKind::Person,
            "Service" => ActorKind::Service,
            "Application" => ActorKind::Application,
            "Group" => ActorKind::Group,
            "Organization" => ActorKind::Organization,
            _ => ActorKind::Other(name),
        }
    }
}

impl From<ActorKind> for String {
    fn from(kind: ActorKind) -> Self {
        kind.as_str().to_owned()
    }
}

/// An actor's `endpoints` object; only the shared inbox is read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// An inbox that accepts deliveries for every actor on the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub shared_inbox: Option<Url>,
}

/// An actor's public key, used to verify its HTTP signatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// The key's id, the `keyId` of signatures: `…#main-key` (Mastodon, Misskey, Lemmy)
    /// or `…/main-key` (GoToSocial).
    pub id: Url,
    /// The actor that owns the key; must equal the actor's `id` for the key to count.
    pub owner: Url,
    /// The key as a PEM-encoded SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    pub public_key_pem: String,
}

/// A FEP-521a `Multikey`: a public key in multibase form and the actor it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Multikey {
    /// The key's id (`…#ed25519-key` for Roost's), named as `keyid` by signatures.
    pub id: Url,
    /// Always `Multikey`; other entries do not parse as this.
    #[serde(rename = "type")]
    pub kind: MultikeyType,
    /// The actor the key belongs to; must equal the actor's `id` for the key to count.
    pub controller: Url,
    /// `z` + base58btc of the multicodec-prefixed key (`z6Mk…` for Ed25519).
    pub public_key_multibase: String,
}

/// The one type a [`Multikey`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MultikeyType {
    Multikey,
}

/// A profile field (`schema:PropertyValue`): a label and an HTML value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyValue {
    /// Always `PropertyValue`; other attachment types do not parse as this.
    #[serde(rename = "type")]
    pub kind: PropertyValueType,
    /// The field's label (plain text).
    pub name: String,
    /// The field's value as HTML; sanitize before display.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub value: String,
}

impl PropertyValue {
    /// A profile field with `name` and HTML `value`.
    pub fn new(name: String, value: String) -> PropertyValue {
        PropertyValue {
            kind: PropertyValueType::PropertyValue,
            name,
            value,
        }
    }
}

/// The only `type` a [`PropertyValue`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PropertyValueType {
    /// `schema:PropertyValue`.
    PropertyValue,
}

/// The URLs of a Roost-local actor, derived from the instance's base URL and the
/// username, so that the actor document, WebFinger and the routes agree:
///
/// | field          | URL                                       |
/// |----------------|-------------------------------------------|
/// | `id`           | `https://DOMAIN/users/NAME`               |
/// | `inbox`        | `https://DOMAIN/users/NAME/inbox`         |
/// | `outbox`       | `https://DOMAIN/users/NAME/outbox`        |
/// | `followers`    | `https://DOMAIN/users/NAME/followers`     |
/// | `following`    | `https://DOMAIN/users/NAME/following`     |
/// | `featured`     | `https://DOMAIN/users/NAME/collections/featured` |
/// | `featured_tags`| `https://DOMAIN/users/NAME/collections/tags` |
/// | `endorsements` | `https://DOMAIN/users/NAME/collections/endorsements` |
/// | `key_id`       | `https://DOMAIN/users/NAME#main-key`      |
/// | `shared_inbox` | `https://DOMAIN/inbox`                    |
/// | `profile`      | `https://DOMAIN/@NAME`                    |
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalActorUrls {
    /// The username the URLs were built for, as given.
    pub username: String,
    /// The actor's `id`.
    pub id: Url,
    /// Personal inbox.
    pub inbox: Url,
    /// Outbox collection.
    pub outbox: Url,
    /// Followers collection.
    pub followers: Url,
    /// Following collection.
    pub following: Url,
    /// Pinned posts collection.
    pub featured: Url,
    /// Featured hashtags collection.
    pub featured_tags: Url,
    /// Endorsed accounts collection.
    pub endorsements: Url,
    /// The `keyId` of the actor's HTTP signatures.
    pub key_id: Url,
    /// The instance's shared inbox.
    pub shared_inbox: Url,
    /// The HTML profile page.
    pub profile: Url,
}

impl LocalActorUrls {
    /// Builds the URLs under `base`, e.g. `https://example.com/`: a path on `base` is
    /// kept as a prefix, its query and fragment are dropped. Path segments are
    /// percent-encoded, so an odd username cannot escape its path.
    ///
    /// Fails only if `base` cannot have paths appended, which is a configuration error.
    pub fn new(base: &Url, username: &str) -> Result<LocalActorUrls, InvalidBaseUrl> {
        let id = join_segments(base, &["users", username])?;
        let child = |segments: &[&str]| join_segments(&id, segments);
        let mut key_id = id.clone();
        key_id.set_fragment(Some("main-key"));
        Ok(LocalActorUrls {
            username: username.to_owned(),
            inbox: child(&["inbox"])?,
            outbox: child(&["outbox"])?,
            followers: child(&["followers"])?,
            following: child(&["following"])?,
            featured: child(&["collections", "featured"])?,
            featured_tags: child(&["collections", "tags"])?,
            endorsements: child(&["collections", "endorsements"])?,
            key_id,
            shared_inbox: join_segments(base, &["inbox"])?,
            profile: join_segments(base, &[&format!("@{username}")])?,
            id,
        })
    }
}
