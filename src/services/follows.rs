//! Follows between accounts, local or remote: asking to follow, accepting or rejecting
//! a request, unfollowing and removing a follower — each with its rows, notifications
//! and the activity that tells the other server (`Follow`, `Accept`, `Reject`,
//! `Undo(Follow)`), committed in one transaction. The client API, the inbound
//! federation handlers and blocks all come through here.
//!
//! Who may follow whom is decided once, by [`refusal`], for local and remote followers
//! alike. The home feed follows the committed `follows` rows (a database trigger adds
//! or removes the followed account's statuses), so no path can forget it.
//!
//! Not here: the follow lists of actor documents (`federation::actors`), what a block
//! does to follows (`services::blocks`, which calls [`unfollow_in`] and
//! [`remove_follower_in`]).
//!
//! Spec: <https://docs.joinmastodon.org/methods/accounts/#follow>,
//! <https://docs.joinmastodon.org/methods/follow_requests/>,
//! <https://www.w3.org/TR/activitypub/#follow-activity-inbox>.

use sqlx::PgConnection;
use url::Url;

use crate::config::Config;
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self, Direction, FollowRow, NewFollow};
use crate::db::hiding;
use crate::db::notifications::{self, Kind};
use crate::db::Page;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::follows as build;
use crate::federation::{outbound, urls};
use crate::state::AppState;

/// Options of a follow (`reblogs` and `notify` of `POST /api/v1/accounts/:id/follow`);
/// `None` keeps the current value of an existing follow (or the default: reblogs
/// shown, no notification).
#[derive(Clone, Copy, Debug, Default)]
pub struct FollowOptions {
    pub show_reblogs: Option<bool>,
    pub notify: Option<bool>,
}

/// A request to follow, as a transport hands it to [`request`].
#[derive(Clone, Copy, Debug, Default)]
pub struct FollowRequest<'a> {
    /// The follow's options.
    pub options: FollowOptions,
    /// The id of a remote follower's `Follow` activity; `None` for a local follower,
    /// whose follow gets an id minted here (or keeps the one it has).
    pub activity_id: Option<&'a str>,
}

/// Why a follow is refused. The rules are Mastodon's (`FollowService` and
/// `ActivityPub::Activity::Follow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// An account cannot follow itself.
    OwnAccount,
    /// A suspended account cannot be followed.
    Suspended,
    /// Neither side of a block can follow the other.
    Blocked,
    /// A user who blocked a domain cannot start following an account there.
    DomainBlocked,
}

impl Refusal {
    fn error(self) -> ApiError {
        let reason = match self {
            Refusal::OwnAccount => "You cannot follow yourself",
            Refusal::Suspended => "This account is suspended",
            Refusal::Blocked | Refusal::DomainBlocked => "This action is not allowed",
        };
        ApiError::Forbidden(reason.into())
    }
}

/// The follow rules, for local and remote followers alike: whether `follower` may
/// (ask to) follow `target`. A remote follower has no domain blocks of its own here,
/// so that rule only ever refuses local users.
async fn refusal(
    conn: &mut PgConnection,
    follower: &AccountRow,
    target: &AccountRow,
) -> sqlx::Result<Option<Refusal>> {
    if follower.id == target.id {
        return Ok(Some(Refusal::OwnAccount));
    }
    if target.suspended_at.is_some() {
        return Ok(Some(Refusal::Suspended));
    }
    if hiding::blocked_between(&mut *conn, follower.id, target.id).await? {
        return Ok(Some(Refusal::Blocked));
    }
    let relation = follows::relationships(&mut *conn, follower.id, &[target.id]).await?;
    let domain_blocked = relation
        .first()
        .is_some_and(|r| r.domain_blocking && !r.following && !r.requested);
    Ok(domain_blocked.then_some(Refusal::DomainBlocked))
}

/// `follower` follows `target`, or asks to. Local unlocked targets accept at once,
/// locked ones get a follow request (and a `follow_request` notification instead of
/// `follow`); a remote target gets a `Follow` and the follow stays pending until its
/// server's `Accept`; a remote follower's server gets an `Accept` when the follow is
/// accepted. Following again only updates the options (and a remote follower that
/// follows again is accepted again: its server may have lost the earlier `Accept`).
///
/// Errors: `Forbidden` when [`refusal`] refuses. A remote follower refused because of a
/// block is also answered with `Reject` (committed before the error returns), as
/// Mastodon does; other refusals of remote follows are not answered, as before.
pub async fn request(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
    request: FollowRequest<'_>,
) -> ApiResult<FollowRow> {
    let mut transaction = state.db.begin().await?;
    if let Some(refusal) = refusal(&mut transaction, follower, target).await? {
        if refusal == Refusal::Blocked && !follower.is_local() {
            let follow_id = request.activity_id.unwrap_or_default();
            send_reject(&state.config, &mut transaction, follow_id, follower, target).await?;
            transaction.commit().await?;
        }
        return Err(refusal.error());
    }
    let existing = follows::find_pair(&mut *transaction, follower.id, target.id).await?;
    let follow_id = match (request.activity_id, &existing) {
        (Some(id), _) => id.to_owned(),
        (None, Some(existing)) => existing.ap_id.clone(),
        (None, None) => urls::new_activity(&state.config),
    };
    let new = new_follow(
        follower,
        target,
        existing.as_ref(),
        request.options,
        &follow_id,
    );
    let row = follows::upsert(&mut transaction, &new).await?;
    if existing.is_none() && target.is_local() {
        notify_follow(&mut transaction, &row).await?;
    }
    if follower.is_local() && !target.is_local() && existing.is_none() {
        let (actor, object) = parties(&state.config, follower, target)?;
        let follow = build::follow(&row, &actor, &object).map_err(anyhow::Error::from)?;
        outbound::deliver_to(&mut transaction, &follow, follower, target).await?;
    } else if !follower.is_local() && row.accepted {
        // Answered with the id the remote used this time.
        send_accept(
            &state.config,
            &mut transaction,
            &follow_id,
            follower,
            target,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(row)
}

/// The row a follow request writes: accepted if it was, or if the target is local and
/// unlocked; options as asked, else as they were, else the defaults.
fn new_follow<'a>(
    follower: &AccountRow,
    target: &AccountRow,
    existing: Option<&FollowRow>,
    options: FollowOptions,
    follow_id: &'a str,
) -> NewFollow<'a> {
    NewFollow {
        account_id: follower.id,
        target_account_id: target.id,
        accepted: existing.is_some_and(|f| f.accepted) || (target.is_local() && !target.locked),
        show_reblogs: options
            .show_reblogs
            .or(existing.map(|f| f.show_reblogs))
            .unwrap_or(true),
        notify: options
            .notify
            .or(existing.map(|f| f.notify))
            .unwrap_or(false),
        ap_id: follow_id,
    }
}

/// `follow` (or `follow_request` while pending) to the followed local account.
async fn notify_follow(conn: &mut PgConnection, follow: &FollowRow) -> sqlx::Result<()> {
    let kind = if follow.accepted {
        Kind::Follow
    } else {
        Kind::FollowRequest
    };
    notifications::notify(
        conn,
        follow.target_account_id,
        follow.account_id,
        kind,
        None,
    )
    .await?;
    Ok(())
}

/// `followed` accepts the pending follow request of `follower`: the request's
/// notification becomes a `follow` one for a local `followed`, and a remote follower's
/// server gets `Accept(Follow)`. A remote `followed` is its server's `Accept` arriving.
/// Errors: `NotFound` when there is no pending request.
pub async fn accept(
    state: &AppState,
    followed: &AccountRow,
    follower: &AccountRow,
) -> ApiResult<FollowRow> {
    let mut transaction = state.db.begin().await?;
    let request = pending(&mut transaction, follower, followed).await?;
    if followed.is_local() {
        let (recipient, sender) = (followed.id, follower.id);
        notifications::retract(
            &mut transaction,
            recipient,
            sender,
            Kind::FollowRequest,
            None,
        )
        .await?;
        notifications::notify(&mut transaction, recipient, sender, Kind::Follow, None).await?;
    }
    let accepted = follows::accept(&mut transaction, request.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if followed.is_local() && !follower.is_local() {
        send_accept(
            &state.config,
            &mut transaction,
            &request.ap_id,
            follower,
            followed,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(accepted)
}

/// `followed` rejects the pending follow request of `follower`; a remote follower's
/// server gets `Reject(Follow)`. Errors: `NotFound` when there is no pending request.
pub async fn reject(
    state: &AppState,
    followed: &AccountRow,
    follower: &AccountRow,
) -> ApiResult<FollowRow> {
    let mut transaction = state.db.begin().await?;
    let request = pending(&mut transaction, follower, followed).await?;
    end(
        &state.config,
        &mut transaction,
        &request,
        follower,
        followed,
        Side::Followed,
    )
    .await?;
    transaction.commit().await?;
    Ok(request)
}

/// The pending follow request of `followed` by `follower`, or `NotFound`.
async fn pending(
    conn: &mut PgConnection,
    follower: &AccountRow,
    followed: &AccountRow,
) -> ApiResult<FollowRow> {
    follows::find_pair(&mut *conn, follower.id, followed.id)
        .await?
        .filter(|follow| !follow.accepted)
        .ok_or(ApiError::NotFound)
}

/// `follower` stops following `target` or withdraws its request; a local follower of
/// a remote target tells its server with `Undo(Follow)` (a remote follower is its
/// server's `Undo` arriving). Returns false when there was nothing to undo.
pub async fn unfollow(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
) -> ApiResult<bool> {
    let mut transaction = state.db.begin().await?;
    let removed = unfollow_in(&state.config, &mut transaction, follower, target).await?;
    transaction.commit().await?;
    Ok(removed)
}

/// `followed` removes `follower` (accepted or pending); a local `followed` tells a
/// remote follower's server with `Reject(Follow)` (a remote `followed` is its server's
/// `Reject` arriving). Returns false when there was no follow.
pub async fn remove_follower(
    state: &AppState,
    followed: &AccountRow,
    follower: &AccountRow,
) -> ApiResult<bool> {
    let mut transaction = state.db.begin().await?;
    let removed = remove_follower_in(&state.config, &mut transaction, followed, follower).await?;
    transaction.commit().await?;
    Ok(removed)
}

/// [`unfollow`] in the caller's transaction (a block ends follows with it).
pub(crate) async fn unfollow_in(
    config: &Config,
    conn: &mut PgConnection,
    follower: &AccountRow,
    target: &AccountRow,
) -> ApiResult<bool> {
    let Some(follow) = follows::find_pair(&mut *conn, follower.id, target.id).await? else {
        return Ok(false);
    };
    end(config, conn, &follow, follower, target, Side::Follower).await?;
    Ok(true)
}

/// [`remove_follower`] in the caller's transaction (blocks and domain blocks remove
/// followers with it).
pub(crate) async fn remove_follower_in(
    config: &Config,
    conn: &mut PgConnection,
    followed: &AccountRow,
    follower: &AccountRow,
) -> ApiResult<bool> {
    let Some(follow) = follows::find_pair(&mut *conn, follower.id, followed.id).await? else {
        return Ok(false);
    };
    end(config, conn, &follow, follower, followed, Side::Followed).await?;
    Ok(true)
}

/// Which party ends a follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Follower,
    Followed,
}

/// Deletes `follow` and, when the party ending it is local and the other remote, tells
/// the other's server: `Undo(Follow)` from a follower, `Reject(Follow)` from the
/// followed account.
async fn end(
    config: &Config,
    conn: &mut PgConnection,
    follow: &FollowRow,
    follower: &AccountRow,
    followed: &AccountRow,
    by: Side,
) -> ApiResult<()> {
    follows::delete(&mut *conn, follow.id).await?;
    match by {
        Side::Follower if follower.is_local() && !followed.is_local() => {
            let (actor, object) = parties(config, follower, followed)?;
            let undo = build::undo(new_activity_id(config)?, follow, &actor, &object)
                .map_err(anyhow::Error::from)?;
            outbound::deliver_to(conn, &undo, follower, followed).await?;
        }
        Side::Followed if followed.is_local() && !follower.is_local() => {
            send_reject(config, conn, &follow.ap_id, follower, followed).await?;
        }
        Side::Follower | Side::Followed => {}
    }
    Ok(())
}

/// Queues `Accept(Follow)` of the follow `follow_id` from the local `followed`.
async fn send_accept(
    config: &Config,
    conn: &mut PgConnection,
    follow_id: &str,
    follower: &AccountRow,
    followed: &AccountRow,
) -> ApiResult<()> {
    let (actor, object) = parties(config, follower, followed)?;
    let accept = build::accept(new_activity_id(config)?, follow_id, &actor, &object)
        .map_err(anyhow::Error::from)?;
    outbound::deliver_to(conn, &accept, followed, follower).await?;
    Ok(())
}

/// Queues `Reject(Follow)` of the follow `follow_id` from the local `followed`.
async fn send_reject(
    config: &Config,
    conn: &mut PgConnection,
    follow_id: &str,
    follower: &AccountRow,
    followed: &AccountRow,
) -> ApiResult<()> {
    let (actor, object) = parties(config, follower, followed)?;
    let reject = build::reject(new_activity_id(config)?, follow_id, &actor, &object)
        .map_err(anyhow::Error::from)?;
    outbound::deliver_to(conn, &reject, followed, follower).await?;
    Ok(())
}

/// The actor ids of two accounts (an activity's actor and object), as URLs.
pub(crate) fn parties(
    config: &Config,
    first: &AccountRow,
    second: &AccountRow,
) -> ApiResult<(Url, Url)> {
    let parse = |account| Url::parse(&urls::account_ap_id(config, account));
    Ok((
        parse(first).map_err(anyhow::Error::from)?,
        parse(second).map_err(anyhow::Error::from)?,
    ))
}

/// A fresh id for an outbound activity, as a URL.
pub(crate) fn new_activity_id(config: &Config) -> ApiResult<Url> {
    Ok(Url::parse(&urls::new_activity(config)).map_err(anyhow::Error::from)?)
}

/// One page of an account's followers or followings (accepted follows), newest follow
/// first: the accounts shown and the follow ids the page is paged by.
#[derive(Debug, Default)]
pub struct FollowPage {
    pub accounts: Vec<AccountRow>,
    pub follow_ids: Vec<i64>,
}

/// The followers (or followings) of `account` that `viewer` may see: none when the
/// account hides its collections from everyone but itself.
pub async fn list(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
    direction: Direction,
    page: &Page,
) -> ApiResult<FollowPage> {
    if account.hide_collections && viewer != Some(account.id) {
        return Ok(FollowPage::default());
    }
    let rows = follows::page(&state.db, account.id, direction, true, page).await?;
    let others = rows.iter().map(|row| match direction {
        Direction::Followers => row.account_id,
        Direction::Following => row.target_account_id,
    });
    paged(state, &rows, others).await
}

/// The pending follow requests to `account`, newest first.
pub async fn requests(state: &AppState, account: i64, page: &Page) -> ApiResult<FollowPage> {
    let rows = follows::page(&state.db, account, Direction::Followers, false, page).await?;
    let requesters = rows.iter().map(|row| row.account_id);
    paged(state, &rows, requesters).await
}

/// The visible accounts of `others` (one per row, in order) with the rows' ids.
async fn paged(
    state: &AppState,
    rows: &[FollowRow],
    others: impl Iterator<Item = i64>,
) -> ApiResult<FollowPage> {
    let mut listed = Vec::with_capacity(rows.len());
    for other in others {
        if let Some(account) = accounts::find_visible_by_id(&state.db, other).await? {
            listed.push(account);
        }
    }
    Ok(FollowPage {
        accounts: listed,
        follow_ids: rows.iter().map(|row| row.id).collect(),
    })
}
