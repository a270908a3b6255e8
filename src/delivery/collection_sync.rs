//! The `Collection-Synchronization` header (FEP-8fcf) a delivery carries: when a local
//! account's activity is addressed to its followers, the receiving server is told the
//! digest of the followers it hosts, so it can notice follows one side lost (a missed
//! `Accept` or `Undo`) and reconcile them (`services::follower_sync` on the other
//! side). The header is computed at send time, so it reflects the follows as they are
//! when the request leaves, and it is covered by the request's signature.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::db::deliveries::ClaimedDelivery;
use crate::db::{accounts, follower_sync};
use crate::federation::collection_sync::{
    digest_from_bits, origin_prefix, CollectionSynchronization,
};
use crate::state::AppState;
use crate::urls;

/// The addressing of an activity; every other field is skipped unread.
#[derive(Deserialize)]
struct Addressing {
    #[serde(default)]
    to: Value,
    #[serde(default)]
    cc: Value,
}

/// The header value for `delivery` to `inbox`, or `None` when the activity is the
/// instance actor's or is not addressed to its actor's followers collection.
pub async fn header_for(
    state: &AppState,
    delivery: &ClaimedDelivery,
    inbox: &Url,
) -> sqlx::Result<Option<String>> {
    let Some(account_id) = delivery.actor_account_id else {
        return Ok(None);
    };
    // Most activities that are not addressed to followers say so without a parse.
    if !delivery.payload.contains("/followers") {
        return Ok(None);
    }
    let Some(account) = accounts::find_by_id(&state.db, account_id).await? else {
        return Ok(None);
    };
    let followers = urls::local_actor(&state.config, &account.username).followers;
    if !addressed_to(&delivery.payload, followers.as_str()) {
        return Ok(None);
    }
    let Some(prefix) = origin_prefix(inbox) else {
        return Ok(None);
    };
    let domain = crate::domain::http_url::authority(inbox);
    let bits =
        follower_sync::followers_digest_bits(&state.db, account_id, &domain, &prefix).await?;
    let (Some(digest), Ok(url)) = (
        digest_from_bits(bits.as_deref()),
        Url::parse(&urls::followers_synchronization(
            &state.config,
            &account.username,
        )),
    ) else {
        return Ok(None);
    };
    let header = CollectionSynchronization {
        collection_id: followers,
        url,
        digest,
    };
    Ok(Some(header.to_header()))
}

/// Whether the activity `payload` lists `collection` in its `to` or `cc`.
fn addressed_to(payload: &str, collection: &str) -> bool {
    let Ok(addressing) = serde_json::from_str::<Addressing>(payload) else {
        return false;
    };
    let lists = |field: &Value| match field {
        Value::String(one) => one == collection,
        Value::Array(many) => many.iter().any(|item| item.as_str() == Some(collection)),
        _ => false,
    };
    lists(&addressing.to) || lists(&addressing.cc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOLLOWERS: &str = "https://roost.example/users/alice/followers";

    #[test]
    fn followers_in_to_or_cc_count_and_elsewhere_not() {
        let to = format!(r#"{{"type":"Create","to":["{FOLLOWERS}"],"object":{{}}}}"#);
        let cc = format!(r#"{{"type":"Create","to":"x","cc":"{FOLLOWERS}"}}"#);
        let inside =
            format!(r#"{{"type":"Update","to":["x"],"object":{{"followers":"{FOLLOWERS}"}}}}"#);
        assert!(addressed_to(&to, FOLLOWERS));
        assert!(addressed_to(&cc, FOLLOWERS));
        assert!(!addressed_to(&inside, FOLLOWERS));
        assert!(!addressed_to("not json", FOLLOWERS));
    }
}
