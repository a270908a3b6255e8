//! Follows, where local and federated meet: following and unfollowing, follow requests
//! to locked accounts, and the Follow / Accept / Reject / Undo(Follow) activities that
//! carry them between servers (<https://www.w3.org/TR/activitypub/#follow-activity-inbox>).
//!
//! Every change and the activity it causes are written in one transaction.

use serde_json::Value;
use sqlx::PgConnection;

use super::outbound;
use crate::db::accounts::AccountRow;
use crate::db::follows::{self, FollowRow, NewFollow};
use crate::db::hiding;
use crate::db::notifications::{self, Kind};
use crate::state::AppState;
use crate::urls;

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

/// Options of a follow (`reblogs` and `notify` of `POST /api/v1/accounts/:id/follow`).
#[derive(Clone, Copy, Debug)]
pub struct FollowOptions {
    pub show_reblogs: Option<bool>,
    pub notify: Option<bool>,
}

/// `follower` (local) follows `target`. Local unlocked targets accept at once; locked
/// ones get a follow request; remote ones get a `Follow` and stay pending until their
/// server's `Accept`. Following again only updates the options.
pub async fn follow(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
    options: FollowOptions,
) -> anyhow::Result<FollowRow> {
    let mut transaction = state.db.begin().await?;
    let existing = follows::find_pair(&mut *transaction, follower.id, target.id).await?;
    let new = NewFollow {
        account_id: follower.id,
        target_account_id: target.id,
        accepted: existing.as_ref().is_some_and(|f| f.accepted)
            || (target.is_local() && !target.locked),
        show_reblogs: options
            .show_reblogs
            .or(existing.as_ref().map(|f| f.show_reblogs))
            .unwrap_or(true),
        notify: options
            .notify
            .or(existing.as_ref().map(|f| f.notify))
            .unwrap_or(false),
        ap_id: &existing
            .as_ref()
            .map_or_else(|| urls::new_activity(&state.config), |f| f.ap_id.clone()),
    };
    let row = follows::upsert(&mut transaction, &new).await?;
    if existing.is_none() && target.is_local() {
        notify_follow(&mut transaction, &row).await?;
    }
    if existing.is_none() && !target.is_local() {
        let actor = urls::actor(&state.config, &follower.username);
        let object = urls::account_ap_id(&state.config, target);
        let activity = outbound::follow(&row.ap_id, &actor, &object);
        deliver_to(&mut transaction, &activity, follower, target).await?;
    }
    transaction.commit().await?;
    Ok(row)
}

/// `follower` (local) stops following `target` or withdraws the request; remote
/// targets get `Undo(Follow)`. Returns false when there was nothing to undo.
pub async fn unfollow(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
) -> anyhow::Result<bool> {
    let mut transaction = state.db.begin().await?;
    let removed = sever(state, &mut transaction, follower, target).await?;
    transaction.commit().await?;
    Ok(removed)
}

/// Removes the follow (or request) of `target` by `follower` in the caller's
/// transaction and tells the remote side: `Undo(Follow)` when the follower is local
/// and the target remote, `Reject(Follow)` when the target is local and the follower
/// remote. Returns false when there was no follow. Used by unfollow and by blocks.
pub(crate) async fn sever(
    state: &AppState,
    conn: &mut PgConnection,
    follower: &AccountRow,
    target: &AccountRow,
) -> anyhow::Result<bool> {
    let Some(existing) = follows::find_pair(&mut *conn, follower.id, target.id).await? else {
        return Ok(false);
    };
    follows::delete(conn, existing.id).await?;
    if follower.is_local() && !target.is_local() {
        let actor = urls::actor(&state.config, &follower.username);
        let object = urls::account_ap_id(&state.config, target);
        let undo = outbound::activity(
            "Undo",
            &urls::new_activity(&state.config),
            &actor,
            outbound::follow_object(&existing.ap_id, &actor, &object),
            &[&object],
        );
        deliver_to(conn, &undo, follower, target).await?;
    } else if target.is_local() && !follower.is_local() {
        send_answer(state, conn, target, follower, &existing, Answer::Reject).await?;
    }
    Ok(true)
}

/// The local `target` answers a follow request of `follower`: accept or reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Reject,
}

/// Accepts or rejects a pending request; remote followers are told with
/// `Accept(Follow)` / `Reject(Follow)`. Returns false when there was no request.
pub async fn answer_request(
    state: &AppState,
    target: &AccountRow,
    follower: &AccountRow,
    answer: Answer,
) -> anyhow::Result<bool> {
    let mut transaction = state.db.begin().await?;
    let Some(request) = follows::find_pair(&mut *transaction, follower.id, target.id)
        .await?
        .filter(|f| !f.accepted)
    else {
        return Ok(false);
    };
    match answer {
        Answer::Accept => {
            notifications::retract(
                &mut transaction,
                target.id,
                follower.id,
                Kind::FollowRequest,
                None,
            )
            .await?;
            notifications::notify(&mut transaction, target.id, follower.id, Kind::Follow, None)
                .await?;
            follows::accept(&mut transaction, request.id).await?
        }
        Answer::Reject => follows::delete(&mut transaction, request.id).await?,
    };
    if !follower.is_local() {
        send_answer(state, &mut transaction, target, follower, &request, answer).await?;
    }
    transaction.commit().await?;
    Ok(true)
}

/// Sends `Accept(Follow)` or `Reject(Follow)` for `request` from the local `target`.
async fn send_answer(
    state: &AppState,
    conn: &mut PgConnection,
    target: &AccountRow,
    follower: &AccountRow,
    request: &FollowRow,
    answer: Answer,
) -> anyhow::Result<()> {
    let actor = urls::actor(&state.config, &target.username);
    let follower_id = urls::account_ap_id(&state.config, follower);
    let kind = match answer {
        Answer::Accept => "Accept",
        Answer::Reject => "Reject",
    };
    let activity = outbound::activity(
        kind,
        &urls::new_activity(&state.config),
        &actor,
        outbound::follow_object(&request.ap_id, &follower_id, &actor),
        &[&follower_id],
    );
    deliver_to(conn, &activity, target, follower).await?;
    Ok(())
}

/// Queues `activity`, signed by the local `signer`, to the remote `recipient`'s inbox
/// (shared inbox preferred) in the caller's transaction.
pub(crate) async fn deliver_to(
    conn: &mut PgConnection,
    activity: &Value,
    signer: &AccountRow,
    recipient: &AccountRow,
) -> anyhow::Result<()> {
    let inbox = outbound::delivery_inbox(recipient)
        .ok_or_else(|| anyhow::anyhow!("remote account {} has no inbox", recipient.id))?;
    outbound::deliver(conn, activity, signer, &[inbox]).await?;
    Ok(())
}

/// An inbound `Follow` of the local `target` by the remote `follower` (activity id
/// `follow_id`): a request if `target` is locked, otherwise accepted at once with an
/// `Accept`. A repeated Follow of an accepted follow is accepted again (the remote may
/// have lost our earlier Accept). A Follow between accounts with a block between them
/// is answered with `Reject` and not stored.
pub async fn receive_follow(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
    follow_id: &str,
) -> anyhow::Result<()> {
    let mut transaction = state.db.begin().await?;
    if hiding::blocked_between(&mut *transaction, follower.id, target.id).await? {
        // Refused at once, as Mastodon does: nothing is stored.
        let refused = FollowRow {
            id: 0,
            account_id: follower.id,
            target_account_id: target.id,
            accepted: false,
            show_reblogs: false,
            notify: false,
            ap_id: follow_id.to_owned(),
            created_at: chrono::Utc::now(),
        };
        send_answer(
            state,
            &mut transaction,
            target,
            follower,
            &refused,
            Answer::Reject,
        )
        .await?;
        transaction.commit().await?;
        return Ok(());
    }
    let existing = follows::find_pair(&mut *transaction, follower.id, target.id).await?;
    let accepted = existing.as_ref().is_some_and(|f| f.accepted) || !target.locked;
    let new = NewFollow {
        account_id: follower.id,
        target_account_id: target.id,
        accepted,
        show_reblogs: true,
        notify: false,
        ap_id: follow_id,
    };
    let mut row = follows::upsert(&mut transaction, &new).await?;
    if existing.is_none() {
        notify_follow(&mut transaction, &row).await?;
    }
    if accepted {
        // Answer with the id the remote used this time.
        row.ap_id = follow_id.to_owned();
        send_answer(
            state,
            &mut transaction,
            target,
            follower,
            &row,
            Answer::Accept,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// The remote `followed` accepted the follow `follow` of one of our accounts.
pub async fn receive_accept(
    state: &AppState,
    followed: &AccountRow,
    follow: &FollowRow,
) -> anyhow::Result<()> {
    if follow.target_account_id != followed.id {
        anyhow::bail!("Accept of a follow of another account");
    }
    let mut transaction = state.db.begin().await?;
    follows::accept(&mut transaction, follow.id).await?;
    transaction.commit().await?;
    Ok(())
}

/// Deletes a follow on an inbound `Reject(Follow)` (from the followed side) or
/// `Undo(Follow)` (from the follower side); the caller checked which side sent it.
pub async fn receive_removal(state: &AppState, follow: &FollowRow) -> anyhow::Result<()> {
    let mut transaction = state.db.begin().await?;
    follows::delete(&mut transaction, follow.id).await?;
    transaction.commit().await?;
    Ok(())
}
