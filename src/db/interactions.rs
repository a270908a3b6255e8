//! Favourites, bookmarks and pins: one row per (account, status), with the status's
//! `favourites_count` moved in the same statement batch so counts stay right under
//! concurrency and repeated requests. The rules and notifications around them live in
//! `services::interactions`.

use sqlx::{PgConnection, PgExecutor};

use super::{BindPage, Page};

/// Which per-account mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Favourite,
    Bookmark,
    Pin,
}

impl Mark {
    fn table(self) -> &'static str {
        match self {
            Mark::Favourite => "favourites",
            Mark::Bookmark => "bookmarks",
            Mark::Pin => "status_pins",
        }
    }
}

/// Adds a mark (a favourite also counts on its status); returns false when it was
/// already there (nothing changes then). `ap_id` names the Like activity of a favourite
/// (remote likes, or our own for Undo). Notifying the author is the caller's part.
pub async fn add(
    conn: &mut PgConnection,
    mark: Mark,
    account_id: i64,
    status_id: i64,
    ap_id: Option<&str>,
) -> sqlx::Result<bool> {
    let inserted = if mark == Mark::Favourite {
        sqlx::query(
            "INSERT INTO favourites (account_id, status_id, ap_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(status_id)
        .bind(ap_id)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(&format!(
            "INSERT INTO {} (account_id, status_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            mark.table()
        ))
        .bind(account_id)
        .bind(status_id)
        .execute(&mut *conn)
        .await?
    }
    .rows_affected()
        == 1;
    if inserted && mark == Mark::Favourite {
        adjust_favourites(conn, status_id, 1).await?;
    }
    Ok(inserted)
}

/// Removes a mark; returns the removed favourite's `ap_id` wrapped in `Some` when a
/// row was removed (`Some(None)` for marks without one), `None` when there was none.
pub async fn remove(
    conn: &mut PgConnection,
    mark: Mark,
    account_id: i64,
    status_id: i64,
) -> sqlx::Result<Option<Option<String>>> {
    let removed: Option<Option<String>> = if mark == Mark::Favourite {
        sqlx::query_scalar(
            "DELETE FROM favourites WHERE account_id = $1 AND status_id = $2 RETURNING ap_id",
        )
        .bind(account_id)
        .bind(status_id)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        let rows = sqlx::query(&format!(
            "DELETE FROM {} WHERE account_id = $1 AND status_id = $2",
            mark.table()
        ))
        .bind(account_id)
        .bind(status_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        (rows > 0).then_some(None)
    };
    if removed.is_some() && mark == Mark::Favourite {
        adjust_favourites(conn, status_id, -1).await?;
    }
    Ok(removed)
}

async fn adjust_favourites(
    conn: &mut PgConnection,
    status_id: i64,
    delta: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE statuses SET favourites_count = greatest(favourites_count + $2, 0) WHERE id = $1",
    )
    .bind(status_id)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many statuses an account has pinned.
pub async fn count_pins(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM status_pins WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(db)
        .await
}

/// A page of (mark id, status id) of one account's marks, newest first.
pub async fn page_of_marks(
    db: impl PgExecutor<'_>,
    mark: Mark,
    account_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let cut = page.cut("m.id", 2);
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT m.id, m.status_id FROM {} m JOIN statuses s ON s.id = m.status_id AND s.deleted_at IS NULL \
         WHERE m.account_id = $1 AND {cut}",
        mark.table()
    ))
    .bind(account_id)
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// A page of (row id, account id) of those who favourited (or boosted) a status.
pub async fn page_of_actors(
    db: impl PgExecutor<'_>,
    boosts: bool,
    status_id: i64,
    page: &Page,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let source = if boosts {
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = $1 AND deleted_at IS NULL"
    } else {
        "SELECT id, account_id FROM favourites WHERE status_id = $1"
    };
    sqlx::query_as(&format!(
        "SELECT id, account_id FROM ({source}) x \
         WHERE ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3) ORDER BY id DESC LIMIT $4"
    ))
    .bind(status_id)
    .bind(page.max_id)
    .bind(page.since_id.or(page.min_id))
    .bind(page.limit)
    .fetch_all(db)
    .await
}

/// Removes the favourite created by the Like activity `ap_id`, if `account_id` made it.
/// Returns the status it was on.
pub async fn remove_favourite_by_ap_id(
    conn: &mut PgConnection,
    account_id: i64,
    ap_id: &str,
) -> sqlx::Result<Option<i64>> {
    let status: Option<i64> = sqlx::query_scalar(
        "DELETE FROM favourites WHERE ap_id = $1 AND account_id = $2 RETURNING status_id",
    )
    .bind(ap_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(status) = status {
        adjust_favourites(conn, status, -1).await?;
    }
    Ok(status)
}
