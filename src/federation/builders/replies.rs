//! The reply-control part of a local status's Note: `interactionPolicy.canReply`, who
//! may reply to it without asking (GoToSocial's vocabulary, which Mastodon 4.5 reads too).
//! Pure: no database, no AppState.
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_policy/>.

use url::Url;

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::domain::replies::ReplyPolicy;
use crate::federation::protocol::interaction_policy::{InteractionPolicy, Rule};
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
