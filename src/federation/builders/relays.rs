//! Builders of the activities that subscribe the instance actor to a relay and end the
//! subscription: a `Follow` whose object is `as:Public` (a Mastodon-style relay, which
//! reads it as "send me everything public") or the relay's actor (a LitePub relay,
//! followed like any actor), and its `Undo`. Pure: the relays service passes the ids.
//!
//! Spec: <https://docs.joinmastodon.org/admin/relays/>,
//! <https://git.pleroma.social/pleroma/relay> (LitePub relays).

use url::Url;

use crate::federation::protocol::activity::{Follow, Undo};
use crate::federation::protocol::PUBLIC;

/// What a relay subscription follows.
#[derive(Clone, Debug)]
pub enum Followed {
    /// A Mastodon-style relay: the public collection.
    Public,
    /// A LitePub relay: its actor.
    Actor(Url),
}

impl Followed {
    fn url(&self) -> Url {
        match self {
            Followed::Public => Url::parse(PUBLIC).expect("the public collection is a URL"),
            Followed::Actor(actor) => actor.clone(),
        }
    }
}

/// The `Follow` (id `id`) of `followed` by the instance actor `instance_actor`.
pub fn follow(id: Url, instance_actor: &Url, followed: &Followed) -> Follow {
    Follow::new(id, instance_actor.clone(), followed.url())
}

/// The `Undo` (id `id`) of the earlier `Follow` `follow_id` of `followed`.
pub fn undo(id: Url, follow_id: Url, instance_actor: &Url, followed: &Followed) -> Undo {
    Undo::new(
        id,
        instance_actor.clone(),
        follow(follow_id, instance_actor, followed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    #[test]
    fn a_mastodon_style_subscription_follows_the_public_collection() {
        let actor = url("https://roost.example/actor");
        let follow = follow(
            url("https://roost.example/activities/1"),
            &actor,
            &Followed::Public,
        );
        let json = serde_json::to_value(&follow).expect("serialises");
        assert_eq!(json["type"], "Follow");
        assert_eq!(json["actor"], "https://roost.example/actor");
        assert_eq!(json["object"], PUBLIC);
    }

    #[test]
    fn a_litepub_subscription_follows_the_relay_actor_and_its_undo_embeds_it() {
        let actor = url("https://roost.example/actor");
        let relay = url("https://relay.example/actor");
        let undo = undo(
            url("https://roost.example/activities/2"),
            url("https://roost.example/activities/1"),
            &actor,
            &Followed::Actor(relay),
        );
        let json = serde_json::to_value(&undo).expect("serialises");
        assert_eq!(json["type"], "Undo");
        assert_eq!(json["object"]["id"], "https://roost.example/activities/1");
        assert_eq!(json["object"]["object"], "https://relay.example/actor");
        assert_eq!(json["to"][0], "https://relay.example/actor");
    }
}
