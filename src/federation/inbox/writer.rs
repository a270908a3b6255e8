//! Group commit for the inbox: verified activities from concurrent requests are
//! stored together, in one statement and one commit, before each request gets its
//! `202`. A commit waits for the disk, so storing one activity per transaction made
//! the flush, not the verification, the limit of a busy inbox.
//!
//! One writer task per process takes whatever is waiting (up to [`MAX_BATCH`]
//! activities or [`MAX_BATCH_BYTES`]) the moment the previous batch is done: no
//! request waits for a timer, and a lone request is stored at once. Each request
//! still gets its answer only after its row is committed, so a crash after a `202`
//! loses nothing.

use std::sync::{Arc, Mutex};

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use crate::db::inbox::{self, NewActivity};

/// Most activities stored in one statement.
const MAX_BATCH: usize = 128;
/// Most payload bytes (as received) stored in one statement.
const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Requests waiting for the writer, at most; more wait to enqueue (bounded memory).
const QUEUE: usize = 1024;

/// One request's activity and where its outcome goes.
struct Pending {
    activity: NewActivity,
    size: usize,
    stored: oneshot::Sender<sqlx::Result<bool>>,
}

/// The process's inbox writer (cheap to clone; the task starts on first use).
#[derive(Clone)]
pub struct InboxWriter {
    sender: mpsc::Sender<Pending>,
    receiver: Arc<Mutex<Option<mpsc::Receiver<Pending>>>>,
}

impl Default for InboxWriter {
    fn default() -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        InboxWriter {
            sender,
            receiver: Arc::new(Mutex::new(Some(receiver))),
        }
    }
}

impl InboxWriter {
    /// Stores `activity` (of `size` bytes as received) with whatever else is waiting,
    /// and returns whether it was new (false: a duplicate, dropped).
    pub async fn store(
        &self,
        db: &PgPool,
        activity: NewActivity,
        size: usize,
    ) -> sqlx::Result<bool> {
        self.start(db);
        let (stored, outcome) = oneshot::channel();
        let pending = Pending {
            activity,
            size,
            stored,
        };
        if let Err(mpsc::error::SendError(pending)) = self.sender.send(pending).await {
            // The writer is gone (the runtime is shutting down): store it alone.
            return store_alone(db, pending.activity).await;
        }
        outcome.await.unwrap_or(Err(sqlx::Error::PoolClosed))
    }

    fn start(&self, db: &PgPool) {
        let receiver = self.receiver.lock().ok().and_then(|mut slot| slot.take());
        if let Some(receiver) = receiver {
            tokio::spawn(write_batches(db.clone(), receiver));
        }
    }
}

async fn store_alone(db: &PgPool, activity: NewActivity) -> sqlx::Result<bool> {
    Ok(!inbox::store_many(db, &[activity]).await?.is_empty())
}

/// Stores batches until every sender is gone.
async fn write_batches(db: PgPool, mut receiver: mpsc::Receiver<Pending>) {
    while let Some(first) = receiver.recv().await {
        let mut bytes = first.size;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
            match receiver.try_recv() {
                Ok(next) => {
                    bytes += next.size;
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        write_batch(&db, batch).await;
    }
}

async fn write_batch(db: &PgPool, batch: Vec<Pending>) {
    let (activities, waiting): (Vec<NewActivity>, Vec<_>) = batch
        .into_iter()
        .map(|pending| (pending.activity, pending.stored))
        .unzip();
    match inbox::store_many(db, &activities).await {
        Ok(new_ids) => {
            let mut new_ids: std::collections::HashSet<String> = new_ids.into_iter().collect();
            for (activity, stored) in activities.iter().zip(waiting) {
                // The first of several copies of one id in a batch counts as the new one.
                let _ = stored.send(Ok(new_ids.remove(&activity.activity_id)));
            }
        }
        Err(error) => {
            tracing::warn!(%error, activities = activities.len(), "storing inbound activities failed");
            let message = error.to_string();
            for stored in waiting {
                let _ = stored.send(Err(sqlx::Error::Protocol(message.clone())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(n: usize) -> NewActivity {
        NewActivity {
            activity_id: format!("https://remote.example/activities/{n}"),
            activity_type: "Create".into(),
            actor_ap_id: "https://remote.example/users/a".into(),
            payload: serde_json::json!({ "id": format!("https://remote.example/activities/{n}") }),
            collection_synchronization: None,
        }
    }

    #[sqlx::test]
    async fn concurrent_requests_are_all_stored_and_each_duplicate_is_dropped_once(db: PgPool) {
        let writer = InboxWriter::default();
        // 200 requests at once, every activity sent twice: each id is new exactly once.
        let requests = (0..200).map(|n| {
            let (writer, db) = (writer.clone(), db.clone());
            async move { writer.store(&db, activity(n % 100), 100).await }
        });
        let outcomes = futures_util::future::join_all(requests).await;
        let new = outcomes
            .into_iter()
            .map(|outcome| outcome.expect("stored"))
            .filter(|new| *new)
            .count();
        assert_eq!(new, 100);
        // Nothing has been claimed yet, so every stored row is pending.
        let rows = inbox::count_pending(&db).await.expect("count");
        assert_eq!(rows, 100);
        // A later copy of a stored activity is a duplicate too.
        let again = writer.store(&db, activity(7), 100).await.expect("answered");
        assert!(!again);
    }
}
