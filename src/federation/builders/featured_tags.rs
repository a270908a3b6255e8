//! Outbound featured hashtags: the `Add` (featured) or `Remove` (no longer featured) of
//! a local actor's hashtag, sent to its followers, and the `Hashtag` items of its
//! `featuredTags` collection.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#featuredTags>.

use url::Url;

use crate::config::Config;
use crate::domain::HttpUrl;
use crate::federation::protocol::featured_tags::{hashtag, ChangeKind, FeaturedTagChange};
use crate::federation::protocol::Tag;

/// The `Hashtag` of the hashtag `name`, linking to its page on this server; `None`
/// only if the page's URL cannot be built (a configuration error).
pub fn featured_hashtag(config: &Config, name: &str) -> Option<Tag> {
    let href = HttpUrl::parse(&crate::urls::tag(config, name)).ok()?;
    Some(hashtag(name, href))
}

/// The `Add` (`featured`) or `Remove` of `tag` to or from the `featuredTags`
/// collection `target` of `actor`, with the id `activity_id`.
pub fn featured_tag_change(
    activity_id: Url,
    actor: Url,
    target: Url,
    tag: Tag,
    featured: bool,
) -> FeaturedTagChange {
    let kind = match featured {
        true => ChangeKind::Add,
        false => ChangeKind::Remove,
    };
    FeaturedTagChange::new(activity_id, kind, actor, tag, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_featured_hashtag_is_added_to_the_actors_tags_collection() {
        let url = |text: &str| Url::parse(text).expect("a valid URL");
        let href = HttpUrl::parse("https://roost.example/tags/rust").expect("a valid URL");
        let change = featured_tag_change(
            url("https://roost.example/activities/1"),
            url("https://roost.example/users/alice"),
            url("https://roost.example/users/alice/collections/tags"),
            hashtag("rust", href),
            true,
        );
        let json = serde_json::to_value(change).expect("serializes");
        assert_eq!(json["type"], "Add");
        assert_eq!(json["object"]["type"], "Hashtag");
        assert_eq!(json["object"]["name"], "#rust");
        assert_eq!(json["object"]["href"], "https://roost.example/tags/rust");
        assert_eq!(
            json["target"],
            "https://roost.example/users/alice/collections/tags"
        );
        let removed = featured_tag_change(
            url("https://roost.example/activities/2"),
            url("https://roost.example/users/alice"),
            url("https://roost.example/users/alice/collections/tags"),
            hashtag(
                "rust",
                HttpUrl::parse("https://roost.example/tags/rust").expect("url"),
            ),
            false,
        );
        assert_eq!(
            serde_json::to_value(removed).expect("serializes")["type"],
            "Remove"
        );
    }
}
