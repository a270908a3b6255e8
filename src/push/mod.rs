//! Web Push: when a notification is created, each of the recipient's push
//! subscriptions that wants it gets an encrypted message at its endpoint (a browser's
//! push service or an app's relay), sent by a durable queue in PostgreSQL.
//!
//! - [`encryption`]: RFC 8291 `aes128gcm` (and the older `aesgcm` draft coding).
//! - [`vapid`]: the instance's RFC 8292 identity key and tokens.
//! - [`payload`]: the JSON inside a message, as Mastodon sends it.
//! - [`worker`]: claims queued pushes (`db::push`), encrypts, POSTs, retries.
//!
//! Spec: <https://docs.joinmastodon.org/methods/push/>, RFC 8030.

pub mod encryption;
pub mod payload;
pub mod vapid;
pub mod worker;

use std::sync::Arc;

use crate::db;
use crate::state::AppState;
use vapid::VapidKey;

/// The instance's VAPID key: loaded from the database once per process, made (by
/// exactly one process) the first time any process needs it.
pub async fn vapid_key(state: &AppState) -> anyhow::Result<Arc<VapidKey>> {
    state
        .vapid
        .get_or_try_init(|| async {
            let pkcs8 = match db::push::vapid_key(&state.db).await? {
                Some(stored) => stored,
                None => {
                    let mut conn = state.db.acquire().await?;
                    db::push::store_vapid_key(&mut conn, &VapidKey::generate_pkcs8()?).await?
                }
            };
            Ok(Arc::new(VapidKey::from_pkcs8(&pkcs8)?))
        })
        .await
        .cloned()
}
