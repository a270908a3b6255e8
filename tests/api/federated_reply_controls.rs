//! Reply controls between two Roost instances: alice's reply policy on A travels to B
//! as `interactionPolicy.canReply` (on the Create, and on the Update a change sends), B
//! enforces it on bob's replies, and A refuses a reply that breaks it even when B did
//! not know the policy (it is not stored, so not threaded nor counted, and B gets a
//! `Reject`). A reply to a post not open to everyone is answered with an `Accept`
//! carrying a dereferenceable `ReplyAuthorization`; one to an open post is not answered.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::{TestApp, TestUser};
use roost::delivery::worker as delivery_worker;
use roost::federation::inbox;
use roost::services::thread_backfill;

/// Posts `form` as `user`: the status, or the error's HTTP status.
async fn post(app: &TestApp, user: &TestUser, form: &[(&str, &str)]) -> Result<Value, u16> {
    app.as_(user)
        .post("/api/v1/statuses", form)
        .await
        .map_err(|error| error.status.as_u16())
}

/// The id on `app` of the status with ActivityPub id `uri`.
async fn local_id_of(app: &TestApp, uri: &str) -> String {
    sqlx::query_scalar::<_, i64>("SELECT id FROM statuses WHERE ap_id = $1")
        .bind(uri)
        .fetch_one(&app.db)
        .await
        .expect("stored")
        .to_string()
}

/// `user` on `from` follows `name` of instance `to` (to be settled).
async fn follows(from: &TestApp, user: &TestUser, to: &TestApp, name: &str) {
    let id = remote_id(from, user, &format!("{name}@{}", to.domain)).await;
    follow(from, user, &id).await;
}

/// `author` on `app` posts for followers to reply to, delivered among `instances`:
/// the post's URI.
async fn post_for_followers(app: &TestApp, author: &TestUser, instances: &[&TestApp]) -> String {
    let form = [
        ("status", "followers may reply"),
        ("reply_policy", "followers"),
    ];
    let original = post(app, author, &form).await.expect("posted");
    settle(instances).await;
    original["uri"].as_str().expect("uri").to_owned()
}

/// The activities of type `kind` `app` queued for delivery.
async fn queued(app: &TestApp, kind: &str) -> Vec<Value> {
    let payloads: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM deliveries WHERE payload::jsonb ->> 'type' = $1 ORDER BY id",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .expect("deliveries");
    (payloads.iter())
        .map(|p| serde_json::from_str(p).expect("JSON"))
        .collect()
}

/// Status `id` on `app` as `user` sees it.
async fn show(app: &TestApp, user: &TestUser, id: &str) -> Value {
    app.as_(user)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("status")
}

#[sqlx::test]
async fn the_reply_policy_travels_and_is_enforced_on_both_sides(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;

    let original = post(
        &a,
        &alice,
        &[("status", "no replies"), ("reply_policy", "nobody")],
    )
    .await
    .expect("posted");
    let (id, uri) = (
        original["id"].as_str().expect("id"),
        original["uri"].as_str().expect("uri"),
    );
    settle(&[&a, &b]).await;
    let on_b = local_id_of(&b, uri).await;
    let shown = show(&b, &bob, &on_b).await;
    assert_eq!(
        shown["interaction_policy"]["can_reply"]["current_user"], "denied",
        "{shown}"
    );
    let refused = post(&b, &bob, &[("status", "but"), ("in_reply_to_id", &on_b)]).await;
    assert_eq!(refused.err(), Some(422));

    let changed = a
        .as_(&alice)
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{id}/interaction_policy"),
        )
        .json(&json!({ "reply_policy": "everyone" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(changed.status().as_u16(), 200);
    settle(&[&a, &b]).await;
    let shown = show(&b, &bob, &on_b).await;
    assert_eq!(
        shown["interaction_policy"]["can_reply"]["current_user"], "automatic",
        "{shown}"
    );
    assert_eq!(
        shown["edited_at"],
        Value::Null,
        "a policy change is no edit"
    );
    let allowed = post(&b, &bob, &[("status", "thanks"), ("in_reply_to_id", &on_b)])
        .await
        .expect("allowed now");
    settle(&[&a, &b]).await;
    let allowed_on_a = local_id_of(&a, allowed["uri"].as_str().expect("uri")).await;

    // B forgets the policy (as a server that ignores canReply would), A closes the post.
    sqlx::query("DELETE FROM status_reply_policies")
        .execute(&b.db)
        .await
        .expect("forgotten");
    sqlx::query("UPDATE status_reply_policies SET policy = 'nobody'")
        .execute(&a.db)
        .await
        .expect("closed");
    let rude = post(&b, &bob, &[("status", "anyway"), ("in_reply_to_id", &on_b)])
        .await
        .expect("B does not know");
    settle(&[&a, &b]).await;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM statuses WHERE ap_id = $1")
        .bind(rude["uri"].as_str().expect("uri"))
        .fetch_one(&a.db)
        .await
        .expect("count");
    assert_eq!(stored, 0, "a reply against the policy is not kept on A");
    let accepts = queued(&a, "Accept").await;
    assert!(
        !accepts
            .iter()
            .any(|accept| accept["object"] == allowed["uri"]),
        "replies to open posts get no Accepts: {accepts:?}"
    );
    let rejects = queued(&a, "Reject").await;
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0]["object"], rude["uri"]);
    assert_eq!(rejects[0]["target"], uri);
    let context: Value = a
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{id}/context"))
        .await
        .expect("context");
    let ids: Vec<&str> = (context["descendants"].as_array().expect("list").iter())
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, vec![allowed_on_a.as_str()]);
    assert_eq!(show(&a, &alice, id).await["replies_count"], 1);
}

#[sqlx::test]
async fn a_reply_to_a_post_for_followers_is_accepted_with_a_stamp(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    follows(&b, &bob, &a, "alice").await;
    settle(&[&a, &b]).await;
    let uri: &str = &post_for_followers(&a, &alice, &[&a, &b]).await;
    let on_b = local_id_of(&b, uri).await;
    let answer = post(&b, &bob, &[("status", "hi"), ("in_reply_to_id", &on_b)])
        .await
        .expect("a follower may");
    settle(&[&a, &b]).await;

    let accepts = queued(&a, "Accept").await;
    let accept = (accepts.iter())
        .find(|accept| accept["object"] == answer["uri"])
        .expect("the reply is accepted");
    assert_eq!(accept["target"], uri);
    let stamp = accept["result"].as_str().expect("a stamp");
    let response = (a.client.get(stamp))
        .header(reqwest::header::ACCEPT, "application/activity+json")
        .send()
        .await
        .expect("fetched");
    assert_eq!(response.status().as_u16(), 200);
    let authorization: Value = response.json().await.expect("JSON");
    assert_eq!(authorization["type"], "ReplyAuthorization");
    assert_eq!(authorization["interactingObject"], answer["uri"]);
    assert_eq!(authorization["interactionTarget"], uri);
    assert_eq!(authorization["attributedTo"], a.url("/users/alice"));
}

/// The descendants of the status with ActivityPub id `uri`, as `user` on `app` reads them.
async fn descendant_uris(app: &TestApp, user: &TestUser, uri: &str) -> Vec<String> {
    let id = local_id_of(app, uri).await;
    let context: Value = (app.as_(user))
        .get(&format!("/api/v1/statuses/{id}/context"))
        .await
        .expect("context");
    (context["descendants"]
        .as_array()
        .expect("descendants")
        .iter())
    .map(|status| status["uri"].as_str().expect("uri").to_owned())
    .collect()
}

#[sqlx::test]
async fn a_third_server_threads_a_reply_once_its_stamp_verifies(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let c = instance(second_database(&db, "c").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = c.sign_up("carol").await;
    follows(&b, &bob, &a, "alice").await;
    follows(&c, &carol, &b, "bob").await;
    settle(&[&a, &b, &c]).await;
    let uri: &str = &post_for_followers(&a, &alice, &[&a, &b, &c]).await;
    let on_b = local_id_of(&b, uri).await;
    let answer = post(&b, &bob, &[("status", "hi"), ("in_reply_to_id", &on_b)])
        .await
        .expect("a follower may");
    let answer_uri = answer["uri"].as_str().expect("uri").to_owned();

    // The reply reaches C before alice's server approved it (C fetches alice's post,
    // its parent, in the background): C cannot see that bob follows alice, so the
    // reply stays out of the thread there.
    delivery_worker::run_once(&b.state).await.expect("delivers");
    inbox::worker::run_once(&c.state).await.expect("processes");
    thread_backfill::worker::run_once(&c.state)
        .await
        .expect("fetches the parent");
    assert!(
        descendant_uris(&c, &carol, uri).await.is_empty(),
        "no stamp yet: not in the thread"
    );

    // A approves with a stamp, B names it in an Update, and C verifies it on A.
    settle(&[&a, &b, &c]).await;
    assert_eq!(
        descendant_uris(&c, &carol, uri).await,
        [answer_uri.as_str()]
    );
    let note = (b.client.get(&answer_uri))
        .header(reqwest::header::ACCEPT, "application/activity+json")
        .send()
        .await
        .expect("fetched");
    let note: Value = note.json().await.expect("JSON");
    let stamp = note["replyAuthorization"]
        .as_str()
        .expect("the stamp is named");
    assert!(
        stamp.starts_with(&a.url("/users/alice/reply_authorizations/")),
        "{stamp}"
    );
}

#[sqlx::test]
async fn a_reply_its_author_may_approve_waits_out_of_the_thread_until_approved(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let (bob, carol, dave) = (
        b.sign_up("bob").await,
        b.sign_up("carol").await,
        b.sign_up("dave").await,
    );
    follows(&b, &bob, &a, "alice").await;
    settle(&[&a, &b]).await;
    let uri: &str = &post_for_followers(&a, &alice, &[&a, &b]).await;
    let on_b = local_id_of(&b, uri).await;
    // As B would read a GoToSocial post whose canReply lets nobody in automatically
    // and everyone ask (`manualApproval`: the public collection).
    sqlx::query(
        "UPDATE status_reply_policies SET policy = 'nobody', manual_policy = 'everyone' \
         WHERE status_id = $1",
    )
    .bind(on_b.parse::<i64>().expect("id"))
    .execute(&b.db)
    .await
    .expect("policy set");

    let asked = post(&b, &bob, &[("status", "may I?"), ("in_reply_to_id", &on_b)])
        .await
        .expect("sent for approval");
    let asked_uri = asked["uri"].as_str().expect("uri").to_owned();
    assert!(
        descendant_uris(&b, &carol, uri).await.is_empty(),
        "pending: out of the thread"
    );
    assert_eq!(
        descendant_uris(&b, &bob, uri).await,
        [asked_uri.as_str()],
        "its author sees it"
    );
    settle(&[&a, &b]).await;
    assert_eq!(
        descendant_uris(&b, &carol, uri).await,
        [asked_uri],
        "approved by alice's server (bob follows her): in the thread"
    );

    // Dave does not follow alice: her server refuses, and the reply stays out.
    post(
        &b,
        &dave,
        &[("status", "me too?"), ("in_reply_to_id", &on_b)],
    )
    .await
    .expect("sent for approval");
    settle(&[&a, &b]).await;
    assert!(queued(&a, "Reject").await.iter().any(|r| r["object"]
        .as_str()
        .is_some_and(|o| o.contains("/users/dave/"))));
    assert_eq!(
        descendant_uris(&b, &carol, uri).await.len(),
        1,
        "still only bob's"
    );
}
