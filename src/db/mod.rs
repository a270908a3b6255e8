//! PostgreSQL access: one file per table group. Functions take `impl PgExecutor` so the
//! caller decides between the pool and a transaction. Nothing here knows about HTTP.
//!
//! Queries are plain `sqlx::query_as` strings (checked at run time), and every query is
//! exercised by a test against a real database.

pub mod account_deletion;
pub mod account_domain_blocks;
pub mod account_moves;
pub mod account_notes;
pub mod accounts;
pub mod actor_keys;
pub mod admin_metrics;
pub mod announcements;
pub mod annual_reports;
pub mod archives;
pub mod blocks;
pub mod cards;
pub mod conversations;
pub mod custom_emojis;
pub mod deliveries;
pub mod doctor;
pub mod domain_blocks;
pub mod ed25519_keys;
pub mod email_blocks;
pub mod email_tokens;
pub mod emails;
pub mod exports;
pub mod featured_tags;
pub mod filters;
pub mod follower_sync;
pub mod follows;
pub mod hiding;
pub mod imports;
pub mod inbox;
pub mod instance_activity;
pub mod instance_actor;
pub mod instance_texts;
pub mod interaction_requests;
pub mod interactions;
pub mod ip_blocks;
pub mod lists;
pub mod maintenance;
pub mod media;
pub mod moderation;
pub mod music_tracks;
pub mod mutes;
pub mod new_notifications;
pub mod notification_groups;
pub mod notification_policies;
pub mod notifications;
pub mod oauth;
pub mod page_facts;
pub mod phone_verifications;
pub mod polls;
pub mod profile_links;
pub mod push;
pub mod queue_metrics;
pub mod quotes;
pub mod reels;
pub mod relays;
pub mod reply_controls;
pub mod reports;
pub mod rules;
pub mod scheduled_statuses;
pub mod search;
pub mod signature_schemes;
pub mod status_groups;
pub mod statuses;
pub mod stories;
pub mod stream_audience;
pub mod suggestions;
pub mod tag_reviews;
pub mod tags;
pub mod thread_backfills;
pub mod timelines;
pub mod trends;
pub mod two_factor;
pub mod users;
pub mod web_sessions;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens a connection pool with bounded size and acquire timeout.
///
/// Connections are not pinged before each use (sqlx's default): the ping is a round
/// trip to PostgreSQL per acquire, which doubled the round trips of every request. A
/// connection that broke while idle (PostgreSQL restarted) fails its next query
/// instead and is dropped; idle connections are closed after a few minutes anyway.
///
/// `acquire_timeout` bounds the wait for a connection, including connecting: while
/// PostgreSQL is unreachable every query fails after at most that long (and a request
/// answers 503, see [`is_unreachable`]) instead of queueing until its client gives up.
///
/// JIT compilation is off for Roost's sessions: PostgreSQL compiles any plan whose
/// estimated cost passes `jit_above_cost`, and generic plans of statements kept
/// prepared are estimated high (a search by the text index was estimated at 120,000
/// and spent 80 ms compiling to read one row). Roost's queries read few rows; JIT only
/// pays on long analytical scans.
pub async fn connect(
    database_url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(database_url)?
        .application_name("roost")
        .options([("jit", "off")]);
    Ok(connect_with(options, max_connections, acquire_timeout).await?)
}

/// [`connect`] with parsed connection options (tests point them at a proxy).
pub async fn connect_with(
    options: PgConnectOptions,
    max_connections: u32,
    acquire_timeout: Duration,
) -> sqlx::Result<PgPool> {
    pool_options(max_connections, acquire_timeout)
        .connect_with(options)
        .await
}

/// The settings both pools share (see [`connect`]).
fn pool_options(max_connections: u32, acquire_timeout: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(false)
        .idle_timeout(Duration::from_secs(300))
        .acquire_timeout(acquire_timeout)
}

/// Whether a database error means PostgreSQL cannot be reached right now (no
/// connection within the acquire timeout, a broken or refused connection, a server
/// shutting down or starting up) rather than a fault of the query: the caller should
/// try again later, and a request answers 503 with `Retry-After`.
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; 57P01–57P03: shutdown, crash, starting up.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// A pool on the same database for the background workers (deliveries, inbox
/// processing, Web Push, maintenance) whose transactions do not wait for their WAL
/// flush (`synchronous_commit = off`; they are visible at once all the same).
///
/// Why it is safe: what a worker writes is redone if a crash loses it. The work
/// itself was stored durably by the request that created it (an inbound activity
/// before its 202, a delivery with the post that caused it), and PostgreSQL loses
/// only a suffix of the WAL, so an activity's "processed" mark is never kept without
/// the effects committed before it: a lost effect means the activity is processed
/// again, a lost delivery outcome means the delivery is sent again (receivers drop
/// repeated activity ids). Waiting for a flush per claim and per outcome was the
/// largest cost of a fan-out.
pub fn worker_pool(pool: &PgPool) -> PgPool {
    let options = (*pool.connect_options())
        .clone()
        .options([("synchronous_commit", "off")]);
    pool_options(
        pool.options().get_max_connections(),
        pool.options().get_acquire_timeout(),
    )
    .connect_lazy_with(options)
}

/// Applies every pending migration. Safe to call from several processes at once:
/// sqlx takes an advisory lock.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The name of the unique constraint or index a database error violated, if any.
/// Lets callers turn races on unique keys into client errors instead of 500s.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) if db.is_unique_violation() => db.constraint(),
        _ => None,
    }
}

/// How a failed attempt of a queued row ends, in the queues that keep dead letters
/// (federation deliveries, mail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Try again at `next_attempt_at`.
    Retry {
        next_attempt_at: chrono::DateTime<chrono::Utc>,
    },
    /// Give up: kept as a dead letter an admin can read (and, for deliveries, replay).
    Dead,
}

impl Failure {
    /// The row's `state` after the attempt and its new `next_attempt_at` (`None`:
    /// unchanged), as the queues store them.
    pub fn stored(self) -> (&'static str, Option<chrono::DateTime<chrono::Utc>>) {
        match self {
            Failure::Retry { next_attempt_at } => ("pending", Some(next_attempt_at)),
            Failure::Dead => ("dead", None),
        }
    }
}

/// Paging bounds of Mastodon list endpoints (ids are exclusive bounds).
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Return items older than this id.
    pub max_id: Option<i64>,
    /// Return items newer than this id (the newest ones).
    pub since_id: Option<i64>,
    /// Return items immediately newer than this id (the oldest ones after it).
    pub min_id: Option<i64>,
    /// At most this many items.
    pub limit: i64,
}

impl Page {
    /// The SQL order of the id a page is cut from: `min_id` asks for the oldest items
    /// after it (`ASC`, so `LIMIT` keeps those), anything else for the newest (`DESC`).
    pub fn order(&self) -> &'static str {
        if self.min_id.is_some() {
            "ASC"
        } else {
            "DESC"
        }
    }

    /// `rows`, read in [`Page::order`], returned newest first as every list endpoint
    /// answers (Mastodon's paging contract, whichever bound was given).
    pub fn newest_first<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if self.min_id.is_some() {
            rows.reverse();
        }
        rows
    }

    /// SQL that cuts this page out of rows keyed by `column`: the bounds, the order and
    /// the limit (`(… < $first) AND (… > $first+1) AND (… > $first+2) ORDER BY column
    /// … LIMIT $first+3`), to follow a WHERE clause's `AND`. Bind the four values with
    /// [`BindPage::bind_page`] right after the query's own `$1…$first-1`. Mastodon's
    /// paging rule, written once for every list endpoint.
    pub fn cut(&self, column: &str, first: usize) -> String {
        let (max, since, min, limit) = (first, first + 1, first + 2, first + 3);
        format!(
            "(${max}::bigint IS NULL OR {column} < ${max}) \
             AND (${since}::bigint IS NULL OR {column} > ${since}) \
             AND (${min}::bigint IS NULL OR {column} > ${min}) \
             ORDER BY {column} {order} LIMIT ${limit}",
            order = self.order()
        )
    }

    /// Runs `select` (a query on one table, with a WHERE clause that binds the owner as
    /// `$1`) with this page's bounds on its `id` as `$2`–`$5`: newest first, or with
    /// `min_id` the oldest after it, still returned newest first. The list endpoints of
    /// one account's blocks, mutes and domain blocks share it.
    pub async fn of_owner<T>(
        &self,
        db: impl sqlx::PgExecutor<'_>,
        select: &str,
        owner: i64,
    ) -> sqlx::Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        let rows: Vec<T> = sqlx::query_as(&format!("{select} AND {}", self.cut("id", 2)))
            .bind(owner)
            .bind_page(self)
            .fetch_all(db)
            .await?;
        Ok(self.newest_first(rows))
    }
}

/// Binds a [`Page`]'s values in the order [`Page::cut`] numbers them.
pub trait BindPage {
    /// The query with `max_id`, `since_id`, `min_id` and `limit` bound next.
    fn bind_page(self, page: &Page) -> Self;
}

impl<'q, O> BindPage for sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    fn bind_page(self, page: &Page) -> Self {
        self.bind(page.max_id)
            .bind(page.since_id)
            .bind(page.min_id)
            .bind(page.limit)
    }
}

/// Subscribes to a NOTIFY channel. `None` when the listener cannot connect: callers
/// then fall back to polling, which is slower but correct.
///
/// A listener holds its connection for as long as it lives, so it gets one of its own
/// (same settings as `pool`) instead of taking one of the pool's for good: a process's
/// few listeners never starve its requests of connections.
pub async fn listen(pool: &PgPool, channel: &str) -> Option<sqlx::postgres::PgListener> {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(pool.options().get_acquire_timeout())
        .connect_lazy_with((*pool.connect_options()).clone());
    let mut listener = match sqlx::postgres::PgListener::connect_with(&own).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, channel, "LISTEN unavailable; polling instead");
            return None;
        }
    };
    match listener.listen(channel).await {
        Ok(()) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, channel, "LISTEN failed; polling instead");
            None
        }
    }
}

/// Resolves when a notification arrives on `listener` (never, without a listener).
///
/// A listener whose connection broke reconnects on its next `recv`. When that fails
/// (PostgreSQL is away) this never resolves, so the caller's poll timer paces the
/// retries, and the listener is kept: once the database is back, the next call
/// listens again, and workers are woken by NOTIFY as before the outage.
pub async fn notified(listener: &mut Option<sqlx::postgres::PgListener>) {
    match listener {
        Some(active) => {
            if let Err(error) = active.recv().await {
                tracing::debug!(%error, "LISTEN connection lost; polling until it is back");
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test]
    async fn only_the_workers_pool_commits_without_waiting_for_the_flush(db: PgPool) {
        let setting = |pool: PgPool| async move {
            sqlx::query_scalar::<_, String>("SHOW synchronous_commit")
                .fetch_one(&pool)
                .await
                .expect("setting")
        };
        assert_eq!(setting(worker_pool(&db)).await, "off");
        assert_eq!(setting(db).await, "on");
    }
}
