//! The instance's rules (Mastodon's Rule entity), managed with `roost admin rule-*`.

use sqlx::PgExecutor;

/// An `instance_rules` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub text: String,
    pub hint: String,
}

/// Every rule, in display order.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<RuleRow>> {
    sqlx::query_as("SELECT id, text, hint FROM instance_rules ORDER BY position, id")
        .fetch_all(db)
        .await
}

/// Adds a rule at the end.
pub async fn add(db: impl PgExecutor<'_>, text: &str, hint: &str) -> sqlx::Result<RuleRow> {
    sqlx::query_as(
        "INSERT INTO instance_rules (text, hint, position) \
         SELECT $1, $2, coalesce(max(position), 0) + 1 FROM instance_rules \
         RETURNING id, text, hint",
    )
    .bind(text)
    .bind(hint)
    .fetch_one(db)
    .await
}

/// Removes a rule; false when there was none.
pub async fn remove(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM instance_rules WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}
