//! Trends: the hashtags, statuses and links of the Explore tab
//! (<https://docs.joinmastodon.org/methods/trends/>) and their review by staff
//! (<https://docs.joinmastodon.org/methods/admin/trends/>).
//!
//! How they are computed ([`refresh`], every [`INTERVAL`] in every process that runs
//! the workers; one process at a time does it):
//! - counted are public statuses of the last [`WINDOW_HOURS`], local and received,
//!   that are not boosts, not sensitive and have no content warning, by accounts that
//!   are discoverable and neither suspended, silenced (alone or with their domain) nor
//!   forced sensitive: blocked, silenced and sensitive content never trends;
//! - a hashtag's score sums, over the distinct accounts that used it, a weight halving
//!   every [`HALF_LIFE_HOURS`] since each one's latest use, minus the accounts a day
//!   that used it over the week before (a hashtag that is always busy does not trend);
//!   a link is scored the same way from the statuses showing its preview card; a
//!   status (not a reply) by the distinct accounts that favourited or boosted it,
//!   halving with the status's age;
//! - fewer than [`THRESHOLD`] distinct accounts never trend.
//!
//! What is shown: with `ROOST_TRENDS_REVIEW=on` (the default, as in Mastodon) only what
//! staff approved; with it off, everything not rejected. Statuses are shown only as
//! the viewer may see them, without those of accounts or domains the viewer mutes or
//! blocks.

use std::collections::HashMap;
use std::time::Duration;

use crate::db::cards::CardRow;
use crate::db::statuses::StatusRow;
use crate::db::tags::{DayOfUse, TagRow};
use crate::db::trends::{self, Candidate, Kind, Scoring};
use crate::db::{cards, hiding, statuses, tag_reviews};
use crate::error::{ApiError, ApiResult};
use crate::services::admin_tags::{self, AdminTagView, TagChanges};
use crate::services::tags::{histories, TagView, HISTORY_DAYS};
use crate::state::AppState;

/// Hours of use a refresh counts.
pub const WINDOW_HOURS: i32 = 48;
/// Hours after which one account's use (or a status's interactions) count half.
pub const HALF_LIFE_HOURS: f64 = 6.0;
/// Fewest distinct accounts for a hashtag, link or status to trend: low enough for a
/// small instance, high enough that two friends cannot make a trend.
pub const THRESHOLD: i64 = 3;
/// How often trends are recomputed.
pub const INTERVAL: Duration = Duration::from_secs(300);

/// The knobs every refresh uses (the constants above).
pub const SCORING: Scoring = Scoring {
    window_hours: WINDOW_HOURS,
    half_life_hours: HALF_LIFE_HOURS,
    threshold: THRESHOLD,
};

/// Which slice of a trends list a client asks for (`offset`, `limit`), already bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrendsPage {
    /// Entries to skip.
    pub offset: i64,
    /// Entries to return.
    pub limit: i64,
}

/// A trending link: its preview card and the use of its URL over the last week.
#[derive(Clone, Debug)]
pub struct TrendingLink {
    pub card: CardRow,
    pub history: Vec<DayOfUse>,
}

/// How many hashtags, statuses and links trend after a refresh (`None` when another
/// process was refreshing and this one left it to it).
pub type Refreshed = Option<[u64; 3]>;

/// Recomputes every score in one transaction, so readers see the old ranking or the
/// new one. Several processes may call it: one computes, the others return `None`.
pub async fn refresh(state: &AppState) -> ApiResult<Refreshed> {
    let mut transaction = state.db.begin().await?;
    if !trends::try_lock_refresh(&mut transaction).await? {
        return Ok(None);
    }
    let mut counts = [0; 3];
    for (count, kind) in counts.iter_mut().zip([Kind::Tag, Kind::Status, Kind::Link]) {
        *count = trends::replace(&mut transaction, kind, &SCORING).await?;
    }
    transaction.commit().await?;
    Ok(Some(counts))
}

/// Runs [`refresh`] every [`INTERVAL`] until `stop` turns true; errors are logged.
pub async fn run_forever(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.changed() => return,
        }
        match refresh(&state).await {
            Ok(Some(counts)) => tracing::debug!(?counts, "trends refreshed"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "refreshing trends failed"),
        }
    }
}

/// Trending hashtags everyone may see, best first; `following` for a viewer.
pub async fn tags(
    state: &AppState,
    viewer: Option<i64>,
    page: TrendsPage,
) -> ApiResult<Vec<TagView>> {
    let ids = allowed(state, Kind::Tag, page).await?;
    let rows = tag_reviews::find_many(&state.db, &ids).await?;
    let rows = in_order(&ids, rows, |row| row.id);
    let mut histories = histories(state, &ids).await?;
    let followed = match viewer {
        Some(viewer) => Some(crate::db::tags::followed_among(&state.db, viewer, &ids).await?),
        None => None,
    };
    Ok(rows
        .into_iter()
        .map(|row| TagView {
            history: histories.remove(&row.id).unwrap_or_default(),
            following: followed.as_ref().map(|ids| ids.contains(&row.id)),
            featuring: None,
            tag: TagRow {
                id: row.id,
                name: row.name,
            },
        })
        .collect())
}

/// Trending statuses, best first, as `viewer` may see them and without what they mute
/// or block.
pub async fn statuses(
    state: &AppState,
    viewer: Option<i64>,
    page: TrendsPage,
) -> ApiResult<Vec<StatusRow>> {
    let ids = allowed(state, Kind::Status, page).await?;
    let shown = hiding::shown_in_feeds_among(&state.db, viewer, &ids).await?;
    let rows = statuses::find_many_visible(&state.db, viewer, &shown).await?;
    Ok(in_order(&ids, rows, |row| row.id))
}

/// Trending links everyone may see, best first.
pub async fn links(state: &AppState, page: TrendsPage) -> ApiResult<Vec<TrendingLink>> {
    let ids = allowed(state, Kind::Link, page).await?;
    with_link_histories(state, &ids).await
}

/// A candidate status or link as staff see it.
#[derive(Clone, Debug)]
pub struct Reviewed<T> {
    pub trend: T,
    /// Staff's decision: `None` until someone reviews it (`requires_review`).
    pub trendable: Option<bool>,
}

impl<T> Reviewed<T> {
    /// No one reviewed it yet.
    pub fn requires_review(&self) -> bool {
        self.trendable.is_none()
    }
}

/// Every trending hashtag (approved, pending or rejected), best first, for staff.
pub async fn admin_tags(state: &AppState, page: TrendsPage) -> ApiResult<Vec<AdminTagView>> {
    let ids = candidate_ids(state, Kind::Tag, page).await?;
    let rows = tag_reviews::find_many(&state.db, &ids).await?;
    admin_tags::with_histories(state, in_order(&ids, rows, |row| row.id)).await
}

/// Every trending status, best first, for staff (who may see every public status).
pub async fn admin_statuses(
    state: &AppState,
    page: TrendsPage,
) -> ApiResult<Vec<Reviewed<StatusRow>>> {
    let candidates = trends::candidates(&state.db, Kind::Status, page.offset, page.limit).await?;
    let ids: Vec<i64> = candidates.iter().map(|c| c.target_id).collect();
    let rows = statuses::find_many(&state.db, &ids).await?;
    let rows = in_order(&ids, rows, |row| row.id);
    Ok(reviewed(&candidates, rows, |row| row.id))
}

/// Every trending link, best first, for staff.
pub async fn admin_links(
    state: &AppState,
    page: TrendsPage,
) -> ApiResult<Vec<Reviewed<TrendingLink>>> {
    let candidates = trends::candidates(&state.db, Kind::Link, page.offset, page.limit).await?;
    let ids: Vec<i64> = candidates.iter().map(|c| c.target_id).collect();
    let links = with_link_histories(state, &ids).await?;
    Ok(reviewed(&candidates, links, |link| link.card.id))
}

/// Staff approve (`trendable`) or reject hashtag `id`. Errors: `NotFound`.
pub async fn review_tag(state: &AppState, id: i64, trendable: bool) -> ApiResult<AdminTagView> {
    let changes = TagChanges {
        trendable: Some(trendable),
        ..TagChanges::default()
    };
    admin_tags::update(state, id, &changes).await
}

/// Staff approve or reject status `id` as a trend. Errors: `NotFound`.
pub async fn review_status(
    state: &AppState,
    id: i64,
    trendable: bool,
) -> ApiResult<Reviewed<StatusRow>> {
    if !trends::review(&state.db, Kind::Status, id, trendable).await? {
        return Err(ApiError::NotFound);
    }
    let row = statuses::find_many(&state.db, &[id]).await?.pop();
    let trend = row.ok_or(ApiError::NotFound)?;
    Ok(Reviewed {
        trend,
        trendable: Some(trendable),
    })
}

/// Staff approve or reject the link whose card is `id`. Errors: `NotFound`.
pub async fn review_link(
    state: &AppState,
    id: i64,
    trendable: bool,
) -> ApiResult<Reviewed<TrendingLink>> {
    if !trends::review(&state.db, Kind::Link, id, trendable).await? {
        return Err(ApiError::NotFound);
    }
    let trend = with_link_histories(state, &[id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(Reviewed {
        trend,
        trendable: Some(trendable),
    })
}

fn review_on(state: &AppState) -> bool {
    state.config.trends_review
}

async fn allowed(state: &AppState, kind: Kind, page: TrendsPage) -> ApiResult<Vec<i64>> {
    Ok(trends::allowed_ids(&state.db, kind, review_on(state), page.offset, page.limit).await?)
}

async fn candidate_ids(state: &AppState, kind: Kind, page: TrendsPage) -> ApiResult<Vec<i64>> {
    let candidates = trends::candidates(&state.db, kind, page.offset, page.limit).await?;
    Ok(candidates.into_iter().map(|c| c.target_id).collect())
}

async fn with_link_histories(state: &AppState, ids: &[i64]) -> ApiResult<Vec<TrendingLink>> {
    let rows = cards::find_many(&state.db, ids).await?;
    let mut by_card: HashMap<i64, Vec<DayOfUse>> = HashMap::new();
    for (card, day) in trends::link_history(&state.db, ids, HISTORY_DAYS).await? {
        by_card.entry(card).or_default().push(day);
    }
    Ok(in_order(ids, rows, |row| row.id)
        .into_iter()
        .map(|card| TrendingLink {
            history: by_card.remove(&card.id).unwrap_or_default(),
            card,
        })
        .collect())
}

/// `rows` in the order of `ids` (ranking order); rows whose id is not there are dropped.
fn in_order<T>(ids: &[i64], rows: Vec<T>, id: impl Fn(&T) -> i64) -> Vec<T> {
    let mut by_id: HashMap<i64, T> = rows.into_iter().map(|row| (id(&row), row)).collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

fn reviewed<T>(
    candidates: &[Candidate],
    trends: Vec<T>,
    id: impl Fn(&T) -> i64,
) -> Vec<Reviewed<T>> {
    let decisions: HashMap<i64, Option<bool>> = candidates
        .iter()
        .map(|c| (c.target_id, c.trendable))
        .collect();
    trends
        .into_iter()
        .map(|trend| Reviewed {
            trendable: decisions.get(&id(&trend)).copied().flatten(),
            trend,
        })
        .collect()
}
