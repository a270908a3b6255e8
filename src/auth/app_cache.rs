//! The OAuth apps that new statuses are shown with (`application`), kept per process:
//! posting read the app's row again for every post, the same few apps of an
//! instance's clients over and over.
//!
//! Why nothing has to invalidate it: an app's row never changes after
//! `POST /api/v1/apps` writes it (no statement updates `oauth_apps`), and an app that
//! is gone is never asked for again, as statuses lose their `application_id` with it
//! (`ON DELETE SET NULL`). A statement that updates `oauth_apps` must change that.
//! `tests/api/apps.rs` shows a kept app answering without a second read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sqlx::PgConnection;

use crate::db::oauth::{self, AppRow};

/// Apps kept at most (a few hundred bytes each); a full cache starts afresh.
const CAPACITY: usize = 1_000;

/// This process's kept apps; cheap to clone.
#[derive(Clone, Default)]
pub struct AppCache {
    apps: Arc<Mutex<HashMap<i64, AppRow>>>,
}

impl AppCache {
    /// The app `id`, kept or read on `conn`.
    pub async fn find(&self, conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<AppRow>> {
        if let Some(kept) = self.lock().get(&id) {
            return Ok(Some(kept.clone()));
        }
        let found = oauth::find_app(conn, id).await?;
        if let Some(app) = &found {
            let mut apps = self.lock();
            if apps.len() >= CAPACITY {
                apps.clear();
            }
            apps.insert(id, app.clone());
        }
        Ok(found)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<i64, AppRow>> {
        // Every update leaves the map consistent: a poisoned lock is still usable.
        self.apps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
