//! The per-process cache of the accounts pages of statuses show (authors, boosters,
//! mentioned accounts): a timeline page read them in a statement of its own, the
//! same twenty-odd accounts again and again.
//!
//! Why a kept account is never shown out of date:
//! - **The row itself.** Every page reads, in the statement it makes anyway
//!   (`db::page_facts`), the version of each account it shows: the row's `xmin`,
//!   which every update changes (a new post's count, a follow, a profile edit, a
//!   suspension, a refreshed remote actor). A kept account is used only at the very
//!   version the page read; any other is read again. Counters change with nearly every
//!   write, so announcing each row change by NOTIFY would cost every post a
//!   notification and still leave the moment before it arrives.
//! - **Its custom emoji**, which the version does not cover (`account_emojis` links,
//!   the emoji themselves): those changes send `NOTIFY roost_accounts` (triggers of
//!   migration `…account_cache_notify`) with the account's id, or empty for an emoji
//!   (everything is forgotten). This process's own emoji writes also empty the cache
//!   at once (`db::custom_emojis::emoji_writes`). As for token checks
//!   (`auth::token_cache`), the cache is not used while its LISTEN connection is down,
//!   and an account read before an invalidation is not kept (generations).
//! - An account that has moved is not kept: its row shows the account it moved to,
//!   whose changes its version does not cover.
//!
//! At most [`CAPACITY`] accounts are kept; a full cache forgets an arbitrary one for
//! each new one (an instance's active authors stay, as they keep coming back).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use sqlx::PgPool;

use crate::db::accounts::{AccountRow, VersionedAccount};
use crate::db::custom_emojis;
use crate::events::listening::{lock_current, Invalidated, Kept, Listening};

/// The NOTIFY channel of changes the row version does not show.
pub const CHANNEL: &str = "roost_accounts";
/// Accounts kept at most (one to two kilobytes each).
const CAPACITY: usize = 10_000;

/// This process's displayed accounts; cheap to clone.
#[derive(Clone)]
pub struct AccountCache {
    shared: Arc<Shared>,
}

impl Default for AccountCache {
    fn default() -> Self {
        AccountCache {
            shared: Arc::new(Shared {
                listening: Listening::new(CHANNEL),
                inner: Mutex::default(),
            }),
        }
    }
}

struct Shared {
    listening: Listening,
    inner: Mutex<Kept<i64, Entry>>,
}

struct Entry {
    version: i64,
    account: Arc<AccountRow>,
}

/// Taken with a look-up, handed back with the accounts read for its misses.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(Option<u64>);

/// What the cache had of the accounts a page wants.
pub struct Lookup {
    /// The kept accounts at the page's versions.
    pub found: HashMap<i64, Arc<AccountRow>>,
    /// The ones to read from the database.
    pub missing: Vec<i64>,
    pub ticket: Ticket,
}

impl AccountCache {
    /// The accounts `wanted` that are kept at the `versions` the page read; the others
    /// are `missing` (all of them while the cache may not be used). The first call
    /// starts the listening task (on `db`).
    pub fn lookup(&self, db: &PgPool, versions: &HashMap<i64, i64>, wanted: &[i64]) -> Lookup {
        Listening::start(&self.shared, db);
        if !self.shared.listening.is_up() {
            return Lookup {
                found: HashMap::new(),
                missing: wanted.to_vec(),
                ticket: Ticket(None),
            };
        }
        let inner = self.shared.current();
        let mut found = HashMap::with_capacity(wanted.len());
        let mut missing = Vec::new();
        for id in wanted {
            let kept =
                (inner.entries().get(id)).filter(|entry| versions.get(id) == Some(&entry.version));
            match kept {
                Some(entry) => {
                    found.insert(*id, entry.account.clone());
                }
                None => missing.push(*id),
            }
        }
        Lookup {
            found,
            missing,
            ticket: Ticket(Some(inner.generation())),
        }
    }

    /// Keeps the accounts `read` after `ticket` was taken (unless something was
    /// invalidated since) and hands them back, ready to show.
    pub fn keep(&self, ticket: Ticket, read: Vec<VersionedAccount>) -> Vec<Arc<AccountRow>> {
        let shown: Vec<(i64, Arc<AccountRow>)> = (read.into_iter())
            .map(|row| (row.version, Arc::new(row.account)))
            .collect();
        let Ticket(Some(generation)) = ticket else {
            return shown.into_iter().map(|(_, account)| account).collect();
        };
        if self.shared.listening.is_up() {
            let mut inner = self.shared.current();
            if inner.generation() == generation {
                for (version, account) in &shown {
                    keep(&mut inner, *version, account);
                }
            }
        }
        shown.into_iter().map(|(_, account)| account).collect()
    }

    /// Stops listening for good (the server is shutting down): the cache is no
    /// longer used.
    pub fn stop(&self) {
        self.shared.listening.stop();
    }
}

impl Shared {
    /// The cache, emptied first if this process changed accounts' emoji since the
    /// last look.
    fn current(&self) -> MutexGuard<'_, Kept<i64, Entry>> {
        lock_current(&self.inner, custom_emojis::emoji_writes())
    }
}

impl Invalidated for Shared {
    fn listening(&self) -> &Listening {
        &self.listening
    }

    /// An account id forgets that account; anything else, everything.
    fn invalidate(&self, payload: Option<&str>) {
        let mut inner = self.current();
        match payload.and_then(|text| text.parse::<i64>().ok()) {
            Some(id) => inner.forget(&id),
            None => inner.forget_all(),
        }
    }
}

/// Keeps `account` at `version` (not a moved one: see the module doc), forgetting an
/// arbitrary other account when the cache is full.
fn keep(kept: &mut Kept<i64, Entry>, version: i64, account: &Arc<AccountRow>) {
    if account.moved_to_account_id.is_some() {
        return;
    }
    let entries = kept.entries_mut();
    if entries.len() >= CAPACITY && !entries.contains_key(&account.id) {
        if let Some(evicted) = entries.keys().next().copied() {
            entries.remove(&evicted);
        }
    }
    let entry = Entry {
        version,
        account: account.clone(),
    };
    entries.insert(account.id, entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An account row with only what the cache looks at set.
    fn account(id: i64) -> AccountRow {
        let json = serde_json::json!({
            "id": id, "username": format!("user{id}"), "domain": null,
            "display_name": "", "note": "", "note_source": "", "fields": [],
            "locked": false, "bot": false, "discoverable": true, "indexable": true,
            "hide_collections": false, "followers_count": 0, "following_count": 0,
            "statuses_count": 0, "last_status_at": null, "suspended_at": null,
            "silenced_at": null, "created_at": "2026-12-01T00:00:00Z",
            "updated_at": "2026-12-01T00:00:00Z", "actor_type": "Person", "ap_id": null,
            "url": null, "inbox_url": null, "shared_inbox_url": null, "outbox_url": null,
            "followers_url": null, "following_url": null, "featured_url": null,
            "key_id": null, "public_key_pem": null, "last_fetched_at": null,
            "key_refetched_at": null, "avatar_key": null, "header_key": null,
            "avatar_remote_url": null, "header_remote_url": null, "emojis": [],
            "moved_to_account_id": null, "also_known_as": []
        });
        serde_json::from_value(json).expect("an account row")
    }

    fn read(id: i64, version: i64) -> VersionedAccount {
        VersionedAccount {
            version,
            account: account(id),
        }
    }

    /// A cache that acts as if its LISTEN connection were up.
    fn listening() -> AccountCache {
        let cache = AccountCache::default();
        cache.shared.listening.pretend_up();
        cache
    }

    fn lazy_pool() -> PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://unused@127.0.0.1:1/none")
            .expect("lazy pool")
    }

    /// Keeps `id` at `version` and looks it up at `version`. Other tests of this
    /// binary may change emoji links meanwhile (the counter is process-wide), so a
    /// few tries are allowed.
    fn kept_and_found(cache: &AccountCache, db: &PgPool, id: i64, version: i64) -> bool {
        let versions = HashMap::from([(id, version)]);
        (0..5).any(|_| {
            let ticket = cache.lookup(db, &versions, &[id]).ticket;
            cache.keep(ticket, vec![read(id, version)]);
            cache.lookup(db, &versions, &[id]).found.contains_key(&id)
        })
    }

    #[tokio::test]
    async fn a_kept_account_is_used_only_at_the_version_the_page_read() {
        let cache = listening();
        let db = lazy_pool();
        assert!(kept_and_found(&cache, &db, 7, 100));
        let newer = HashMap::from([(7, 101)]);
        let lookup = cache.lookup(&db, &newer, &[7]);
        assert!(lookup.found.is_empty());
        assert_eq!(lookup.missing, vec![7]);
        let unknown = cache.lookup(&db, &HashMap::new(), &[7]);
        assert_eq!(unknown.missing, vec![7], "no version read: not trusted");
    }

    #[tokio::test]
    async fn a_notification_forgets_its_account_or_everything() {
        let cache = listening();
        let db = lazy_pool();
        assert!(kept_and_found(&cache, &db, 1, 10));
        assert!(kept_and_found(&cache, &db, 2, 20));
        let versions = HashMap::from([(1, 10), (2, 20)]);
        cache.shared.invalidate(Some("1"));
        let lookup = cache.lookup(&db, &versions, &[1, 2]);
        assert_eq!(lookup.missing, vec![1]);
        assert!(lookup.found.contains_key(&2));
        cache.shared.invalidate(Some(""));
        assert_eq!(cache.lookup(&db, &versions, &[1, 2]).missing, vec![1, 2]);
    }

    #[tokio::test]
    async fn an_account_read_before_an_invalidation_is_not_kept() {
        let cache = listening();
        let db = lazy_pool();
        let versions = HashMap::from([(3, 30)]);
        let ticket = cache.lookup(&db, &versions, &[3]).ticket;
        cache.shared.invalidate(Some("3"));
        let shown = cache.keep(ticket, vec![read(3, 30)]);
        assert_eq!(shown.len(), 1, "still shown to the page that read it");
        assert!(cache.lookup(&db, &versions, &[3]).found.is_empty());
    }

    #[tokio::test]
    async fn nothing_is_used_while_not_listening_and_moved_accounts_are_not_kept() {
        let cache = listening();
        let db = lazy_pool();
        assert!(kept_and_found(&cache, &db, 4, 40));
        cache.shared.listening.pretend_down();
        let versions = HashMap::from([(4, 40), (5, 50)]);
        assert_eq!(cache.lookup(&db, &versions, &[4]).missing, vec![4]);
        let cache = listening();
        let mut moved = read(5, 50);
        moved.account.moved_to_account_id = Some(4);
        let ticket = cache.lookup(&db, &versions, &[5]).ticket;
        cache.keep(ticket, vec![moved]);
        assert!(cache.lookup(&db, &versions, &[5]).found.is_empty());
    }
}
