//! The per-process cache of token checks: what [`crate::db::oauth::find_live_access_token`]
//! answered for a token, kept so that a client's next requests skip that round trip
//! to PostgreSQL (every authenticated request made it; on the home timeline it was one
//! of the page's few statements).
//!
//! Why a cache cannot delay a revocation or a suspension:
//! - Every change that can alter an answer (a token revoked, expired early or deleted;
//!   a user's role, approval, confirmation or `disabled` flag; an account suspended or
//!   deleted) makes the database send `NOTIFY roost_auth` (triggers of migration
//!   `20261221000000_auth_notify.sql`), whatever process or tool made it. Each
//!   process listens on its own connection and empties its cache on every
//!   notification: auth changes are rare, so one rule for all of them is enough.
//! - While that connection is not established (before the first notification could
//!   arrive, or after it broke, when notifications may have been missed) the cache is
//!   neither read nor filled: every check goes to the database, as before.
//! - A check that read the database before a change but finishes after the
//!   notification would put the old answer back. Each fill carries the cache's
//!   generation from before its read and is dropped if any invalidation came since.
//! - This process's own writes also empty the cache synchronously
//!   ([`crate::db::oauth::auth_writes`]), so a client that revokes a token and uses it
//!   again on the same process is refused even if the notification has not arrived yet.
//!
//! Entries also expire with their token and after [`MAX_AGE`] at the latest, and the
//! cache holds at most [`CAPACITY`] of them.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::oauth::{self, LiveToken};
use crate::events::listening::{lock_current, Invalidated, Kept, Listening};

/// The NOTIFY channel of auth changes.
pub const CHANNEL: &str = "roost_auth";
/// Tokens kept at most (about 200 bytes each); a full cache starts afresh.
const CAPACITY: usize = 20_000;
/// How long an answer is used at most, notifications or not.
const MAX_AGE: Duration = Duration::from_secs(300);

/// This process's token checks; cheap to clone.
#[derive(Clone)]
pub struct TokenCache {
    shared: Arc<Shared>,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache {
            shared: Arc::new(Shared {
                listening: Listening::new(CHANNEL),
                inner: Mutex::default(),
            }),
        }
    }
}

struct Shared {
    /// The LISTEN connection: without it nothing is read or kept.
    listening: Listening,
    inner: Mutex<Kept<Uuid, Entry>>,
}

struct Entry {
    token: LiveToken,
    stored: Instant,
}

/// Taken before reading the database, handed back with what was read.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(Option<u64>);

impl TokenCache {
    /// The answer kept for `id`, if the cache may be used and it is still fresh.
    /// The first call starts the listening task (on `db`).
    pub fn get(&self, db: &PgPool, id: Uuid) -> Option<LiveToken> {
        Listening::start(&self.shared, db);
        if !self.shared.listening.is_up() {
            return None;
        }
        let inner = self.shared.current();
        let entry = inner.entries().get(&id)?;
        let fresh = entry.stored.elapsed() < MAX_AGE && entry.token.expires_at > Utc::now();
        fresh.then(|| entry.token.clone())
    }

    /// Marks the start of a database read whose answer may be kept.
    pub fn ticket(&self) -> Ticket {
        if !self.shared.listening.is_up() {
            return Ticket(None);
        }
        Ticket(Some(self.shared.current().generation()))
    }

    /// Keeps `token`, read after `ticket` was taken, unless something changed since.
    pub fn keep(&self, ticket: Ticket, token: &LiveToken) {
        let Ticket(Some(generation)) = ticket else {
            return;
        };
        if !self.shared.listening.is_up() {
            return;
        }
        let mut inner = self.shared.current();
        if inner.generation() != generation {
            return;
        }
        let entries = inner.entries_mut();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            token.id,
            Entry {
                token: token.clone(),
                stored: Instant::now(),
            },
        );
    }

    /// Stops listening for good (the server is shutting down): the connection is
    /// closed and every later check goes to the database.
    pub fn stop(&self) {
        self.shared.listening.stop();
    }
}

impl Shared {
    /// The cache, emptied first if this process wrote auth state since the last look.
    fn current(&self) -> MutexGuard<'_, Kept<Uuid, Entry>> {
        lock_current(&self.inner, oauth::auth_writes())
    }
}

impl Invalidated for Shared {
    fn listening(&self) -> &Listening {
        &self.listening
    }

    /// Auth changes are rare: any of them empties the whole cache.
    fn invalidate(&self, _payload: Option<&str>) {
        self.current().forget_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(id: Uuid) -> LiveToken {
        LiveToken {
            id,
            family_id: id,
            app_id: 1,
            account_id: Some(1),
            scopes: vec!["read".into()],
            role: Some("user".into()),
            approved: Some(true),
            confirmed: Some(true),
            disabled: Some(false),
            suspended: Some(false),
            expires_at: Utc::now() + chrono::Duration::hours(1),
        }
    }

    /// A cache that acts as if its LISTEN connection were up (no task, no database).
    fn listening() -> TokenCache {
        let cache = TokenCache::default();
        cache.shared.listening.pretend_up();
        cache
    }

    /// Keeps `token` and reads it back. Other tests of this binary may write auth
    /// state meanwhile (the counter is process-wide), so a few tries are allowed.
    fn kept_and_read(cache: &TokenCache, db: &PgPool, token: &LiveToken) -> bool {
        (0..5).any(|_| {
            cache.keep(cache.ticket(), token);
            cache.get(db, token.id).is_some()
        })
    }

    fn lazy_pool() -> PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://unused@127.0.0.1:1/none")
            .expect("lazy pool")
    }

    #[tokio::test]
    async fn an_answer_read_before_an_invalidation_is_not_kept() {
        let cache = listening();
        let db = lazy_pool();
        let id = Uuid::new_v4();
        let ticket = cache.ticket();
        cache.shared.invalidate(None);
        cache.keep(ticket, &live(id));
        assert!(cache.get(&db, id).is_none());
        assert!(kept_and_read(&cache, &db, &live(id)));
    }

    #[tokio::test]
    async fn this_processs_own_auth_writes_empty_the_cache() {
        let cache = listening();
        let db = lazy_pool();
        let id = Uuid::new_v4();
        assert!(kept_and_read(&cache, &db, &live(id)));
        oauth::wrote_auth_state();
        assert!(cache.get(&db, id).is_none());
    }

    #[tokio::test]
    async fn nothing_is_kept_or_read_while_not_listening() {
        let cache = listening();
        let db = lazy_pool();
        let id = Uuid::new_v4();
        cache.keep(cache.ticket(), &live(id));
        cache.shared.listening.pretend_down();
        assert!(cache.get(&db, id).is_none());
        let ticket = cache.ticket();
        cache.keep(ticket, &live(Uuid::new_v4()));
        assert!(cache.shared.current().entries().len() <= 1);
    }

    #[tokio::test]
    async fn an_expired_token_is_not_answered_from_the_cache() {
        let cache = listening();
        let db = lazy_pool();
        let id = Uuid::new_v4();
        let mut expired = live(id);
        expired.expires_at = Utc::now() - chrono::Duration::seconds(1);
        cache.keep(cache.ticket(), &expired);
        assert!(cache.get(&db, id).is_none());
    }
}
