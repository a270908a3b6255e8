//! GoToSocial's reply requests answered by Roost, from a signed fake remote (mallory):
//! a `ReplyRequest` the post's policy allows gets an `Accept` whose `result` is a
//! `ReplyAuthorization` stamp served at `/users/alice/reply_authorizations/ID` (404 once
//! the reply is gone), and the reply joins the thread; one it does not allow gets a
//! `Reject` and nothing is stored.

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::signed_remote::Scene;

/// Delivers `activity` to the scene's inbox and processes it.
async fn deliver(scene: &Scene, activity: &str) {
    let post = scene.signed("/inbox", activity).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
}

/// Alice posts `text` with `reply_policy`; returns its id and URI.
async fn alice_posts(scene: &Scene, text: &str, reply_policy: &str) -> (String, String) {
    let form = [("status", text), ("reply_policy", reply_policy)];
    let posted: Value = (scene.app.as_(&scene.alice))
        .post("/api/v1/statuses", &form)
        .await
        .expect("posted");
    let field = |name: &str| posted[name].as_str().expect("field").to_owned();
    (field("id"), field("uri"))
}

/// Mallory's `ReplyRequest` (id `…/requests/N`) to reply to `parent` with an embedded
/// Note (id `…/statuses/N`), in GoToSocial's shape.
fn reply_request(scene: &Scene, n: u32, parent: &str) -> (String, String) {
    let actor = scene.remote.actor();
    let (id, note) = (
        format!("{actor}/requests/{n}"),
        format!("{actor}/statuses/{n}"),
    );
    let request = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://gotosocial.org/ns"],
        "type": "ReplyRequest", "id": id, "actor": actor, "object": parent,
        "to": scene.app.url("/users/alice"),
        "instrument": { "type": "Note", "id": note, "attributedTo": actor, "inReplyTo": parent,
            "to": "https://www.w3.org/ns/activitystreams#Public",
            "content": "<p>may I?</p>" }
    });
    (request.to_string(), note)
}

/// The payloads of the deliveries queued to mallory's inbox.
async fn sent_to_mallory(scene: &Scene) -> Vec<Value> {
    let inbox = format!("{}/inbox", scene.remote.actor());
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM deliveries WHERE inbox_url = $1 ORDER BY id")
            .bind(inbox)
            .fetch_all(&scene.app.db)
            .await
            .expect("deliveries");
    (payloads.iter())
        .map(|p| serde_json::from_str(p).expect("JSON"))
        .collect()
}

async fn stored(scene: &Scene, uri: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM statuses WHERE ap_id = $1")
        .bind(uri)
        .fetch_one(&scene.app.db)
        .await
        .expect("count")
}

/// An unsigned GET of `url` as ActivityStreams: status and body.
async fn fetch(scene: &Scene, url: &str) -> (u16, Value) {
    let response = (scene.app.client.get(url))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[sqlx::test]
async fn a_reply_request_is_accepted_with_a_stamp_or_rejected_by_the_policy(db: PgPool) {
    let scene = Scene::new(db).await;
    let (_, closed) = alice_posts(&scene, "followers only", "followers").await;
    let (request, reply) = reply_request(&scene, 1, &closed);
    deliver(&scene, &request).await;
    assert_eq!(
        stored(&scene, &reply).await,
        0,
        "a refused reply is not kept"
    );
    let sent = sent_to_mallory(&scene).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["type"], "Reject");
    assert_eq!(sent[0]["object"]["type"], "ReplyRequest");
    assert_eq!(
        sent[0]["object"]["id"],
        format!("{}/requests/1", scene.remote.actor())
    );
    assert_eq!(sent[0]["result"], Value::Null);

    let (open_id, open) = alice_posts(&scene, "ask away", "everyone").await;
    let (request, reply) = reply_request(&scene, 2, &open);
    deliver(&scene, &request).await;
    assert_eq!(stored(&scene, &reply).await, 1);
    let sent = sent_to_mallory(&scene).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    let accept = &sent[1];
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], scene.app.url("/users/alice"));
    assert_eq!(
        accept["object"]["id"],
        format!("{}/requests/2", scene.remote.actor())
    );
    assert_eq!(accept["object"]["instrument"], reply.as_str());
    let stamp = accept["result"].as_str().expect("a stamp").to_owned();
    assert!(stamp.starts_with(&scene.app.url("/users/alice/reply_authorizations/")));
    let (status, authorization) = fetch(&scene, &stamp).await;
    assert_eq!(status, 200);
    assert_eq!(authorization["type"], "ReplyAuthorization");
    assert_eq!(authorization["id"], stamp.as_str());
    assert_eq!(authorization["attributedTo"], scene.app.url("/users/alice"));
    assert_eq!(authorization["interactingObject"], reply.as_str());
    assert_eq!(authorization["interactionTarget"], open.as_str());
    let context: Value = (scene.app.as_(&scene.alice))
        .get(&format!("/api/v1/statuses/{open_id}/context"))
        .await
        .expect("context");
    assert_eq!(context["descendants"][0]["uri"], reply.as_str());

    let delete = scene.activity("Delete", json!(reply));
    deliver(&scene, &delete).await;
    assert_eq!(
        fetch(&scene, &stamp).await.0,
        404,
        "the stamp goes with the reply"
    );
    let elsewhere = stamp.replace("/users/alice/", "/users/nobody/");
    assert_eq!(fetch(&scene, &elsewhere).await.0, 404);
}
