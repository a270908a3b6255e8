//! Follows between accounts, local or remote: asking to follow, accepting or rejecting
//! a request, unfollowing and removing a follower — each with its rows, notifications
//! and the activity that tells the other server (`Follow`, `Accept`, `Reject`,
//! `Undo(Follow)`), committed in one transaction. The client API, the inbound
//! federation handlers and blocks all come through here.
//!
//! Who may follow whom is decided once, by `rules`, for local and remote followers
//! alike. The home feed follows the committed `follows` rows (a database trigger adds
//! or removes the followed account's statuses), so no path can forget it.
//!
//! Not here: the follow lists of actor documents (`federation::actors`), what a block
//! does to follows (`services::blocks`, which calls [`end_in`]).
//!
//! Spec: <https://docs.joinmastodon.org/methods/accounts/#follow>,
//! <https://docs.joinmastodon.org/methods/follow_requests/>,
//! <https://www.w3.org/TR/activitypub/#follow-activity-inbox>.

use serde::Serialize;
use sqlx::PgConnection;
use url::Url;

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::follows::{self, FollowRow, NewFollow};
use crate::db::notifications::{self, Kind};
use crate::db::suggestions;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::follows as build;
use crate::federation::outbound;
use crate::services::notifications::create::{self as notify, Cause};
use crate::state::AppState;
use crate::urls;

mod lists;
mod rules;

pub use lists::{
    familiar_followers, list, requests, FollowPage, FAMILIAR_PER_TARGET, FAMILIAR_TARGETS,
};
use rules::{refusal, Refusal};

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
    /// The languages the follower wants the target's posts in (Mastodon's follow
    /// `languages`, as a CSV import of follows carries them); `None` keeps those of an
    /// existing follow.
    pub languages: Option<&'a [String]>,
}

/// `follower` follows `target`, or asks to. Local unlocked targets accept at once,
/// locked ones get a follow request (and a `follow_request` notification instead of
/// `follow`); a remote target gets a `Follow` and the follow stays pending until its
/// server's `Accept`; a remote follower's server gets an `Accept` when the follow is
/// accepted. Following again only updates the options (and a remote follower that
/// follows again is accepted again: its server may have lost the earlier `Accept`).
///
/// Errors: `Forbidden` when [`refusal`] refuses. A remote follower refused because of a
/// block or because the target moved is also answered with `Reject` (committed before
/// the error returns), as Mastodon does; other refusals of remote follows are not
/// answered, as before.
pub async fn request(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
    request: FollowRequest<'_>,
) -> ApiResult<FollowRow> {
    let mut transaction = state.db.begin().await?;
    if let Some(refusal) = refusal(&mut transaction, follower, target).await? {
        // Mastodon rejects a remote follow of a moved account too.
        let answered = matches!(refusal, Refusal::Blocked | Refusal::Moved);
        if answered && !follower.is_local() {
            let follow_id = request.activity_id.unwrap_or_default();
            send_answer(
                &state.config,
                &mut transaction,
                Answer::Reject,
                follow_id,
                follower,
                target,
            )
            .await?;
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
    let mut new = new_follow(
        follower,
        target,
        existing.as_ref(),
        request.options,
        &follow_id,
    );
    new.languages = request.languages;
    let row = follows::upsert(&mut transaction, &new).await?;
    if existing.is_none() && follower.is_local() {
        // Who follows the newly followed account now shapes the follower's suggestions.
        suggestions::forget(&mut *transaction, follower.id).await?;
    }
    if existing.is_none() && target.is_local() {
        notify_follow(&mut transaction, &row).await?;
    }
    if follower.is_local() && !target.is_local() && existing.is_none() {
        let (actor, object) = parties(&state.config, follower, target)?;
        let follow = build::follow(&row, &actor, &object);
        send(&mut transaction, follow, follower, target).await?;
    } else if !follower.is_local() && row.accepted {
        // Answered with the id the remote used this time.
        send_answer(
            &state.config,
            &mut transaction,
            Answer::Accept,
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
        languages: None,
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
    let cause = Cause::new(kind, follow.account_id, None);
    notify::notify(conn, &cause, &[follow.target_account_id]).await?;
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
        let cause = Cause::new(Kind::Follow, sender, None);
        notify::notify(&mut transaction, &cause, &[recipient]).await?;
    }
    let accepted = follows::accept(&mut transaction, request.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if followed.is_local() && !follower.is_local() {
        send_answer(
            &state.config,
            &mut transaction,
            Answer::Accept,
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
    end_follow(state, follower, target, Side::Follower).await
}

/// `followed` removes `follower` (accepted or pending); a local `followed` tells a
/// remote follower's server with `Reject(Follow)` (a remote `followed` is its server's
/// `Reject` arriving). Returns false when there was no follow.
pub async fn remove_follower(
    state: &AppState,
    followed: &AccountRow,
    follower: &AccountRow,
) -> ApiResult<bool> {
    end_follow(state, follower, followed, Side::Followed).await
}

/// Tells the remote `followed`'s server that the local `follower` does not follow it,
/// although that server lists the follow (FEP-8fcf follower synchronisation found it):
/// an `Undo(Follow)` of a follow Roost has no row of, so its embedded `Follow` gets a
/// fresh id (receivers match it by actor and object, as Mastodon does). Nothing
/// changes here. Errors: `NotFound` when a row exists after all (nothing to disown),
/// `Unprocessable` unless `follower` is local and `followed` remote.
pub async fn disown(
    state: &AppState,
    follower: &AccountRow,
    followed: &AccountRow,
) -> ApiResult<()> {
    if !follower.is_local() || followed.is_local() {
        return Err(ApiError::Unprocessable(
            "only a local follower disowns a follow of a remote account".into(),
        ));
    }
    let mut transaction = state.db.begin().await?;
    if follows::find_pair(&mut *transaction, follower.id, followed.id)
        .await?
        .is_some()
    {
        return Err(ApiError::NotFound);
    }
    let (actor, object) = parties(&state.config, follower, followed)?;
    let follow_id = urls::new_activity(&state.config);
    let undo = build::undo_follow_id(new_activity_id(&state.config)?, &follow_id, &actor, &object);
    send(&mut transaction, undo, follower, followed).await?;
    transaction.commit().await?;
    Ok(())
}

/// [`end_in`] in a transaction of its own.
async fn end_follow(
    state: &AppState,
    follower: &AccountRow,
    followed: &AccountRow,
    by: Side,
) -> ApiResult<bool> {
    let mut transaction = state.db.begin().await?;
    let removed = end_in(&state.config, &mut transaction, follower, followed, by).await?;
    transaction.commit().await?;
    Ok(removed)
}

/// Which party ends a follow: [`unfollow`] is the follower's, [`remove_follower`] the
/// followed account's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Follower,
    Followed,
}

/// Ends the follow of `followed` by `follower`, if any, in the caller's transaction
/// (a block ends follows with it, a domain block removes followers): [`unfollow`]
/// when `by` the follower, [`remove_follower`] when `by` the followed account.
/// Returns false when there was no follow.
pub(crate) async fn end_in(
    config: &Config,
    conn: &mut PgConnection,
    follower: &AccountRow,
    followed: &AccountRow,
    by: Side,
) -> ApiResult<bool> {
    let Some(follow) = follows::find_pair(&mut *conn, follower.id, followed.id).await? else {
        return Ok(false);
    };
    end(config, conn, &follow, follower, followed, by).await?;
    Ok(true)
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
            let undo = build::undo(new_activity_id(config)?, follow, &actor, &object);
            send(conn, undo, follower, followed).await?;
        }
        Side::Followed if followed.is_local() && !follower.is_local() => {
            send_answer(
                config,
                conn,
                Answer::Reject,
                &follow.ap_id,
                follower,
                followed,
            )
            .await?;
        }
        Side::Follower | Side::Followed => {}
    }
    Ok(())
}

/// How the local followed account answers a follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Accept,
    Reject,
}

/// Queues `Accept(Follow)` or `Reject(Follow)` of the follow `follow_id` (the id of the
/// remote follower's `Follow`) from the local `followed`.
async fn send_answer(
    config: &Config,
    conn: &mut PgConnection,
    answer: Answer,
    follow_id: &str,
    follower: &AccountRow,
    followed: &AccountRow,
) -> ApiResult<()> {
    let (actor, object) = parties(config, follower, followed)?;
    let id = new_activity_id(config)?;
    match answer {
        Answer::Accept => {
            let built = build::accept(id, follow_id, &actor, &object);
            send(conn, built, followed, follower).await
        }
        Answer::Reject => {
            let built = build::reject(id, follow_id, &actor, &object);
            send(conn, built, followed, follower).await
        }
    }
}

/// Queues a built activity, signed by the local `signer`, to the remote `recipient`, in
/// the caller's transaction. A build error (a stored id that is no URL) is internal.
pub(crate) async fn send(
    conn: &mut PgConnection,
    built: Result<impl Serialize, url::ParseError>,
    signer: &AccountRow,
    recipient: &AccountRow,
) -> ApiResult<()> {
    let activity = built.map_err(anyhow::Error::from)?;
    outbound::deliver_to(conn, &activity, signer, recipient).await?;
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
