//! Acting on a status: favourite, boost, bookmark and pin, and their undoing — the
//! rules and the writes of each, whoever acts: a local account through the client API,
//! or an account of another server through its `Like`, `Announce` or `Undo`.
//!
//! Each action owns its transaction: the row, the counters, the notification and the
//! deliveries to other servers commit together. A local account's favourite of a
//! remote status is sent to its author as a `Like`; a local boost goes to the booster's
//! followers and the original's remote author as an `Announce` (built by
//! `federation::builders::interactions`). What a remote account does is only stored:
//! its own server tells the others.
//!
//! The rules are Mastodon's: only a status the actor may see can be acted on, and a
//! boost stands for the status it boosts; a remote account's favourite is kept only for
//! this server's posts; others' followers-only and direct posts cannot be boosted (see
//! `boosts::check_boostable`); one boost per account and status, boosting again answers the
//! existing one; a remote boost of a status Roost lacks fetches it when the booster has
//! followers here (who will see the boost); only one's own, non-direct statuses can be pinned, at most
//! [`MAX_PINS`]. Bookmarks and pins are the client API's alone.
//!
//! Spec: <https://docs.joinmastodon.org/methods/statuses/>,
//! <https://www.w3.org/TR/activitypub/#like-activity-inbox>,
//! <https://www.w3.org/TR/activitypub/#announce-activity-inbox>.

use std::collections::BTreeSet;

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::interactions::{self, Mark};
use crate::db::notifications::Kind;
use crate::db::statuses::{self, StatusRow};
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::interactions::{self as build, Boost};
use crate::federation::{outbound, posts};
use crate::services::notifications::create as notifications;
use crate::services::statuses::status_by_uri;
use crate::state::AppState;
use crate::urls;

mod boosts;

pub use boosts::{
    announced_status, reblog, receive_announce, receive_announce_of, receive_undo_announce,
    unreblog,
};

/// Statuses an account may pin at most (Mastodon's default).
pub const MAX_PINS: i64 = 5;

/// What a favourite, bookmark or pin (or its undoing) did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marked {
    /// The status marked or unmarked: the boosted one when the client named a boost.
    pub status_id: i64,
    /// Whether a row was written or removed (false: it was already so).
    pub changed: bool,
}

/// Who liked or boosted a status: one page, newest first.
#[derive(Clone, Debug)]
pub struct Actors {
    /// The accounts, suspended ones left out.
    pub accounts: Vec<AccountRow>,
    /// The ids of the page's rows (likes or boosts), for the next page's cursor.
    pub row_ids: Vec<i64>,
}

/// The accounts that liked (with `boosts`: boosted) the status `status_id`, which
/// the viewer must be allowed to see (`NotFound` otherwise).
pub async fn actors(
    state: &AppState,
    viewer: Option<i64>,
    status_id: i64,
    boosts: bool,
    page: &crate::db::Page,
) -> ApiResult<Actors> {
    let target = statuses::find_visible(&state.db, viewer, status_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows = interactions::page_of_actors(&state.db, boosts, target.id, page).await?;
    let account_ids: Vec<i64> = rows.iter().map(|(_, account)| *account).collect();
    let found = accounts::find_many(&state.db, &account_ids).await?;
    let accounts = account_ids
        .iter()
        .filter_map(|id| {
            found
                .iter()
                .find(|a| a.id == *id && a.suspended_at.is_none())
                .cloned()
        })
        .collect();
    Ok(Actors {
        accounts,
        row_ids: rows.iter().map(|(row, _)| *row).collect(),
    })
}

/// Favourites the status `status_id` as the local account `account_id`. Idempotent.
/// Errors: `NotFound` when the account may not see the status.
pub async fn favourite(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let status = original_of(state, visible(state, account_id, status_id).await?).await?;
    let me = account(state, account_id).await?;
    let like_id = urls::new_activity(&state.config);
    add_favourite(state, &me, &status, &like_id).await
}

/// Stores a remote account's favourite (`Like` `like_id`) of the status `object` names.
/// Idempotent. Errors: `NotFound` for an unknown status, `Unprocessable` for a status of
/// another server (Roost keeps likes only of its own posts).
pub async fn receive_like(
    state: &AppState,
    liker: &AccountRow,
    like_id: &str,
    object: &str,
) -> ApiResult<Marked> {
    let status = status_by_uri(state, object)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !status.local {
        return Err(ApiError::Unprocessable(
            "likes are kept only for this server's posts".into(),
        ));
    }
    add_favourite(state, liker, &status, like_id).await
}

/// The favourite itself, for local and remote actors alike: the row (with the count),
/// the author's notification, and for a local actor the `Like` to a remote author.
async fn add_favourite(
    state: &AppState,
    actor: &AccountRow,
    status: &StatusRow,
    like_id: &str,
) -> ApiResult<Marked> {
    let mut transaction = state.db.begin().await?;
    let added = interactions::add(
        &mut transaction,
        Mark::Favourite,
        actor.id,
        status.id,
        Some(like_id),
    )
    .await?;
    if added {
        notifications::notify_status_author(&mut transaction, status.id, actor.id, Kind::Favourite)
            .await?;
        if actor.is_local() {
            send_like(
                state,
                &mut transaction,
                actor,
                status,
                like_id,
                Sending::Activity,
            )
            .await?;
        }
    }
    transaction.commit().await?;
    Ok(Marked {
        status_id: status.id,
        changed: added,
    })
}

/// Removes the local account's favourite of `status_id` (a boost: of the status it
/// boosts) and sends the `Undo` of its `Like` to a remote author. Idempotent.
/// Errors: `NotFound` when the account may not see the status.
pub async fn unfavourite(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let status = original_of(state, visible(state, account_id, status_id).await?).await?;
    let me = account(state, account_id).await?;
    let mut transaction = state.db.begin().await?;
    let removed = interactions::remove(&mut transaction, Mark::Favourite, me.id, status.id).await?;
    if let Some(Some(like_id)) = &removed {
        send_like(
            state,
            &mut transaction,
            &me,
            &status,
            like_id,
            Sending::Undo,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(Marked {
        status_id: status.id,
        changed: removed.is_some(),
    })
}

/// Removes the favourite a remote account made with the `Like` `like_id` (its `Undo`).
/// Returns whether there was one.
pub async fn receive_undo_like(
    state: &AppState,
    liker: &AccountRow,
    like_id: &str,
) -> ApiResult<bool> {
    let mut transaction = state.db.begin().await?;
    let removed = interactions::remove_favourite_by_ap_id(&mut transaction, liker.id, like_id)
        .await?
        .is_some();
    transaction.commit().await?;
    Ok(removed)
}

/// Bookmarks the status `status_id` (a boost: the status it boosts) for the local
/// account `account_id`. Idempotent. Errors: `NotFound` when it may not see the status.
pub async fn bookmark(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let status = original_of(state, visible(state, account_id, status_id).await?).await?;
    set_mark(state, Mark::Bookmark, account_id, status.id, true).await
}

/// Removes a bookmark, as [`bookmark`] names it. Idempotent.
pub async fn unbookmark(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let status = original_of(state, visible(state, account_id, status_id).await?).await?;
    set_mark(state, Mark::Bookmark, account_id, status.id, false).await
}

/// Pins one of the local account's own statuses to its profile. Idempotent.
/// Errors: `NotFound` when it may not see the status; `Validation` for a boost, someone
/// else's or a direct status, or when [`MAX_PINS`] are pinned already.
pub async fn pin(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let status = visible(state, account_id, status_id).await?;
    check_pinnable(state, account_id, &status).await?;
    set_mark(state, Mark::Pin, account_id, status.id, true).await
}

/// Unpins a status (a boost: the status it boosts). Idempotent.
pub async fn unpin(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let status = original_of(state, visible(state, account_id, status_id).await?).await?;
    set_mark(state, Mark::Pin, account_id, status.id, false).await
}

async fn set_mark(
    state: &AppState,
    mark: Mark,
    account_id: i64,
    status_id: i64,
    on: bool,
) -> ApiResult<Marked> {
    let mut transaction = state.db.begin().await?;
    let changed = if on {
        interactions::add(&mut transaction, mark, account_id, status_id, None).await?
    } else {
        interactions::remove(&mut transaction, mark, account_id, status_id)
            .await?
            .is_some()
    };
    transaction.commit().await?;
    Ok(Marked { status_id, changed })
}

/// Mastodon's pin rules: one's own status, not a boost, not direct, and room for one
/// more unless it is pinned already.
async fn check_pinnable(state: &AppState, account_id: i64, status: &StatusRow) -> ApiResult<()> {
    if status.account_id != account_id || status.reblog_of_id.is_some() {
        return Err(ApiError::validation(
            "status",
            "ERR_INVALID",
            "You can only pin your own statuses",
        ));
    }
    if status.visibility == crate::domain::Visibility::Direct {
        return Err(ApiError::validation(
            "status",
            "ERR_INVALID",
            "Direct messages cannot be pinned",
        ));
    }
    let marks = statuses::viewer_marks(&state.db, account_id, &[status.id]).await?;
    if marks.first().is_some_and(|marks| marks.pinned) {
        return Ok(());
    }
    if interactions::count_pins(&state.db, account_id).await? >= MAX_PINS {
        return Err(ApiError::validation(
            "status",
            "ERR_TOO_MANY",
            format!("You can pin at most {MAX_PINS} statuses"),
        ));
    }
    Ok(())
}

/// A status that `viewer` may see (`NotFound` otherwise).
async fn visible(state: &AppState, viewer: i64, id: i64) -> ApiResult<StatusRow> {
    statuses::find_visible(&state.db, Some(viewer), id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The status a boost boosts, or the status itself.
async fn original_of(state: &AppState, status: StatusRow) -> ApiResult<StatusRow> {
    match status.reblog_of_id {
        Some(original) => statuses::find_many(&state.db, &[original])
            .await?
            .pop()
            .ok_or(ApiError::NotFound),
        None => Ok(status),
    }
}

async fn account(state: &AppState, id: i64) -> ApiResult<AccountRow> {
    accounts::find_by_id(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Whether an activity or its `Undo` is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sending {
    Activity,
    Undo,
}

/// Queues the `Like` (or its `Undo`) of a local account's favourite to the status's
/// author, when that author is remote; nothing otherwise.
async fn send_like(
    state: &AppState,
    conn: &mut PgConnection,
    liker: &AccountRow,
    status: &StatusRow,
    like_id: &str,
    sending: Sending,
) -> ApiResult<()> {
    let Some(author) = accounts::find_by_id(&mut *conn, status.account_id)
        .await?
        .filter(|author| !author.is_local())
    else {
        return Ok(());
    };
    let Some(inbox) = outbound::delivery_inbox(&author).filter(|_| status.ap_id.is_some()) else {
        return Ok(());
    };
    let actor = urls::local_actor(&state.config, &liker.username);
    let author_uri = urls::account_ap_id(&state.config, &author);
    let activity = match sending {
        Sending::Activity => {
            serde_json::to_value(build::like(&actor, like_id, status, &author_uri)?)
        }
        Sending::Undo => serde_json::to_value(build::undo_like(
            &actor,
            like_id,
            status,
            &author_uri,
            &urls::new_activity(&state.config),
        )?),
    }
    .map_err(anyhow::Error::from)?;
    outbound::deliver(conn, &activity, liker, &[inbox]).await?;
    Ok(())
}

/// Queues the `Announce` (or its `Undo`) of a local account's boost to its followers
/// and the original's remote author.
async fn send_announce(
    state: &AppState,
    conn: &mut PgConnection,
    booster: &AccountRow,
    boost: &StatusRow,
    original: &StatusRow,
    sending: Sending,
) -> ApiResult<()> {
    let original_author = accounts::find_by_id(&mut *conn, original.account_id).await?;
    let inboxes = boost_inboxes(conn, booster, boost, original_author.as_ref()).await?;
    let Some(original_uri) = posts::ap_id_of(state, conn, original).await? else {
        return Ok(());
    };
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = urls::local_actor(&state.config, &booster.username);
    let author_uri = original_author
        .as_ref()
        .map(|author| urls::account_ap_id(&state.config, author));
    let boost = Boost {
        row: boost,
        uri: &posts::status_uri(state, &booster.username, boost.id),
        original_uri: &original_uri,
        original_author_uri: author_uri.as_deref(),
    };
    let activity = match sending {
        Sending::Activity => serde_json::to_value(build::announce(&actor, boost)?),
        Sending::Undo => serde_json::to_value(build::undo_announce(
            &actor,
            boost,
            &urls::new_activity(&state.config),
        )?),
    }
    .map_err(anyhow::Error::from)?;
    outbound::deliver(conn, &activity, booster, &inboxes).await?;
    Ok(())
}

/// Where a boost goes: the booster's followers' inboxes, the original's remote
/// author's and, for a public boost, the accepted relays' (Mastodon's
/// StatusReachFinder), each once.
async fn boost_inboxes(
    conn: &mut PgConnection,
    booster: &AccountRow,
    boost: &StatusRow,
    original_author: Option<&AccountRow>,
) -> sqlx::Result<Vec<Url>> {
    let public = boost.visibility == crate::domain::Visibility::Public;
    let mut inboxes: BTreeSet<String> =
        follows::follower_and_relay_inboxes(&mut *conn, booster.id, public)
            .await?
            .into_iter()
            .collect();
    inboxes.extend(
        original_author
            .filter(|author| !author.is_local())
            .and_then(outbound::delivery_inbox)
            .map(|inbox| inbox.to_string()),
    );
    Ok(inboxes
        .iter()
        .filter_map(|inbox| Url::parse(inbox).ok())
        .collect())
}
