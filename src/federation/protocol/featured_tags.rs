//! Featured hashtags: the `Hashtag` items of an actor's `featuredTags` collection and
//! the `Add`/`Remove` a server sends its followers when the actor features a hashtag or
//! stops featuring it (the object is the `Hashtag`, the target the collection).
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#featuredTags>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-add>.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{context, Tag};
use crate::domain::HttpUrl;

/// An `Add` or `Remove` of a `Hashtag` to or from an actor's `featuredTags` collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeaturedTagChange {
    /// JSON-LD context.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The activity's id.
    pub id: Url,
    /// `Add` or `Remove`.
    #[serde(rename = "type")]
    pub kind: ChangeKind,
    /// The actor whose collection changed.
    pub actor: Url,
    /// The hashtag added or removed.
    pub object: Tag,
    /// The actor's `featuredTags` collection.
    pub target: Url,
}

/// Whether a [`FeaturedTagChange`] adds or removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    /// `Add`: the actor features the hashtag.
    Add,
    /// `Remove`: it no longer does.
    Remove,
}

impl FeaturedTagChange {
    /// Roost's outbound change (with its `@context`).
    pub fn new(id: Url, kind: ChangeKind, actor: Url, object: Tag, target: Url) -> Self {
        FeaturedTagChange {
            context: Some(context()),
            id,
            kind,
            actor,
            object,
            target,
        }
    }
}

/// A `Hashtag` object: `name` is `#` and the name, `href` its page.
pub fn hashtag(name: &str, href: HttpUrl) -> Tag {
    Tag {
        kind: "Hashtag".to_owned(),
        name: Some(format!("#{name}")),
        href: Some(href),
        id: None,
        icon: None,
        updated: None,
    }
}

/// The name (without `#`) of a `Hashtag` object; `None` for any other object.
pub fn hashtag_name(object: &Value) -> Option<&str> {
    if object["type"].as_str() != Some("Hashtag") {
        return None;
    }
    let name = object["name"].as_str()?;
    Some(name.strip_prefix('#').unwrap_or(name))
}
