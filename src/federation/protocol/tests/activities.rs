//! Received activities from Mastodon, Misskey and Lemmy, unknown types and addressing
//! quirks, and Roost's outbound Follow/Accept/Reject/Undo.

use serde_json::json;

use super::{fixture, keys, parse, url};
use crate::federation::protocol::{
    context, public_url, Accept, Activity, ActivityKind, Follow, ObjectRef, Reject, Undo, PUBLIC,
};

#[test]
fn a_mastodon_follow_parses_as_envelope_and_as_follow() {
    let json = fixture!("mastodon/follow.json");
    let activity: Activity = parse("mastodon follow", json);
    assert_eq!(activity.kind, ActivityKind::Follow);
    assert_eq!(
        activity.id,
        url("http://mastodon.example.org/users/admin#follows/2")
    );
    assert_eq!(
        activity.actor_id(),
        &url("http://mastodon.example.org/users/admin")
    );
    assert_eq!(
        activity.object_id(),
        Some(url("http://localtesting.pleroma.lol/users/lain"))
    );
    assert_eq!(activity.object_kind(), None);
    let follow: Follow = parse("mastodon follow", json);
    assert_eq!(
        follow.object,
        url("http://localtesting.pleroma.lol/users/lain")
    );
    assert!(follow.to.is_empty());
}

#[test]
fn a_mastodon_accept_embeds_the_follow() {
    let json = fixture!("mastodon/accept_follow.json");
    let activity: Activity = parse("mastodon accept", json);
    assert_eq!(activity.kind, ActivityKind::Accept);
    assert_eq!(activity.object_kind(), Some("Follow"));
    let accept: Accept = parse("mastodon accept", json);
    assert_eq!(accept.actor, url("http://mastodon.example.org/users/admin"));
    assert_eq!(
        accept.object_id(),
        &url("http://localtesting.pleroma.lol/users/lain#follows/4")
    );
    let follow = accept.object.as_object().expect("the follow is embedded");
    assert_eq!(
        follow.actor,
        url("http://localtesting.pleroma.lol/users/lain")
    );
    assert_eq!(follow.object, accept.actor);
}

#[test]
fn a_mastodon_reject_embeds_the_follow() {
    let reject: Reject = parse("mastodon reject", fixture!("mastodon/reject_follow.json"));
    assert_eq!(
        reject.id,
        url("http://mastodon.example.org/users/admin#rejects/follows/4")
    );
    assert_eq!(
        reject.object_id(),
        &url("http://localtesting.pleroma.lol/users/lain#follows/4")
    );
}

#[test]
fn a_mastodon_unfollow_is_an_undo_with_the_follow_embedded() {
    let json = fixture!("mastodon/undo_follow.json");
    let activity: Activity = parse("mastodon undo", json);
    assert_eq!(activity.kind, ActivityKind::Undo);
    assert_eq!(activity.object_kind(), Some("Follow"));
    let undo: Undo = parse("mastodon undo", json);
    assert_eq!(
        undo.object_id(),
        &url("http://mastodon.example.org/users/admin#follows/2")
    );
    let follow = undo.object.as_object().expect("the follow is embedded");
    assert_eq!(follow.actor, undo.actor);
}

#[test]
fn an_undo_whose_object_is_a_bare_uri_parses() {
    let json = fixture!("mastodon/undo_like_uri.json");
    let activity: Activity = parse("undo with uri", json);
    assert_eq!(
        activity.object_id(),
        Some(url("http://mastodon.example.org/users/admin#likes/2"))
    );
    assert_eq!(activity.object_kind(), None);
    let undo: Undo = parse("undo with uri", json);
    assert_eq!(
        undo.object,
        ObjectRef::Uri(url("http://mastodon.example.org/users/admin#likes/2"))
    );
    assert_eq!(
        undo.object_id(),
        &url("http://mastodon.example.org/users/admin#likes/2")
    );
}

#[test]
fn lemmy_accept_and_undo_carry_addressing() {
    let accept: Accept = parse("lemmy accept", fixture!("lemmy/accept_follow.json"));
    assert_eq!(accept.to, [url("http://ds9.lemmy.ml/u/lemmy_alpha")]);
    let follow = accept.object.as_object().expect("the follow is embedded");
    assert_eq!(follow.to, [url("http://enterprise.lemmy.ml/c/main")]);
    let undo: Undo = parse("lemmy undo", fixture!("lemmy/undo_follow.json"));
    assert_eq!(undo.actor, url("http://ds9.lemmy.ml/u/lemmy_alpha"));
    assert_eq!(
        undo.object_id(),
        &url("http://ds9.lemmy.ml/activities/follow/dc2f1bc5-f3a0-4daa-a46b-428cbfbd023c")
    );
}

#[test]
fn a_mastodon_unlisted_create_note_has_public_only_in_cc() {
    let activity: Activity = parse("mastodon create", fixture!("mastodon/create_note.json"));
    assert_eq!(activity.kind, ActivityKind::Create);
    assert_eq!(
        activity.actor_id(),
        &url("https://mastodon.madrid/users/felix")
    );
    assert_eq!(activity.object_kind(), Some("Note"));
    assert_eq!(
        activity.object_id(),
        Some(url(
            "https://mastodon.madrid/users/felix/statuses/107224289116410645"
        ))
    );
    assert_eq!(
        activity.to,
        [url("https://mastodon.madrid/users/felix/followers")]
    );
    assert_eq!(activity.cc[0], public_url());
    assert!(activity.is_public());
    assert!(activity.published.is_some());
}

#[test]
fn a_misskey_create_note_parses() {
    let activity: Activity = parse("misskey create", fixture!("misskey/create_note.json"));
    assert_eq!(activity.kind, ActivityKind::Create);
    assert_eq!(
        activity.id,
        url("https://misskey.io/notes/9wdc7w599izd0c70/activity")
    );
    assert_eq!(
        activity.actor_id(),
        &url("https://misskey.io/users/7rkrarq81i")
    );
    assert_eq!(activity.object_kind(), Some("Note"));
    assert_eq!(
        activity.object_id(),
        Some(url("https://misskey.io/notes/9wdc7w599izd0c70"))
    );
    assert_eq!(
        activity.object["attributedTo"],
        "https://misskey.io/users/7rkrarq81i"
    );
    assert!(activity.is_public());
}

#[test]
fn a_misskey_like_carries_its_reaction() {
    let activity: Activity = parse("misskey like", fixture!("misskey/like.json"));
    assert_eq!(activity.kind, ActivityKind::Like);
    assert_eq!(activity.misskey_reaction.as_deref(), Some("pudding"));
    assert!(!activity.is_public());
}

#[test]
fn an_unknown_activity_type_parses_and_keeps_its_name() {
    let json = json!({
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            {"proof": "https://w3id.org/security#proof"}
        ],
        "id": "https://a.example/activities/1",
        "type": "QuoteRequest",
        "actor": "https://a.example/users/a",
        "object": "https://b.example/notes/1",
        "instrument": {"type": "Note"},
        "proof": {"type": "DataIntegrityProof"}
    });
    let activity: Activity = serde_json::from_value(json).expect("parses");
    assert_eq!(
        activity.kind,
        ActivityKind::Unknown("QuoteRequest".to_owned())
    );
    assert_eq!(
        serde_json::to_value(&activity).expect("serializes")["type"],
        "QuoteRequest"
    );
    let kinds = [
        "Follow",
        "Announce",
        "EmojiReact",
        "Flag",
        "Move",
        "Add",
        "Remove",
        "Block",
    ];
    for kind in kinds {
        assert_eq!(ActivityKind::from(kind.to_owned()).as_str(), kind);
        assert!(!matches!(
            ActivityKind::from(kind.to_owned()),
            ActivityKind::Unknown(_)
        ));
    }
}

#[test]
fn an_inline_actor_object_gives_the_actor_id() {
    let json = json!({
        "id": "https://a.example/activities/2",
        "type": "Announce",
        "actor": {
            "id": "https://a.example/users/a", "type": "Person", "inbox": "https://a.example/i"
        },
        "object": {"id": "https://b.example/notes/1", "type": "Note"}
    });
    let activity: Activity = serde_json::from_value(json).expect("parses");
    assert_eq!(activity.actor_id(), &url("https://a.example/users/a"));
    assert_eq!(activity.object_id(), Some(url("https://b.example/notes/1")));
}

#[test]
fn public_aliases_and_single_values_in_addressing_are_normalised() {
    for alias in ["as:Public", "Public", PUBLIC] {
        let json = json!({
            "id": "https://a.example/1", "type": "Create", "actor": "https://a.example/u",
            "to": alias, "cc": ["https://a.example/u/followers", "not a url", 7]
        });
        let activity: Activity = serde_json::from_value(json).expect("parses");
        assert_eq!(activity.to, [public_url()], "for {alias}");
        assert_eq!(activity.cc, [url("https://a.example/u/followers")]);
        assert!(activity.is_public());
    }
}

#[test]
fn an_activity_without_id_or_actor_is_rejected() {
    let without_id =
        json!({"type": "Follow", "actor": "https://a.example/u", "object": "https://b.example/u"});
    let without_actor =
        json!({"id": "https://a.example/1", "type": "Follow", "object": "https://b.example/u"});
    assert!(serde_json::from_value::<Activity>(without_id).is_err());
    assert!(serde_json::from_value::<Activity>(without_actor).is_err());
}

fn roost_follow() -> Follow {
    Follow::new(
        url("https://roost.example/follows/1"),
        url("https://roost.example/users/alice"),
        url("https://mastodon.example/users/bob"),
    )
}

#[test]
fn roosts_follow_has_context_and_addresses_the_followee() {
    let value = serde_json::to_value(roost_follow()).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "actor", "object", "to"]
    );
    assert_eq!(value["@context"], context());
    assert_eq!(value["type"], "Follow");
    assert_eq!(value["to"], json!(["https://mastodon.example/users/bob"]));
    let text = value.to_string();
    assert_eq!(parse::<Follow>("roost follow", &text), roost_follow());
    assert_eq!(
        parse::<Activity>("roost follow", &text).kind,
        ActivityKind::Follow
    );
}

#[test]
fn roosts_accept_embeds_the_follow_without_its_context() {
    let remote_follow = Follow::new(
        url("https://mastodon.example/1"),
        url("https://mastodon.example/users/bob"),
        url("https://roost.example/users/alice"),
    );
    let accept = Accept::new(
        url("https://roost.example/accepts/1"),
        url("https://roost.example/users/alice"),
        remote_follow,
    );
    let value = serde_json::to_value(&accept).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "actor", "object", "to"]
    );
    assert_eq!(value["type"], "Accept");
    assert_eq!(value["to"], json!(["https://mastodon.example/users/bob"]));
    assert_eq!(
        keys(&value["object"]),
        ["id", "type", "actor", "object", "to"]
    );
    assert_eq!(value["object"]["type"], "Follow");
    assert_eq!(parse::<Accept>("roost accept", &value.to_string()), accept);
}

#[test]
fn roosts_reject_and_undo_read_back() {
    let reject = Reject::new(
        url("https://roost.example/rejects/1"),
        url("https://mastodon.example/users/bob"),
        roost_follow(),
    );
    assert_eq!(reject.to, [url("https://roost.example/users/alice")]);
    let undo = Undo::new(
        url("https://roost.example/follows/1/undo"),
        url("https://roost.example/users/alice"),
        roost_follow(),
    );
    assert_eq!(undo.to, [url("https://mastodon.example/users/bob")]);
    let value = serde_json::to_value(&undo).expect("serializes");
    assert_eq!(value["type"], "Undo");
    assert_eq!(value["object"]["id"], "https://roost.example/follows/1");
    assert!(value["object"].get("@context").is_none());
    assert_eq!(parse::<Undo>("roost undo", &value.to_string()), undo);
    let reject_text = serde_json::to_string(&reject).expect("serializes");
    assert_eq!(parse::<Reject>("roost reject", &reject_text), reject);
}

#[test]
fn a_mastodon_block_names_the_blocked_actor() {
    let activity: Activity = parse("mastodon block", fixture!("mastodon/block.json"));
    assert_eq!(activity.kind, ActivityKind::Block);
    assert_eq!(
        activity.actor_id(),
        &url("http://mastodon.example.org/users/admin")
    );
    assert_eq!(
        activity.object_id(),
        Some(url("http://localtesting.pleroma.lol/users/lain"))
    );
    assert_eq!(
        activity.object_ids(),
        vec![url("http://localtesting.pleroma.lol/users/lain")]
    );
}

#[test]
fn a_flag_lists_the_reported_actor_then_the_reported_posts() {
    let activity: Activity = parse("gotosocial flag", fixture!("gotosocial/flag.json"));
    assert_eq!(activity.kind, ActivityKind::Flag);
    assert_eq!(
        activity.actor_id(),
        &url("http://example.org/users/example.org")
    );
    assert_eq!(
        activity.content.as_deref(),
        Some("dark souls sucks, please yeet this nerd")
    );
    assert_eq!(activity.object_id(), None, "an array has no single id");
    assert_eq!(
        activity.object_ids(),
        vec![
            url("http://fossbros-anonymous.io/users/foss_satan"),
            url(
                "http://fossbros-anonymous.io/users/foss_satan/statuses/01FVW7JHQFSFK166WWKR8CBA6M"
            ),
        ]
    );
}

#[test]
fn roosts_block_flag_and_undo_of_a_block_parse_back() {
    use crate::federation::builders;
    let alice = url("https://roost.example/users/alice");
    let bob = url("https://other.example/users/bob");
    let row = crate::db::blocks::BlockRow {
        id: 1,
        account_id: 1,
        target_account_id: 2,
        ap_id: "https://roost.example/activities/1".into(),
        created_at: chrono::Utc::now(),
    };
    let block = builders::blocks::block(&row, &alice, &bob).expect("valid ids");
    let block = serde_json::to_string(&block).expect("serializes");
    let parsed: Activity = parse("roost block", &block);
    assert_eq!(parsed.kind, ActivityKind::Block);
    assert_eq!(parsed.to, vec![url("https://other.example/users/bob")]);
    let undo = builders::blocks::undo(
        url("https://roost.example/activities/2"),
        &row,
        &alice,
        &bob,
    )
    .expect("valid ids");
    let undo = serde_json::to_string(&undo).expect("serializes");
    let parsed: Activity = parse("roost undo block", &undo);
    assert_eq!(parsed.object_kind(), Some("Block"));
    assert_eq!(
        parsed.object_id(),
        Some(url("https://roost.example/activities/1"))
    );
    let flag = crate::federation::builders::reports::flag(
        url("https://roost.example/activities/3"),
        url("https://roost.example/actor"),
        url("https://other.example/users/bob"),
        &[url("https://other.example/users/bob/statuses/9")],
        "spam",
    );
    let flag = serde_json::to_value(&flag).expect("serializes");
    let parsed: Activity = parse("roost flag", &flag.to_string());
    assert_eq!(parsed.kind, ActivityKind::Flag);
    assert_eq!(parsed.content.as_deref(), Some("spam"));
    assert_eq!(
        parsed.object_ids(),
        vec![
            url("https://other.example/users/bob"),
            url("https://other.example/users/bob/statuses/9"),
        ]
    );
}
