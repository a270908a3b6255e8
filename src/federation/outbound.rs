//! Building Roost's outbound activities and queueing them for delivery. Callers pass
//! their open transaction, so an activity is queued exactly when the change that
//! caused it commits (and never when it does not).

use serde_json::{json, Value};
use sqlx::PgConnection;

use crate::db::accounts::AccountRow;
use crate::db::deliveries::{self, NewDelivery};

/// The JSON-LD context of Roost's activities.
pub const ACTIVITY_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// An activity `kind` by `actor` about `object`, with an explicit recipient list.
pub fn activity(kind: &str, id: &str, actor: &str, object: Value, to: &[&str]) -> Value {
    json!({
        "@context": ACTIVITY_CONTEXT,
        "id": id,
        "type": kind,
        "actor": actor,
        "object": object,
        "to": to,
    })
}

/// A `Follow` of `object` (an actor id) by `actor`.
pub fn follow(id: &str, actor: &str, object: &str) -> Value {
    activity("Follow", id, actor, json!(object), &[object])
}

/// The embedded form of a Follow, as Accept/Reject/Undo carry it.
pub fn follow_object(id: &str, actor: &str, object: &str) -> Value {
    json!({ "id": id, "type": "Follow", "actor": actor, "object": object })
}

/// Where to deliver to a remote account: its server's shared inbox when it offers
/// one (one request serves every recipient there), else its personal inbox.
pub fn delivery_inbox(account: &AccountRow) -> Option<url::Url> {
    account
        .shared_inbox_url
        .as_deref()
        .or(account.inbox_url.as_deref())
        .and_then(|inbox| url::Url::parse(inbox).ok())
}

/// Queues `activity` (signed by `signer`, a local account) to each inbox, in the
/// caller's transaction.
pub async fn deliver(
    conn: &mut PgConnection,
    activity: &Value,
    signer: &AccountRow,
    inboxes: &[url::Url],
) -> sqlx::Result<u64> {
    let id = activity["id"].as_str().unwrap_or_default();
    let payload = activity.to_string();
    let rows: Vec<NewDelivery<'_>> = inboxes
        .iter()
        .map(|inbox| NewDelivery {
            activity_id: id,
            actor_account_id: Some(signer.id),
            inbox_url: inbox,
            payload: &payload,
        })
        .collect();
    deliveries::enqueue(conn, &rows).await
}

/// Queues `activity` signed by the instance actor (`/actor`) to each inbox, in the
/// caller's transaction: for server-level activities such as a forwarded report
/// (`Flag`), which must not reveal the local account behind them.
pub async fn deliver_as_instance(
    conn: &mut PgConnection,
    activity: &Value,
    inboxes: &[url::Url],
) -> sqlx::Result<u64> {
    let id = activity["id"].as_str().unwrap_or_default();
    let payload = activity.to_string();
    let rows: Vec<NewDelivery<'_>> = inboxes
        .iter()
        .map(|inbox| NewDelivery {
            activity_id: id,
            actor_account_id: None,
            inbox_url: inbox,
            payload: &payload,
        })
        .collect();
    deliveries::enqueue(conn, &rows).await
}

/// A `Block` of `object` (an actor id) by `actor`, addressed to `object`.
pub fn block(id: &str, actor: &str, object: &str) -> Value {
    activity("Block", id, actor, json!(object), &[object])
}

/// The embedded form of a Block, as `Undo(Block)` carries it.
pub fn block_object(id: &str, actor: &str, object: &str) -> Value {
    json!({ "id": id, "type": "Block", "actor": actor, "object": object })
}
