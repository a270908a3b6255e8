//! The `suggestion_dismissals` table and the follow-suggestion query: accounts a user
//! might follow, computed in SQL from the follow graph and follower counts. The rules
//! (sources, limits) are `services::suggestions`'s.

use sqlx::PgExecutor;

/// One suggested account: its id and whether each source proposed it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SuggestionRow {
    /// The suggested account.
    pub account_id: i64,
    /// Followed by accounts the viewer follows (`friends_of_friends`).
    pub friends_of_friends: bool,
    /// A popular discoverable local account (`most_followed`).
    pub most_followed: bool,
}

/// SQL condition on candidate account `c` and viewer `$1`: everything that rules an
/// account out of suggestions. Not the viewer; not already followed or requested;
/// no block either way; not muted; not on a domain the viewer blocks; neither suspended
/// nor silenced; discoverable; a local one approved; not dismissed by the viewer.
const SUGGESTIBLE: &str = "c.id <> $1 \
    AND c.discoverable AND c.suspended_at IS NULL AND c.silenced_at IS NULL \
    AND (c.domain IS NOT NULL OR EXISTS (SELECT 1 FROM users u WHERE u.account_id = c.id AND u.approved)) \
    AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 AND f.target_account_id = c.id) \
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $1 AND b.target_account_id = c.id) \
                                            OR (b.account_id = c.id AND b.target_account_id = $1)) \
    AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 AND m.target_account_id = c.id \
                    AND (m.expires_at IS NULL OR m.expires_at > now())) \
    AND NOT EXISTS (SELECT 1 FROM account_domain_blocks d WHERE d.account_id = $1 AND d.domain = c.domain) \
    AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals sd WHERE sd.account_id = $1 AND sd.target_account_id = c.id)";

/// Up to `limit` suggestions for `viewer`, best first: accounts followed by the most
/// of the viewer's follows (accepted follows on both steps), then, when
/// `with_most_followed`, discoverable local accounts with followers, by followers count. An account
/// both sources propose comes once, ranked by its friends-of-friends score.
pub async fn suggestions(
    db: impl PgExecutor<'_>,
    viewer: i64,
    with_most_followed: bool,
    limit: i64,
) -> sqlx::Result<Vec<SuggestionRow>> {
    sqlx::query_as(&format!(
        "WITH fof AS (\
           SELECT theirs.target_account_id AS id, count(DISTINCT mine.target_account_id) AS score \
           FROM follows mine \
           JOIN follows theirs ON theirs.account_id = mine.target_account_id AND theirs.accepted \
           WHERE mine.account_id = $1 AND mine.accepted \
           GROUP BY theirs.target_account_id) \
         SELECT c.id AS account_id, fof.id IS NOT NULL AS friends_of_friends, \
           ($2 AND c.domain IS NULL AND c.followers_count > 0) AS most_followed \
         FROM accounts c \
         LEFT JOIN fof ON fof.id = c.id \
         WHERE (fof.id IS NOT NULL OR ($2 AND c.domain IS NULL AND c.followers_count > 0)) AND {SUGGESTIBLE} \
         ORDER BY fof.score DESC NULLS LAST, c.followers_count DESC, c.id \
         LIMIT $3"
    ))
    .bind(viewer)
    .bind(with_most_followed)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Remembers that `account_id` does not want `target` suggested again. Idempotent.
pub async fn dismiss(db: impl PgExecutor<'_>, account_id: i64, target: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO suggestion_dismissals (account_id, target_account_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(target)
    .execute(db)
    .await?;
    Ok(())
}

/// How many accounts `account_id` follows or asked to follow.
pub async fn follows_count(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM follows WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(db)
        .await
}
