//! Collections: the `OrderedCollection` an actor's outbox, followers, following and
//! featured URLs serve, and the `OrderedCollectionPage`s its items are paged into.
//!
//! Roost serves a root collection (`totalItems` plus a link to the `first` page, or no
//! link when the owner hides the list) and pages with `orderedItems`, `next`, `prev` and
//! `partOf`, as Mastodon and GoToSocial do. Reading accepts unordered `Collection`s and
//! `items` too (Lemmy, replies collections), and embedded or linked first pages.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#collections>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-orderedcollection>.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{context, lenient, EmbeddedObject, ObjectRef};

/// A collection root. `T` is the type of embedded items (activities, notes); items may
/// also be bare URIs. Items that match neither are skipped when reading.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: DeserializeOwned"))]
pub struct OrderedCollection<T = EmbeddedObject> {
    /// JSON-LD context: set on Roost's collections, not interpreted on others.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The collection's URI.
    pub id: Url,
    /// `OrderedCollection` on Roost's; `Collection` is accepted when reading.
    #[serde(rename = "type")]
    pub kind: CollectionKind,
    /// How many items the collection has, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub total_items: Option<u64>,
    /// The first page: a URL, or the page embedded. Absent on hidden collections and on
    /// collections that list their items inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub first: Option<ObjectRef<OrderedCollectionPage<T>>>,
    /// Items listed inline (`orderedItems`, or `items` when reading), as in featured
    /// collections.
    #[serde(alias = "items", default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub ordered_items: Vec<ObjectRef<T>>,
}

impl<T> OrderedCollection<T> {
    /// A paged root as Roost serves outbox, followers and following: `total_items` and a
    /// link to the first page, or no `first` for a hidden collection.
    pub fn new(id: Url, total_items: u64, first: Option<Url>) -> Self {
        OrderedCollection {
            context: Some(context()),
            id,
            kind: CollectionKind::OrderedCollection,
            total_items: Some(total_items),
            first: first.map(ObjectRef::Uri),
            ordered_items: Vec::new(),
        }
    }

    /// A small unpaged collection with its items inline (the featured collection);
    /// `totalItems` is their count.
    pub fn with_items(id: Url, items: Vec<ObjectRef<T>>) -> Self {
        OrderedCollection {
            context: Some(context()),
            id,
            kind: CollectionKind::OrderedCollection,
            total_items: Some(items.len() as u64),
            first: None,
            ordered_items: items,
        }
    }

    /// The URL of the first page, whether linked or embedded with an `id`.
    pub fn first_page_url(&self) -> Option<&Url> {
        match self.first.as_ref()? {
            ObjectRef::Uri(url) => Some(url),
            ObjectRef::Object(page) => page.id.as_ref(),
        }
    }
}

/// One page of a collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: DeserializeOwned"))]
pub struct OrderedCollectionPage<T = EmbeddedObject> {
    /// JSON-LD context: set on Roost's pages, absent on embedded ones.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The page's URI. Always set on Roost's pages; Mastodon omits it on embedded first
    /// pages of replies collections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub id: Option<Url>,
    /// `OrderedCollectionPage` on Roost's; `CollectionPage` is accepted when reading.
    #[serde(rename = "type")]
    pub kind: CollectionKind,
    /// The collection this page belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub part_of: Option<Url>,
    /// The collection's size, if the page repeats it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub total_items: Option<u64>,
    /// The next (older) page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub next: Option<Url>,
    /// The previous (newer) page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub prev: Option<Url>,
    /// The page's items, in order: embedded objects or bare URIs. Always written, even
    /// when empty; `items` is accepted when reading.
    #[serde(alias = "items", default, deserialize_with = "lenient::valid_items")]
    pub ordered_items: Vec<ObjectRef<T>>,
}

impl<T> OrderedCollectionPage<T> {
    /// A page as Roost serves it: `id`, `partOf`, the items and the neighbouring pages.
    pub fn new(
        id: Url,
        part_of: Url,
        ordered_items: Vec<ObjectRef<T>>,
        next: Option<Url>,
        prev: Option<Url>,
    ) -> Self {
        OrderedCollectionPage {
            context: Some(context()),
            id: Some(id),
            kind: CollectionKind::OrderedCollectionPage,
            part_of: Some(part_of),
            total_items: None,
            next,
            prev,
            ordered_items,
        }
    }
}

/// The `type` of a collection or page. Unknown types parse as [`CollectionKind::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum CollectionKind {
    /// `OrderedCollection`.
    OrderedCollection,
    /// `OrderedCollectionPage`.
    OrderedCollectionPage,
    /// `Collection` (unordered).
    Collection,
    /// `CollectionPage` (unordered).
    CollectionPage,
    /// Any other type, verbatim.
    Other(String),
}

impl From<String> for CollectionKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "OrderedCollection" => CollectionKind::OrderedCollection,
            "OrderedCollectionPage" => CollectionKind::OrderedCollectionPage,
            "Collection" => CollectionKind::Collection,
            "CollectionPage" => CollectionKind::CollectionPage,
            _ => CollectionKind::Other(name),
        }
    }
}

impl From<CollectionKind> for String {
    fn from(kind: CollectionKind) -> Self {
        match kind {
            CollectionKind::OrderedCollection => "OrderedCollection".to_owned(),
            CollectionKind::OrderedCollectionPage => "OrderedCollectionPage".to_owned(),
            CollectionKind::Collection => "Collection".to_owned(),
            CollectionKind::CollectionPage => "CollectionPage".to_owned(),
            CollectionKind::Other(other) => other,
        }
    }
}
