//! Remote actors without `preferredUsername` (ActivityPub does not require one, and
//! the fediverse-pasture actor grades send such actors) and without WebFinger: they
//! sign, follow and post like anyone else, under a fallback username taken from their
//! id (see docs/federation.md, "Actors").

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::expect_json;
use crate::peers::accounts_of;
use crate::signatures::Scene;
use roost::federation::inbox;
use roost::federation::resolve::hashed_username;

/// An actor document at `path` on the fake remote, with no `preferredUsername`, that
/// publishes mallory's key as its own; returns its id.
fn serve_nameless_actor(scene: &Scene, path: &str) -> String {
    let id = format!("{}{path}", scene.remote.base);
    scene.remote.serve(
        path,
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Person",
            "inbox": format!("{id}/inbox"),
            "publicKey": {
                "id": format!("{id}#main-key"),
                "owner": id,
                "publicKeyPem": scene.public_key_pem(),
            },
        }),
    );
    id
}

/// `actor` posts `activity` (signed with its key) to the shared inbox, and the inbox
/// worker processes it.
async fn deliver(scene: &Scene, actor: &str, activity: &str) {
    let post = scene
        .signed_as(&format!("{actor}#main-key"), "/inbox", activity)
        .await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
}

#[sqlx::test]
async fn an_actor_without_preferred_username_follows_and_posts_under_its_ids_last_segment(
    db: PgPool,
) {
    let scene = Scene::new(db).await;
    let domain = scene.remote.base.trim_start_matches("http://").to_owned();
    let actor = serve_nameless_actor(&scene, "/profiles/Nameless.42");
    let alice_url = scene.app.url("/users/alice");

    let follow = scene.activity_by(&actor, "Follow", json!(alice_url));
    deliver(&scene, &actor, &follow).await;
    let followers = format!("/api/v1/accounts/{}/followers", scene.alice.account_id);
    let handle = format!("Nameless.42@{domain}");
    assert_eq!(
        accounts_of(&scene.app, &followers).await,
        vec![handle.as_str()]
    );

    let note = json!({
        "id": format!("{actor}/notes/1"),
        "type": "Note",
        "attributedTo": actor,
        "content": "<p>no name, still here</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        // Nobody here follows the actor: the mention is what makes the note wanted.
        "cc": [alice_url],
        "tag": [{ "type": "Mention", "href": alice_url, "name": "@alice" }],
        "published": "2026-12-01T10:00:00Z",
    });
    deliver(&scene, &actor, &scene.activity_by(&actor, "Create", note)).await;
    let lookup = scene
        .app
        .get("/api/v1/accounts/lookup")
        .query(&[("acct", &handle)])
        .send()
        .await;
    let account = expect_json(lookup, 200).await;
    assert_eq!(account["acct"], handle.as_str());
    assert_eq!(account["username"], "Nameless.42");
    let id = account["id"].as_str().expect("id");
    let statuses = scene
        .app
        .get(&format!("/api/v1/accounts/{id}/statuses"))
        .send()
        .await;
    let statuses = expect_json(statuses, 200).await;
    let contents: Vec<&Value> = statuses
        .as_array()
        .expect("list")
        .iter()
        .map(|status| &status["content"])
        .collect();
    assert_eq!(contents, [&json!("<p>no name, still here</p>")]);
}

#[sqlx::test]
async fn a_second_nameless_actor_with_the_same_last_segment_gets_a_name_from_its_ids_hash(
    db: PgPool,
) {
    let scene = Scene::new(db).await;
    let domain = scene.remote.base.trim_start_matches("http://").to_owned();
    let alice_url = scene.app.url("/users/alice");
    let first = serve_nameless_actor(&scene, "/a/robin");
    let second = serve_nameless_actor(&scene, "/b/Robin");
    for actor in [&first, &second] {
        let follow = scene.activity_by(actor, "Follow", json!(alice_url));
        deliver(&scene, actor, &follow).await;
    }
    let followers = format!("/api/v1/accounts/{}/followers", scene.alice.account_id);
    let mut handles = accounts_of(&scene.app, &followers).await;
    handles.sort();
    let mut expected = vec![
        format!("robin@{domain}"),
        format!("{}@{domain}", hashed_username(&second)),
    ];
    expected.sort();
    assert_eq!(handles, expected);
}
