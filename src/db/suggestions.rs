//! The `suggestion_dismissals`, `featured_suggestions` and `suggestion_caches` tables
//! and the follow-suggestion query: accounts a user might follow, computed in SQL from
//! the follow graph and follower counts and kept per user for a while. The rules
//! (sources, limits, how long a computation is kept) are `services::suggestions`'s.

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
/// How many of the most followed local accounts the `most_followed` source offers.
const MOST_FOLLOWED: i64 = 200;
/// How many candidates a computation keeps, best first: enough for the largest page
/// after the accounts ruled out since (followed, blocked, dismissed…) are dropped.
const KEPT: i64 = 200;

/// The bits of `suggestion_caches.sources`, one per source.
const FEATURED_BIT: i16 = 1;
const FRIENDS_OF_FRIENDS_BIT: i16 = 2;
const SIMILAR_BIT: i16 = 4;
const MOST_FOLLOWED_BIT: i16 = 8;

/// SQL condition on candidate account `c` and viewer `$1`: everything that rules an
/// account out of suggestions. Not the viewer; not already followed or requested;
/// no block either way; not muted; not on a domain the viewer blocks; neither suspended
/// nor silenced; discoverable; a local one approved; not dismissed by the viewer.
const SUGGESTIBLE: &str = "c.id <> $1 \
    AND c.discoverable AND c.suspended_at IS NULL AND c.silenced_at IS NULL \
    AND (c.domain IS NOT NULL OR EXISTS (SELECT 1 FROM users u WHERE u.account_id = c.id AND u.approved)) \
    AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 AND f.target_account_id = c.id) \
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = $1 AND b.target_account_id = c.id) \
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = c.id AND b.target_account_id = $1) \
    AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 AND m.target_account_id = c.id \
                    AND (m.expires_at IS NULL OR m.expires_at > now())) \
    AND NOT EXISTS (SELECT 1 FROM account_domain_blocks d WHERE d.account_id = $1 AND d.domain = c.domain) \
    AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals sd WHERE sd.account_id = $1 AND sd.target_account_id = c.id)";

/// Whether `viewer` has suggestions computed less than `max_age_seconds` ago.
pub async fn is_fresh(
    db: impl PgExecutor<'_>,
    viewer: i64,
    max_age_seconds: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM suggestion_caches WHERE account_id = $1 \
           AND computed_at > now() - make_interval(secs => $2))",
    )
    .bind(viewer)
    .bind(max_age_seconds as f64)
    .fetch_one(db)
    .await
}

/// Computes `viewer`'s suggestions from the follow graph and keeps the best [`KEPT`]
/// in `suggestion_caches`, replacing what was there. Ranked: accounts staff feature;
/// then accounts followed by the most of the viewer's follows (accepted follows on
/// both steps); then accounts followed by the most of the (latest
/// [`FOLLOWERS_SAMPLED`]) followers of the viewer's [`RECENT_FOLLOWS`] latest follows;
/// then, when `with_most_followed`, the [`MOST_FOLLOWED`] discoverable local accounts
/// with the most followers; ties by followers count. An account several sources
/// propose comes once, with a bit for each.
///
/// Each source counts rows per candidate with a hash aggregate, and every candidate
/// is checked once, so 200 follows of 200 follows each (40,000 rows) stay cheap.
pub async fn compute(
    db: impl PgExecutor<'_>,
    viewer: i64,
    with_most_followed: bool,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "WITH mine AS (\
           SELECT target_account_id AS id FROM follows WHERE account_id = $1 AND accepted), \
         fof AS (\
           SELECT theirs.target_account_id AS id, count(*) AS score \
           FROM mine JOIN follows theirs ON theirs.account_id = mine.id AND theirs.accepted \
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
         popular AS (\
           SELECT id FROM accounts WHERE $2 AND domain IS NULL AND followers_count > 0 \
             AND discoverable AND suspended_at IS NULL AND silenced_at IS NULL \
           ORDER BY followers_count DESC, id LIMIT {MOST_FOLLOWED}), \
         proposed AS (\
           SELECT id, bit_or(bits) AS bits, max(fof_score) AS fof_score, \
             max(similar_score) AS similar_score \
           FROM (SELECT account_id AS id, {FEATURED_BIT}::smallint AS bits, \
                   NULL::bigint AS fof_score, NULL::bigint AS similar_score \
                 FROM featured_suggestions \
                 UNION ALL SELECT id, {FRIENDS_OF_FRIENDS_BIT}::smallint, score, NULL FROM fof \
                 UNION ALL SELECT id, {SIMILAR_BIT}::smallint, NULL, score FROM cofollowed \
                 UNION ALL SELECT id, {MOST_FOLLOWED_BIT}::smallint, NULL, NULL FROM popular) sources \
           GROUP BY id), \
         best AS (\
           SELECT c.id, p.bits | CASE WHEN $2 AND c.domain IS NULL AND c.followers_count > 0 \
               THEN {MOST_FOLLOWED_BIT} ELSE 0 END::smallint AS bits, \
             row_number() OVER (ORDER BY p.bits & {FEATURED_BIT} DESC, p.fof_score DESC NULLS LAST, \
               p.similar_score DESC NULLS LAST, c.followers_count DESC, c.id) AS rank \
           FROM proposed p JOIN accounts c ON c.id = p.id \
           WHERE {SUGGESTIBLE} \
           ORDER BY rank LIMIT {KEPT}) \
         INSERT INTO suggestion_caches (account_id, computed_at, target_ids, sources) \
         SELECT $1, now(), coalesce(array_agg(id ORDER BY rank), '{{}}'), \
           coalesce(array_agg(bits ORDER BY rank), '{{}}') FROM best \
         ON CONFLICT (account_id) DO UPDATE SET computed_at = excluded.computed_at, \
           target_ids = excluded.target_ids, sources = excluded.sources"
    ))
    .bind(viewer)
    .bind(with_most_followed)
    .execute(db)
    .await?;
    Ok(())
}

/// Up to `limit` of `viewer`'s kept suggestions, best first, without the accounts
/// ruled out since they were computed (followed, blocked, muted, dismissed,
/// suspended…): those rules apply at once, whatever the age of the computation.
pub async fn kept(
    db: impl PgExecutor<'_>,
    viewer: i64,
    limit: i64,
) -> sqlx::Result<Vec<SuggestionRow>> {
    sqlx::query_as(&format!(
        "SELECT c.id AS account_id, (k.bits & {FEATURED_BIT}) <> 0 AS featured, \
           (k.bits & {FRIENDS_OF_FRIENDS_BIT}) <> 0 AS friends_of_friends, \
           (k.bits & {SIMILAR_BIT}) <> 0 AS similar, \
           (k.bits & {MOST_FOLLOWED_BIT}) <> 0 AS most_followed \
         FROM suggestion_caches sc \
         CROSS JOIN LATERAL unnest(sc.target_ids, sc.sources) WITH ORDINALITY AS k(id, bits, rank) \
         JOIN accounts c ON c.id = k.id \
         WHERE sc.account_id = $1 AND {SUGGESTIBLE} \
         ORDER BY k.rank LIMIT $2"
    ))
    .bind(viewer)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Drops `viewer`'s kept suggestions, so that the next request computes them afresh
/// (after a new follow, whose followers' follows make the `similar` source).
pub async fn forget(db: impl PgExecutor<'_>, viewer: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM suggestion_caches WHERE account_id = $1")
        .bind(viewer)
        .execute(db)
        .await?;
    Ok(())
}

/// Drops everyone's kept suggestions (after staff feature an account or stop).
pub async fn forget_all(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM suggestion_caches")
        .execute(db)
        .await?;
    Ok(())
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
