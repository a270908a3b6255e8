//! Timeline reads: home, public, hashtag, list, link and one account's statuses, newest first,
//! paged by id, with the visibility rule of `statuses` applied to every row.
//! The home timeline reads the viewer's materialised feed (`home_feed_entries`,
//! filled on write by triggers, see the `home_feeds` migration) and applies the
//! home conditions to its entries, so a read touches a few rows instead of joining
//! every follow; the others are fan-out on read over indexed queries.

use sqlx::PgExecutor;

use super::hiding::{NOT_MUTED, NO_HIDDEN_MENTIONS};
use super::statuses::{StatusRow, PAGE_COLUMNS, VISIBLE_TO_VIEWER};
use super::Page;

/// Which timeline to read.
#[derive(Clone, Copy, Debug)]
pub enum Timeline<'a> {
    /// The viewer's own statuses and those of accounts they follow (boosts included,
    /// unless the follow has `show_reblogs = false`).
    Home,
    /// Public statuses, optionally only local or only remote ones, optionally only
    /// those with media attachments.
    Public {
        local: Option<bool>,
        only_media: bool,
    },
    /// Public statuses with a hashtag (case-insensitive).
    Tag {
        name: &'a str,
        local: Option<bool>,
        only_media: bool,
    },
    /// One account's statuses as the viewer may see them.
    Account {
        account_id: i64,
        exclude_replies: bool,
        exclude_reblogs: bool,
        /// Only the statuses the account pinned.
        pinned: bool,
        /// Only statuses with this hashtag.
        tagged: Option<&'a str>,
        /// Only statuses with media attachments.
        only_media: bool,
    },
    /// The statuses of a list's members, with the list's replies policy; the viewer is
    /// the list's owner (`services::lists` checks that).
    List { list_id: i64 },
    /// Public statuses of discoverable accounts that link to `url` (as stored in
    /// `status_links`: without a trailing slash).
    Link { url: &'a str },
    /// Reels (`reels`): with an account, that account's reels as the viewer may see
    /// them; without, the reels feed: public reels (not of silenced authors) and the
    /// reels of the viewer and of the accounts they follow, never direct ones.
    Reels { account_id: Option<i64> },
}

fn origin_filter(local: Option<bool>) -> &'static str {
    match local {
        Some(true) => " AND s.local",
        Some(false) => " AND NOT s.local",
        None => "",
    }
}

/// SQL: the author of `s` is not silenced (silenced accounts, one by one or with their
/// domain, stay out of the public and hashtag timelines).
const AUTHOR_NOT_SILENCED: &str = "NOT EXISTS (SELECT 1 FROM accounts pa \
    WHERE pa.id = s.account_id AND pa.silenced_at IS NOT NULL)";

/// SQL (with a leading AND) when only statuses with media attachments are wanted.
fn media_filter(only_media: bool) -> &'static str {
    if only_media {
        " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)"
    } else {
        ""
    }
}

const HAS_TAG: &str = "EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id \
    WHERE st.status_id = s.id AND lower(t.name) = lower($7))";

/// SQL: status `s` links to `$7` and its author opted in to discovery (Mastodon's link
/// timeline lists only those).
const LINKS_TO: &str = "s.id IN (SELECT sl.status_id FROM status_links sl WHERE sl.url = $7) \
    AND EXISTS (SELECT 1 FROM accounts la WHERE la.id = s.account_id AND la.discoverable)";

/// SQL: status `s` is by a member of list `$6` (owned by viewer `$1`), a boost only when
/// the owner's follow shows the member's boosts (as home), and a reply only to its
/// author, to the owner, or as the list's `replies_policy` allows (`list`: to a member,
/// `followed`: to an account the owner follows, `none`: nobody else), as Mastodon's
/// `FeedManager#filter_from_list?`.
const IN_LIST: &str = "EXISTS (SELECT 1 FROM list_accounts la \
      WHERE la.list_id = $6 AND la.account_id = s.account_id) \
    AND (s.reblog_of_id IS NULL OR NOT EXISTS (SELECT 1 FROM follows lf WHERE lf.account_id = $1 \
      AND lf.target_account_id = s.account_id AND NOT lf.show_reblogs)) \
    AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id IN (s.account_id, $1) \
      OR EXISTS (SELECT 1 FROM lists l WHERE l.id = $6 AND ( \
        (l.replies_policy = 'list' AND EXISTS (SELECT 1 FROM list_accounts lr \
          WHERE lr.list_id = $6 AND lr.account_id = s.in_reply_to_account_id)) \
        OR (l.replies_policy = 'followed' AND EXISTS (SELECT 1 FROM follows lrf \
          WHERE lrf.account_id = $1 AND lrf.target_account_id = s.in_reply_to_account_id \
          AND lrf.accepted)))))";

/// The WHERE condition of a timeline, with `$6` (an account id) and `$7` (a tag name or
/// a link) as its extra parameters.
pub(super) fn timeline_filter(which: Timeline<'_>) -> (String, Option<i64>, Option<&str>) {
    match which {
        Timeline::Home => (
            // Members of the viewer's exclusive lists are read in those lists only;
            // public posts with a hashtag the viewer follows come in too (not boosts,
            // not from silenced authors, replies as from followed accounts).
            // The reply rule is the home feed's own SQL function (the fan-out trigger's,
            // see the `home_feeds` migration), so feeds, this read and the `user`
            // stream agree; called for replies only, as a call costs more than the test.
            format!("(s.account_id = $1 OR (EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 \
               AND f.target_account_id = s.account_id AND f.accepted \
               AND (s.reblog_of_id IS NULL OR f.show_reblogs)) \
             AND NOT EXISTS (SELECT 1 FROM list_accounts xm JOIN lists xl ON xl.id = xm.list_id \
               WHERE xm.account_id = s.account_id AND xl.account_id = $1 AND xl.exclusive) \
             AND (s.in_reply_to_account_id IS NULL \
               OR home_feed_wants_reply($1, s.account_id, s.in_reply_to_account_id))) \
           OR (s.visibility = 'public' AND s.reblog_of_id IS NULL AND {AUTHOR_NOT_SILENCED} \
             AND EXISTS (SELECT 1 FROM status_tags ht JOIN tag_follows htf ON htf.tag_id = ht.tag_id \
               WHERE ht.status_id = s.id AND htf.account_id = $1) \
             AND (s.in_reply_to_account_id IS NULL \
               OR home_feed_wants_reply($1, s.account_id, s.in_reply_to_account_id))))"),
            None,
            None,
        ),
        Timeline::Public { local, only_media } => (
            format!("s.visibility = 'public' AND s.reblog_of_id IS NULL AND {AUTHOR_NOT_SILENCED}{}{}", origin_filter(local), media_filter(only_media)),
            None,
            None,
        ),
        Timeline::Tag { name, local, only_media } => (
            format!("s.visibility = 'public' AND s.reblog_of_id IS NULL AND {AUTHOR_NOT_SILENCED} AND {HAS_TAG}{}{}", origin_filter(local), media_filter(only_media)),
            None,
            Some(name),
        ),
        Timeline::Account { account_id, exclude_replies, exclude_reblogs, pinned, tagged, only_media } => {
            let mut filter = "s.account_id = $6".to_owned();
            filter.push_str(media_filter(only_media));
            if exclude_replies {
                filter.push_str(" AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)");
            }
            if exclude_reblogs || pinned || tagged.is_some() {
                filter.push_str(" AND s.reblog_of_id IS NULL");
            }
            if pinned {
                filter.push_str(" AND EXISTS (SELECT 1 FROM status_pins p WHERE p.status_id = s.id AND p.account_id = $6)");
            }
            if tagged.is_some() {
                filter.push_str(" AND ");
                filter.push_str(HAS_TAG);
            }
            (filter, Some(account_id), tagged)
        }
        Timeline::List { list_id } => (IN_LIST.to_owned(), Some(list_id), None),
        Timeline::Reels { account_id: Some(account_id) } => (
            "s.account_id = $6 AND s.reblog_of_id IS NULL".to_owned(),
            Some(account_id),
            None,
        ),
        Timeline::Reels { account_id: None } => (
            format!("s.reblog_of_id IS NULL AND s.visibility <> 'direct' \
               AND (s.account_id = $1 OR EXISTS (SELECT 1 FROM follows rf WHERE rf.account_id = $1 \
                 AND rf.target_account_id = s.account_id AND rf.accepted) \
               OR (s.visibility = 'public' AND {AUTHOR_NOT_SILENCED}))"),
            None,
            None,
        ),
        Timeline::Link { url } => (
            format!("s.visibility = 'public' AND s.reblog_of_id IS NULL AND {AUTHOR_NOT_SILENCED} AND {LINKS_TO}"),
            None,
            Some(url),
        ),
    }
}

/// Feed entries the home timeline's first statement examines, as a multiple of the
/// page size (plus a few): enough for a page when some entries are filtered out.
const FEED_CHUNK_FACTOR: i64 = 2;
const FEED_CHUNK_EXTRA: i64 = 10;

/// A page of a timeline, newest first (see [`Page`] for the bounds).
///
/// The home timeline is read in a shape whose plan does not depend on the planner's
/// statistics: the newest entries of the viewer's feed are taken first (a bounded
/// backward walk of the feed's primary key), then each is checked against its
/// status. A join left to the planner walked every status of the feed and sorted them
/// when the tables had no statistics yet (right after a bulk load, before autovacuum
/// analysed them): 100 ms instead of 1 ms per page. A chunk of the feed covers a
/// page unless many of its entries are filtered out; then the rest of the feed is read
/// in a second statement.
pub async fn timeline<'c>(
    db: impl PgExecutor<'c> + Copy,
    viewer: Option<i64>,
    which: Timeline<'_>,
    page: &Page,
) -> sqlx::Result<Vec<StatusRow>> {
    let sql = timeline_sql(which, page);
    let (_, account, tag) = timeline_filter(which);
    let run = |bounds: &Page, limit: i64, chunk: Option<i64>| {
        sqlx::query_as::<_, StatusRow>(&sql)
            .bind(viewer)
            .bind(bounds.max_id)
            .bind(bounds.since_id)
            .bind(bounds.min_id)
            .bind(limit)
            .bind(account)
            .bind(tag)
            .bind(chunk)
            .fetch_all(db)
    };
    let chunk = matches!(which, Timeline::Home)
        .then_some(page.limit * FEED_CHUNK_FACTOR + FEED_CHUNK_EXTRA);
    let mut rows = run(page, page.limit, chunk).await?;
    if let (Some(chunk), Some(viewer)) = (chunk, viewer) {
        let short = page.limit - rows.len() as i64;
        if short > 0 {
            if let Some(rest) = past_feed_chunk(db, viewer, page, chunk).await? {
                rows.extend(run(&rest, short, None).await?);
            }
        }
    }
    Ok(page.newest_first(rows))
}

/// The statement of [`timeline`]: `$1` viewer, `$2`–`$4` max, since and min id, `$5`
/// limit, `$6` account, `$7` tag, `$8` the feed entries to examine (home; NULL: all).
fn timeline_sql(which: Timeline<'_>, page: &Page) -> String {
    let (mut filter, _, _) = timeline_filter(which);
    // Mutes and domain blocks hide from feeds, not from an account's own page.
    let own_page = matches!(
        which,
        Timeline::Account { .. }
            | Timeline::Reels {
                account_id: Some(_)
            }
    );
    if !own_page {
        filter = format!("{filter} AND {NOT_MUTED}");
    }
    if matches!(which, Timeline::Home) {
        filter = format!("{filter} AND {NO_HIDDEN_MENTIONS}");
    }
    let order = page.order();
    let conditions = format!("s.deleted_at IS NULL AND {filter} AND {VISIBLE_TO_VIEWER}");
    match which {
        // The feed's newest entries first (LIMIT keeps the subquery apart, so its walk
        // of the primary key is planned on its own), then each entry's status (OFFSET 0
        // keeps the subqueries apart: one status looked up by its primary key per entry;
        // with the conditions beside the lookup, a partial index on
        // `deleted_at IS NULL` looked tiny to a planner without statistics and was
        // scanned whole for each entry).
        Timeline::Home => format!(
            "SELECT {PAGE_COLUMNS} FROM \
               (SELECT status_id FROM home_feed_entries WHERE account_id = $1 AND {bounds} \
                ORDER BY status_id {order} LIMIT $8) h \
             CROSS JOIN LATERAL (SELECT {PAGE_COLUMNS} FROM \
               (SELECT * FROM statuses WHERE id = h.status_id OFFSET 0) s \
               WHERE {conditions} OFFSET 0) s \
             ORDER BY h.status_id {order} LIMIT $5",
            bounds = bounds("status_id"),
        ),
        // The newest reels first (a backward walk of the primary key of `reels`), then
        // each reel's status by its primary key, as the home feed's entries.
        Timeline::Reels { .. } => format!(
            "SELECT {PAGE_COLUMNS} FROM reels r CROSS JOIN LATERAL (SELECT {PAGE_COLUMNS} FROM \
               (SELECT * FROM statuses WHERE id = r.status_id OFFSET 0) s \
               WHERE {conditions} OFFSET 0) s \
             WHERE {bounds} ORDER BY r.status_id {order} LIMIT $5",
            bounds = bounds("r.status_id"),
        ),
        // Each member's newest statuses first (a walk of `statuses_account_idx` per
        // member, at most a page each), then the newest of those: the work is bounded
        // by the members and the page, where a walk of all statuses by id would read
        // every status newer than the page when the members post rarely.
        Timeline::List { .. } => format!(
            "SELECT {PAGE_COLUMNS} FROM list_accounts m CROSS JOIN LATERAL \
               (SELECT {PAGE_COLUMNS} FROM statuses s WHERE s.account_id = m.account_id \
                AND {conditions} AND {bounds} ORDER BY s.id {order} LIMIT $5) s \
             WHERE m.list_id = $6 ORDER BY s.id {order} LIMIT $5",
            bounds = bounds("s.id"),
        ),
        _ => format!(
            "SELECT {PAGE_COLUMNS} FROM statuses s WHERE {conditions} AND {bounds} \
             ORDER BY s.id {order} LIMIT $5",
            bounds = bounds("s.id"),
        ),
    }
}

/// SQL: `key` within the page bounds `$2`–`$4`.
fn bounds(key: &str) -> String {
    format!(
        "($2::bigint IS NULL OR {key} < $2) AND ($3::bigint IS NULL OR {key} > $3) \
         AND ($4::bigint IS NULL OR {key} > $4)"
    )
}

/// The bounds of the rest of `viewer`'s feed after the first `chunk` entries within
/// `page`, or `None` when the chunk held all of them.
async fn past_feed_chunk<'c>(
    db: impl PgExecutor<'c>,
    viewer: i64,
    page: &Page,
    chunk: i64,
) -> sqlx::Result<Option<Page>> {
    let ascending = page.min_id.is_some();
    let (order, edge) = if ascending {
        ("ASC", "max")
    } else {
        ("DESC", "min")
    };
    let (examined, last): (i64, Option<i64>) = sqlx::query_as(&format!(
        "SELECT count(*), {edge}(status_id) FROM (SELECT status_id FROM home_feed_entries \
         WHERE account_id = $1 AND {} ORDER BY status_id {order} LIMIT $5) c",
        bounds("status_id")
    ))
    .bind(viewer)
    .bind(page.max_id)
    .bind(page.since_id)
    .bind(page.min_id)
    .bind(chunk)
    .fetch_one(db)
    .await?;
    Ok(match last {
        Some(last) if examined == chunk && ascending => Some(Page {
            min_id: Some(last),
            ..page.clone()
        }),
        Some(last) if examined == chunk => Some(Page {
            max_id: Some(last),
            ..page.clone()
        }),
        _ => None,
    })
}

/// Whether any public status ever linked to `url` (the link timeline of an unknown
/// link is `404`, as Mastodon's; `status_links` also holds unlisted statuses' links).
pub async fn link_known(db: impl PgExecutor<'_>, url: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM status_links l JOIN statuses s ON s.id = l.status_id \
         WHERE l.url = $1 AND s.visibility = 'public')",
    )
    .bind(url)
    .fetch_one(db)
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use sqlx::PgPool;

    use super::*;

    /// Rows read from `statuses` (over all loops) in an `EXPLAIN ANALYZE` plan.
    fn statuses_read(plan: &Value) -> f64 {
        let here = if plan["Relation Name"] == "statuses" {
            plan["Actual Rows"].as_f64().unwrap_or(0.0)
                * plan["Actual Loops"].as_f64().unwrap_or(0.0)
        } else {
            0.0
        };
        let below: f64 = plan["Plans"]
            .as_array()
            .into_iter()
            .flatten()
            .map(statuses_read)
            .sum();
        here + below
    }

    /// Forty local accounts following each other and 2,000 statuses, written as
    /// posting writes them (the feeds filled by the triggers) and never analysed.
    async fn bulk_load(db: &PgPool) -> i64 {
        sqlx::query(
            "INSERT INTO accounts (username, private_key_pem, public_key_pem) \
             SELECT 'user' || g, 'k', 'k' FROM generate_series(1, 40) g",
        )
        .execute(db)
        .await
        .expect("accounts");
        sqlx::query(
            "INSERT INTO follows (account_id, target_account_id, accepted, ap_id) \
             SELECT a.id, b.id, true, 'f:' || a.id || ':' || b.id FROM accounts a, accounts b \
             WHERE a.id <> b.id",
        )
        .execute(db)
        .await
        .expect("follows");
        sqlx::query(
            "INSERT INTO statuses (account_id, local, text, content, visibility) \
             SELECT (SELECT id FROM accounts ORDER BY id OFFSET g % 40 LIMIT 1), true, 'x', '<p>x</p>', 'public' \
             FROM generate_series(1, 2000) g",
        )
        .execute(db)
        .await
        .expect("statuses");
        sqlx::query_scalar("SELECT min(id) FROM accounts")
            .fetch_one(db)
            .await
            .expect("viewer")
    }

    #[sqlx::test]
    async fn a_list_page_reads_its_members_statuses_only(db: PgPool) {
        let viewer = bulk_load(&db).await;
        let list: i64 = sqlx::query_scalar(
            "INSERT INTO lists (account_id, title) VALUES ($1, 'one') RETURNING id",
        )
        .bind(viewer)
        .fetch_one(&db)
        .await
        .expect("list");
        sqlx::query(
            "INSERT INTO list_accounts (list_id, account_id) \
             SELECT $1, id FROM accounts WHERE id <> $2 ORDER BY id LIMIT 1",
        )
        .bind(list)
        .bind(viewer)
        .execute(&db)
        .await
        .expect("member");
        let page = Page {
            limit: 20,
            ..Page::default()
        };
        let which = Timeline::List { list_id: list };
        let sql = timeline_sql(which, &page);
        let plan: Value = sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
            .bind(Some(viewer))
            .bind(page.max_id)
            .bind(page.since_id)
            .bind(page.min_id)
            .bind(page.limit)
            .bind(Some(list))
            .bind(None::<String>)
            .bind(None::<i64>)
            .fetch_one(&db)
            .await
            .expect("plan");
        let read = statuses_read(&plan[0]["Plan"]);
        assert!(
            read <= 50.0,
            "read {read} statuses for a page of 20: {plan:#}"
        );
        let rows = timeline(&db, Some(viewer), which, &page)
            .await
            .expect("page");
        assert_eq!(rows.len(), 20);
        let member = rows[0].account_id;
        assert!(rows.iter().all(|row| row.account_id == member));
    }

    #[sqlx::test]
    async fn a_home_page_reads_a_page_of_statuses_even_before_the_tables_are_analysed(db: PgPool) {
        let viewer = bulk_load(&db).await;
        let page = Page {
            limit: 20,
            ..Page::default()
        };
        let sql = timeline_sql(Timeline::Home, &page);
        let plan: Value = sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
            .bind(Some(viewer))
            .bind(page.max_id)
            .bind(page.since_id)
            .bind(page.min_id)
            .bind(page.limit)
            .bind(None::<i64>)
            .bind(None::<String>)
            .bind(Some(page.limit * FEED_CHUNK_FACTOR + FEED_CHUNK_EXTRA))
            .fetch_one(&db)
            .await
            .expect("plan");
        let read = statuses_read(&plan[0]["Plan"]);
        assert!(
            read <= 50.0,
            "read {read} statuses for a page of 20: {plan:#}"
        );
        let rows = timeline(&db, Some(viewer), Timeline::Home, &page)
            .await
            .expect("page");
        assert_eq!(rows.len(), 20);
        assert!(rows.windows(2).all(|pair| pair[0].id > pair[1].id));
    }
}
