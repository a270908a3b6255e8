//! Admins' review of hashtags: the `usable`, `listable`, `trendable` and `reviewed_at`
//! columns of `tags` (the `suggestions_and_tag_review` migration), read and written for
//! the admin API. What each flag changes is `services::admin_tags`'s documentation.

use sqlx::PgExecutor;

use super::{BindPage, Page};

/// A `tags` row with its review.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReviewedTagRow {
    pub id: i64,
    pub name: String,
    pub usable: bool,
    pub listable: bool,
    pub trendable: bool,
    /// `None`: no admin reviewed it yet (`requires_review`).
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
}

const COLUMNS: &str = "id, name, usable, listable, trendable, reviewed_at";

/// A page of every hashtag, newest first, paged by id.
pub async fn list(db: impl PgExecutor<'_>, page: &Page) -> sqlx::Result<Vec<ReviewedTagRow>> {
    let cut = page.cut("id", 1);
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tags \
         WHERE {cut}"
    ))
    .bind_page(page)
    .fetch_all(db)
    .await?;
    Ok(page.newest_first(rows))
}

/// The hashtag `id` with its review.
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<ReviewedTagRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tags WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The hashtags of `ids` with their reviews, in any order.
pub async fn find_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<ReviewedTagRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tags WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(db)
        .await
}

/// An admin's review: the flags to set (`None`: unchanged) and a new spelling of the
/// name (same letters, other case).
#[derive(Clone, Debug, Default)]
pub struct Review<'a> {
    pub name: Option<&'a str>,
    pub usable: Option<bool>,
    pub listable: Option<bool>,
    pub trendable: Option<bool>,
}

/// Records a review of hashtag `id` (now reviewed); the row afterwards, `None` when
/// there is no such hashtag.
pub async fn review(
    db: impl PgExecutor<'_>,
    id: i64,
    review: &Review<'_>,
) -> sqlx::Result<Option<ReviewedTagRow>> {
    sqlx::query_as(&format!(
        "UPDATE tags SET name = coalesce($2, name), usable = coalesce($3, usable), \
           listable = coalesce($4, listable), trendable = coalesce($5, trendable), \
           reviewed_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(review.name)
    .bind(review.usable)
    .bind(review.listable)
    .bind(review.trendable)
    .fetch_optional(db)
    .await
}
