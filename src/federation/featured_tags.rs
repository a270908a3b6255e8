//! A remote actor's featured hashtags, read from its `featuredTags` collection whenever
//! Roost fetches or is sent its actor document: the collection's URL is recorded (an
//! `Add`/`Remove` of a `Hashtag` must target it, see `inbound::featured_tags`) and its
//! first [`MAX_FEATURED`] `Hashtag` items replace the stored ones. The collection
//! must live on the actor's origin; it is fetched with the limits of every remote fetch
//! (`federation::fetch`), inline items or an embedded first page only.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#featuredTags>.

use serde_json::Value;
use url::Url;

use super::fetch;
use super::protocol::featured_tags::hashtag_name;
use crate::db::accounts::AccountRow;
use crate::db::featured_tags as rows;
use crate::services::featured_tags::{store_remote, MAX_FEATURED};
use crate::state::AppState;

/// Reads the `featuredTags` of the remote `account`'s actor `document` and stores what
/// it lists. Best effort: a collection that cannot be fetched leaves the stored
/// hashtags as they were (and is logged); it never fails the actor's fetch.
pub async fn synchronize(state: &AppState, account: &AccountRow, document: &Value) {
    if let Err(error) = try_synchronize(state, account, document).await {
        tracing::info!(account = account.id, %error, "featured hashtags not synchronized");
    }
}

async fn try_synchronize(
    state: &AppState,
    account: &AccountRow,
    document: &Value,
) -> anyhow::Result<()> {
    let url = collection_url(document);
    rows::set_collection_url(&state.db, account.id, url.as_ref().map(Url::as_str)).await?;
    let Some(url) = url else {
        return Ok(());
    };
    let collection = fetch::fetch_object(state, &url).await?;
    if collection["id"].as_str() != Some(url.as_str()) {
        anyhow::bail!("the collection at {url} has another id");
    }
    store_remote(state, account, &hashtag_names(&collection)).await?;
    Ok(())
}

/// The actor's `featuredTags` URL when it is on the actor's own origin.
fn collection_url(document: &Value) -> Option<Url> {
    let actor = Url::parse(document["id"].as_str()?).ok()?;
    let url = Url::parse(document["featuredTags"].as_str()?).ok()?;
    (url.origin() == actor.origin()).then_some(url)
}

/// The names of the first [`MAX_FEATURED`] `Hashtag` items of a collection: its inline
/// items (`orderedItems` or `items`) or those of its embedded first page.
fn hashtag_names(collection: &Value) -> Vec<String> {
    let items = |object: &Value| {
        object["orderedItems"]
            .as_array()
            .or_else(|| object["items"].as_array())
            .cloned()
    };
    let listed = items(collection)
        .or_else(|| items(&collection["first"]))
        .unwrap_or_default();
    listed
        .iter()
        .filter_map(hashtag_name)
        .take(MAX_FEATURED)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn hashtags_are_read_from_inline_items_or_an_embedded_first_page() {
        let inline = json!({"orderedItems": [
            {"type": "Hashtag", "name": "#rust", "href": "https://a.example/tags/rust"},
            {"type": "Note", "name": "#not"},
            {"type": "Hashtag", "name": "go"}
        ]});
        assert_eq!(hashtag_names(&inline), ["rust", "go"]);
        let paged = json!({"first": {"items": [{"type": "Hashtag", "name": "#cats"}]}});
        assert_eq!(hashtag_names(&paged), ["cats"]);
        let many: Vec<Value> = (0..30)
            .map(|n| json!({"type": "Hashtag", "name": format!("#t{n}")}))
            .collect();
        assert_eq!(hashtag_names(&json!({ "items": many })).len(), MAX_FEATURED);
    }

    #[test]
    fn a_collection_on_another_origin_is_ignored() {
        let actor = |tags: &str| json!({"id": "https://a.example/users/x", "featuredTags": tags});
        assert!(collection_url(&actor("https://a.example/users/x/collections/tags")).is_some());
        assert!(collection_url(&actor("https://b.example/tags")).is_none());
    }
}
