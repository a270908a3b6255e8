//! `interactionPolicy.canReply` as GoToSocial sends it (current and pre-0.21 names), read
//! as Roost's reply policies, and Roost's own `canReply` rules read back the same.

use super::{fixture, url};
use crate::domain::replies::ReplyPolicy;
use crate::federation::builders::replies::rule;
use crate::federation::protocol::interaction_policy::InteractionPolicy;
use crate::federation::protocol::note::{Create, Note};
use crate::services::reply_controls::{remote_manual_policy, remote_policy};

#[test]
fn a_gotosocial_note_open_to_the_public_lets_everyone_reply() {
    let create: Create =
        serde_json::from_str(fixture!("gotosocial/create_note_interaction_policy.json"))
            .expect("parses");
    let zork = url("http://localhost:8080/users/the_mighty_zork");
    let rule = (create.object.interaction_policy)
        .and_then(|policy| policy.can_reply)
        .expect("canReply");
    assert_eq!(
        remote_policy(&rule, Some(&zork), None),
        ReplyPolicy::Everyone
    );
}

#[test]
fn the_old_names_read_as_the_new_ones() {
    let note: Note =
        serde_json::from_str(fixture!("gotosocial/note_mention.json")).expect("parses");
    let admin = url("http://localhost:8080/users/admin");
    let rule = (note.interaction_policy)
        .and_then(|policy| policy.can_reply)
        .expect("canReply");
    assert_eq!(
        remote_policy(&rule, Some(&admin), None),
        ReplyPolicy::Everyone
    );
}

#[test]
fn named_actors_only_read_as_mentioned_and_manual_approval_lets_anyone_ask() {
    let policy: InteractionPolicy =
        serde_json::from_str(fixture!("gotosocial/interaction_policy_limited.json"))
            .expect("parses");
    let zork = url("https://example.org/users/the_mighty_zork");
    let followers = url("https://example.org/users/the_mighty_zork/followers");
    let rule = policy.can_reply.expect("canReply");
    assert_eq!(
        remote_policy(&rule, Some(&zork), Some(&followers)),
        ReplyPolicy::Mentioned
    );
    assert_eq!(
        remote_manual_policy(&rule, Some(&zork), Some(&followers)),
        ReplyPolicy::Everyone,
        "anyone may ask for approval"
    );
}

#[test]
fn roosts_rules_read_back_as_the_policy_they_state() {
    let author = url("https://roost.example/users/alice");
    let followers = url("https://roost.example/users/alice/followers");
    let mentioned = [url("https://other.example/users/bob")];
    for policy in [
        ReplyPolicy::Everyone,
        ReplyPolicy::Followers,
        ReplyPolicy::Mentioned,
        ReplyPolicy::Nobody,
    ] {
        let sent = rule(policy, &author, &followers, &mentioned);
        assert!(sent.automatic_approval.contains(&author), "{policy:?}");
        let read = remote_policy(&sent, Some(&author), Some(&followers));
        assert_eq!(read, policy);
    }
    let nobody_named = rule(ReplyPolicy::Mentioned, &author, &followers, &[]);
    assert_eq!(
        remote_policy(&nobody_named, Some(&author), Some(&followers)),
        ReplyPolicy::Nobody,
        "mentioning nobody, only the author may reply"
    );
}
