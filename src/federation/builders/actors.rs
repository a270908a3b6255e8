//! The outbound `Delete` of a local actor, sent when the account is suspended so the
//! servers that knew it drop it. Pure: the actor's URL in, a [`Delete`] out;
//! `services::moderation` queues it.
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Delete>.

use url::Url;

use crate::federation::protocol::moderation::plain_context;
use crate::federation::protocol::note::{Delete, DeleteType};
use crate::federation::protocol::{public_url, ObjectRef};

/// The `Delete` of the local actor `actor` by itself (the actor as a bare URI), with
/// the id `<actor>#delete` (Mastodon's), addressed to the public.
pub fn delete(actor: Url) -> Delete {
    let mut id = actor.clone();
    id.set_fragment(Some("delete"));
    Delete {
        context: Some(plain_context().into()),
        id: Some(id),
        kind: DeleteType::Delete,
        object: ObjectRef::Uri(actor.clone()),
        actor,
        to: vec![public_url()],
        cc: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_actor_deletes_itself_in_public() {
        let actor = Url::parse("https://roost.example/users/alice").expect("valid");
        let sent = serde_json::to_value(delete(actor)).expect("serializes");
        assert_eq!(
            sent,
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": "https://roost.example/users/alice#delete",
                "type": "Delete",
                "actor": "https://roost.example/users/alice",
                "object": "https://roost.example/users/alice",
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            })
        );
    }
}
