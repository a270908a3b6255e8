//! Timeline reads: home, public, hashtag and one account's statuses, newest first,
//! paged by id, with the visibility rule of `statuses` applied to every row.
//! The home timeline reads the viewer's materialised feed (`home_feed_entries`,
//! filled on write by triggers, see the `home_feeds` migration) and applies the
//! home conditions to its entries, so a read touches a few rows instead of joining
//! every follow; the others are fan-out on read over indexed queries.

use sqlx::PgExecutor;

use super::hiding::{NOT_MUTED, NO_HIDDEN_MENTIONS};
use super::statuses::{StatusRow, COLUMNS, VISIBLE_TO_VIEWER};
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

/// The WHERE condition of a timeline, with `$6` (an account id) and `$7` (a tag name)
/// as its extra parameters.
pub(super) fn timeline_filter(which: Timeline<'_>) -> (String, Option<i64>, Option<&str>) {
    match which {
        Timeline::Home => (
            "(s.account_id = $1 OR (EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 \
               AND f.target_account_id = s.account_id AND f.accepted \
               AND (s.reblog_of_id IS NULL OR f.show_reblogs)) \
             AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id \
               OR s.in_reply_to_account_id = $1 OR EXISTS (SELECT 1 FROM follows f2 WHERE f2.account_id = $1 \
               AND f2.target_account_id = s.in_reply_to_account_id AND f2.accepted))))"
                .to_owned(),
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
    }
}

/// A page of a timeline, newest first (see [`Page`] for the bounds).
pub async fn timeline(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    which: Timeline<'_>,
    page: &Page,
) -> sqlx::Result<Vec<StatusRow>> {
    let (mut filter, account, tag) = timeline_filter(which);
    // Mutes and domain blocks hide from feeds, not from an account's own page.
    if !matches!(which, Timeline::Account { .. }) {
        filter = format!("{filter} AND {NOT_MUTED}");
    }
    if matches!(which, Timeline::Home) {
        filter = format!("{filter} AND {NO_HIDDEN_MENTIONS}");
    }
    let order = if page.min_id.is_some() { "ASC" } else { "DESC" };
    // The home timeline walks the viewer's feed (ordered by its primary key); the
    // others walk statuses.
    let (source, key) = match which {
        Timeline::Home => (
            "home_feed_entries h JOIN statuses s ON h.account_id = $1 AND s.id = h.status_id",
            "h.status_id",
        ),
        _ => ("statuses s", "s.id"),
    };
    let mut rows: Vec<StatusRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {source} \
         WHERE s.deleted_at IS NULL AND {filter} AND {VISIBLE_TO_VIEWER} \
           AND ($2::bigint IS NULL OR {key} < $2) AND ($3::bigint IS NULL OR {key} > $3) \
           AND ($4::bigint IS NULL OR {key} > $4) \
         ORDER BY {key} {order} LIMIT $5"
    ))
    .bind(viewer)
    .bind(page.max_id)
    .bind(page.since_id)
    .bind(page.min_id)
    .bind(page.limit)
    .bind(account)
    .bind(tag)
    .fetch_all(db)
    .await?;
    if page.min_id.is_some() {
        rows.reverse();
    }
    Ok(rows)
}
