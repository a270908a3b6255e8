//! Reply controls between servers (GoToSocial's interaction controls): a remote reply
//! to a local post is answered by the post's policy.
//!
//! - A `ReplyRequest` ([`receive_request`], the polite form): allowed → the reply (the
//!   embedded Note, or fetched by URI) is stored and an `Accept` of the request is sent
//!   with a `ReplyAuthorization` stamp as `result`; not allowed → a `Reject`, nothing
//!   stored.
//! - A plain `Create` of a reply (GoToSocial's "impolite" request): not allowed → a
//!   `Reject` of the reply ([`refuse_reply`], nothing stored); allowed → stored, and
//!   answered with an `Accept` and a stamp ([`answer_create`]) only when the post is not
//!   open to everyone: that is when GoToSocial waits for one (followers, mentioned),
//!   while an `Accept` for every reply to an open post would only multiply traffic.
//! - The stamp ([`stamp`]) is served at `https://DOMAIN/users/NAME/reply_authorizations/ID`
//!   (ID: the reply's id here) while the reply stands.
//! - The other way, a remote author's server answers a local reply: an `Accept` with a
//!   stamp ([`receive_accept`]) is kept once it verifies and named in the reply's Note
//!   as `replyAuthorization` (an `Update` tells the audience); a `Reject`
//!   ([`receive_reject`]) hides the reply from the thread here too.
//!
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_controls/>.

use url::Url;

use super::{may_reply, policy_of};
use crate::db::accounts::{self, AccountRow};
use crate::db::reply_controls;
use crate::db::statuses::{self, StatusRow};
use crate::domain::replies::ReplyPolicy;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::replies::{self as build, Answered};
use crate::federation::outbound;
use crate::federation::protocol::interaction_policy::{
    InteractionAuthorization, InteractionRequest,
};
use crate::federation::protocol::note::Note;
use crate::federation::stamps::{self, Claim};
use crate::services::statuses::{fetch_known_or_remote, receive_note, status_by_uri};
use crate::state::AppState;
use crate::urls;

/// Applies an `Accept` from `actor` of `object`, if that is a local reply to a post of
/// theirs: the stamp (`result`), once it verifies, is kept, shows in the reply's Note as
/// `replyAuthorization`, and an `Update` of the Note tells its audience; the reply shows
/// in the thread again if a `Reject` had hidden it. Returns whether `object` was such a
/// reply. Errors: `Unprocessable` for a stamp that does not verify.
pub async fn receive_accept(
    state: &AppState,
    actor: &AccountRow,
    object: &str,
    result: Option<&str>,
) -> ApiResult<bool> {
    let Some((reply, parent)) = local_reply_to(state, actor, object).await? else {
        return Ok(false);
    };
    let Some(stamp) = result.and_then(|result| Url::parse(result).ok()) else {
        // Approved without a stamp to show: nothing to keep.
        return Ok(true);
    };
    let (Some(author), Some(target)) = (
        actor.ap_id.as_deref().and_then(|a| Url::parse(a).ok()),
        parent.ap_id.as_deref().and_then(|p| Url::parse(p).ok()),
    ) else {
        return Ok(true);
    };
    let reply_uri = Url::parse(object).map_err(anyhow::Error::from)?;
    let claim = Claim {
        kind: "ReplyAuthorization",
        author: &author,
        interacting: &reply_uri,
        target: &target,
    };
    if !stamps::verifies(state, &stamp, claim).await {
        return Err(ApiError::Unprocessable("the stamp does not verify".into()));
    }
    reply_controls::set_received_stamp(&state.db, reply.id, stamp.as_str()).await?;
    reply_controls::set_hidden(&state.db, reply.id, false).await?;
    crate::services::statuses::send_policy_update(state, &reply).await?;
    Ok(true)
}

/// Applies a `Reject` from `actor` of `object`, if that is a local reply to a post of
/// theirs: the reply leaves the thread here too (it stays on its author's profile, as
/// a reply its parent's author hid). Returns whether `object` was such a reply.
pub async fn receive_reject(state: &AppState, actor: &AccountRow, object: &str) -> ApiResult<bool> {
    let Some((reply, _)) = local_reply_to(state, actor, object).await? else {
        return Ok(false);
    };
    reply_controls::set_hidden(&state.db, reply.id, true).await?;
    Ok(true)
}

/// The local reply `uri` names and the post it answers, when that post is `actor`'s.
async fn local_reply_to(
    state: &AppState,
    actor: &AccountRow,
    uri: &str,
) -> ApiResult<Option<(StatusRow, StatusRow)>> {
    let Some(id) = urls::local_status_id(&state.config, uri) else {
        return Ok(None);
    };
    let Some(reply) = (statuses::find_many(&state.db, &[id]).await?.pop())
        .filter(|reply| reply.local && reply.deleted_at.is_none())
    else {
        return Ok(None);
    };
    let Some(parent) = reply.in_reply_to_id else {
        return Ok(None);
    };
    let parent = statuses::find_many(&state.db, &[parent]).await?.pop();
    Ok(parent
        .filter(|parent| parent.account_id == actor.id)
        .map(|parent| (reply, parent)))
}

/// Answers a `ReplyRequest` from `actor` for a local post: its `instrument` is the reply
/// (`note` when embedded, checked by the caller to be the actor's; else fetched by URI).
/// Errors: `NotFound` (no such local post, or the reply cannot be had or does not
/// answer it).
pub async fn receive_request(
    state: &AppState,
    actor: &AccountRow,
    request: &InteractionRequest,
    note: Option<&Note>,
) -> ApiResult<()> {
    let parent = status_by_uri(state, request.object.as_str())
        .await?
        .filter(|s| s.local && s.reblog_of_id.is_none())
        .ok_or(ApiError::NotFound)?;
    let author = author_of(state, &parent).await?;
    if !may_reply(state, actor.id, &parent).await? {
        return send_reject(state, &author, actor, Answered::Request(request)).await;
    }
    let instrument = request.instrument.as_ref().ok_or(ApiError::NotFound)?;
    if let Some(note) = note {
        receive_note(state, actor, note).await?;
    }
    let reply = fetch_known_or_remote(state, instrument.id())
        .await?
        .filter(|r| r.account_id == actor.id && r.in_reply_to_id == Some(parent.id))
        .ok_or(ApiError::NotFound)?;
    approve(state, &author, actor, &reply, &parent, Some(request)).await
}

/// Answers the `Create` of `note` by `replier`, once stored, when it replies to a local
/// post whose policy is not open to everyone and no stamp was issued for it yet: an
/// `Accept` with a stamp. Nothing for other posts.
pub async fn answer_create(state: &AppState, replier: &AccountRow, note: &Note) -> ApiResult<()> {
    let Some(reply) = statuses::find_by_ap_id(&state.db, note.id.as_str()).await? else {
        return Ok(());
    };
    let Some(parent) = parent_of(state, &reply).await? else {
        return Ok(());
    };
    if !parent.local
        || parent.account_id == reply.account_id
        || policy_of(&state.db, parent.id).await? == ReplyPolicy::Everyone
        || (reply_controls::find_authorization(&state.db, reply.id).await?).is_some()
    {
        return Ok(());
    }
    let author = author_of(state, &parent).await?;
    approve(state, &author, replier, &reply, &parent, None).await
}

/// Queues the `Reject` of reply `reply` (a URI) by `replier` to local post `parent`,
/// which its policy does not allow.
pub async fn refuse_reply(
    state: &AppState,
    replier: &AccountRow,
    parent: &StatusRow,
    reply: &Url,
) -> ApiResult<()> {
    let author = author_of(state, parent).await?;
    let parent = parse(&urls::status(&state.config, &author.username, parent.id))?;
    let answered = Answered::Reply {
        reply,
        parent: &parent,
    };
    send_reject(state, &author, replier, answered).await
}

/// The stamp local account `username` issued for reply `reply_id` to one of their
/// posts, while the reply stands (`GET /users/:name/reply_authorizations/:id`).
/// Errors: `NotFound`.
pub async fn stamp(
    state: &AppState,
    username: &str,
    reply_id: i64,
) -> ApiResult<InteractionAuthorization> {
    let issued = reply_controls::find_authorization(&state.db, reply_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let found = statuses::find_many(&state.db, &[issued.status_id, issued.parent_id]).await?;
    let live = |id: i64| {
        (found.iter())
            .find(|s| s.id == id && s.deleted_at.is_none())
            .ok_or(ApiError::NotFound)
    };
    let (reply, parent) = (live(issued.status_id)?, live(issued.parent_id)?);
    let author = author_of(state, parent).await?;
    if author.username != username || !parent.local {
        return Err(ApiError::NotFound);
    }
    let reply_uri = reply.ap_id.as_deref().ok_or(ApiError::NotFound)?;
    Ok(build::authorization(
        &state.config,
        parse(&urls::reply_authorization(
            &state.config,
            username,
            reply.id,
        ))?,
        &author,
        parse(reply_uri)?,
        parse(&urls::status(&state.config, username, parent.id))?,
    ))
}

/// Records the stamp approving `reply` by `replier` to `parent` (by local `author`)
/// and queues the `Accept` carrying it: of `request` when the reply came as one, else
/// of the reply itself.
async fn approve(
    state: &AppState,
    author: &AccountRow,
    replier: &AccountRow,
    reply: &StatusRow,
    parent: &StatusRow,
    request: Option<&InteractionRequest>,
) -> ApiResult<()> {
    let config = &state.config;
    let stamp = parse(&urls::reply_authorization(
        config,
        &author.username,
        reply.id,
    ))?;
    let reply_uri = parse(reply.ap_id.as_deref().ok_or(ApiError::NotFound)?)?;
    let parent_uri = parse(&urls::status(config, &author.username, parent.id))?;
    let answered = match request {
        Some(request) => Answered::Request(request),
        None => Answered::Reply {
            reply: &reply_uri,
            parent: &parent_uri,
        },
    };
    let to = parse(replier.ap_id.as_deref().ok_or(ApiError::NotFound)?)?;
    let id = parse(&urls::new_activity(config))?;
    let accept = build::accept(config, id, author, &to, answered, &stamp);
    let mut transaction = state.db.begin().await?;
    let request_uri = request.map(|r| r.id.as_str());
    reply_controls::insert_authorization(&mut *transaction, reply.id, parent.id, request_uri)
        .await?;
    outbound::deliver_to(&mut transaction, &accept, author, replier).await?;
    transaction.commit().await?;
    Ok(())
}

/// Queues the `Reject` by local `author` of `answered` to `replier`.
async fn send_reject(
    state: &AppState,
    author: &AccountRow,
    replier: &AccountRow,
    answered: Answered<'_>,
) -> ApiResult<()> {
    let to = parse(replier.ap_id.as_deref().ok_or(ApiError::NotFound)?)?;
    let id = parse(&urls::new_activity(&state.config))?;
    let reject = build::reject(&state.config, id, author, &to, answered);
    let mut transaction = state.db.begin().await?;
    outbound::deliver_to(&mut transaction, &reject, author, replier).await?;
    transaction.commit().await?;
    Ok(())
}

/// The status `reply` answers, if it is still here.
async fn parent_of(state: &AppState, reply: &StatusRow) -> sqlx::Result<Option<StatusRow>> {
    let Some(parent_id) = reply.in_reply_to_id else {
        return Ok(None);
    };
    Ok(statuses::find_many(&state.db, &[parent_id])
        .await?
        .pop()
        .filter(|p| p.deleted_at.is_none()))
}

/// The author of `status`.
async fn author_of(state: &AppState, status: &StatusRow) -> ApiResult<AccountRow> {
    accounts::find_by_id(&state.db, status.account_id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn parse(text: &str) -> ApiResult<Url> {
    Url::parse(text).map_err(|error| ApiError::Internal(error.into()))
}
