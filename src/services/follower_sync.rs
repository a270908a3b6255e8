//! Follower synchronisation, the receiving side (FEP-8fcf, Mastodon's mechanism):
//! a remote account's server sends, with an activity addressed to its followers, the
//! digest of the followers it believes it has here. When this server's digest of the
//! same follows differs, one side lost an `Accept`, a `Reject` or an `Undo`: the
//! remote's partial followers collection is fetched (a signed GET by the instance
//! actor, answered with the followers on this server) and the follows reconciled as
//! Mastodon does:
//! - a local account following here but not listed there stops following (an
//!   `Undo(Follow)` tells the remote, which has no such follow anyway);
//! - a local account listed there with a pending request here has it accepted (the
//!   `Accept` was lost);
//! - a local account listed there without any follow here sends `Undo(Follow)`, so the
//!   remote stops delivering to it.
//!
//! Bounded: one fetch per remote account per [`SYNC_INTERVAL_SECS`] (shared by every
//! process), one document of at most `federation::fetch::MAX_DOCUMENT_BYTES` (and its
//! first page), at most [`MAX_CHANGES`] follows changed per fetch. Never fails the
//! activity that carried the header: the inbox worker calls this after settling it.
//!
//! The sending side is `delivery::collection_sync`; the partial collection is served by
//! `federation::actors::followers_synchronization`.
//!
//! Spec: <https://w3id.org/fep/8fcf>.

use std::collections::HashSet;

use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::{follower_sync, follows as follow_rows};
use crate::federation::actor_collections::inline_items;
use crate::federation::collection_sync::{digest, CollectionSynchronization};
use crate::federation::fetch;
use crate::federation::protocol::raw::object_id;
use crate::services::follows;
use crate::state::AppState;
use crate::urls;

/// A remote account's partial followers collection is fetched at most once in this
/// many seconds, however many mismatching digests its server sends.
pub const SYNC_INTERVAL_SECS: i64 = 600;

/// Follows changed by one synchronisation at most; the rest wait for the next one.
const MAX_CHANGES: usize = 1000;

/// What a `Collection-Synchronization` header led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Synchronized {
    /// The digests agree: nothing to do.
    InSync,
    /// The header was not acted on (malformed, about someone else's collection,
    /// pointing to another server, or its sender unknown); the reason is for the log.
    Ignored(&'static str),
    /// The digests differ but the collection was fetched too recently.
    Deferred,
    /// The collection was fetched and the follows reconciled.
    Reconciled(Reconciliation),
}

/// The follows one synchronisation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Local followers the remote does not list, who stopped following.
    pub removed: usize,
    /// Pending requests the remote lists as follows, now accepted.
    pub accepted: usize,
    /// Follows the remote lists that do not exist here, undone towards it.
    pub disowned: usize,
}

/// Acts on the `Collection-Synchronization` header `header` that came, signed, with an
/// activity from the remote actor `sender` (see the module documentation).
///
/// # Errors
/// A database failure. A failed fetch is `Ok(Ignored)`: the next mismatch after the
/// interval tries again.
pub async fn synchronize(
    state: &AppState,
    sender: &str,
    header: &str,
) -> anyhow::Result<Synchronized> {
    let Some(sync) = CollectionSynchronization::parse(header) else {
        return Ok(Synchronized::Ignored(
            "malformed Collection-Synchronization",
        ));
    };
    let Some(account) = accounts::find_by_ap_id(&state.db, sender).await? else {
        return Ok(Synchronized::Ignored("unknown sender"));
    };
    if let Some(reason) = unacceptable(&account, &sync) {
        return Ok(Synchronized::Ignored(reason));
    }
    let followers = follower_sync::local_follower_usernames(&state.db, account.id).await?;
    let ids: Vec<String> = (followers.iter())
        .map(|name| urls::actor(&state.config, name))
        .collect();
    if digest(ids.iter().map(String::as_str)) == sync.digest {
        return Ok(Synchronized::InSync);
    }
    if !follower_sync::claim_sync(&state.db, account.id, SYNC_INTERVAL_SECS).await? {
        return Ok(Synchronized::Deferred);
    }
    let listed = match listed_followers(state, &sync.url).await {
        Ok(listed) => listed,
        Err(error) => {
            tracing::info!(%error, url = %sync.url, "could not fetch a partial followers collection");
            return Ok(Synchronized::Ignored(
                "the partial collection could not be fetched",
            ));
        }
    };
    let expected: HashSet<&str> = (listed.iter())
        .filter_map(|id| urls::local_username(&state.config, id))
        .collect();
    let reconciled = reconcile(state, &account, &followers, &expected).await?;
    tracing::info!(sender, ?reconciled, "followers synchronised");
    Ok(Synchronized::Reconciled(reconciled))
}

/// Why a header cannot speak for `account`: it must be about its own followers
/// collection, and the partial collection must be on its server.
fn unacceptable(account: &AccountRow, sync: &CollectionSynchronization) -> Option<&'static str> {
    if account.is_local() {
        return Some("the sender is local");
    }
    if account.followers_url.as_deref() != Some(sync.collection_id.as_str()) {
        return Some("collectionId is not the sender's followers collection");
    }
    let actor = account.ap_id.as_deref().and_then(|id| Url::parse(id).ok());
    if actor.is_none_or(|actor| actor.origin() != sync.url.origin()) {
        return Some("the partial collection is not on the sender's server");
    }
    None
}

/// The follower ids the partial collection at `url` lists: its inline items, or those
/// of its first page (fetched too when it is only linked, on the same server).
async fn listed_followers(state: &AppState, url: &Url) -> anyhow::Result<Vec<String>> {
    let collection = fetch::fetch_object(state, url).await?;
    let mut items = inline_items(&collection);
    if items.is_empty() {
        if let Some(first) = collection["first"].as_str() {
            let first = Url::parse(first)?;
            anyhow::ensure!(
                first.origin() == url.origin(),
                "the first page is on another server"
            );
            items = inline_items(&fetch::fetch_object(state, &first).await?);
        }
    }
    Ok(items
        .iter()
        .filter_map(object_id)
        .map(str::to_owned)
        .collect())
}

/// Brings the follows of the remote `account` by local accounts in line with the
/// local usernames its server lists (`expected`); `followers` are the local accounts
/// following it here.
async fn reconcile(
    state: &AppState,
    account: &AccountRow,
    followers: &[String],
    expected: &HashSet<&str>,
) -> anyhow::Result<Reconciliation> {
    let mut done = Reconciliation::default();
    let following: HashSet<&str> = followers.iter().map(String::as_str).collect();
    let unexpected = (followers.iter()).filter(|name| !expected.contains(name.as_str()));
    for name in unexpected.take(MAX_CHANGES) {
        if let Some(local) = local_account(state, name).await? {
            if follows::unfollow(state, &local, account).await? {
                done.removed += 1;
            }
        }
    }
    let missing = (expected.iter()).filter(|name| !following.contains(*name));
    for name in missing.take(MAX_CHANGES) {
        let Some(local) = local_account(state, name).await? else {
            continue;
        };
        match follow_rows::find_pair(&state.db, local.id, account.id).await? {
            Some(request) if !request.accepted => {
                follows::accept(state, account, &local).await?;
                done.accepted += 1;
            }
            Some(_) => {}
            None => {
                follows::disown(state, &local, account).await?;
                done.disowned += 1;
            }
        }
    }
    Ok(done)
}

async fn local_account(state: &AppState, username: &str) -> sqlx::Result<Option<AccountRow>> {
    accounts::find_visible_by_acct(&state.db, username, None).await
}
