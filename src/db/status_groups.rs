//! The `status_groups` table: the group (a `Group` actor, FEP-1b12) a status belongs
//! to. Written when a remote post naming a known group is stored or a group shares it,
//! and when a local reply is posted under such a post; read to address replies.

use sqlx::PgExecutor;

use super::accounts::{columns_of, AccountRow};

/// Records that status `status_id` belongs to group `group_id`. A status keeps the
/// first group it was recorded in (a post lives in one community).
pub async fn record(db: impl PgExecutor<'_>, status_id: i64, group_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_groups (status_id, group_id) VALUES ($1, $2) \
         ON CONFLICT (status_id) DO NOTHING",
    )
    .bind(status_id)
    .bind(group_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The group status `status_id` belongs to, if any.
pub async fn group_of(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {} FROM status_groups g JOIN accounts a ON a.id = g.group_id \
         WHERE g.status_id = $1",
        columns_of("a")
    ))
    .bind(status_id)
    .fetch_optional(db)
    .await
}

/// The known group among `ap_ids` (a post's `audience`, then its `to` and `cc`): the
/// first stored account of type `Group` with one of these ids, in the order given.
pub async fn first_known_group(
    db: impl PgExecutor<'_>,
    ap_ids: &[&str],
) -> sqlx::Result<Option<AccountRow>> {
    if ap_ids.is_empty() {
        return Ok(None);
    }
    sqlx::query_as(&format!(
        "SELECT {} FROM unnest($1::text[]) WITH ORDINALITY AS named (ap_id, ordinal) \
         JOIN accounts a ON a.ap_id = named.ap_id \
         WHERE a.actor_type = 'Group' AND a.domain IS NOT NULL \
         ORDER BY named.ordinal LIMIT 1",
        columns_of("a")
    ))
    .bind(ap_ids)
    .fetch_optional(db)
    .await
}
