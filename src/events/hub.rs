//! The per-process hub: one LISTEN connection, one task preparing each database change
//! once for every subscriber, a bounded broadcast of prepared events, the registry
//! of signed-in viewers streaming from this process and the connection caps.
//!
//! Per event the hub does a fixed amount of work whatever the number of subscribers:
//! it hands the change and the viewers streaming here to its [`Prepare`] once (the
//! client API's, which asks [`crate::db::stream_audience`] for every viewer's verdict
//! in one query and renders the status once). Subscribers filter the prepared event
//! in memory ([`super::event::Prepared::for_subscriber`]).
//!
//! Why the hub takes the preparation as a trait object instead of rendering itself:
//! rendering needs the client API's entities, and the API's streaming endpoints need
//! the hub; with the renderer handed in, events depend on neither axum nor the API.
//!
//! Why the verdicts are computed when the event is prepared, from the database: the
//! NOTIFY payload carries ids only (NOTIFY payloads are limited to 8000 bytes, and a
//! follower list would not fit). A deleted status is soft-deleted (`deleted_at`), so
//! its visibility, author and mentions are still there to judge it by, and follows,
//! blocks and mutes are the current ones. If the row is gone for good, the event goes
//! to nobody: failing closed never leaks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use serde::Deserialize;
use sqlx::PgPool;
use tokio::sync::{broadcast, watch};

use super::event::Prepared;
use super::slots::{Holder, Refused, Slot, StreamLimits, StreamSlots};

/// The NOTIFY channel.
pub const CHANNEL: &str = "roost_stream";
/// Events buffered per process; a slower subscriber is dropped.
const BUFFER: usize = 1024;
/// Changes prepared concurrently (their events are still sent in order).
const PREPARING: usize = 4;

/// One change, as announced by the database.
#[derive(Clone, Debug, Deserialize)]
pub struct Change {
    /// `update`, `delete`, `status.update`, `notification`, `conversation`,
    /// `filters_changed` or `announcement`, `announcement.reaction`, `announcement.delete`.
    pub k: String,
    /// The status, for status events.
    pub s: Option<i64>,
    /// The notification, for notification events.
    pub n: Option<i64>,
    /// The notified account, or the conversation's owner.
    pub a: Option<i64>,
    /// The conversation, for conversation events.
    pub c: Option<i64>,
    /// The announcement, for announcement events.
    #[serde(default)]
    pub an: Option<i64>,
    /// The reaction's name, for `announcement.reaction`.
    #[serde(default)]
    pub r: Option<String>,
}

/// Turns one database change into the event every subscriber of the process filters:
/// loads what changed, decides who may receive it and renders its payloads.
pub trait Prepare: Send + Sync + 'static {
    /// The change prepared for `viewers` (the signed-in accounts streaming from this
    /// process) and the anonymous public; `Ok(None)` when nobody here can receive it.
    /// An error drops the event (logged): failing closed never leaks.
    fn prepare<'a>(
        &'a self,
        change: &'a Change,
        viewers: &'a [i64],
    ) -> BoxFuture<'a, anyhow::Result<Option<Prepared>>>;
}

/// The per-process fan-out of database changes. The LISTEN connection is opened
/// with the first streaming client, so processes nobody streams from hold none.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Prepared>>,
    listening: Arc<Once>,
    /// Signed-in viewers streaming from this process, with their number of streams.
    viewers: Arc<Mutex<HashMap<i64, usize>>>,
    slots: Arc<StreamSlots>,
    /// Set by [`Hub::stop`]: ends the listening task and closes its connection.
    stop: Arc<watch::Sender<bool>>,
}

/// A subscriber's receiver of prepared events; it keeps the viewer registered (and
/// its connection slot taken) until dropped.
pub struct Subscriber {
    /// Prepared events from now on.
    pub events: broadcast::Receiver<Arc<Prepared>>,
    _registration: Option<Registration>,
    _slot: Slot,
}

struct Registration {
    viewers: Arc<Mutex<HashMap<i64, usize>>>,
    viewer: i64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut viewers = lock(&self.viewers);
        match viewers.get_mut(&self.viewer) {
            Some(count) if *count > 1 => *count -= 1,
            _ => {
                viewers.remove(&self.viewer);
            }
        }
    }
}

fn lock(viewers: &Mutex<HashMap<i64, usize>>) -> std::sync::MutexGuard<'_, HashMap<i64, usize>> {
    // Every update is a single map operation: a poisoned map is still consistent.
    viewers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// A hub with nobody listening yet, capping connections at `limits`.
    pub fn new(limits: StreamLimits) -> Hub {
        let (sender, _) = broadcast::channel(BUFFER);
        Hub {
            sender,
            listening: Arc::new(Once::new()),
            viewers: Arc::default(),
            slots: StreamSlots::new(limits),
            stop: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Takes a connection slot for `holder`, or says which cap is reached. Taken
    /// before a WebSocket upgrade, so a refused client gets an HTTP 429.
    pub fn reserve(&self, holder: Holder) -> Result<Slot, Refused> {
        self.slots.acquire(holder)
    }

    /// The streaming connections open now: (held by accounts, anonymous).
    pub fn open_connections(&self) -> (u32, u32) {
        self.slots.open()
    }

    /// A receiver of every change from now on, prepared for `viewer` among others.
    /// The first subscriber starts the listening task, on `db` with the preparation
    /// `preparer` makes (called only then).
    pub fn subscribe(
        &self,
        db: &PgPool,
        preparer: impl FnOnce() -> Arc<dyn Prepare>,
        viewer: Option<i64>,
        slot: Slot,
    ) -> Subscriber {
        // Registered before subscribing, so no event is prepared without this viewer
        // once the receiver exists.
        let registration = viewer.map(|viewer| {
            *lock(&self.viewers).entry(viewer).or_insert(0) += 1;
            Registration {
                viewers: Arc::clone(&self.viewers),
                viewer,
            }
        });
        let events = self.sender.subscribe();
        self.listening.call_once(|| {
            let mut stopped = self.stop.subscribe();
            let run = self.clone().run(db.clone(), preparer());
            tokio::spawn(async move {
                tokio::select! {
                    () = run => {}
                    _ = stopped.wait_for(|stop| *stop) => {}
                }
            });
        });
        Subscriber {
            events,
            _registration: registration,
            _slot: slot,
        }
    }

    /// Stops listening for good (the server is shutting down): the LISTEN connection
    /// is closed, so the database can be dropped or restarted without waiting for it.
    /// Streams still open receive nothing more.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Listens to `roost_stream` until the process ends or [`Hub::stop`], preparing each change once
    /// and broadcasting it in order; reconnects on errors.
    async fn run(self, db: PgPool, preparer: Arc<dyn Prepare>) {
        loop {
            let Some(listener) = crate::db::listen(&db, CHANNEL).await else {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            let changes = listener
                .into_stream()
                .take_while(|received| std::future::ready(received.is_ok()))
                .filter_map(|received| {
                    let change = received.ok().and_then(|notification| {
                        serde_json::from_str::<Change>(notification.payload()).ok()
                    });
                    std::future::ready(change)
                });
            let mut prepared = std::pin::pin!(changes
                .map(|change| self.prepare(preparer.as_ref(), change))
                .buffered(PREPARING));
            while let Some(event) = prepared.next().await {
                if let Some(event) = event {
                    let _ = self.sender.send(Arc::new(event));
                }
            }
        }
    }

    /// The change prepared for this process's subscribers; `None` when nobody here
    /// can receive it (or it cannot be loaded: failing closed).
    async fn prepare(&self, preparer: &dyn Prepare, change: Change) -> Option<Prepared> {
        if self.sender.receiver_count() == 0 {
            return None;
        }
        let viewers: Vec<i64> = lock(&self.viewers).keys().copied().collect();
        // A notification or conversation of an account nobody streams here: no need to
        // load it.
        let personal = matches!(change.k.as_str(), "notification" | "conversation");
        if personal && !change.a.is_some_and(|a| viewers.contains(&a)) {
            return None;
        }
        preparer
            .prepare(&change, &viewers)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, kind = %change.k, "stream event dropped");
                None
            })
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(StreamLimits::default())
    }
}
