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

use super::actor_collections::{collection_url, fetch_collection, inline_items};
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
    let url = collection_url(document, "featuredTags");
    rows::set_collection_url(&state.db, account.id, url.as_ref().map(Url::as_str)).await?;
    let Some(url) = url else {
        return Ok(());
    };
    let collection = fetch_collection(state, &url).await?;
    store_remote(state, account, &hashtag_names(&collection)).await?;
    Ok(())
}

/// The names of the first [`MAX_FEATURED`] `Hashtag` inline items of a collection.
fn hashtag_names(collection: &Value) -> Vec<String> {
    inline_items(collection)
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
}
