//! The small collections a remote actor document points to (`featuredTags`,
//! `endorsements`): where one lives, fetching it, and its inline items. One rule for
//! every such collection: it must be on the actor's own origin, carry the id it was
//! fetched at, and be read from its inline items or embedded first page only (no
//! paging through further pages), within the limits of every remote fetch.

use serde_json::Value;
use url::Url;

use super::fetch;
use crate::state::AppState;

/// The URL in the actor `document`'s `property` when it is on the actor's own origin.
pub fn collection_url(document: &Value, property: &str) -> Option<Url> {
    let actor = Url::parse(document["id"].as_str()?).ok()?;
    let url = Url::parse(document[property].as_str()?).ok()?;
    (url.origin() == actor.origin()).then_some(url)
}

/// The collection at `url`, which must carry that id.
pub async fn fetch_collection(state: &AppState, url: &Url) -> anyhow::Result<Value> {
    let collection = fetch::fetch_object(state, url).await?;
    if collection["id"].as_str() != Some(url.as_str()) {
        anyhow::bail!("the collection at {url} has another id");
    }
    Ok(collection)
}

/// The inline items of a collection (`orderedItems` or `items`), or those of its
/// embedded first page.
pub fn inline_items(collection: &Value) -> Vec<Value> {
    let items = |object: &Value| {
        object["orderedItems"]
            .as_array()
            .or_else(|| object["items"].as_array())
            .cloned()
    };
    items(collection)
        .or_else(|| items(&collection["first"]))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_collection_on_another_origin_is_ignored() {
        let actor = |url: &str| json!({"id": "https://a.example/users/x", "featuredTags": url});
        let here = actor("https://a.example/users/x/collections/tags");
        assert!(collection_url(&here, "featuredTags").is_some());
        assert!(collection_url(&here, "endorsements").is_none());
        assert!(collection_url(&actor("https://b.example/tags"), "featuredTags").is_none());
    }

    #[test]
    fn items_are_read_inline_or_from_the_embedded_first_page() {
        assert_eq!(inline_items(&json!({"orderedItems": [1, 2]})).len(), 2);
        assert_eq!(inline_items(&json!({"items": [1]})).len(), 1);
        assert_eq!(
            inline_items(&json!({"first": {"orderedItems": [1, 2, 3]}})).len(),
            3
        );
        assert!(inline_items(&json!({"first": "https://a.example/page/1"})).is_empty());
    }
}
