//! The `reels` table: which statuses are reels (local ones posted as reels, remote ones
//! a Roost peer marked `roost:reel`). The feeds are `db::timelines::Timeline::Reels`.

use sqlx::PgExecutor;

/// Marks status `status_id` as a reel (idempotent).
pub async fn record(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO reels (status_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(status_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether status `status_id` is a reel.
pub async fn is_reel(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM reels WHERE status_id = $1)")
        .bind(status_id)
        .fetch_one(db)
        .await
}

/// The reels among `status_ids`.
pub async fn among(db: impl PgExecutor<'_>, status_ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT status_id FROM reels WHERE status_id = ANY($1)")
        .bind(status_ids)
        .fetch_all(db)
        .await
}
