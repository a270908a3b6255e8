//! Reply controls (issue 16, item 4): who may reply to a status (everyone, followers,
//! mentioned, nobody; its author always may), set when posting (`reply_policy`) and
//! changed later (`PUT /api/v1/statuses/:id/interaction_policy`), and enforced on local
//! replies. Posting calls [`policy_for_post`] and [`check`] before its transaction and
//! [`record`] inside it. Remote statuses carry the policy of their Note's
//! `interactionPolicy.canReply` ([`remote_policy`]). Answering remote replies
//! (`ReplyRequest`, `Accept`/`Reject`, `ReplyAuthorization` stamps) is [`federation`]'s.
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_policy/>.

mod federation;

pub use federation::{
    answer_create, receive_accept, receive_reject, receive_request, refuse_reply, stamp,
};

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::AccountRow;
use crate::db::statuses::StatusRow;
use crate::db::{follows, reply_controls};
use crate::domain::quotes::QuotePolicy;
use crate::domain::replies::ReplyPolicy;
use crate::error::{ApiError, ApiResult};
use crate::federation::protocol::interaction_policy::Rule;
use crate::federation::protocol::note::Note;
use crate::federation::protocol::public_url;
use crate::federation::stamps::{self, Claim};
use crate::state::AppState;

/// The policy named by `requested` (the `reply_policy` parameter), if any.
/// Errors: `Validation` for an unknown name.
pub fn parse(requested: Option<&str>) -> ApiResult<Option<ReplyPolicy>> {
    requested
        .filter(|name| !name.is_empty())
        .map(|name| {
            ReplyPolicy::parse(name).ok_or_else(|| {
                ApiError::validation(
                    "reply_policy",
                    "ERR_INCLUSION",
                    "Reply policy is not included in the list",
                )
            })
        })
        .transpose()
}

/// The policy a new local post gets: the one asked for, else the author's default
/// (`posting:default:reply_policy`, as stored: `stored_default`). Errors: `Validation` for an
/// unknown name.
pub fn policy_for_post(
    requested: Option<&str>,
    stored_default: Option<&str>,
) -> ApiResult<ReplyPolicy> {
    Ok(parse(requested)?.unwrap_or_else(|| default_from(stored_default)))
}

/// Local account `account_id`'s default reply policy: the one set with
/// `source[reply_policy]`, else everyone.
pub async fn default_policy(state: &AppState, account_id: i64) -> ApiResult<ReplyPolicy> {
    let stored = reply_controls::default_policy(&state.db, account_id).await?;
    Ok(default_from(stored.as_deref()))
}

/// The default reply policy a stored name gives (everyone when unset or unknown).
fn default_from(stored: Option<&str>) -> ReplyPolicy {
    stored.and_then(ReplyPolicy::parse).unwrap_or_default()
}

/// The default reply policy `source[reply_policy]` asks for, if any.
/// Errors: `Validation` for an unknown name.
pub fn default_policy_change(requested: Option<&str>) -> ApiResult<Option<ReplyPolicy>> {
    parse(requested).map_err(|_| {
        ApiError::validation(
            "source[reply_policy]",
            "ERR_INCLUSION",
            "Reply policy is not included in the list",
        )
    })
}

/// The policy of status `status_id`: its own, else everyone.
pub async fn policy_of(db: impl sqlx::PgExecutor<'_>, status_id: i64) -> sqlx::Result<ReplyPolicy> {
    let stored = reply_controls::policies(db, &[status_id]).await?;
    Ok((stored.first())
        .and_then(|(_, name)| ReplyPolicy::parse(name))
        .unwrap_or_default())
}

/// Whether account `replier` may reply to `parent` under its policy: its author always
/// may, the others as the policy says.
pub async fn may_reply(state: &AppState, replier: i64, parent: &StatusRow) -> sqlx::Result<bool> {
    if replier == parent.account_id {
        return Ok(true);
    }
    let policy = policy_of(&state.db, parent.id).await?;
    allowed_by(state, policy, replier, parent).await
}

/// Whether `policy` (of `parent`) lets `replier`, who is not its author, in.
async fn allowed_by(
    state: &AppState,
    policy: ReplyPolicy,
    replier: i64,
    parent: &StatusRow,
) -> sqlx::Result<bool> {
    if matches!(policy, ReplyPolicy::Everyone | ReplyPolicy::Nobody) {
        return Ok(policy.allows(false, false));
    }
    let mentioned = reply_controls::mentions(&state.db, parent.id, replier).await?;
    let follows = follows::find_pair(&state.db, replier, parent.account_id)
        .await?
        .is_some_and(|follow| follow.accepted);
    Ok(policy.allows(follows, mentioned))
}

/// How a local reply stands with the policy of the post it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    /// Not a reply, or one the policy lets in.
    Approved,
    /// A reply to a remote post whose author may approve it (`manualApproval`): sent,
    /// and out of the thread until their server approves it.
    Pending,
}

/// How a reply by local account `replier` to `parent` stands with its policy.
/// Errors: `Validation` (422, nothing written) when the policy neither lets the replier
/// in nor lets them ask.
pub async fn check(
    state: &AppState,
    replier: i64,
    parent: Option<&StatusRow>,
) -> ApiResult<Approval> {
    let Some(parent) = parent else {
        return Ok(Approval::Approved);
    };
    if may_reply(state, replier, parent).await? {
        return Ok(Approval::Approved);
    }
    let manual = match parent.local {
        true => None,
        false => reply_controls::manual_policy(&state.db, parent.id).await?,
    };
    let manual = manual.as_deref().and_then(ReplyPolicy::parse);
    if let Some(manual) = manual {
        if allowed_by(state, manual, replier, parent).await? {
            return Ok(Approval::Pending);
        }
    }
    Err(ApiError::validation(
        "in_reply_to_id",
        "ERR_REPLY_NOT_ALLOWED",
        "The author of this status does not allow you to reply to it",
    ))
}

/// Writes, in the posting transaction, who may quote and who may reply to the new
/// status `status_id` (one statement), and keeps it out of its parent's thread while
/// the parent's author has yet to approve it (`approval` pending).
pub async fn record(
    conn: &mut PgConnection,
    status_id: i64,
    quote_policy: QuotePolicy,
    reply_policy: ReplyPolicy,
    approval: Approval,
) -> sqlx::Result<()> {
    let (quote, reply) = (quote_policy.as_str(), reply_policy.as_str());
    reply_controls::set_new_post_policies(&mut *conn, status_id, quote, reply).await?;
    if approval == Approval::Pending {
        reply_controls::set_hidden(&mut *conn, status_id, true).await?;
    }
    Ok(())
}

/// Sets who may quote and who may reply to status `id` of `account_id` (`PUT
/// …/interaction_policy`; an absent policy stays) and sends its `Update`. Returns the
/// status. Errors: `NotFound` (not their own), `Validation` (nothing changed then).
pub async fn set_policies(
    state: &AppState,
    account_id: i64,
    id: i64,
    quote_policy: Option<&str>,
    reply_policy: Option<&str>,
) -> ApiResult<StatusRow> {
    let reply_policy = parse(reply_policy)?;
    let status = super::quotes::set_policy(state, account_id, id, quote_policy).await?;
    if let Some(policy) = reply_policy {
        reply_controls::set_policy(&state.db, status.id, policy.as_str()).await?;
    }
    super::statuses::send_policy_update(state, &status).await?;
    Ok(status)
}

/// The policy a remote Note's `canReply` rule says, for a post by `author` whose followers
/// collection is `followers` (if known): everyone when the public collection is approved
/// automatically, followers when that collection is, mentioned when other actors are,
/// nobody when only the author is.
pub fn remote_policy(rule: &Rule, author: Option<&Url>, followers: Option<&Url>) -> ReplyPolicy {
    policy_of_list(&rule.automatic_approval, author, followers)
}

/// Who may ask for approval under a remote Note's `canReply` rule: its `manualApproval`,
/// read as [`remote_policy`] reads `automaticApproval`.
pub fn remote_manual_policy(
    rule: &Rule,
    author: Option<&Url>,
    followers: Option<&Url>,
) -> ReplyPolicy {
    policy_of_list(&rule.manual_approval, author, followers)
}

fn policy_of_list(listed: &[Url], author: Option<&Url>, followers: Option<&Url>) -> ReplyPolicy {
    if listed.contains(&public_url()) {
        ReplyPolicy::Everyone
    } else if followers.is_some_and(|followers| listed.contains(followers)) {
        ReplyPolicy::Followers
    } else if listed.iter().any(|url| Some(url) != author) {
        ReplyPolicy::Mentioned
    } else {
        ReplyPolicy::Nobody
    }
}

/// Stores, in the caller's transaction, the reply policy remote status `row` states in
/// its `note` (`interactionPolicy.canReply`: who may reply, who may ask), for a post
/// whose author's followers collection is `followers`. A Note without `canReply` leaves
/// what is known (GoToSocial then lets everyone reply).
pub async fn store_remote(
    conn: &mut PgConnection,
    row: &StatusRow,
    note: &Note,
    followers: Option<&Url>,
) -> sqlx::Result<()> {
    let Some(rule) = (note.interaction_policy.as_ref()).and_then(|p| p.can_reply.as_ref()) else {
        return Ok(());
    };
    let policy = remote_policy(rule, note.author_id(), followers);
    let manual = remote_manual_policy(rule, note.author_id(), followers);
    reply_controls::set_remote_policy(conn, row.id, policy.as_str(), manual.as_str()).await
}

/// Hides (`hidden`) or shows again reply `id` in its thread, on behalf of `account_id`,
/// who must be the author of the status it answers. A hidden reply leaves `/context`
/// for everyone but its own author. Returns the reply. Errors: `NotFound` (a status the
/// caller may not see), `Forbidden` (not a reply to the caller).
pub async fn set_hidden(
    state: &AppState,
    account_id: i64,
    id: i64,
    hidden: bool,
) -> ApiResult<StatusRow> {
    let reply = super::statuses::visible(state, Some(account_id), id).await?;
    if reply.in_reply_to_account_id != Some(account_id) || reply.account_id == account_id {
        return Err(ApiError::Forbidden(
            "only the author of the status it replies to may hide a reply".into(),
        ));
    }
    reply_controls::set_hidden(&state.db, reply.id, hidden).await?;
    Ok(reply)
}

/// Whether a received reply `note` by remote `author` joins the thread of `parent`
/// (when it answers a post of another server; a local parent's rule is
/// [`check_remote`]'s). The parent's policy, as its `canReply` stated, lets in its
/// author, everyone under `everyone`, and the accounts it mentions; anyone else
/// (followers included: Roost does not see follows between two other servers) needs
/// the parent author's stamp, named by the reply's `replyAuthorization`, which must
/// dereference and match. A reply that does not join is stored hidden, as if the
/// parent's author had hidden it: it stays visible on its own, not in the thread.
pub async fn joins_thread(
    state: &AppState,
    author: &AccountRow,
    parent: Option<&StatusRow>,
    note: &Note,
) -> ApiResult<bool> {
    let Some(parent) = parent.filter(|parent| !parent.local) else {
        return Ok(true);
    };
    if may_reply(state, author.id, parent).await? {
        return Ok(true);
    }
    let Some(stamp) = note.reply_authorization.as_ref() else {
        return Ok(false);
    };
    let parent_author = crate::db::accounts::find_by_id(&state.db, parent.account_id).await?;
    let (Some(parent_author), Some(parent_uri)) = (
        parent_author
            .and_then(|a| a.ap_id)
            .and_then(|a| Url::parse(&a).ok()),
        parent.ap_id.as_deref().and_then(|p| Url::parse(p).ok()),
    ) else {
        return Ok(false);
    };
    let claim = Claim {
        kind: "ReplyAuthorization",
        author: &parent_author,
        interacting: &note.id,
        target: &parent_uri,
    };
    Ok(stamps::verifies(state, stamp.as_url(), claim).await)
}

/// Shows in its thread a hidden remote reply to a post of another server once an
/// `Update` of it brings a stamp that verifies (the replier's server adds it when the
/// parent's author approves). Nothing for a reply that was not hidden.
pub async fn receive_stamp(
    state: &AppState,
    author: &AccountRow,
    reply: &StatusRow,
    note: &Note,
) -> ApiResult<()> {
    if note.reply_authorization.is_none() || !reply_controls::is_hidden(&state.db, reply.id).await?
    {
        return Ok(());
    }
    let parent = match reply.in_reply_to_id {
        Some(parent) => crate::db::statuses::find_many(&state.db, &[parent])
            .await?
            .pop(),
        None => None,
    };
    if parent.as_ref().is_some_and(|p| !p.local)
        && joins_thread(state, author, parent.as_ref(), note).await?
    {
        reply_controls::set_hidden(&state.db, reply.id, false).await?;
    }
    Ok(())
}

/// Refuses a remote reply `reply` (its URI) by `author` to a local `parent` that its
/// policy does not allow: it is not stored, so it joins no thread, counts nowhere and
/// notifies nobody, and its author's server gets a `Reject`. Errors: `Unprocessable`.
pub async fn check_remote(
    state: &AppState,
    author: &AccountRow,
    parent: Option<&StatusRow>,
    reply: &Url,
) -> ApiResult<()> {
    let Some(parent) = parent.filter(|parent| parent.local) else {
        return Ok(());
    };
    if may_reply(state, author.id, parent).await? {
        return Ok(());
    }
    refuse_reply(state, author, parent, reply).await?;
    Err(ApiError::Unprocessable(
        "the author of the post replied to does not allow this reply".into(),
    ))
}
