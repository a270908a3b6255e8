//! The instance's long texts (`instance_texts`: extended description, privacy policy)
//! and the versions of its terms of service (`terms_of_service`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;

/// An `instance_texts` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TextRow {
    pub text: String,
    pub updated_at: DateTime<Utc>,
}

/// A `terms_of_service` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TermsRow {
    pub effective_date: NaiveDate,
    pub text: String,
}

/// The text of `kind` (`extended_description` or `privacy_policy`), if set.
pub async fn text(db: impl PgExecutor<'_>, kind: &str) -> sqlx::Result<Option<TextRow>> {
    sqlx::query_as("SELECT text, updated_at FROM instance_texts WHERE kind = $1")
        .bind(kind)
        .fetch_optional(db)
        .await
}

/// Sets (or replaces) the text of `kind`.
pub async fn set_text(db: impl PgExecutor<'_>, kind: &str, text: &str) -> sqlx::Result<TextRow> {
    sqlx::query_as(
        "INSERT INTO instance_texts (kind, text) VALUES ($1, $2) \
         ON CONFLICT (kind) DO UPDATE SET text = excluded.text, updated_at = now() \
         RETURNING text, updated_at",
    )
    .bind(kind)
    .bind(text)
    .fetch_one(db)
    .await
}

/// Removes the text of `kind`; false when there was none.
pub async fn clear_text(db: impl PgExecutor<'_>, kind: &str) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM instance_texts WHERE kind = $1")
        .bind(kind)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Adds (or replaces) the terms taking effect on `date`.
pub async fn add_terms(
    db: impl PgExecutor<'_>,
    date: NaiveDate,
    text: &str,
) -> sqlx::Result<TermsRow> {
    sqlx::query_as(
        "INSERT INTO terms_of_service (effective_date, text) VALUES ($1, $2) \
         ON CONFLICT (effective_date) DO UPDATE SET text = excluded.text \
         RETURNING effective_date, text",
    )
    .bind(date)
    .bind(text)
    .fetch_one(db)
    .await
}

/// Removes the terms of `date`; false when there were none.
pub async fn remove_terms(db: impl PgExecutor<'_>, date: NaiveDate) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM terms_of_service WHERE effective_date = $1")
        .bind(date)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Every version, newest first.
pub async fn all_terms(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TermsRow>> {
    sqlx::query_as("SELECT effective_date, text FROM terms_of_service ORDER BY effective_date DESC")
        .fetch_all(db)
        .await
}

/// The terms in force on `today` (the newest that took effect), or else the first
/// that will (as Mastodon, when none has taken effect yet).
pub async fn current_terms(
    db: impl PgExecutor<'_>,
    today: NaiveDate,
) -> sqlx::Result<Option<TermsRow>> {
    sqlx::query_as(
        "SELECT effective_date, text FROM terms_of_service \
         ORDER BY effective_date <= $1 DESC, \
                  CASE WHEN effective_date <= $1 THEN effective_date END DESC, \
                  effective_date ASC \
         LIMIT 1",
    )
    .bind(today)
    .fetch_optional(db)
    .await
}

/// The terms of exactly `date`.
pub async fn terms_of(db: impl PgExecutor<'_>, date: NaiveDate) -> sqlx::Result<Option<TermsRow>> {
    sqlx::query_as("SELECT effective_date, text FROM terms_of_service WHERE effective_date = $1")
        .bind(date)
        .fetch_optional(db)
        .await
}

/// The date of the version after `date`, if one exists.
pub async fn successor_date(
    db: impl PgExecutor<'_>,
    date: NaiveDate,
) -> sqlx::Result<Option<NaiveDate>> {
    sqlx::query_scalar("SELECT min(effective_date) FROM terms_of_service WHERE effective_date > $1")
        .bind(date)
        .fetch_one(db)
        .await
}
