//! The per-process hub: one LISTEN connection, one task preparing each database change
//! once for every subscriber, a bounded broadcast of prepared events, the registry
//! of signed-in viewers streaming from this process and the connection caps.
//!
//! Per event the hub does a fixed amount of work whatever the number of subscribers:
//! one audience query (the verdicts of every streaming viewer, see
//! [`crate::db::stream_audience`]) and one rendering of the status (or of the
//! notification, when its recipient streams here). Subscribers filter the prepared
//! event in memory ([`super::event::Prepared::for_subscriber`]).
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

use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast;

use super::event::{Prepared, StatusChange, StatusEvent};
use super::slots::{Holder, Refused, Slot, StreamLimits, StreamSlots};
use crate::db::{notifications, statuses, stream_audience};
use crate::state::AppState;

/// The NOTIFY channel.
pub const CHANNEL: &str = "roost_stream";
/// Events buffered per process; a slower subscriber is dropped.
const BUFFER: usize = 1024;
/// Changes prepared concurrently (their events are still sent in order).
const PREPARING: usize = 4;

/// One change, as announced by the database.
#[derive(Clone, Debug, Deserialize)]
pub struct Change {
    /// `update`, `delete`, `status.update` or `notification`.
    pub k: String,
    /// The status, for status events.
    pub s: Option<i64>,
    /// The notification, for notification events.
    pub n: Option<i64>,
    /// The notified account, for notification events.
    pub a: Option<i64>,
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
        }
    }

    /// Takes a connection slot for `holder`, or says which cap is reached. Taken
    /// before a WebSocket upgrade, so a refused client gets an HTTP 429.
    pub fn reserve(&self, holder: Holder) -> Result<Slot, Refused> {
        self.slots.acquire(holder)
    }

    /// A receiver of every change from now on, prepared for `viewer` among others;
    /// starts listening on first use.
    pub fn subscribe(&self, state: &AppState, viewer: Option<i64>, slot: Slot) -> Subscriber {
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
            tokio::spawn(self.clone().run(state.clone()));
        });
        Subscriber {
            events,
            _registration: registration,
            _slot: slot,
        }
    }

    /// Listens to `roost_stream` until the process ends, preparing each change once
    /// and broadcasting it in order; reconnects on errors.
    async fn run(self, state: AppState) {
        loop {
            let Some(listener) = crate::db::listen(&state.db, CHANNEL).await else {
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
                .map(|change| self.prepare(&state, change))
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
    async fn prepare(&self, state: &AppState, change: Change) -> Option<Prepared> {
        if self.sender.receiver_count() == 0 {
            return None;
        }
        let result = match change.k.as_str() {
            "notification" => self.prepare_notification(state, &change).await,
            "update" => {
                self.prepare_status(state, &change, StatusChange::Created)
                    .await
            }
            "status.update" => {
                self.prepare_status(state, &change, StatusChange::Edited)
                    .await
            }
            "delete" => {
                self.prepare_status(state, &change, StatusChange::Deleted)
                    .await
            }
            _ => Ok(None),
        };
        result.unwrap_or_else(|error| {
            tracing::warn!(%error, kind = %change.k, "stream event dropped");
            None
        })
    }

    async fn prepare_notification(
        &self,
        state: &AppState,
        change: &Change,
    ) -> anyhow::Result<Option<Prepared>> {
        let (Some(recipient), Some(id)) = (change.a, change.n) else {
            return Ok(None);
        };
        if !lock(&self.viewers).contains_key(&recipient) {
            return Ok(None);
        }
        let Some(row) = notifications::find(&state.db, recipient, id).await? else {
            return Ok(None);
        };
        let rendered = crate::api::v1::notifications::render_one(state, recipient, row)
            .await
            .map_err(|error| anyhow::anyhow!("rendering a notification: {error}"))?;
        rendered
            .map(|notification| {
                Ok(Prepared::Notification {
                    recipient,
                    payload: serde_json::to_string(&notification)?,
                })
            })
            .transpose()
    }

    async fn prepare_status(
        &self,
        state: &AppState,
        change: &Change,
        kind: StatusChange,
    ) -> anyhow::Result<Option<Prepared>> {
        let Some(id) = change.s else {
            return Ok(None);
        };
        let viewers: Vec<i64> = lock(&self.viewers).keys().copied().collect();
        let Some(audience) = stream_audience::audience(&state.db, id, &viewers).await? else {
            return Ok(None);
        };
        let Some(row) = statuses::find_many(&state.db, &[id]).await?.pop() else {
            return Ok(None);
        };
        let local = row.local;
        let marked = [Some(id), row.reblog_of_id];
        let (payload, tags, rendered) = if kind == StatusChange::Deleted {
            (id.to_string(), Vec::new(), None)
        } else {
            if row.deleted_at.is_some() {
                // Deleted before its event was prepared: its `delete` follows.
                return Ok(None);
            }
            // Rendered once, as for a client without a token (see `StatusEvent`).
            let Some(rendered) = crate::api::entities::status::render(state, None, vec![row])
                .await?
                .pop()
            else {
                return Ok(None);
            };
            let tags = rendered.tags.iter().map(|tag| tag.name.clone()).collect();
            (serde_json::to_string(&rendered)?, tags, Some(rendered))
        };
        let mut event = StatusEvent::new(kind, payload, local, tags, audience);
        if let Some(rendered) = rendered {
            let ids: Vec<i64> = marked.into_iter().flatten().collect();
            event.home_payloads = home_payloads(state, &rendered, &event, &ids).await?;
        }
        Ok(Some(Prepared::Status(event)))
    }
}

/// The status rendered for each recipient of it on a `user` stream, with their own
/// marks on it (and on the status it boosts), from one query for all of them.
async fn home_payloads(
    state: &AppState,
    rendered: &crate::api::entities::status::Status,
    event: &StatusEvent,
    ids: &[i64],
) -> anyhow::Result<HashMap<i64, String>> {
    let recipients = event.home_recipients();
    if recipients.is_empty() {
        return Ok(HashMap::new());
    }
    let mut marks: HashMap<i64, HashMap<i64, statuses::ViewerMarks>> = HashMap::new();
    for row in statuses::viewer_marks_of_many(&state.db, &recipients, ids).await? {
        marks
            .entry(row.viewer)
            .or_default()
            .insert(row.marks.status_id, row.marks);
    }
    let mut payloads = HashMap::with_capacity(recipients.len());
    for viewer in recipients {
        let own = rendered.with_viewer_marks(marks.get(&viewer).unwrap_or(&HashMap::new()));
        payloads.insert(viewer, serde_json::to_string(&own)?);
    }
    Ok(payloads)
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(StreamLimits::default())
    }
}
