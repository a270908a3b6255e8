//! Outbound profile changes: the `Update` of a local actor sent to its followers when
//! its profile changes, and the `icon`/`image` of a local actor's document.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#profile> (Mastodon sends the
//! whole actor document as the object of an `Update`, addressed to the public).

use url::Url;

use crate::config::Config;
use crate::domain::HttpUrl;
use crate::federation::protocol::actor_update::ActorUpdate;
use crate::federation::protocol::{Actor, Image};

/// The `Update` (id `activity_id`) carrying `actor`, the local actor's document as the
/// profile change left it.
pub fn actor_update(activity_id: Url, actor: Actor) -> ActorUpdate {
    ActorUpdate::public(activity_id, actor)
}

/// The `icon`/`image` of a local actor for an uploaded profile image (by its key),
/// with the media type its file name says.
pub fn profile_image(config: &Config, key: Option<&str>) -> Option<Image> {
    let key = key?;
    let url = HttpUrl::parse(&crate::urls::media_file(config, key)).ok()?;
    let media_type = key
        .rsplit_once('.')
        .and_then(|(_, extension)| crate::media::Format::from_extension(extension))
        .map(|format| format.content_type().to_owned());
    Some(Image::new(url, media_type))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::federation::protocol::{ActorKind, LocalActorUrls, PUBLIC};

    #[test]
    fn a_profile_update_carries_the_actor_document_without_its_context_to_the_public() {
        let base = Url::parse("https://roost.example/").expect("a valid base URL");
        let urls = LocalActorUrls::new(&base, "alice").expect("URLs under a valid base");
        let mut actor = Actor::local(&urls, ActorKind::Person, "PEM".to_owned());
        actor.name = Some("Alice".to_owned());
        let id = Url::parse("https://roost.example/activities/1").expect("a valid id");
        let activity = serde_json::to_value(actor_update(id, actor)).expect("serializes");
        assert_eq!(
            activity["@context"],
            json!("https://www.w3.org/ns/activitystreams")
        );
        assert_eq!(activity["type"], "Update");
        assert_eq!(activity["id"], "https://roost.example/activities/1");
        assert_eq!(activity["actor"], "https://roost.example/users/alice");
        assert_eq!(activity["to"], json!([PUBLIC]));
        assert_eq!(
            activity["object"]["id"],
            "https://roost.example/users/alice"
        );
        assert_eq!(activity["object"]["name"], "Alice");
        assert!(activity["object"].get("@context").is_none());
    }
}
