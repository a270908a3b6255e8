//! Queueing Roost's outbound activities for delivery. Callers pass their open
//! transaction, so an activity is queued exactly when the change that caused it
//! commits (and never when it does not). The activities themselves are typed protocol
//! structs built by `federation::builders`; this module only serialises and queues
//! them.

use serde::Serialize;
use sqlx::PgConnection;

use crate::db::accounts::AccountRow;
use crate::db::deliveries::{self, NewDelivery};

/// Where to deliver to a remote account: its server's shared inbox when it offers
/// one (one request serves every recipient there), else its personal inbox.
pub fn delivery_inbox(account: &AccountRow) -> Option<url::Url> {
    account
        .shared_inbox_url
        .as_deref()
        .or(account.inbox_url.as_deref())
        .and_then(|inbox| url::Url::parse(inbox).ok())
}

/// An activity ready to queue: its id and its JSON text.
struct Serialized {
    id: String,
    payload: String,
}

/// Serializes `activity` once for every delivery row. Typed activities never fail to
/// serialize; the error is mapped for the `sqlx::Result` of the callers all the same.
fn serialized(activity: &impl Serialize) -> sqlx::Result<Serialized> {
    let value =
        serde_json::to_value(activity).map_err(|error| sqlx::Error::Encode(error.into()))?;
    Ok(Serialized {
        id: value["id"].as_str().unwrap_or_default().to_owned(),
        payload: value.to_string(),
    })
}

/// Queues one delivery row per inbox, signed by `signer` (`None`: the instance actor).
async fn enqueue(
    conn: &mut PgConnection,
    activity: &Serialized,
    signer: Option<i64>,
    inboxes: &[url::Url],
) -> sqlx::Result<u64> {
    let rows: Vec<NewDelivery<'_>> = inboxes
        .iter()
        .map(|inbox| NewDelivery {
            activity_id: &activity.id,
            actor_account_id: signer,
            inbox_url: inbox,
            payload: &activity.payload,
        })
        .collect();
    deliveries::enqueue(conn, &rows).await
}

/// Queues `activity` (signed by `signer`, a local account) to each inbox, in the
/// caller's transaction.
pub async fn deliver(
    conn: &mut PgConnection,
    activity: &impl Serialize,
    signer: &AccountRow,
    inboxes: &[url::Url],
) -> sqlx::Result<u64> {
    enqueue(conn, &serialized(activity)?, Some(signer.id), inboxes).await
}

/// Queues `activity`, signed by the local `signer`, to the remote `recipient`'s inbox
/// (shared inbox preferred) in the caller's transaction. Errors when the recipient has
/// no inbox (a remote account always has one; a local one is no recipient).
pub async fn deliver_to(
    conn: &mut PgConnection,
    activity: &impl Serialize,
    signer: &AccountRow,
    recipient: &AccountRow,
) -> anyhow::Result<()> {
    let inbox = delivery_inbox(recipient)
        .ok_or_else(|| anyhow::anyhow!("remote account {} has no inbox", recipient.id))?;
    deliver(conn, activity, signer, &[inbox]).await?;
    Ok(())
}

/// Queues `activity` signed by the instance actor (`/actor`) to each inbox, in the
/// caller's transaction: for server-level activities such as a forwarded report
/// (`Flag`), which must not reveal the local account behind them.
pub async fn deliver_as_instance(
    conn: &mut PgConnection,
    activity: &impl Serialize,
    inboxes: &[url::Url],
) -> sqlx::Result<u64> {
    enqueue(conn, &serialized(activity)?, None, inboxes).await
}
