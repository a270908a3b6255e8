//! The OAuth apps that new statuses are shown with (`application`), kept per process:
//! posting read the app's row again for every post, the same few apps of an
//! instance's clients over and over.
//!
//! Why nothing has to invalidate it: an app's row never changes after
//! `POST /api/v1/apps` writes it (no statement updates `oauth_apps`), and an app that
//! is gone is never asked for again, as statuses lose their `application_id` with it
//! (`ON DELETE SET NULL`). A statement that updates `oauth_apps` must change that.

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

#[cfg(test)]
mod tests {
    use sqlx::PgPool;

    use super::*;

    #[sqlx::test]
    async fn an_app_is_read_once_then_answered_from_memory(db: PgPool) {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO oauth_apps (name, website, redirect_uris, scopes, client_id, \
               client_secret_hash) \
             VALUES ('Ivory', NULL, '{urn:ietf:wg:oauth:2.0:oob}', '{read}', 'cid', 'h') \
             RETURNING id",
        )
        .fetch_one(&db)
        .await
        .expect("app");
        let cache = AppCache::default();
        let mut conn = db.acquire().await.expect("connection");
        let read = cache.find(&mut conn, id).await.expect("read");
        assert_eq!(read.map(|app| app.name), Some("Ivory".to_owned()));
        assert!(cache.find(&mut conn, id + 1).await.expect("read").is_none());
        // Gone from the table (by hand: Roost never deletes or changes an app), the
        // kept row still answers, which shows that no second read happened.
        sqlx::query("DELETE FROM oauth_apps")
            .execute(&db)
            .await
            .expect("deleted");
        let kept = cache.find(&mut conn, id).await.expect("kept");
        assert_eq!(kept.map(|app| app.name), Some("Ivory".to_owned()));
    }
}
