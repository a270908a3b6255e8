//! The signing keys of this process's deliveries, parsed once: a post to a thousand
//! followers is signed a hundred times with the same key. Keys of Roost's actors never
//! change, so entries never go stale; the cache is bounded all the same. Also the
//! instance actor's key pair, made on first use ([`instance_keys`]), and each local
//! actor's Ed25519 key pair, also made on first use ([`ed25519_key`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::PgPool;

use crate::db::ed25519_keys::{self, Ed25519Key};
use crate::db::instance_actor::{self, InstanceKeys};
use crate::federation::signatures::{
    generate_ed25519_keypair, generate_rsa_keypair, SigningKey, VerifyingKey,
};

/// Most keys kept; past it, the cache starts over.
const CAPACITY: usize = 1024;

/// A signer's key id and parsed key.
type Entry = (String, Arc<SigningKey>);

/// A signer's slot: filled once, by the first delivery that needs it, while the
/// others of the same fan-out wait for it instead of loading and parsing it too.
type Slot = Arc<tokio::sync::OnceCell<Entry>>;

/// Parsed signing keys by signer (`None`: the instance actor), with their key ids.
#[derive(Clone, Default)]
pub struct SigningKeys {
    entries: Arc<Mutex<HashMap<Option<i64>, Slot>>>,
}

impl SigningKeys {
    /// The key id and key of a signer: cached, or loaded with `load` once however many
    /// deliveries ask at the same time. A failed load is not cached.
    pub async fn get_or_load<F, Fut>(&self, signer: Option<i64>, load: F) -> anyhow::Result<Entry>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<Entry>>,
    {
        let slot = self.slot(signer);
        slot.get_or_try_init(load).await.cloned()
    }

    fn slot(&self, signer: Option<i64>) -> Slot {
        let Ok(mut entries) = self.entries.lock() else {
            return Slot::default();
        };
        if entries.len() >= CAPACITY && !entries.contains_key(&signer) {
            entries.clear();
        }
        entries.entry(signer).or_default().clone()
    }
}

/// The instance actor's keys (PEM), generated and stored on first use; of processes
/// racing to make them, the first stored pair wins and all use it.
pub async fn instance_keys(db: &PgPool) -> anyhow::Result<InstanceKeys> {
    if let Some(keys) = instance_actor::load(db).await? {
        return Ok(keys);
    }
    let generated = tokio::task::spawn_blocking(generate_rsa_keypair).await??;
    let generated = InstanceKeys {
        public_key_pem: generated.public_pem,
        private_key_pem: generated.private_pem,
    };
    instance_actor::store_if_absent(db, &generated).await
}

/// The Ed25519 key pair of the local account `account_id`, generated and stored on
/// first use (Ed25519 keys are cheap to make); of processes racing to make it, the
/// first stored pair wins.
pub async fn ed25519_key(db: &PgPool, account_id: i64) -> anyhow::Result<Ed25519Key> {
    if let Some(key) = ed25519_keys::find(db, account_id).await? {
        return Ok(key);
    }
    let pair = generate_ed25519_keypair()?;
    let public = VerifyingKey::from_pem(&pair.public_pem)?;
    let public_key_multibase = public
        .public_key_multibase()
        .ok_or_else(|| anyhow::anyhow!("an Ed25519 key has a Multikey"))?;
    let key = Ed25519Key {
        private_key_pem: pair.private_pem,
        public_key_multibase,
    };
    Ok(ed25519_keys::insert_if_missing(db, account_id, &key).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key_id: &str, key: &Arc<SigningKey>) -> anyhow::Result<Entry> {
        Ok((key_id.to_owned(), key.clone()))
    }

    #[tokio::test]
    async fn keys_are_loaded_once_per_signer_and_the_cache_stays_bounded() {
        let pair = generate_rsa_keypair().expect("key pair");
        let key = Arc::new(SigningKey::from_pem(&pair.private_pem).expect("parses"));
        let cache = SigningKeys::default();
        let loads = std::sync::atomic::AtomicUsize::new(0);
        let load = |id: &'static str| {
            let (loads, key) = (&loads, key.clone());
            move || async move {
                loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::task::yield_now().await;
                entry(id, &key)
            }
        };
        // Concurrent first uses of one signer load it once.
        let (a, b) = tokio::join!(
            cache.get_or_load(Some(7), load("https://x/users/a#main-key")),
            cache.get_or_load(Some(7), load("https://x/users/a#main-key")),
        );
        assert_eq!(a.expect("loads").0, "https://x/users/a#main-key");
        assert_eq!(b.expect("loads").0, "https://x/users/a#main-key");
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        let instance = cache
            .get_or_load(None, load("https://x/actor#main-key"))
            .await;
        assert_eq!(instance.expect("loads").0, "https://x/actor#main-key");
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 2);
        // A failed load is not kept.
        let failed = cache
            .get_or_load(Some(8), || async { Err(anyhow::anyhow!("gone")) })
            .await;
        assert!(failed.is_err());
        let _ = cache.get_or_load(Some(8), load("k8")).await.expect("loads");
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 3);
        for signer in 0..CAPACITY as i64 {
            let _ = cache.get_or_load(Some(1_000 + signer), load("k")).await;
        }
        let len = cache.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(len <= CAPACITY, "{len} entries");
        let _ = cache.get_or_load(Some(7), load("reloaded")).await;
        assert_eq!(
            cache
                .get_or_load(Some(7), load("again"))
                .await
                .expect("kept")
                .0,
            "reloaded",
            "a full cache starts over"
        );
    }
}
