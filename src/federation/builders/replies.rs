//! The reply-control part of a local status's Note: `interactionPolicy.canReply`, who
//! may reply to it without asking (GoToSocial's vocabulary, which Mastodon 4.5 reads too);
//! and the answers to remote replies: the `ReplyAuthorization` stamp ([`authorization`])
//! and the `Accept` or `Reject` of a `ReplyRequest` or of a reply sent as a `Create`
//! ([`accept`], [`reject`]). Pure: no database, no AppState.
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_policy/>,
//! <https://docs.gotosocial.org/en/latest/federation/interaction_controls/>.

use serde_json::{json, Value};
use url::Url;

use super::answers::{self, Answer};
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::domain::replies::ReplyPolicy;
use crate::federation::protocol::interaction_policy::{
    reply_context, InteractionAuthorization, InteractionPolicy, InteractionRequest, Rule,
};
use crate::federation::protocol::note::Note;
use crate::federation::protocol::public_url;
use crate::urls;

/// Adds `interactionPolicy.canReply` for reply `policy` to the `note` of a local status
/// by `author` mentioning `mentioned`.
pub fn decorate(
    config: &Config,
    note: &mut Note,
    author: &AccountRow,
    policy: ReplyPolicy,
    mentioned: &[AccountRow],
) {
    let actor = urls::local_actor(config, &author.username);
    let mentioned: Vec<Url> = (mentioned.iter())
        .filter_map(|account| Url::parse(&urls::account_ap_id(config, account)).ok())
        .collect();
    let rule = rule(policy, &actor.id, &actor.followers, &mentioned);
    note.interaction_policy
        .get_or_insert_with(InteractionPolicy::default)
        .can_reply = Some(rule);
}

/// The `canReply` rule of `policy` for a post by `author` (followers collection
/// `followers`) mentioning `mentioned`: the public collection; the followers collection
/// and the mentioned actors; the mentioned actors; or the author alone. The author is
/// always approved, as GoToSocial expects.
pub fn rule(policy: ReplyPolicy, author: &Url, followers: &Url, mentioned: &[Url]) -> Rule {
    let mut automatic = match policy {
        ReplyPolicy::Everyone => vec![public_url()],
        ReplyPolicy::Followers => vec![followers.clone()],
        ReplyPolicy::Mentioned | ReplyPolicy::Nobody => Vec::new(),
    };
    if matches!(policy, ReplyPolicy::Followers | ReplyPolicy::Mentioned) {
        automatic.extend(mentioned.iter().cloned());
    }
    automatic.push(author.clone());
    automatic.dedup();
    Rule {
        automatic_approval: automatic,
        manual_approval: Vec::new(),
    }
}

/// A reply a local author answers.
#[derive(Clone, Copy, Debug)]
pub enum Answered<'a> {
    /// A `ReplyRequest` (GoToSocial's polite form).
    Request(&'a InteractionRequest),
    /// A reply sent as a plain `Create`: the reply's and its parent's URIs.
    Reply {
        /// The reply.
        reply: &'a Url,
        /// The local post it answers.
        parent: &'a Url,
    },
}

/// The stamp `stamp` by local `author` approving `reply` to their post `parent`.
pub fn authorization(
    config: &Config,
    stamp: Url,
    author: &AccountRow,
    reply: Url,
    parent: Url,
) -> InteractionAuthorization {
    InteractionAuthorization {
        context: Some(reply_context()),
        id: stamp,
        kind: "ReplyAuthorization".to_owned(),
        attributed_to: urls::local_actor(config, &author.username).id,
        interacting_object: reply,
        interaction_target: parent,
    }
}

/// The `Accept` (fresh `id`) by local `author` of `answered`, with `stamp` as `result`,
/// addressed to the replier `to`.
pub fn accept(
    config: &Config,
    id: Url,
    author: &AccountRow,
    to: &Url,
    answered: Answered<'_>,
    stamp: &Url,
) -> Value {
    answers::accept(Answer {
        result: Some(stamp),
        ..answer(config, id, author, to, answered)
    })
}

/// The `Reject` (fresh `id`) by local `author` of `answered`, addressed to the replier
/// `to`.
pub fn reject(
    config: &Config,
    id: Url,
    author: &AccountRow,
    to: &Url,
    answered: Answered<'_>,
) -> Value {
    answers::reject(answer(config, id, author, to, answered))
}

/// An answer's parts: a request is embedded; a plain reply is named, with its parent as
/// `target` (as GoToSocial answers replies that did not ask).
fn answer<'a>(
    config: &Config,
    id: Url,
    author: &AccountRow,
    to: &'a Url,
    answered: Answered<'a>,
) -> Answer<'a> {
    let (object, target) = match answered {
        Answered::Request(request) => (answers::embedded(request), None),
        Answered::Reply { reply, parent } => (json!(reply), Some(parent)),
    };
    Answer {
        context: reply_context(),
        id,
        actor: urls::local_actor(config, &author.username).id,
        to,
        object,
        target,
        result: None,
    }
}
