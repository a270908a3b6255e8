//! Trends: the `trends` scores and the `trend_reviews` decisions (migration
//! `20261205040000_trends`), and the queries that compute the scores. Hashtag reviews
//! live on `tags` (`super::tag_reviews`). The rules (who may trend, what the numbers
//! mean) are `services::trends`'.

use sqlx::{PgConnection, PgExecutor};

use super::tags::DayOfUse;

/// What a trend is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Tag,
    Status,
    Link,
}

impl Kind {
    /// The `kind` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tag => "tag",
            Kind::Status => "status",
            Kind::Link => "link",
        }
    }
}

/// The knobs of a refresh (see `services::trends` for why these values).
#[derive(Clone, Copy, Debug)]
pub struct Scoring {
    /// Hours of use counted.
    pub window_hours: i32,
    /// Hours after which one account's use counts half.
    pub half_life_hours: f64,
    /// Fewest distinct accounts for anything to trend.
    pub threshold: i64,
}

/// SQL: the author `a` may have content trend: not suspended, silenced (alone or with
/// its domain) or forced sensitive, and discoverable.
const AUTHOR_MAY_TREND: &str = "a.suspended_at IS NULL AND a.silenced_at IS NULL \
    AND a.sensitized_at IS NULL AND a.discoverable";

/// SQL: the smallest status id of the window (`$1` hours): ids are creation-time
/// based (milliseconds, shifted), so the primary key narrows a scan to the window.
macro_rules! window_start_id {
    () => {
        "(floor(extract(epoch FROM now() - make_interval(hours => $1)) * 1000)::bigint << 16)"
    };
}

/// See [`window_start_id`].
const WINDOW_START_ID: &str = window_start_id!();

/// SQL: status `s` may count towards trends: public, kept, not a boost, not sensitive,
/// no content warning, created within the window (`$1` hours; the id bound lets the
/// primary key narrow the scan, ids being creation-time based).
const STATUS_MAY_COUNT: &str = concat!(
    "s.deleted_at IS NULL AND s.visibility = 'public' \
    AND s.reblog_of_id IS NULL AND NOT s.sensitive AND s.spoiler_text = '' \
    AND s.id >= ",
    window_start_id!(),
    " AND s.created_at > now() - make_interval(hours => $1)"
);

/// SQL: the weight of one account's use at `last` (`$2`: half-life in hours). Written
/// in floating point whatever the type bound: `extract` answers `numeric`, and a
/// `numeric` `power` is about 100 times slower (1.3 s for the 162,000 decays of the
/// benchmark's hashtags, measured with a `numeric` half-life).
const DECAYED: &str =
    "power(0.5::float8, extract(epoch FROM now() - last)::float8 / 3600.0 / $2::float8)";

/// Takes the refresh lock for the caller's transaction: false when another process
/// holds it (it is refreshing; this one need not).
pub async fn try_lock_refresh(conn: &mut PgConnection) -> sqlx::Result<bool> {
    // The key is arbitrary but fixed: "trends" in ASCII, as a number.
    sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(128034676827251)")
        .fetch_one(conn)
        .await
}

/// Replaces the scores of `kind` with those computed now, in the caller's transaction.
/// Returns how many candidates trend.
pub async fn replace(conn: &mut PgConnection, kind: Kind, scoring: &Scoring) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM trends WHERE kind = $1")
        .bind(kind.as_str())
        .execute(&mut *conn)
        .await?;
    let scores = match kind {
        Kind::Tag => tag_scores(),
        Kind::Status => status_scores(),
        Kind::Link => link_scores(),
    };
    let inserted = sqlx::query(&format!(
        "INSERT INTO trends (kind, target_id, score, accounts) \
         SELECT $4, target_id, score, accounts FROM ({scores}) scored WHERE score > 0"
    ))
    .bind(scoring.window_hours)
    .bind(scoring.half_life_hours)
    .bind(scoring.threshold)
    .bind(kind.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected())
}

/// Hashtags: each distinct account's latest use in the window, decayed, summed; minus
/// the hashtag's usual use (distinct accounts a day over the week before), so a tag
/// that is always busy does not trend for being busy.
fn tag_scores() -> String {
    format!(
        "WITH uses AS ( \
           SELECT st.tag_id, s.account_id, max(s.created_at) AS last \
           FROM statuses s JOIN status_tags st ON st.status_id = s.id \
             JOIN accounts a ON a.id = s.account_id JOIN tags t ON t.id = st.tag_id \
           WHERE {STATUS_MAY_COUNT} AND {AUTHOR_MAY_TREND} AND t.usable \
           GROUP BY st.tag_id, s.account_id), \
         observed AS ( \
           SELECT tag_id, count(*) AS accounts, sum({DECAYED}) AS weight FROM uses \
           GROUP BY tag_id HAVING count(*) >= $3), \
         usual AS ( \
           SELECT st.tag_id, count(DISTINCT (s.account_id, s.created_at::date)) / 7.0 AS per_day \
           FROM status_tags st JOIN statuses s ON s.id = st.status_id \
           WHERE st.tag_id IN (SELECT tag_id FROM observed) AND s.deleted_at IS NULL \
             AND s.visibility = 'public' \
             AND s.created_at <= now() - make_interval(hours => $1) \
             AND s.created_at > now() - make_interval(hours => $1) - interval '7 days' \
           GROUP BY st.tag_id) \
         SELECT o.tag_id AS target_id, o.weight - coalesce(u.per_day, 0) AS score, \
           o.accounts::integer AS accounts \
         FROM observed o LEFT JOIN usual u ON u.tag_id = o.tag_id"
    )
}

/// Statuses: distinct accounts (not the author) that favourited or boosted a recent
/// status, decayed by the status's age. Read from the favourites and boosts of the
/// window's statuses (ids are creation-time based), not by looking up each status's:
/// most recent statuses have none (the benchmark: 1.0–1.3 s became 0.6–1.0 s).
fn status_scores() -> String {
    format!(
        "WITH candidates AS ( \
           SELECT s.id, s.account_id, s.created_at AS last FROM statuses s \
             JOIN accounts a ON a.id = s.account_id \
           WHERE {STATUS_MAY_COUNT} AND {AUTHOR_MAY_TREND} AND s.in_reply_to_id IS NULL), \
         engaged AS ( \
           SELECT f.status_id, f.account_id FROM favourites f WHERE f.status_id >= {WINDOW_START_ID} \
           UNION SELECT b.reblog_of_id, b.account_id FROM statuses b \
             WHERE b.reblog_of_id >= {WINDOW_START_ID} AND b.deleted_at IS NULL), \
         interactions AS ( \
           SELECT c.id, c.last, count(*) AS accounts FROM engaged e \
           JOIN candidates c ON c.id = e.status_id AND e.account_id <> c.account_id \
           GROUP BY c.id, c.last HAVING count(*) >= $3) \
         SELECT id AS target_id, accounts * {DECAYED} AS score, accounts::integer AS accounts \
         FROM interactions"
    )
}

/// Links: each distinct account's latest public status showing the link's card,
/// decayed, summed. A URL is represented by one card: the one Roost fetched itself if
/// any, else the oldest a peer carried.
fn link_scores() -> String {
    format!(
        "WITH uses AS ( \
           SELECT sc.url, s.account_id, max(s.created_at) AS last \
           FROM statuses s JOIN status_cards sc ON sc.status_id = s.id \
             JOIN accounts a ON a.id = s.account_id \
           WHERE sc.card_id IS NOT NULL AND {STATUS_MAY_COUNT} AND {AUTHOR_MAY_TREND} \
           GROUP BY sc.url, s.account_id), \
         observed AS ( \
           SELECT url, count(*) AS accounts, sum({DECAYED}) AS weight FROM uses \
           GROUP BY url HAVING count(*) >= $3) \
         SELECT (SELECT pc.id FROM preview_cards pc WHERE pc.url = o.url \
                 ORDER BY pc.origin = '' DESC, pc.id LIMIT 1) AS target_id, \
           o.weight AS score, o.accounts::integer AS accounts \
         FROM observed o"
    )
}

/// SQL: the trend `tr` may be shown to everyone. With review on (`$1`), only what an
/// admin approved; with review off, anything not rejected.
const ALLOWED: &str = "CASE tr.kind \
    WHEN 'tag' THEN (SELECT t.usable AND (t.trendable OR (NOT $1 AND t.reviewed_at IS NULL)) \
                     FROM tags t WHERE t.id = tr.target_id) \
    ELSE coalesce((SELECT r.trendable FROM trend_reviews r \
                   WHERE r.kind = tr.kind AND r.target_id = tr.target_id), NOT $1) END";

/// The ids of `kind`'s trends everyone may see, best first: `offset`, then `limit`.
pub async fn allowed_ids(
    db: impl PgExecutor<'_>,
    kind: Kind,
    review: bool,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(&format!(
        "SELECT tr.target_id FROM trends tr WHERE tr.kind = $2 AND {ALLOWED} \
         ORDER BY tr.score DESC, tr.target_id DESC OFFSET $3 LIMIT $4"
    ))
    .bind(review)
    .bind(kind.as_str())
    .bind(offset)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One candidate as admins see it: what trends and the staff's decision on it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Candidate {
    pub target_id: i64,
    /// `None`: no one reviewed it yet (Mastodon's `requires_review`).
    pub trendable: Option<bool>,
}

/// Every candidate of `kind` (approved, pending or rejected), best first.
pub async fn candidates(
    db: impl PgExecutor<'_>,
    kind: Kind,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<Candidate>> {
    sqlx::query_as(
        "SELECT tr.target_id, CASE tr.kind \
           WHEN 'tag' THEN (SELECT CASE WHEN t.reviewed_at IS NULL THEN NULL ELSE t.trendable END \
                            FROM tags t WHERE t.id = tr.target_id) \
           ELSE (SELECT r.trendable FROM trend_reviews r \
                 WHERE r.kind = tr.kind AND r.target_id = tr.target_id) END AS trendable \
         FROM trends tr WHERE tr.kind = $1 \
         ORDER BY tr.score DESC, tr.target_id DESC OFFSET $2 LIMIT $3",
    )
    .bind(kind.as_str())
    .bind(offset)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Records an admin's decision on status or link `target_id`; false when there is no
/// such status or card.
pub async fn review(
    db: impl PgExecutor<'_>,
    kind: Kind,
    target_id: i64,
    trendable: bool,
) -> sqlx::Result<bool> {
    let table = match kind {
        Kind::Link => "preview_cards",
        Kind::Status | Kind::Tag => "statuses",
    };
    let done = sqlx::query(&format!(
        "INSERT INTO trend_reviews (kind, target_id, trendable) \
         SELECT $1, id, $3 FROM {table} WHERE id = $2 \
         ON CONFLICT (kind, target_id) DO UPDATE SET trendable = $3, reviewed_at = now()"
    ))
    .bind(kind.as_str())
    .bind(target_id)
    .bind(trendable)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The last `days` days (today first) of the use of each card's URL in public
/// statuses: (card id, day) pairs, as hashtag histories are counted.
pub async fn link_history(
    db: impl PgExecutor<'_>,
    cards: &[i64],
    days: i32,
) -> sqlx::Result<Vec<(i64, DayOfUse)>> {
    let rows: Vec<CardDay> = sqlx::query_as(
        "SELECT c.id AS card_id, extract(epoch FROM d.day)::bigint AS day, count(s.id) AS uses, \
           count(DISTINCT s.account_id) AS accounts \
         FROM preview_cards c \
         CROSS JOIN generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') \
           - ($2 - 1) * interval '1 day', date_trunc('day', now() AT TIME ZONE 'UTC'), \
           interval '1 day') AS d(day) \
         LEFT JOIN status_cards sc ON sc.url = c.url \
         LEFT JOIN statuses s ON s.id = sc.status_id AND s.deleted_at IS NULL \
           AND s.visibility = 'public' \
           AND s.created_at >= d.day AT TIME ZONE 'UTC' \
           AND s.created_at < (d.day + interval '1 day') AT TIME ZONE 'UTC' \
         WHERE c.id = ANY($1) \
         GROUP BY c.id, d.day ORDER BY c.id, d.day DESC",
    )
    .bind(cards)
    .bind(days)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.card_id, row.day)).collect())
}

#[derive(sqlx::FromRow)]
struct CardDay {
    card_id: i64,
    #[sqlx(flatten)]
    day: DayOfUse,
}
