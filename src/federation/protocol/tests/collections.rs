//! Collections from GoToSocial, Mastodon and Lemmy, and Roost's own roots and pages.

use serde_json::{json, Value};

use super::{fixture, keys, parse, url};
use crate::federation::protocol::{
    context, Activity, CollectionKind, EmbeddedObject, ObjectRef, OrderedCollection,
    OrderedCollectionPage,
};

#[test]
fn gotosocials_outbox_links_its_first_page() {
    let outbox: OrderedCollection = parse("gts outbox", fixture!("gotosocial/outbox.json"));
    assert_eq!(outbox.kind, CollectionKind::OrderedCollection);
    assert_eq!(outbox.total_items, None);
    assert_eq!(
        outbox.first_page_url(),
        Some(&url("https://example.org/users/whatever/outbox?page=true"))
    );
}

#[test]
fn gotosocials_outbox_page_holds_create_activities() {
    let page: OrderedCollectionPage<Activity> =
        parse("gts outbox page", fixture!("gotosocial/outbox_page.json"));
    assert_eq!(page.kind, CollectionKind::OrderedCollectionPage);
    assert_eq!(
        page.part_of,
        Some(url("https://example.org/users/whatever/outbox"))
    );
    assert!(page.next.is_some() && page.prev.is_some());
    let create = page.ordered_items[0]
        .as_object()
        .expect("an embedded activity");
    assert_eq!(
        create.object_id(),
        Some(url(
            "https://example.org/users/whatever/statuses/01FJC1MKPVX2VMWP2ST93Q90K7"
        ))
    );
}

#[test]
fn mastodons_featured_collection_lists_notes_inline() {
    let featured: OrderedCollection =
        parse("mastodon featured", fixture!("mastodon/featured.json"));
    assert_eq!(featured.total_items, Some(1));
    assert_eq!(featured.first, None);
    let note = featured.ordered_items[0]
        .as_object()
        .expect("an embedded note");
    assert_eq!(note.kind.as_deref(), Some("Note"));
    assert_eq!(
        featured.ordered_items[0].id(),
        &url("https://mastodon.social/users/LemmyDev/statuses/104246642906910728")
    );
}

#[test]
fn an_embedded_first_page_without_id_parses() {
    // The `replies` collection inside Mastodon's Create(Note) embeds an id-less page.
    let create: Value = parse("mastodon create", fixture!("mastodon/create_note.json"));
    let replies: OrderedCollection =
        serde_json::from_value(create["object"]["replies"].clone()).expect("parses");
    assert_eq!(replies.kind, CollectionKind::Collection);
    let first = replies
        .first
        .as_ref()
        .and_then(ObjectRef::as_object)
        .expect("embedded");
    assert_eq!(first.id, None);
    assert_eq!(first.kind, CollectionKind::CollectionPage);
    assert!(first.next.is_some());
    assert_eq!(replies.first_page_url(), None);
}

#[test]
fn lemmys_followers_collection_is_unordered_with_items() {
    let followers: OrderedCollection =
        parse("lemmy followers", fixture!("lemmy/group_followers.json"));
    assert_eq!(followers.kind, CollectionKind::Collection);
    assert_eq!(followers.total_items, Some(3));
    assert!(followers.ordered_items.is_empty());
}

#[test]
fn roosts_followers_root_has_total_items_and_first_page() {
    let root: OrderedCollection<EmbeddedObject> = OrderedCollection::new(
        url("https://roost.example/users/alice/followers"),
        2,
        Some(url("https://roost.example/users/alice/followers?page=1")),
    );
    let value = serde_json::to_value(&root).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "totalItems", "first"]
    );
    assert_eq!(value["@context"], context());
    assert_eq!(value["type"], "OrderedCollection");
    assert_eq!(value["totalItems"], 2);
    assert_eq!(
        value["first"],
        "https://roost.example/users/alice/followers?page=1"
    );
    assert_eq!(
        parse::<OrderedCollection>("roost root", &value.to_string()),
        root
    );

    let hidden: OrderedCollection =
        OrderedCollection::new(url("https://roost.example/users/alice/following"), 5, None);
    let value = serde_json::to_value(&hidden).expect("serializes");
    assert_eq!(keys(&value), ["@context", "id", "type", "totalItems"]);
}

#[test]
fn roosts_collection_page_lists_ordered_items_with_neighbours() {
    let items: Vec<ObjectRef<EmbeddedObject>> = vec![
        ObjectRef::Uri(url("https://mastodon.example/users/bob")),
        ObjectRef::Uri(url("https://misskey.example/users/9x")),
    ];
    let page = OrderedCollectionPage::new(
        url("https://roost.example/users/alice/followers?page=1"),
        url("https://roost.example/users/alice/followers"),
        items,
        Some(url("https://roost.example/users/alice/followers?page=2")),
        None,
    );
    let value = serde_json::to_value(&page).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "partOf", "next", "orderedItems"]
    );
    assert_eq!(value["type"], "OrderedCollectionPage");
    assert_eq!(
        value["orderedItems"],
        json!([
            "https://mastodon.example/users/bob",
            "https://misskey.example/users/9x"
        ])
    );
    assert_eq!(
        parse::<OrderedCollectionPage>("roost page", &value.to_string()),
        page
    );

    let empty: OrderedCollectionPage<EmbeddedObject> = OrderedCollectionPage::new(
        url("https://r.example/o?page=9"),
        url("https://r.example/o"),
        Vec::new(),
        None,
        None,
    );
    assert_eq!(
        serde_json::to_value(&empty).expect("serializes")["orderedItems"],
        json!([])
    );
}

#[test]
fn roosts_featured_collection_counts_its_inline_items() {
    let notes: Vec<ObjectRef<EmbeddedObject>> = Vec::new();
    let featured = OrderedCollection::with_items(
        url("https://roost.example/users/alice/collections/featured"),
        notes,
    );
    assert_eq!(featured.total_items, Some(0));
    let with_one: OrderedCollection = OrderedCollection::with_items(
        url("https://roost.example/users/alice/collections/featured"),
        vec![ObjectRef::Uri(url("https://roost.example/statuses/1"))],
    );
    let value = serde_json::to_value(&with_one).expect("serializes");
    assert_eq!(value["totalItems"], 1);
    assert_eq!(
        value["orderedItems"],
        json!(["https://roost.example/statuses/1"])
    );
}
