//! The signing keys of this process's deliveries, parsed once: a post to a thousand
//! followers is signed a hundred times with the same key. Keys of Roost's actors never
//! change, so entries never go stale; the cache is bounded all the same.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::federation::signatures::SigningKey;

/// Most keys kept; past it, the cache starts over.
const CAPACITY: usize = 1024;

/// A signer's key id and parsed key.
type Entry = (String, Arc<SigningKey>);

/// Parsed signing keys by signer (`None`: the instance actor), with their key ids.
#[derive(Clone, Default)]
pub struct SigningKeys {
    entries: Arc<Mutex<HashMap<Option<i64>, Entry>>>,
}

impl SigningKeys {
    /// The cached key id and key of a signer.
    pub fn get(&self, signer: Option<i64>) -> Option<Entry> {
        self.entries.lock().ok()?.get(&signer).cloned()
    }

    /// Remembers a signer's key.
    pub fn put(&self, signer: Option<i64>, key_id: String, key: Arc<SigningKey>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(signer, (key_id, key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::signatures::generate_rsa_keypair;

    #[test]
    fn keys_are_kept_by_signer_and_the_cache_stays_bounded() {
        let pair = generate_rsa_keypair().expect("key pair");
        let key = Arc::new(SigningKey::from_pem(&pair.private_pem).expect("parses"));
        let cache = SigningKeys::default();
        assert!(cache.get(None).is_none());
        cache.put(None, "https://x/actor#main-key".into(), key.clone());
        cache.put(Some(7), "https://x/users/a#main-key".into(), key.clone());
        assert_eq!(
            cache.get(Some(7)).map(|(id, _)| id).as_deref(),
            Some("https://x/users/a#main-key")
        );
        assert_eq!(
            cache.get(None).map(|(id, _)| id).as_deref(),
            Some("https://x/actor#main-key")
        );
        for signer in 0..CAPACITY as i64 {
            cache.put(Some(1_000 + signer), String::new(), key.clone());
        }
        let len = cache.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(len <= CAPACITY, "{len} entries");
        assert!(cache.get(Some(7)).is_none(), "a full cache starts over");
    }
}
