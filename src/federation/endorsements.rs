//! A remote actor's endorsed accounts, read from its `endorsements` collection whenever
//! Roost fetches or is sent its actor document (`resolve::read_collections`): the
//! first [`MAX_REMOTE_ENDORSEMENTS`] items (actor ids, or objects with one) replace
//! the stored ones. Only accounts Roost already knows are kept: an unknown one is not
//! fetched, so reading one actor never fans out into fetching others. The collection
//! must live on the actor's origin and is fetched with the limits of every remote
//! fetch (`federation::fetch`): inline items or an embedded first page only.
//!
//! Spec: docs/federation.md ("Endorsements"); Mastodon shows endorsements through
//! <https://docs.joinmastodon.org/methods/accounts/#endorsements>.

use serde_json::Value;
use url::Url;

use super::actor_collections::{collection_url, fetch_collection, inline_items};
use crate::db::accounts::AccountRow;
use crate::services::account_notes::{store_remote_endorsements, MAX_REMOTE_ENDORSEMENTS};
use crate::state::AppState;

/// Reads the `endorsements` of the remote `account`'s actor `document` and stores what
/// it lists. Best effort: a collection that cannot be fetched leaves the stored
/// endorsements as they were (and is logged); an actor without the property has none.
pub async fn synchronize(state: &AppState, account: &AccountRow, document: &Value) {
    if let Err(error) = try_synchronize(state, account, document).await {
        tracing::info!(account = account.id, %error, "endorsements not synchronized");
    }
}

async fn try_synchronize(
    state: &AppState,
    account: &AccountRow,
    document: &Value,
) -> anyhow::Result<()> {
    let Some(url) = collection_url(document, "endorsements") else {
        store_remote_endorsements(state, account, &[]).await?;
        return Ok(());
    };
    let collection = fetch_collection(state, &url).await?;
    store_remote_endorsements(state, account, &actor_ids(&collection)).await?;
    Ok(())
}

/// The ids of the first [`MAX_REMOTE_ENDORSEMENTS`] inline items of a collection (bare
/// ids or objects with an `id`).
fn actor_ids(collection: &Value) -> Vec<Url> {
    inline_items(collection)
        .iter()
        .filter_map(|item| item.as_str().or_else(|| item["id"].as_str()))
        .filter_map(|id| Url::parse(id).ok())
        .take(MAX_REMOTE_ENDORSEMENTS)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn actor_ids_are_read_from_inline_items_or_an_embedded_first_page() {
        let inline = json!({"orderedItems": [
            "https://a.example/users/x",
            {"type": "Person", "id": "https://b.example/users/y"},
            42,
            "not a url"
        ]});
        let ids: Vec<String> = actor_ids(&inline).iter().map(Url::to_string).collect();
        assert_eq!(
            ids,
            ["https://a.example/users/x", "https://b.example/users/y"]
        );
        let paged = json!({"first": {"items": ["https://a.example/users/z"]}});
        assert_eq!(actor_ids(&paged).len(), 1);
        let many: Vec<Value> = (0..100)
            .map(|n| json!(format!("https://a.example/users/u{n}")))
            .collect();
        assert_eq!(
            actor_ids(&json!({ "orderedItems": many })).len(),
            MAX_REMOTE_ENDORSEMENTS
        );
    }
}
