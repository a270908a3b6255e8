//! Moving accounts: Mastodon's `Move` and actors with `movedTo` and `alsoKnownAs`
//! (fixtures written from Mastodon's serializers; see `tests/fixtures/README.md`).

use super::{fixture, parse, url};
use crate::federation::protocol::activity::{Activity, ActivityKind};
use crate::federation::protocol::moves::Move;
use crate::federation::protocol::Actor;

#[test]
fn mastodons_move_names_the_mover_as_object_and_the_new_account_as_target() {
    let json = fixture!("mastodon/move.json");
    let moved: Move = parse("mastodon move", json);
    assert_eq!(moved.actor, url("https://old.example/users/alice"));
    assert_eq!(moved.object_id(), &moved.actor);
    assert_eq!(moved.target_id(), &url("https://new.example/users/alice"));
    let envelope: Activity = parse("mastodon move envelope", json);
    assert_eq!(envelope.kind, ActivityKind::Move);
    assert_eq!(
        envelope.object_id(),
        Some(url("https://old.example/users/alice"))
    );
}

#[test]
fn a_move_with_embedded_actors_gives_their_ids() {
    let moved: Move = parse(
        "embedded move",
        r#"{"id":"https://a.example/m/1","type":"Move","actor":"https://a.example/u/a",
            "object":{"id":"https://a.example/u/a","type":"Person"},
            "target":{"id":"https://b.example/u/b","type":"Person"}}"#,
    );
    assert_eq!(moved.object_id(), &url("https://a.example/u/a"));
    assert_eq!(moved.target_id(), &url("https://b.example/u/b"));
}

#[test]
fn a_moved_mastodon_actor_gives_moved_to_and_its_aliases() {
    let actor: Actor = parse("moved person", fixture!("mastodon/person_moved.json"));
    assert_eq!(actor.moved_to, Some(url("https://new.example/users/alice")));
    assert_eq!(
        actor.also_known_as,
        vec![url("https://older.example/users/alice")]
    );
    let target: Actor = parse("aliased person", fixture!("mastodon/person_aliases.json"));
    assert_eq!(target.moved_to, None);
    assert!(target
        .also_known_as
        .contains(&url("https://old.example/users/alice")));
}

#[test]
fn a_single_string_also_known_as_is_one_alias() {
    let mut document: serde_json::Value =
        serde_json::from_str(fixture!("mastodon/person_aliases.json")).expect("json");
    document["alsoKnownAs"] = "https://old.example/users/alice".into();
    let actor: Actor = serde_json::from_value(document).expect("parses");
    assert_eq!(
        actor.also_known_as,
        vec![url("https://old.example/users/alice")]
    );
}
