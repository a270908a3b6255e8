//! The `suggestion_dismissals` table and the follow-suggestion query: accounts a user
//! might follow, computed in SQL from the follow graph and follower counts. The rules
//! (sources, limits) are `services::suggestions`'s.

use sqlx::PgExecutor;

/// One suggested account: its id and whether each source proposed it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SuggestionRow {
    /// The suggested account.
    pub account_id: i64,
    /// Featured by staff (`featured`).
    pub featured: bool,
    /// Followed by accounts the viewer follows (`friends_of_friends`).
    pub friends_of_friends: bool,
    /// Followed by those who follow the accounts the viewer followed last
    /// (`similar_to_recently_followed`).
    pub similar: bool,
    /// A popular discoverable local account (`most_followed`).
    pub most_followed: bool,
}

/// How many of the viewer's latest follows the `similar` source starts from.
const RECENT_FOLLOWS: i64 = 5;
/// How many followers of each of those it looks at (the latest), so its cost stays
/// bounded however popular the accounts followed are.
const FOLLOWERS_SAMPLED: i64 = 200;

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

/// Up to `limit` suggestions for `viewer`, best first: accounts staff feature; then
/// accounts followed by the most of the viewer's follows (accepted follows on both
/// steps); then accounts followed by the most of the (latest [`FOLLOWERS_SAMPLED`])
/// followers of the viewer's [`RECENT_FOLLOWS`] latest follows; then, when
/// `with_most_followed`, discoverable local accounts with followers, by followers count.
/// An account several sources propose comes once, with each source flagged.
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
           GROUP BY theirs.target_account_id), \
         recent AS (\
           SELECT target_account_id AS id FROM follows WHERE account_id = $1 AND accepted \
           ORDER BY id DESC LIMIT {RECENT_FOLLOWS}), \
         co_followers AS (\
           SELECT DISTINCT sampled.account_id AS id FROM recent r CROSS JOIN LATERAL (\
             SELECT f.account_id FROM follows f \
             WHERE f.target_account_id = r.id AND f.accepted AND f.account_id <> $1 \
             ORDER BY f.id DESC LIMIT {FOLLOWERS_SAMPLED}) sampled), \
         cofollowed AS (\
           SELECT f.target_account_id AS id, count(*) AS score \
           FROM co_followers cf JOIN follows f ON f.account_id = cf.id AND f.accepted \
           GROUP BY f.target_account_id), \
         featured AS (SELECT account_id AS id FROM featured_suggestions) \
         SELECT c.id AS account_id, featured.id IS NOT NULL AS featured, \
           fof.id IS NOT NULL AS friends_of_friends, cofollowed.id IS NOT NULL AS similar, \
           ($2 AND c.domain IS NULL AND c.followers_count > 0) AS most_followed \
         FROM accounts c \
         LEFT JOIN featured ON featured.id = c.id \
         LEFT JOIN fof ON fof.id = c.id \
         LEFT JOIN cofollowed ON cofollowed.id = c.id \
         WHERE (featured.id IS NOT NULL OR fof.id IS NOT NULL OR cofollowed.id IS NOT NULL \
                OR ($2 AND c.domain IS NULL AND c.followers_count > 0)) AND {SUGGESTIBLE} \
         ORDER BY featured.id IS NOT NULL DESC, fof.score DESC NULLS LAST, \
           cofollowed.score DESC NULLS LAST, c.followers_count DESC, c.id \
         LIMIT $3"
    ))
    .bind(viewer)
    .bind(with_most_followed)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Features `account_id` as a suggestion for everyone. Idempotent.
pub async fn feature(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO featured_suggestions (account_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Stops featuring `account_id`; false when it was not featured.
pub async fn unfeature(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM featured_suggestions WHERE account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The ids of the accounts staff feature, oldest pick first.
pub async fn featured(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT account_id FROM featured_suggestions ORDER BY created_at, account_id",
    )
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
