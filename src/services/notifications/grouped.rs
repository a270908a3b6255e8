//! Grouped notifications (<https://docs.joinmastodon.org/methods/grouped_notifications/>):
//! pages of notification groups with what each group holds, one group, its accounts,
//! dismissing it, and counting unread groups. The keys are written with each
//! notification (`super::create::group_key`); here they are read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::create::GROUPED_KINDS;
use crate::db::notification_groups::{self, GroupHead};
use crate::db::notifications::{self, Filter, NotificationRow};
use crate::db::Page;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A group as shown: its newest notification and what the group holds.
#[derive(Clone, Debug)]
pub struct Group {
    /// The key as listed (`ungrouped-ID` for a notification shown alone).
    pub key: String,
    /// The group's newest notification (on a page: the newest in the page's range).
    pub head: NotificationRow,
    pub notifications_count: i64,
    pub most_recent_notification_id: i64,
    /// Senders of the newest notifications, newest first (at most 8).
    pub sample_account_ids: Vec<i64>,
    /// The range of the group on the page, when listing pages.
    pub page: Option<PageRange>,
}

/// Where a group's notifications on a page start and end.
#[derive(Clone, Copy, Debug)]
pub struct PageRange {
    pub min_id: i64,
    pub max_id: i64,
    pub latest_at: DateTime<Utc>,
}

/// The kinds grouped for a client that asked for `grouped_types` (`None`: all that
/// Roost groups); kinds Roost does not group are ignored.
pub fn grouped_kinds(grouped_types: Option<&[String]>) -> Vec<String> {
    GROUPED_KINDS
        .iter()
        .filter(|kind| grouped_types.is_none_or(|asked| asked.iter().any(|t| t == *kind)))
        .map(|kind| (*kind).to_owned())
        .collect()
}

/// A page of `account_id`'s groups matching `filter`, newest first: at most
/// `page.limit` groups, each counted up to the newest notification of the page. The
/// heads' ids are the page's bounds (its `Link` header).
pub async fn page(
    state: &AppState,
    account_id: i64,
    filter: &Filter<'_>,
    grouped_types: Option<&[String]>,
    page: &Page,
) -> ApiResult<Vec<Group>> {
    let kinds = grouped_kinds(grouped_types);
    let heads = notification_groups::page(&state.db, account_id, filter, &kinds, page).await?;
    let (Some(first), Some(last)) = (heads.first(), heads.last()) else {
        return Ok(Vec::new());
    };
    let (mut from, mut until) = (Some(last.notification.id), Some(first.notification.id));
    // A short page is the last one in its direction: it reaches to the bound asked.
    if (heads.len() as i64) < page.limit {
        if page.min_id.is_some() {
            until = page.max_id.map(|max| max - 1);
        } else {
            from = page.since_id.map(|since| since + 1);
        }
    }
    summarize(state, account_id, heads, from, until, true).await
}

/// Turns heads into groups, counting each real group between `from` and `until`.
async fn summarize(
    state: &AppState,
    account_id: i64,
    heads: Vec<GroupHead>,
    from: Option<i64>,
    until: Option<i64>,
    paged: bool,
) -> ApiResult<Vec<Group>> {
    let keys: Vec<String> = heads
        .iter()
        .filter(|head| !head.listed_key.starts_with("ungrouped-"))
        .map(|head| head.listed_key.clone())
        .collect();
    let summaries: HashMap<String, _> =
        notification_groups::summaries(&state.db, account_id, &keys, from, until)
            .await?
            .into_iter()
            .map(|summary| (summary.group_key.clone(), summary))
            .collect();
    let groups = heads.into_iter().map(|head| {
        let single = PageRange {
            min_id: head.notification.id,
            max_id: head.notification.id,
            latest_at: head.notification.created_at,
        };
        let (count, newest, samples, range) = match summaries.get(&head.listed_key) {
            Some(summary) => (
                summary.notifications_count,
                summary.most_recent_notification_id,
                summary.sample_account_ids.clone(),
                PageRange {
                    min_id: summary.page_min_id.unwrap_or(head.notification.id),
                    max_id: summary.most_recent_notification_id,
                    latest_at: summary.latest_notification_at,
                },
            ),
            None => (
                1,
                single.max_id,
                vec![head.notification.from_account_id],
                single,
            ),
        };
        Group {
            key: head.listed_key,
            head: head.notification,
            notifications_count: count,
            most_recent_notification_id: newest,
            sample_account_ids: samples,
            page: paged.then_some(range),
        }
    });
    Ok(groups.collect())
}

/// `account_id`'s group `key` with all it holds. Errors: `NotFound` when there is no
/// such group.
pub async fn show(state: &AppState, account_id: i64, key: &str) -> ApiResult<Group> {
    let row = notification_groups::newest(&state.db, account_id, key)
        .await?
        .ok_or(ApiError::NotFound)?;
    let listed_key = row
        .group_key
        .clone()
        .unwrap_or_else(|| format!("ungrouped-{}", row.id));
    let head = GroupHead {
        notification: row,
        listed_key,
    };
    let mut groups = summarize(state, account_id, vec![head], None, None, false).await?;
    groups.pop().ok_or(ApiError::NotFound)
}

/// The senders of `account_id`'s group `key`, newest first, as (notification id,
/// account id) for paging. Errors: `NotFound` when there is no such group.
pub async fn accounts(
    state: &AppState,
    account_id: i64,
    key: &str,
    page: &Page,
) -> ApiResult<Vec<(i64, i64)>> {
    if notification_groups::newest(&state.db, account_id, key)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    Ok(notification_groups::members(&state.db, account_id, key, page).await?)
}

/// Dismisses every notification of `account_id`'s group `key`. Idempotent: an unknown
/// group dismisses nothing (as Mastodon answers).
pub async fn dismiss(state: &AppState, account_id: i64, key: &str) -> ApiResult<()> {
    notification_groups::dismiss(&state.db, account_id, key).await?;
    Ok(())
}

/// How many of `account_id`'s groups matching `filter` are newer than their
/// `notifications` marker (all without one), counting up to `limit` (clamped to
/// 1..=1000).
pub async fn unread_count(
    state: &AppState,
    account_id: i64,
    filter: &Filter<'_>,
    grouped_types: Option<&[String]>,
    limit: i64,
) -> ApiResult<i64> {
    let limit = limit.clamp(1, super::UNREAD_COUNT_LIMIT.1);
    let marker = notifications::notifications_marker(&state.db, account_id).await?;
    let kinds = grouped_kinds(grouped_types);
    Ok(
        notification_groups::count_newer(&state.db, account_id, filter, &kinds, marker, limit)
            .await?,
    )
}
