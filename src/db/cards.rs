//! Link preview cards: the `preview_cards` rows (one per URL and source), the
//! `status_cards` link from a status to its card, the `preview_card_fetches` queue and
//! the per-host rate limit in `preview_card_hosts` (migration
//! `20261204030000_preview_cards`). The rules are `services::cards`'.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// The NOTIFY channel announcing new fetches (sent by a trigger on insert).
pub const NOTIFY_CHANNEL: &str = "preview_card_fetches";

/// A stored card (also read as JSON, by [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct CardRow {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub description: String,
    pub card_type: String,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub language: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub image_key: Option<String>,
    pub image_remote_url: Option<String>,
    pub image_description: String,
    pub width: i32,
    pub height: i32,
    pub blurhash: Option<String>,
}

impl CardRow {
    /// Where its image is: Roost's stored copy or, for a card a peer's Note carried,
    /// the peer's.
    pub fn image_url(&self, config: &crate::config::Config) -> Option<String> {
        match (&self.image_key, &self.image_remote_url) {
            (Some(key), _) => Some(crate::urls::media_file(config, key)),
            (None, remote) => remote.clone(),
        }
    }
}

pub(super) const COLUMNS: &str =
    "c.id, c.url, c.title, c.description, c.card_type, c.author_name, \
     c.author_url, c.provider_name, c.provider_url, c.language, c.published_at, c.image_key, \
     c.image_remote_url, c.image_description, c.width, c.height, c.blurhash";

/// A card to store: `origin` is '' for one Roost fetched, else the peer's domain.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewCard {
    pub url: String,
    pub origin: String,
    pub title: String,
    pub description: String,
    pub card_type: String,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub language: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub image_key: Option<String>,
    pub image_remote_url: Option<String>,
    pub image_description: String,
    pub width: i32,
    pub height: i32,
    pub blurhash: Option<String>,
}

/// A claimed fetch.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedFetch {
    pub url: String,
    pub host: String,
    pub attempts: i32,
}

/// A status that was waiting for a card, with the held `Create` it must release.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Waiting {
    pub status_id: i64,
    pub held_activity: Option<String>,
}

/// The first web link of a status eligible for a card, in the order its text gives
/// them (`status_links` holds the links of public and unlisted statuses; mentions and hashtags are
/// not among them). `skip` is a POSIX regex (matched case-insensitively) of the URLs
/// that never get a card.
pub async fn first_link(
    db: impl PgExecutor<'_>,
    status_id: i64,
    skip: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT l.url FROM status_links l JOIN statuses s ON s.id = l.status_id \
         WHERE l.status_id = $1 AND l.url !~* $2 \
         ORDER BY strpos(s.content, 'href=\"' || replace(l.url, '&', '&amp;')), l.url LIMIT 1",
    )
    .bind(status_id)
    .bind(skip)
    .fetch_optional(db)
    .await
}

/// The card Roost fetched for `url`, if any.
pub async fn fetched(db: impl PgExecutor<'_>, url: &str) -> sqlx::Result<Option<CardRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM preview_cards c WHERE c.url = $1 AND c.origin = ''"
    ))
    .bind(url)
    .fetch_optional(db)
    .await
}

/// Stores a card (replacing the one of the same URL and source) and returns its id.
pub async fn save(db: impl PgExecutor<'_>, card: &NewCard) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO preview_cards (url, origin, title, description, card_type, author_name, \
           author_url, provider_name, provider_url, language, published_at, image_key, \
           image_remote_url, image_description, width, height, blurhash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (url, origin) DO UPDATE SET title = $3, description = $4, card_type = $5, \
           author_name = $6, author_url = $7, provider_name = $8, provider_url = $9, \
           language = $10, published_at = $11, image_key = $12, image_remote_url = $13, \
           image_description = $14, width = $15, height = $16, blurhash = $17 \
         RETURNING id",
    )
    .bind(&card.url)
    .bind(&card.origin)
    .bind(&card.title)
    .bind(&card.description)
    .bind(&card.card_type)
    .bind(&card.author_name)
    .bind(&card.author_url)
    .bind(&card.provider_name)
    .bind(&card.provider_url)
    .bind(&card.language)
    .bind(card.published_at)
    .bind(&card.image_key)
    .bind(&card.image_remote_url)
    .bind(&card.image_description)
    .bind(card.width)
    .bind(card.height)
    .bind(&card.blurhash)
    .fetch_one(db)
    .await
}

/// Links a status to the card of `url` (`card_id` None: not fetched yet).
pub async fn link_status(
    db: impl PgExecutor<'_>,
    status_id: i64,
    url: &str,
    card_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO status_cards (status_id, url, card_id) VALUES ($1, $2, $3) \
         ON CONFLICT (status_id) DO UPDATE SET url = $2, card_id = $3",
    )
    .bind(status_id)
    .bind(url)
    .bind(card_id)
    .execute(db)
    .await
    .map(drop)
}

/// The URL whose card status `status_id` shows (or waits for), if any.
pub async fn linked_url(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT url FROM status_cards WHERE status_id = $1")
        .bind(status_id)
        .fetch_optional(db)
        .await
}

/// Status `status_id` shows no card any more.
pub async fn unlink_status(db: impl PgExecutor<'_>, status_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM status_cards WHERE status_id = $1")
        .bind(status_id)
        .execute(db)
        .await
        .map(drop)
}

/// Queues a fetch of `url` after `delay_secs`, unless one is queued already (a burst
/// of posts linking one page is one fetch).
pub async fn enqueue_fetch(
    db: impl PgExecutor<'_>,
    url: &str,
    host: &str,
    delay_secs: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO preview_card_fetches (url, host, next_attempt_at) \
         VALUES ($1, $2, now() + make_interval(secs => $3)) ON CONFLICT (url) DO NOTHING",
    )
    .bind(url)
    .bind(host)
    .bind(delay_secs as f64)
    .execute(db)
    .await
    .map(drop)
}

/// Holds the `Create` of status `status_uri` queued in this transaction for up to
/// `wait_secs` (its deliveries become due then), and remembers it on the status's
/// card link so the card's arrival releases it sooner. Returns the held activity's id.
pub async fn hold_create(
    conn: &mut PgConnection,
    status_id: i64,
    status_uri: &str,
    wait_secs: i64,
) -> sqlx::Result<Option<String>> {
    // `created_at` and `next_attempt_at` default to now(), the transaction's start:
    // these are the rows the posting transaction has just queued (found by the index
    // of due deliveries).
    let held: Option<String> = sqlx::query_scalar(
        "UPDATE deliveries SET next_attempt_at = now() + make_interval(secs => $2) \
         WHERE next_attempt_at = now() AND created_at = now() AND state = 'pending' \
           AND attempts = 0 \
           AND payload::jsonb ->> 'type' = 'Create' AND payload::jsonb #>> '{object,id}' = $1 \
         RETURNING activity_id",
    )
    .bind(status_uri)
    .bind(wait_secs as f64)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .next();
    sqlx::query("UPDATE status_cards SET held_activity = $2 WHERE status_id = $1")
        .bind(status_id)
        .bind(&held)
        .execute(&mut *conn)
        .await?;
    Ok(held)
}

/// Adds `attachment` (when given) to the Note of the held activity's pending,
/// untried deliveries and makes them due now.
pub async fn release(
    db: impl PgExecutor<'_>,
    activity_id: &str,
    attachment: Option<&serde_json::Value>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE deliveries SET next_attempt_at = now(), payload = CASE WHEN $2::jsonb IS NULL \
           THEN payload ELSE jsonb_set(payload::jsonb, '{object,attachment}', \
             COALESCE(payload::jsonb #> '{object,attachment}', '[]'::jsonb) \
             || jsonb_build_array($2::jsonb))::text END \
         WHERE activity_id = $1 AND state = 'pending' AND attempts = 0",
    )
    .bind(activity_id)
    .bind(attachment)
    .execute(db)
    .await
    .map(drop)
}

/// Claims (and leases for `lease_secs`) up to `limit` due fetches. Commits on its own.
pub async fn claim(
    db: impl PgExecutor<'_>,
    limit: i64,
    lease_secs: i64,
) -> sqlx::Result<Vec<ClaimedFetch>> {
    sqlx::query_as(
        "UPDATE preview_card_fetches f SET locked_until = now() + make_interval(secs => $2) \
         WHERE f.url IN (SELECT url FROM preview_card_fetches \
           WHERE next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING f.url, f.host, f.attempts",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .fetch_all(db)
    .await
}

/// Takes the next fetch slot of `host` (one every `interval_ms`); `false` when another
/// fetch from the host took it less than `interval_ms` ago.
pub async fn take_host_slot(
    db: impl PgExecutor<'_>,
    host: &str,
    interval_ms: i64,
) -> sqlx::Result<bool> {
    let taken: Option<bool> = sqlx::query_scalar(
        "INSERT INTO preview_card_hosts (host, next_allowed_at) \
         VALUES ($1, now() + make_interval(secs => $2)) \
         ON CONFLICT (host) DO UPDATE SET next_allowed_at = now() + make_interval(secs => $2) \
         WHERE preview_card_hosts.next_allowed_at <= now() RETURNING true",
    )
    .bind(host)
    .bind(interval_ms as f64 / 1000.0)
    .fetch_optional(db)
    .await?;
    Ok(taken.is_some())
}

/// When `host` may be fetched from next.
pub async fn host_free_at(
    db: impl PgExecutor<'_>,
    host: &str,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT next_allowed_at FROM preview_card_hosts WHERE host = $1")
        .bind(host)
        .fetch_optional(db)
        .await
}

/// Puts a claimed fetch back for `at`, counting an attempt when `failed`.
pub async fn postpone(
    db: impl PgExecutor<'_>,
    url: &str,
    at: DateTime<Utc>,
    failed: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE preview_card_fetches SET next_attempt_at = $2, locked_until = NULL, \
           attempts = attempts + CASE WHEN $3 THEN 1 ELSE 0 END WHERE url = $1",
    )
    .bind(url)
    .bind(at)
    .bind(failed)
    .execute(db)
    .await
    .map(drop)
}

/// Ends the fetch of `url`: the queue row goes, the statuses waiting for it get
/// `card_id` (or, without a card, stop waiting), and they are returned with the
/// `Create` each held.
pub async fn finish(
    conn: &mut PgConnection,
    url: &str,
    card_id: Option<i64>,
) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query("DELETE FROM preview_card_fetches WHERE url = $1")
        .bind(url)
        .execute(&mut *conn)
        .await?;
    let query = match card_id {
        Some(_) => {
            "UPDATE status_cards SET card_id = $2 WHERE url = $1 AND card_id IS NULL \
             RETURNING status_id, held_activity"
        }
        None => {
            "DELETE FROM status_cards WHERE url = $1 AND card_id IS NULL \
             RETURNING status_id, held_activity"
        }
    };
    sqlx::query_as(query)
        .bind(url)
        .bind(card_id)
        .fetch_all(&mut *conn)
        .await
}

/// The cards of `status_ids`, by status id.
pub async fn for_statuses(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<(i64, CardRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        status_id: i64,
        #[sqlx(flatten)]
        card: CardRow,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT sc.status_id, {COLUMNS} FROM status_cards sc \
         JOIN preview_cards c ON c.id = sc.card_id WHERE sc.status_id = ANY($1)"
    ))
    .bind(status_ids)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.status_id, row.card))
        .collect())
}

/// The cards of `ids`, in any order.
pub async fn find_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<CardRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM preview_cards c WHERE c.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}
