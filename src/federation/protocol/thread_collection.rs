//! Reading the collections that list a thread's posts: a post's `replies` (ActivityPub
//! `Collection` or `OrderedCollection`, its items inline or in `first`/`next` pages, as
//! Mastodon serves them) and a FEP-7888 `context` collection (whose items may be posts
//! or the activities that created them). Pure: which pages are fetched, and how many,
//! is the caller's business (`services::thread_backfill`).
//!
//! Spec: <https://www.w3.org/TR/activitystreams-core/#collections>,
//! <https://codeberg.org/fediverse/fep/src/branch/main/fep/7888/fep-7888.md>.

use serde_json::Value;

use super::raw::{is_activity, object_id};

/// Where a collection's first page is.
#[derive(Clone, Debug, PartialEq)]
pub enum FirstPage {
    /// The collection carries its items, or embeds its first page: this value.
    Here(Value),
    /// The first page is at this URL.
    At(String),
    /// The collection lists nothing.
    Empty,
}

/// Whether `value` is a collection or a collection page (by its `type`).
pub fn is_collection(value: &Value) -> bool {
    let kinds: Vec<&str> = match &value["type"] {
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        Value::String(kind) => vec![kind.as_str()],
        _ => Vec::new(),
    };
    kinds.iter().any(|kind| {
        matches!(
            *kind,
            "Collection" | "OrderedCollection" | "CollectionPage" | "OrderedCollectionPage"
        )
    })
}

/// The first page of `collection`: its own items when it has some, else its `first`
/// (embedded or by URL).
pub fn first_page(collection: &Value) -> FirstPage {
    if has_items(collection) {
        return FirstPage::Here(collection.clone());
    }
    match &collection["first"] {
        Value::String(url) => FirstPage::At(url.clone()),
        Value::Object(_) => FirstPage::Here(collection["first"].clone()),
        _ => FirstPage::Empty,
    }
}

fn has_items(value: &Value) -> bool {
    value["orderedItems"].is_array() || value["items"].is_array()
}

/// The URL of the page after `page`, if any.
pub fn next_page(page: &Value) -> Option<String> {
    object_id(&page["next"]).map(str::to_owned)
}

/// The ids of the posts a page lists (at most `max`): bare ids, embedded objects'
/// ids, and for an activity (a `Create` in a FEP-7888 context) its object's id.
pub fn page_items(page: &Value, max: usize) -> Vec<String> {
    let items = page["orderedItems"]
        .as_array()
        .or_else(|| page["items"].as_array());
    let Some(items) = items else {
        return Vec::new();
    };
    items
        .iter()
        .take(max)
        .filter_map(|item| {
            if is_activity(item) {
                object_id(&item["object"])
            } else {
                object_id(item)
            }
        })
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mastodons_replies_collection_embeds_its_first_page() {
        let replies = json!({
            "id": "https://m.example/users/a/statuses/1/replies",
            "type": "Collection",
            "first": {
                "type": "CollectionPage",
                "next": "https://m.example/users/a/statuses/1/replies?only_other_accounts=true&page=true",
                "partOf": "https://m.example/users/a/statuses/1/replies",
                "items": ["https://m.example/users/a/statuses/2"]
            }
        });
        let FirstPage::Here(page) = first_page(&replies) else {
            panic!("embedded page");
        };
        assert_eq!(
            page_items(&page, 10),
            ["https://m.example/users/a/statuses/2"]
        );
        assert!(next_page(&page).is_some_and(|next| next.contains("only_other_accounts")));
    }

    #[test]
    fn a_first_page_by_url_and_inline_items_are_both_read() {
        let by_url = json!({"type": "OrderedCollection", "first": "https://r.example/p/1"});
        assert_eq!(
            first_page(&by_url),
            FirstPage::At("https://r.example/p/1".into())
        );
        let inline =
            json!({"type": "OrderedCollection", "orderedItems": [{"id": "https://r.example/n/1"}]});
        let FirstPage::Here(page) = first_page(&inline) else {
            panic!("inline");
        };
        assert_eq!(page_items(&page, 10), ["https://r.example/n/1"]);
        assert_eq!(first_page(&json!({"type": "Collection"})), FirstPage::Empty);
    }

    #[test]
    fn a_context_collection_may_list_activities_and_junk() {
        let page = json!({"type": "OrderedCollectionPage", "orderedItems": [
            {"type": "Create", "object": "https://c.example/n/1"},
            {"type": "Create", "object": {"id": "https://c.example/n/2"}},
            "https://c.example/n/3",
            42, null, {"no": "id"}
        ]});
        assert_eq!(
            page_items(&page, 10),
            [
                "https://c.example/n/1",
                "https://c.example/n/2",
                "https://c.example/n/3"
            ]
        );
        assert_eq!(page_items(&page, 1).len(), 1);
        assert!(is_collection(&page));
        assert!(!is_collection(&json!({"type": "Note"})));
    }
}
