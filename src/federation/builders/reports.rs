//! The outbound `Flag`: a local report forwarded to the reported account's server.
//! Pure: the report's URLs in, a [`Flag`] out; `services::reports` queues it.
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Flag>.

use url::Url;

use crate::federation::protocol::moderation::{plain_context, FlagType};
use crate::federation::protocol::Flag;

/// The `Flag` with id `id`, sent by the instance actor `instance_actor`, reporting the
/// actor `reported` and the posts `statuses` (their ActivityPub ids) with `comment`.
/// Addressed to the reported actor only, as Mastodon sends it.
pub fn flag(id: Url, instance_actor: Url, reported: Url, statuses: &[Url], comment: &str) -> Flag {
    let mut object = vec![reported.clone()];
    object.extend(statuses.iter().cloned());
    Flag {
        context: plain_context(),
        id,
        kind: FlagType::Flag,
        actor: instance_actor,
        content: comment.to_owned(),
        object,
        to: vec![reported],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::federation::protocol::{Activity, ActivityKind};

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a valid test URL")
    }

    #[test]
    fn a_flag_names_the_reported_actor_first_then_its_posts() {
        let flag = flag(
            url("https://roost.example/activities/3"),
            url("https://roost.example/actor"),
            url("https://other.example/users/bob"),
            &[url("https://other.example/users/bob/statuses/9")],
            "spam",
        );
        let sent = serde_json::to_value(&flag).expect("serializes");
        assert_eq!(
            sent,
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": "https://roost.example/activities/3",
                "type": "Flag",
                "actor": "https://roost.example/actor",
                "content": "spam",
                "object": ["https://other.example/users/bob", "https://other.example/users/bob/statuses/9"],
                "to": ["https://other.example/users/bob"],
            })
        );
        let parsed: Activity = serde_json::from_value(sent).expect("parses back");
        assert_eq!(parsed.kind, ActivityKind::Flag);
        assert_eq!(parsed.content.as_deref(), Some("spam"));
        assert_eq!(parsed.object_ids(), flag.object);
    }
}
