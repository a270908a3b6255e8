//! Actor documents from Mastodon, GoToSocial, Pleroma, Misskey and Lemmy, quirks, and
//! Roost's own actor.

use serde_json::json;

use super::{base, fixture, http, keys, parse, url};
use crate::federation::protocol::{
    context, Actor, ActorKind, Image, LocalActorUrls, PropertyValue, Tag,
};

fn assert_has_pem(actor: &Actor) {
    assert!(actor
        .public_key
        .public_key_pem
        .starts_with("-----BEGIN PUBLIC KEY-----"));
}

#[test]
fn a_mastodon_person_gives_inbox_shared_inbox_key_and_profile() {
    let actor: Actor = parse("mastodon person", fixture!("mastodon/person.json"));
    assert_eq!(
        actor.id,
        url("https://mastodon.social/users/fediversereport")
    );
    assert_eq!(actor.kind, ActorKind::Person);
    assert_eq!(actor.preferred_username.as_deref(), Some("fediversereport"));
    assert_eq!(
        actor.inbox,
        url("https://mastodon.social/users/fediversereport/inbox")
    );
    assert_eq!(
        actor.shared_inbox(),
        Some(&url("https://mastodon.social/inbox"))
    );
    assert_eq!(actor.public_key.owner, actor.id);
    assert_eq!(actor.public_key.id.fragment(), Some("main-key"));
    assert_has_pem(&actor);
    assert!(!actor.manually_approves_followers);
    assert_eq!(
        (actor.discoverable, actor.indexable),
        (Some(true), Some(true))
    );
    assert_eq!(
        actor.profile_url(),
        Some(&http("https://mastodon.social/@fediversereport"))
    );
    assert_eq!(actor.attachment.len(), 4);
    assert_eq!(actor.attachment[3].name, "Email");
    assert!(actor.icon.is_some() && actor.published.is_some());
}

#[test]
fn a_gotosocial_person_has_a_slash_main_key_id() {
    let actor: Actor = parse("gotosocial person", fixture!("gotosocial/person.json"));
    assert_eq!(actor.preferred_username.as_deref(), Some("the_mighty_zork"));
    assert_eq!(
        actor.public_key.id,
        url("http://localhost:8080/users/the_mighty_zork/main-key")
    );
    assert_eq!(actor.public_key.owner, actor.id);
    assert_has_pem(&actor);
    assert_eq!(
        actor.shared_inbox(),
        Some(&url("http://localhost:8080/sharedInbox"))
    );
    assert_eq!(
        actor.icon.as_ref().and_then(|icon| icon.name.as_deref()),
        Some("a green goblin looking nasty")
    );
}

#[test]
fn a_pleroma_person_with_extra_endpoints_and_emoji_parses() {
    let actor: Actor = parse("pleroma person", fixture!("pleroma/person.json"));
    assert_eq!(actor.preferred_username.as_deref(), Some("lanodan"));
    assert_eq!(
        actor.shared_inbox(),
        Some(&url("https://queer.hacktivis.me/inbox"))
    );
    assert_eq!(actor.public_key.owner, actor.id);
    assert_has_pem(&actor);
    assert!(!actor.manually_approves_followers);
    assert_eq!(actor.tag.len(), 3);
    assert!(actor
        .tag
        .iter()
        .all(|tag| tag.kind == "Emoji" && tag.icon.is_some()));
}

#[test]
fn a_misskey_cat_with_misskey_extensions_parses() {
    let actor: Actor = parse("misskey person", fixture!("misskey/person.json"));
    assert_eq!(actor.id, url("https://misskey.io/users/7rkrarq81i"));
    assert_eq!(actor.preferred_username.as_deref(), Some("syuilo"));
    assert_eq!(
        actor.inbox,
        url("https://misskey.io/users/7rkrarq81i/inbox")
    );
    assert_eq!(actor.shared_inbox(), Some(&url("https://misskey.io/inbox")));
    assert_eq!(
        actor.top_level_shared_inbox,
        Some(url("https://misskey.io/inbox"))
    );
    assert_eq!(actor.public_key.owner, actor.id);
    assert_has_pem(&actor);
    assert!(!actor.manually_approves_followers);
    // Emoji and Hashtag tags both parse; the Hashtags carry href, the Emoji id and icon.
    assert_eq!(actor.tag.len(), 5);
    assert_eq!(actor.attachment.len(), 1);
}

#[test]
fn a_lemmy_person_without_followers_collections_parses() {
    let actor: Actor = parse("lemmy person", fixture!("lemmy/person.json"));
    assert_eq!(actor.preferred_username.as_deref(), Some("picard"));
    assert_eq!(
        actor.inbox,
        url("https://enterprise.lemmy.ml/u/picard/inbox")
    );
    assert_eq!(
        actor.shared_inbox(),
        Some(&url("https://enterprise.lemmy.ml/inbox"))
    );
    assert_eq!(actor.followers, None);
    assert!(!actor.manually_approves_followers);
    assert_has_pem(&actor);
    assert_eq!(actor.icon.map(|icon| icon.media_type), Some(None));
}

#[test]
fn a_lemmy_community_parses_as_a_group() {
    let actor: Actor = parse("lemmy group", fixture!("lemmy/group.json"));
    assert_eq!(actor.kind, ActorKind::Group);
    assert_eq!(actor.preferred_username.as_deref(), Some("tenforward"));
    assert_eq!(
        actor.followers,
        Some(url("https://enterprise.lemmy.ml/c/tenforward/followers"))
    );
    assert_eq!(
        actor.shared_inbox(),
        Some(&url("https://enterprise.lemmy.ml/inbox"))
    );
    assert_eq!(actor.public_key.owner, actor.id);
    // Lemmy's `CommunityPostTag` has no href; it still parses as a tag.
    assert_eq!(
        actor.tag.first().map(|tag: &Tag| tag.kind.as_str()),
        Some("CommunityPostTag")
    );
}

#[test]
fn null_arrays_and_unknown_shapes_in_optional_fields_do_not_fail_the_actor() {
    let json = json!({
        "id": "https://odd.example/actor",
        "type": ["Person"],
        "inbox": "https://odd.example/actor/inbox",
        "summary": null,
        "icon": null,
        "image": [
            {"type": "Image", "url": "not a url"},
            {"type": "Image", "url": "https://odd.example/h.png"}
        ],
        "url": [
            "not a url",
            {"type": "Link", "href": "https://odd.example/a.json", "mediaType": "application/json"},
            {"type": "Link", "href": "https://odd.example/@actor", "mediaType": "text/html"}
        ],
        "manuallyApprovesFollowers": null,
        "published": "yesterday",
        "attachment": {"type": "IdentityProof", "name": "x"},
        "tag": [{"type": "Emoji", "icon": "broken"}, {"type": "Hashtag", "name": "#ok"}],
        "publicKey": [{"id": "https://odd.example/actor#key", "owner": "https://odd.example/actor",
                       "publicKeyPem": "-----BEGIN PUBLIC KEY-----"}]
    })
    .to_string();
    let actor: Actor = parse("odd actor", &json);
    assert_eq!(actor.kind, ActorKind::Person);
    assert_eq!(actor.summary, None);
    assert_eq!(actor.icon, None);
    assert_eq!(
        actor.image.as_ref().map(|image| &image.url),
        Some(&http("https://odd.example/h.png"))
    );
    assert_eq!(
        actor.profile_url(),
        Some(&http("https://odd.example/@actor"))
    );
    assert!(!actor.manually_approves_followers);
    assert_eq!(actor.published, None);
    assert!(actor.attachment.is_empty());
    // A broken emoji icon is dropped; the tag itself stays.
    assert_eq!(actor.tag.len(), 2);
    assert_eq!(actor.tag[0].icon, None);
    assert_eq!(actor.public_key.id, url("https://odd.example/actor#key"));
}

#[test]
fn an_actor_without_inbox_or_public_key_is_rejected() {
    let mut json = json!({
        "id": "https://a.example/u", "type": "Person", "inbox": "https://a.example/u/inbox",
        "publicKey": {
            "id": "https://a.example/u#k", "owner": "https://a.example/u", "publicKeyPem": "p"
        }
    });
    assert!(serde_json::from_value::<Actor>(json.clone()).is_ok());
    let object = json.as_object_mut().expect("an object");
    let without_key = {
        let mut copy = object.clone();
        copy.remove("publicKey");
        copy
    };
    object.remove("inbox");
    assert!(serde_json::from_value::<Actor>(json).is_err());
    assert!(serde_json::from_value::<Actor>(without_key.into()).is_err());
}

#[test]
fn an_unknown_actor_type_is_kept_verbatim() {
    let json =
        fixture!("lemmy/person.json").replace(r#""type": "Person""#, r#""type": "Tombstone""#);
    let actor: Actor = parse("renamed lemmy person", &json);
    assert_eq!(actor.kind, ActorKind::Other("Tombstone".to_owned()));
    let value = serde_json::to_value(&actor).expect("serializes");
    assert_eq!(value["type"], "Tombstone");
}

fn roost_actor() -> Actor {
    let urls = LocalActorUrls::new(&base(), "alice").expect("a valid base");
    let mut actor = Actor::local(
        &urls,
        ActorKind::Person,
        "-----BEGIN PUBLIC KEY-----\n…".to_owned(),
    );
    actor.name = Some("Alice".to_owned());
    actor.summary = Some("<p>Hi</p>".to_owned());
    actor.manually_approves_followers = true;
    actor.discoverable = Some(true);
    actor.indexable = Some(false);
    actor.published = Some("2026-01-02T03:04:05Z".parse().expect("a valid date"));
    actor.icon = Some(Image::new(
        http("https://roost.example/a.png"),
        Some("image/png".to_owned()),
    ));
    actor.attachment = vec![PropertyValue::new(
        "Pronouns".to_owned(),
        "she/her".to_owned(),
    )];
    actor
}

#[test]
fn roosts_actor_serializes_as_camel_case_activity_streams_with_context() {
    let value = serde_json::to_value(roost_actor()).expect("serializes");
    assert_eq!(value["@context"], context());
    assert_eq!(
        keys(&value),
        [
            "@context",
            "id",
            "type",
            "preferredUsername",
            "name",
            "summary",
            "url",
            "inbox",
            "outbox",
            "followers",
            "following",
            "featured",
            "featuredTags",
            "endorsements",
            "endpoints",
            "publicKey",
            "manuallyApprovesFollowers",
            "discoverable",
            "indexable",
            "published",
            "icon",
            "attachment",
            "generator"
        ]
    );
    assert_eq!(
        value["generator"],
        json!({"type": "Application", "implements": [{
            "href": "https://datatracker.ietf.org/doc/html/rfc9421",
            "name": "RFC-9421: HTTP Message Signatures"
        }]})
    );
    assert_eq!(value["id"], "https://roost.example/users/alice");
    assert_eq!(value["type"], "Person");
    assert_eq!(value["url"], "https://roost.example/@alice");
    assert_eq!(value["inbox"], "https://roost.example/users/alice/inbox");
    assert_eq!(
        value["featured"],
        "https://roost.example/users/alice/collections/featured"
    );
    assert_eq!(
        value["endpoints"],
        json!({"sharedInbox": "https://roost.example/inbox"})
    );
    assert_eq!(
        value["publicKey"],
        json!({
            "id": "https://roost.example/users/alice#main-key",
            "owner": "https://roost.example/users/alice",
            "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n…"
        })
    );
    assert_eq!(value["published"], "2026-01-02T03:04:05Z");
    assert_eq!(
        value["icon"],
        json!({"type": "Image", "url": "https://roost.example/a.png", "mediaType": "image/png"})
    );
    assert_eq!(
        value["attachment"],
        json!([{"type": "PropertyValue", "name": "Pronouns", "value": "she/her"}])
    );
}

#[test]
fn roosts_actor_reads_back_unchanged() {
    let actor = roost_actor();
    let text = serde_json::to_string(&actor).expect("serializes");
    assert_eq!(parse::<Actor>("roost actor", &text), actor);
}

#[test]
fn local_actor_urls_keep_a_base_path_and_encode_the_username() {
    let urls =
        LocalActorUrls::new(&url("https://example.com/social?x=1"), "a b").expect("a valid base");
    assert_eq!(urls.id.as_str(), "https://example.com/social/users/a%20b");
    assert_eq!(
        urls.shared_inbox.as_str(),
        "https://example.com/social/inbox"
    );
    assert_eq!(urls.profile.as_str(), "https://example.com/social/@a%20b");
    assert!(LocalActorUrls::new(&url("mailto:someone@example.com"), "alice").is_err());
}

#[test]
fn service_and_application_actors_are_bots() {
    let urls = LocalActorUrls::new(&base(), "bot").expect("a valid base");
    assert!(Actor::local(&urls, ActorKind::Service, String::new()).is_bot());
    assert!(!Actor::local(&urls, ActorKind::Person, String::new()).is_bot());
}
