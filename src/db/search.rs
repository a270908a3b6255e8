//! Search reads: statuses by full-text search (the `search_vector` column and its GIN
//! index, see the `status_search` migration), hashtags by prefix and accounts by name.
//! The rules (who may find what, how a query is parsed) are `services::search`'s; this
//! module holds their SQL. Spec: <https://docs.joinmastodon.org/methods/search/>.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use super::accounts::{AccountRow, COLUMNS as ACCOUNT_COLUMNS, VISIBLE as ACCOUNT_VISIBLE};
use super::hiding::NOT_MUTED;
use super::statuses::{StatusRow, PAGE_COLUMNS, VISIBLE_TO_VIEWER};
use super::tags::TagRow;
use super::Page;

/// SQL: viewer `$1` wrote status `s` or interacted with it (favourited, boosted,
/// bookmarked, replied to, voted in its poll, or was mentioned in it): Mastodon's
/// `searchable_by`.
const IN_LIBRARY: &str = "(s.account_id = $1 \
    OR EXISTS (SELECT 1 FROM favourites lf WHERE lf.account_id = $1 AND lf.status_id = s.id) \
    OR EXISTS (SELECT 1 FROM bookmarks lb WHERE lb.account_id = $1 AND lb.status_id = s.id) \
    OR EXISTS (SELECT 1 FROM mentions lm WHERE lm.status_id = s.id AND lm.account_id = $1) \
    OR EXISTS (SELECT 1 FROM statuses lr WHERE lr.account_id = $1 AND lr.deleted_at IS NULL \
        AND (lr.reblog_of_id = s.id OR lr.in_reply_to_id = s.id)) \
    OR EXISTS (SELECT 1 FROM polls lp JOIN poll_votes lv ON lv.poll_id = lp.id \
        WHERE lp.status_id = s.id AND lv.account_id = $1))";

/// SQL: status `s` is public and its author (local, or remote by their actor's
/// `indexable`) opted in to full-text search. A scalar subquery, so that it is looked
/// up for the few statuses read, never hashed over every account.
const INDEXED_PUBLIC: &str = "(s.visibility = 'public' AND coalesce((SELECT ia.indexable \
    FROM accounts ia WHERE ia.id = s.account_id), false))";

/// SQL: the author of `s` is not silenced, unless it is viewer `$1` or followed by them
/// (Mastodon's `StatusFilter`).
const NOT_SILENCED_FOR_VIEWER: &str =
    "(s.account_id = $1 OR NOT EXISTS (SELECT 1 FROM accounts sl \
    WHERE sl.id = s.account_id AND sl.silenced_at IS NOT NULL) \
    OR EXISTS (SELECT 1 FROM follows sf WHERE sf.account_id = $1 \
        AND sf.target_account_id = s.account_id AND sf.accepted))";

/// Which statuses a search may find, besides the visibility rule (`in:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Interacted with, or public and indexable.
    All,
    /// Only interacted with (`in:library`).
    Library,
    /// Only public and indexable (`in:public`).
    Public,
}

/// A property `has:` or `is:` names, as SQL on status `s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    Media,
    Image,
    Video,
    Audio,
    Poll,
    Link,
    Reply,
    Sensitive,
    /// A value Roost does not know: matches no status.
    Unknown,
}

impl Property {
    fn sql(self) -> &'static str {
        match self {
            Property::Media => {
                "EXISTS (SELECT 1 FROM media_attachments pm WHERE pm.status_id = s.id)"
            }
            Property::Image => {
                "EXISTS (SELECT 1 FROM media_attachments pm WHERE pm.status_id = s.id \
                AND pm.content_type LIKE 'image/%')"
            }
            Property::Video => {
                "EXISTS (SELECT 1 FROM media_attachments pm WHERE pm.status_id = s.id \
                AND pm.content_type LIKE 'video/%')"
            }
            Property::Audio => {
                "EXISTS (SELECT 1 FROM media_attachments pm WHERE pm.status_id = s.id \
                AND pm.content_type LIKE 'audio/%')"
            }
            Property::Poll => "EXISTS (SELECT 1 FROM polls pp WHERE pp.status_id = s.id)",
            Property::Link => "EXISTS (SELECT 1 FROM status_links pl WHERE pl.status_id = s.id)",
            Property::Reply => "(s.in_reply_to_id IS NOT NULL OR s.in_reply_to_ap_id IS NOT NULL)",
            Property::Sensitive => "s.sensitive",
            Property::Unknown => "false",
        }
    }
}

/// What to search statuses for; every value is bound, never written into the SQL.
#[derive(Clone, Debug)]
pub struct StatusSearch {
    /// A `to_tsquery` text made of quoted lexemes only (`services::search::query`).
    pub tsquery: Option<String>,
    /// A language whose stemming configuration also reads `tsquery` (`language:`).
    pub language_config: Option<String>,
    /// Only statuses of this account (`account_id`).
    pub account_id: Option<i64>,
    pub from: Vec<i64>,
    pub not_from: Vec<i64>,
    pub languages: Vec<String>,
    pub not_languages: Vec<String>,
    pub created_before: Option<DateTime<Utc>>,
    pub created_from: Option<DateTime<Utc>>,
    /// (property, negated).
    pub properties: Vec<(Property, bool)>,
    pub reach: Reach,
}

/// How many of the newest statuses (within the paging bounds) a text search reads
/// through, newest first, before it turns to the text index: a word in many statuses
/// fills a page within a few of them, a rare word is found through the index.
const RECENT_WINDOW: i64 = 2000;

/// Where a search reads its candidate statuses from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Every status, newest first (no text to match).
    Table,
    /// The [`RECENT_WINDOW`] newest statuses, newest first.
    Recent,
    /// The statuses the text index matches (every match read, then ordered).
    TextIndex,
}

/// The statuses `viewer` may find for `search`, newest first, within `page` and after
/// skipping `offset`.
///
/// A text search reads the newest statuses first and stops at a full page; only when
/// they do not fill it does it ask the GIN index for every match. One plan for every
/// word would be wrong for some: walking the table newest first reads all of it for a
/// word in one status, and the index hands over every match of a word in all of them.
/// The planner's row estimates cannot choose between the two reliably (a word absent
/// from the column statistics is assumed to be in 0.5% of the statuses).
pub async fn statuses(
    db: &PgPool,
    viewer: i64,
    search: &StatusSearch,
    page: &Page,
    offset: i64,
) -> sqlx::Result<Vec<StatusRow>> {
    if search.tsquery.is_none() {
        return statuses_from(db, Source::Table, viewer, search, page, offset).await;
    }
    let recent = statuses_from(db, Source::Recent, viewer, search, page, offset).await?;
    if recent.len() as i64 >= page.limit {
        // The window is a prefix of the order, so a page filled inside it is the page.
        return Ok(recent);
    }
    statuses_from(db, Source::TextIndex, viewer, search, page, offset).await
}

async fn statuses_from(
    db: &PgPool,
    source: Source,
    viewer: i64,
    search: &StatusSearch,
    page: &Page,
    offset: i64,
) -> sqlx::Result<Vec<StatusRow>> {
    let sql = statuses_sql(source, search, page);
    let query = sqlx::query_as::<_, StatusRow>(&sql)
        .bind(viewer)
        .bind(&search.tsquery)
        .bind(&search.language_config)
        .bind(page.max_id)
        .bind(page.min_id)
        .bind(page.limit)
        .bind(offset)
        .bind(search.account_id)
        .bind(&search.from)
        .bind(&search.not_from)
        .bind(&search.languages)
        .bind(&search.not_languages)
        .bind(search.created_before)
        .bind(search.created_from);
    if source != Source::TextIndex {
        return Ok(page.newest_first(query.fetch_all(db).await?));
    }
    // Read by this process alone: the plan cannot know how many statuses the word is
    // in, assumes thousands, and would start parallel workers (tens of milliseconds)
    // to read what is mostly a handful of matches.
    let mut transaction = db.begin().await?;
    sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0")
        .execute(&mut *transaction)
        .await?;
    let rows = query.fetch_all(&mut *transaction).await?;
    transaction.commit().await?;
    Ok(page.newest_first(rows))
}

/// Most matches the text index hands over for one search: a word in more statuses
/// than that, none of them among the [`RECENT_WINDOW`] newest, is searched among the
/// first this many matches the index yields (reading every match of a word in a
/// million statuses would take seconds).
const MAX_INDEX_MATCHES: i64 = 20_000;

/// The conditions on the status row alone: the paging bounds, account, language and
/// dates. Only the filters the search has are written, so that a statement kept
/// prepared gets a generic plan fit for its filters: a condition written for every
/// search but void for most (`$9 = '{}' OR …`) makes PostgreSQL guess its selectivity
/// and, for the window, sort the whole table rather than walk its newest rows.
fn row_conditions(search: &StatusSearch, page: &Page) -> String {
    let present = [
        (true, "s.deleted_at IS NULL AND s.reblog_of_id IS NULL"),
        (page.max_id.is_some(), "s.id < $4"),
        (page.min_id.is_some(), "s.id > $5"),
        (search.account_id.is_some(), "s.account_id = $8"),
        (!search.from.is_empty(), "s.account_id = ALL($9::bigint[])"),
        (
            !search.not_from.is_empty(),
            "s.account_id <> ALL($10::bigint[])",
        ),
        (
            !search.languages.is_empty(),
            "lower(coalesce(s.language, '')) = ALL($11::text[])",
        ),
        (
            !search.not_languages.is_empty(),
            "lower(coalesce(s.language, '')) <> ALL($12::text[])",
        ),
        (search.created_before.is_some(), "s.created_at < $13"),
        (search.created_from.is_some(), "s.created_at >= $14"),
    ];
    let written: Vec<&str> = (present.iter())
        .filter(|(applies, _)| *applies)
        .map(|(_, condition)| *condition)
        .collect();
    written.join(" AND ")
}

/// The statement of [`statuses_from`]. Only fixed fragments are written in. The
/// conditions on the status row alone narrow the candidates where they are read; the
/// text, the reach and the privacy rules are checked on each candidate.
fn statuses_sql(source: Source, search: &StatusSearch, page: &Page) -> String {
    let order = page.order();
    let row_conditions = row_conditions(search, page);
    let tsquery =
        "(to_tsquery('roost_simple', $2) || to_tsquery(roost_search_config($3::text), $2))";
    let (from, text) = match source {
        Source::Table => (
            format!("statuses s WHERE {row_conditions}"),
            "true".to_owned(),
        ),
        Source::Recent => (
            format!(
                "(SELECT * FROM statuses s WHERE {row_conditions} \
                  ORDER BY s.id {order} LIMIT {RECENT_WINDOW}) s WHERE true"
            ),
            format!("s.search_vector @@ {tsquery}"),
        ),
        Source::TextIndex => (
            format!("statuses s WHERE s.id IN (SELECT m.id FROM matches m) AND {row_conditions}"),
            "true".to_owned(),
        ),
    };
    // The index's own condition (`deleted_at IS NULL`) is repeated so that it applies.
    let matches = match source {
        Source::TextIndex => format!(
            "WITH matches AS MATERIALIZED (SELECT s.id FROM statuses s \
               WHERE s.deleted_at IS NULL AND s.search_vector @@ {tsquery} \
               LIMIT {MAX_INDEX_MATCHES}) "
        ),
        _ => String::new(),
    };
    let reach = match search.reach {
        // The cheap test first: most statuses a search finds are public ones.
        Reach::All => format!("({INDEXED_PUBLIC} OR {IN_LIBRARY})"),
        Reach::Library => IN_LIBRARY.to_owned(),
        Reach::Public => INDEXED_PUBLIC.to_owned(),
    };
    let properties: String = search
        .properties
        .iter()
        .map(|(property, negated)| match negated {
            true => format!(" AND NOT {}", property.sql()),
            false => format!(" AND {}", property.sql()),
        })
        .collect();
    format!(
        "{matches}SELECT {PAGE_COLUMNS} FROM {from} AND {text}{properties} \
           AND {reach} AND {VISIBLE_TO_VIEWER} AND {NOT_MUTED} AND {NOT_SILENCED_FOR_VIEWER} \
         ORDER BY s.id {order} LIMIT $6 OFFSET $7"
    )
}

/// `text` as a LIKE pattern matching what starts with it.
fn prefix_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}%")
}

/// Listable hashtags whose name starts with `prefix` (without case or accents), only
/// those an admin reviewed when `reviewed_only`: the exact name first, then by use over
/// the last week, then shortest.
pub async fn hashtags(
    db: impl PgExecutor<'_>,
    prefix: &str,
    reviewed_only: bool,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<TagRow>> {
    sqlx::query_as(
        "SELECT t.id, t.name FROM tags t \
         WHERE unaccent(lower(t.name)) LIKE unaccent(lower($1)) AND t.listable \
           AND (NOT $5 OR t.reviewed_at IS NOT NULL) \
         ORDER BY unaccent(lower(t.name)) = unaccent(lower($2)) DESC, \
           (SELECT count(*) FROM (SELECT 1 FROM status_tags st JOIN statuses s ON s.id = st.status_id \
              WHERE st.tag_id = t.id AND s.deleted_at IS NULL \
                AND s.created_at > now() - interval '7 days' LIMIT 10000) u) DESC, \
           length(t.name), lower(t.name) \
         LIMIT $3 OFFSET $4",
    )
    .bind(prefix_pattern(prefix))
    .bind(prefix)
    .bind(limit)
    .bind(offset)
    .bind(reviewed_only)
    .fetch_all(db)
    .await
}

/// Visible, unsuspended accounts whose username or display name starts with `query`
/// (without case; the display name also without accents): accounts `viewer` follows
/// first, then the exact username, then usernames starting so, then display names,
/// local before remote, then by followers. `following_of` keeps only accounts that
/// account follows.
pub async fn accounts(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    query: &str,
    following_of: Option<i64>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts \
         WHERE (lower(username) LIKE lower($1) \
             OR unaccent(lower(display_name)) LIKE unaccent(lower($1))) \
           AND suspended_at IS NULL AND {ACCOUNT_VISIBLE} \
           AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM follows f \
                WHERE f.account_id = $2 AND f.target_account_id = accounts.id AND f.accepted)) \
         ORDER BY EXISTS (SELECT 1 FROM follows vf WHERE vf.account_id = $5 \
             AND vf.target_account_id = accounts.id AND vf.accepted) DESC, \
           lower(username) = lower($6) DESC, lower(username) LIKE lower($1) DESC, \
           domain IS NOT NULL, followers_count DESC, id LIMIT $3 OFFSET $4"
    ))
    .bind(prefix_pattern(query))
    .bind(following_of)
    .bind(limit)
    .bind(offset)
    .bind(viewer)
    .bind(query)
    .fetch_all(db)
    .await
}
