//! The LISTEN side of a per-process cache that PostgreSQL's NOTIFY keeps honest
//! (`auth::token_cache`, `api::entities::account_cache`): one connection of its own on
//! one channel, started on the cache's first use, re-made after it breaks, ended by
//! [`Listening::stop`] or when the cache is dropped.
//!
//! What the caches share, written once here:
//! - A cache is used only while its connection is up ([`Listening::is_up`]): when it
//!   is not (before the first LISTEN took effect, or after the connection broke and
//!   notifications may have been missed) every answer comes from the database.
//! - On (re)connecting, and whenever the connection is lost, the cache is told to
//!   forget everything ([`Invalidated::invalidate`] with `None`): changes made while
//!   nobody listened were never announced.
//! - Each notification's payload goes to [`Invalidated::invalidate`]; the cache
//!   decides what it means (the token cache forgets everything, the account cache one
//!   account or all of them).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError, Weak};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

/// The pause before listening again after the connection could not be made.
const RECONNECT: Duration = Duration::from_secs(1);

/// A cache that NOTIFY invalidates.
pub trait Invalidated: Send + Sync + 'static {
    /// The cache's connection state.
    fn listening(&self) -> &Listening;
    /// Forgets what `payload` names; `None`: everything (nothing may be trusted).
    fn invalidate(&self, payload: Option<&str>);
}

/// A cache's LISTEN connection state, kept inside the cache.
pub struct Listening {
    channel: &'static str,
    started: Once,
    up: AtomicBool,
    /// Set by [`Listening::stop`]; dropped with the cache. Either ends the listening
    /// task, which closes its connection (a database cannot be dropped while a
    /// session is connected to it: PostgreSQL waits 5 s, then refuses).
    stop: watch::Sender<bool>,
}

impl Listening {
    /// Not yet listening on `channel`.
    pub fn new(channel: &'static str) -> Listening {
        Listening {
            channel,
            started: Once::new(),
            up: AtomicBool::new(false),
            stop: watch::Sender::new(false),
        }
    }

    /// Whether the connection is up, so that the cache may be read and filled.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Starts listening for `cache` (on `db`) unless it already was started.
    pub fn start<C: Invalidated>(cache: &Arc<C>, db: &PgPool) {
        let listening = cache.listening();
        listening.started.call_once(|| {
            let mut stopped = listening.stop.subscribe();
            let weak = Arc::downgrade(cache);
            let db = db.clone();
            let channel = listening.channel;
            tokio::spawn(async move {
                tokio::select! {
                    () = listen(weak.clone(), db, channel) => {}
                    // Also when the cache is gone (its sender dropped).
                    _ = stopped.wait_for(|stop| *stop) => {}
                }
                if let Some(cache) = weak.upgrade() {
                    cache.listening().up.store(false, Ordering::Release);
                }
            });
        });
    }

    /// Stops listening for good (the server is shutting down): the connection is
    /// closed and the cache is no longer used.
    pub fn stop(&self) {
        self.stop.send_replace(true);
        self.up.store(false, Ordering::Release);
    }

    /// Acts as if the connection were up, without a task or a database (unit tests).
    #[cfg(test)]
    pub fn pretend_up(&self) {
        self.started.call_once(|| {});
        self.up.store(true, Ordering::Release);
    }

    /// Acts as if the connection were lost (unit tests).
    #[cfg(test)]
    pub fn pretend_down(&self) {
        self.up.store(false, Ordering::Release);
    }
}

/// Listens on `channel` for as long as the cache exists, passing every notification
/// on and keeping the cache out of use while the connection is down.
async fn listen<C: Invalidated>(cache: Weak<C>, db: PgPool, channel: &'static str) {
    loop {
        let Some(mut listener) = crate::db::listen(&db, channel).await else {
            tokio::time::sleep(RECONNECT).await;
            if cache.strong_count() == 0 {
                return;
            }
            continue;
        };
        {
            let Some(cache) = cache.upgrade() else {
                return;
            };
            cache.invalidate(None);
            cache.listening().up.store(true, Ordering::Release);
        }
        loop {
            // `try_recv` says `Ok(None)` when the connection broke (notifications may
            // have been missed meanwhile): stop using the cache until listening again.
            let received = listener.try_recv().await;
            let Some(cache) = cache.upgrade() else {
                return;
            };
            match received {
                Ok(Some(notification)) => cache.invalidate(Some(notification.payload())),
                _ => {
                    cache.listening().up.store(false, Ordering::Release);
                    cache.invalidate(None);
                    tracing::debug!(channel, "LISTEN connection lost; the cache is not used");
                    break;
                }
            }
        }
    }
}

/// A cache's entries and what keeps them honest: a generation that every invalidation
/// bumps (a fill read under an older one is dropped), and the last count seen of this
/// process's own writes (see [`lock_current`]).
pub struct Kept<K, E> {
    generation: u64,
    local_writes: u64,
    entries: HashMap<K, E>,
}

impl<K, E> Default for Kept<K, E> {
    fn default() -> Self {
        Kept {
            generation: 0,
            local_writes: 0,
            entries: HashMap::new(),
        }
    }
}

impl<K: Eq + Hash, E> Kept<K, E> {
    /// The generation a fill is read under.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn entries(&self) -> &HashMap<K, E> {
        &self.entries
    }

    /// Adds or replaces entries; only for a fill of the current generation.
    pub fn entries_mut(&mut self) -> &mut HashMap<K, E> {
        &mut self.entries
    }

    /// Forgets everything.
    pub fn forget_all(&mut self) {
        self.generation += 1;
        self.entries.clear();
    }

    /// Forgets one entry.
    pub fn forget(&mut self, key: &K) {
        self.generation += 1;
        self.entries.remove(key);
    }
}

/// Locks `kept`, emptied first if `writes` (a process-wide count of this process's
/// own writes that the cache depends on) moved since the last look: the process then
/// never answers from before its own write, even before the NOTIFY arrives.
pub fn lock_current<K: Eq + Hash, E>(
    kept: &Mutex<Kept<K, E>>,
    writes: u64,
) -> MutexGuard<'_, Kept<K, E>> {
    // Every update leaves the map consistent: a poisoned lock is still usable.
    let mut guard = kept.lock().unwrap_or_else(PoisonError::into_inner);
    if writes != guard.local_writes {
        guard.local_writes = writes;
        guard.forget_all();
    }
    guard
}
