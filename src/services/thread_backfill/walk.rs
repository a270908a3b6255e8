//! One backfill's walk through a thread: up through the ancestors Roost lacks, down
//! through the `replies` collections (and the FEP-7888 `context` collection) of its
//! remote posts, within the bounds of `super` (posts, pages, posts looked at, one
//! fetch per host per interval). Every post is fetched from its own server and stored
//! by `services::statuses::remote`, as a received post is.

use std::collections::{HashSet, VecDeque};

use serde_json::Value;
use url::Url;

use super::{
    DEBOUNCE_MINUTES, HOST_INTERVAL_MS, MAX_ITEMS_PER_PAGE, MAX_PAGES, MAX_PAGES_PER_COLLECTION,
    MAX_PARENT_DEPTH, MAX_POSTS, MAX_VISITED,
};
use crate::db::statuses::{self, StatusRow};
use crate::db::thread_backfills;
use crate::domain::http_url::authority;
use crate::federation::fetch;
use crate::federation::protocol::thread_collection::{self, FirstPage};
use crate::services::statuses as remote;
use crate::state::AppState;
use crate::urls;

/// How many times a fetch waits for its host's slot before it is given up.
const MAX_SLOT_WAITS: u32 = 50;
/// Known replies of a post read from the database, at most.
const KNOWN_REPLIES: i64 = 100;

/// The state of one backfill's walk: what it has stored, read and seen.
pub(super) struct Walk<'a> {
    state: &'a AppState,
    backfill_id: i64,
    stored: usize,
    /// Posts whose document was read for their collections.
    documents: usize,
    pages: usize,
    /// Ids of the posts looked at.
    seen: HashSet<String>,
    /// FEP-7888 context collections read.
    contexts: HashSet<String>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(state: &'a AppState, backfill_id: i64) -> Walk<'a> {
        Walk {
            state,
            backfill_id,
            stored: 0,
            documents: 0,
            pages: 0,
            seen: HashSet::new(),
            contexts: HashSet::new(),
        }
    }

    /// Walks up from `status` (at most [`MAX_PARENT_DEPTH`] levels): known parents are
    /// followed, an unknown one is fetched and stored, and the replies that waited for
    /// it are linked to it.
    pub(super) async fn parents(&mut self, status: StatusRow) -> anyhow::Result<()> {
        let mut current = status;
        for _level in 0..MAX_PARENT_DEPTH {
            if let Some(parent_id) = current.in_reply_to_id {
                match statuses::find_many(&self.state.db, &[parent_id])
                    .await?
                    .pop()
                {
                    Some(parent) => current = parent,
                    None => return Ok(()),
                }
                continue;
            }
            let missing = thread_backfills::missing_parent(&self.state.db, current.id).await?;
            let Some(uri) = missing.and_then(|uri| Url::parse(&uri).ok()) else {
                return Ok(());
            };
            match self.post(&uri).await? {
                Some(parent) => {
                    remote::adopt_orphans(self.state, &parent).await?;
                    current = parent;
                }
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// Walks down from `status`, breadth first: each post's replies as its server's
    /// collections list them (remote posts) and as Roost knows them, fetching those
    /// Roost lacks.
    pub(super) async fn replies(&mut self, status: StatusRow) -> anyhow::Result<()> {
        let own = self.uri_of(&status).await?;
        self.seen.insert(own);
        let mut queue = VecDeque::from([status]);
        while let Some(post) = queue.pop_front() {
            let mut children = if post.local {
                Vec::new()
            } else {
                self.listed_replies(&post).await?
            };
            let known = statuses::replies_page(&self.state.db, None, post.id, KNOWN_REPLIES, 0);
            for reply in known.await? {
                children.push(match reply.ap_id {
                    Some(ap_id) => ap_id,
                    None => urls::status(&self.state.config, &reply.username, reply.id),
                });
            }
            for child in children {
                if self.seen.len() >= MAX_VISITED {
                    return Ok(());
                }
                let Some(url) = Url::parse(&child)
                    .ok()
                    .filter(|url| matches!(url.scheme(), "https" | "http"))
                else {
                    continue;
                };
                if !self.seen.insert(child) {
                    continue;
                }
                if let Some(row) = self.post(&url).await? {
                    queue.push_back(row);
                }
            }
        }
        Ok(())
    }

    /// The posts that the `replies` collection of remote `post` (and, once per
    /// collection, its FEP-7888 `context`) lists; nothing when they were read in the
    /// last [`DEBOUNCE_MINUTES`] or cannot be had. At most [`MAX_POSTS`] posts' documents
    /// are read for this.
    async fn listed_replies(&mut self, post: &StatusRow) -> anyhow::Result<Vec<String>> {
        let Some(ap_id) = post.ap_id.as_deref() else {
            return Ok(Vec::new());
        };
        let Ok(url) = Url::parse(ap_id) else {
            return Ok(Vec::new());
        };
        if self.documents >= MAX_POSTS {
            return Ok(Vec::new());
        }
        if !thread_backfills::claim_reply_fetch(&self.state.db, post.id, DEBOUNCE_MINUTES).await? {
            return Ok(Vec::new());
        }
        self.documents += 1;
        let Some(document) = self.get(&url).await? else {
            return Ok(Vec::new());
        };
        if document["id"].as_str() != Some(ap_id) {
            return Ok(Vec::new());
        }
        let mut listed = self.collection(&url, &document["replies"]).await?;
        if let Some(context) = document["context"]
            .as_str()
            .and_then(|c| Url::parse(c).ok())
        {
            if self.contexts.insert(context.to_string()) && context.origin() == url.origin() {
                let value = Value::String(context.to_string());
                listed.extend(self.collection(&url, &value).await?);
            }
        }
        Ok(listed)
    }

    /// The post ids a collection lists (embedded, or by a URL on `owner`'s origin),
    /// reading at most [`MAX_PAGES_PER_COLLECTION`] pages and [`MAX_PAGES`] in all.
    async fn collection(&mut self, owner: &Url, value: &Value) -> anyhow::Result<Vec<String>> {
        let collection = match value {
            Value::String(href) => match self.same_origin_document(owner, href).await? {
                Some(collection) => collection,
                None => return Ok(Vec::new()),
            },
            Value::Object(_) => value.clone(),
            _ => return Ok(Vec::new()),
        };
        if !thread_collection::is_collection(&collection) {
            return Ok(Vec::new());
        }
        let mut page = match thread_collection::first_page(&collection) {
            FirstPage::Here(page) => Some(page),
            FirstPage::At(href) => self.same_origin_document(owner, &href).await?,
            FirstPage::Empty => None,
        };
        let mut items = Vec::new();
        let mut read = HashSet::new();
        for index in 0..MAX_PAGES_PER_COLLECTION {
            let Some(current) = page.take() else { break };
            items.extend(thread_collection::page_items(&current, MAX_ITEMS_PER_PAGE));
            let next = thread_collection::next_page(&current);
            let Some(next) = next.filter(|_| index + 1 < MAX_PAGES_PER_COLLECTION) else {
                break;
            };
            if !read.insert(next.clone()) {
                break;
            }
            page = self.same_origin_document(owner, &next).await?;
        }
        Ok(items)
    }

    /// The document at `href` when it is on `owner`'s origin, within the page budget.
    async fn same_origin_document(
        &mut self,
        owner: &Url,
        href: &str,
    ) -> anyhow::Result<Option<Value>> {
        let Ok(url) = Url::parse(href) else {
            return Ok(None);
        };
        if url.origin() != owner.origin() || self.pages >= MAX_PAGES {
            return Ok(None);
        }
        self.pages += 1;
        self.get(&url).await
    }

    /// The post `uri`: known here, or fetched from its server and stored (counted on
    /// the backfill) while the budget of posts lasts.
    async fn post(&mut self, uri: &Url) -> anyhow::Result<Option<StatusRow>> {
        if let Some(known) = remote::status_by_uri(self.state, uri.as_str()).await? {
            return Ok(Some(known));
        }
        if self.stored >= MAX_POSTS || !self.wait_for_host(uri).await? {
            return Ok(None);
        }
        match remote::fetch_known_or_remote(self.state, uri).await {
            Ok(Some(row)) => {
                self.stored += 1;
                thread_backfills::count_result(&self.state.db, self.backfill_id).await?;
                Ok(Some(row))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                tracing::debug!(%uri, %error, "a post of the thread was not stored");
                Ok(None)
            }
        }
    }

    /// A signed GET of `url` in its host's turn; `None` when it fails.
    async fn get(&self, url: &Url) -> anyhow::Result<Option<Value>> {
        if !self.wait_for_host(url).await? {
            return Ok(None);
        }
        match fetch::fetch_object(self.state, url).await {
            Ok(document) => Ok(Some(document)),
            Err(error) => {
                tracing::debug!(%url, %error, "a thread collection could not be read");
                Ok(None)
            }
        }
    }

    /// Waits for the next fetch slot of `url`'s host; `false` when it never came.
    async fn wait_for_host(&self, url: &Url) -> sqlx::Result<bool> {
        let host = authority(url);
        for _wait in 0..MAX_SLOT_WAITS {
            if thread_backfills::take_host_slot(&self.state.db, &host, HOST_INTERVAL_MS).await? {
                return Ok(true);
            }
            let pause = std::time::Duration::from_millis(HOST_INTERVAL_MS.unsigned_abs());
            tokio::time::sleep(pause).await;
        }
        Ok(false)
    }

    /// The ActivityPub id of a stored status.
    async fn uri_of(&self, status: &StatusRow) -> anyhow::Result<String> {
        if let Some(ap_id) = &status.ap_id {
            return Ok(ap_id.clone());
        }
        let author = crate::db::accounts::find_by_id(&self.state.db, status.account_id).await?;
        let username = author.map(|author| author.username).unwrap_or_default();
        Ok(urls::status(&self.state.config, &username, status.id))
    }
}
