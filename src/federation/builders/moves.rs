//! The `Move` Roost sends when a local account moves to another: the old actor as
//! `actor` and `object`, the new one as `target`, with an id under the old actor
//! (`<actor>#moves/<migration id>`, Mastodon's shape). Pure: ids in, a typed activity
//! out; `services::account_moves` queues it to the followers' inboxes.
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Move>.

use url::Url;

use crate::federation::protocol::moderation::plain_context;
use crate::federation::protocol::moves::{Move, MoveType};
use crate::federation::protocol::ObjectRef;

/// The `Move` of the local actor `actor` to `target`, recorded as migration
/// `migration_id`. Like Mastodon's, it names no audience: it is delivered to the
/// inboxes of the followers (and of the target).
pub fn move_to(actor: &Url, target: &Url, migration_id: i64) -> Move {
    let mut id = actor.clone();
    id.set_fragment(Some(&format!("moves/{migration_id}")));
    Move {
        context: Some(plain_context()),
        id,
        kind: MoveType::Move,
        actor: actor.clone(),
        object: ObjectRef::Uri(actor.clone()),
        target: ObjectRef::Uri(target.clone()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_move_names_the_old_actor_twice_and_the_new_one_as_target() {
        let actor = Url::parse("https://roost.example/users/alice").expect("valid");
        let target = Url::parse("https://other.example/users/alice2").expect("valid");
        let sent = serde_json::to_value(move_to(&actor, &target, 42)).expect("serializes");
        assert_eq!(
            sent,
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": "https://roost.example/users/alice#moves/42",
                "type": "Move",
                "actor": "https://roost.example/users/alice",
                "object": "https://roost.example/users/alice",
                "target": "https://other.example/users/alice2",
            })
        );
    }
}
