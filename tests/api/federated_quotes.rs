//! Quote posts between two Roost instances (FEP-044f): bob on B quotes alice's post on
//! A; B asks with a `QuoteRequest`, A accepts with an `Accept` carrying a
//! `QuoteAuthorization` stamp that B dereferences before showing the quote as accepted
//! (and serves as `quoteAuthorization` on the quoting Note); alice's revocation (a
//! `Delete` of the stamp) reaches B, and the stamp is gone. And a remote post's `Update`
//! that adds a quote (from a signed fake remote) records it.

use reqwest::header::ACCEPT;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::signed_remote::Scene;
use crate::helpers::{expect_json, TestApp, TestUser};

const ACTIVITY_JSON: &str = "application/activity+json";

async fn post(app: &TestApp, user: &TestUser, form: &[(&str, &str)]) -> Value {
    let response = app
        .post("/api/v1/statuses")
        .bearer_auth(&user.access_token)
        .form(form)
        .send()
        .await;
    expect_json(response, 200).await
}

async fn show(app: &TestApp, user: &TestUser, id: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/statuses/{id}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await
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

/// An unsigned GET of `url` as ActivityStreams: status and body.
async fn fetch(app: &TestApp, url: &str) -> (u16, Value) {
    let response = app
        .client
        .get(url)
        .header(ACCEPT, ACTIVITY_JSON)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[sqlx::test]
async fn a_quote_is_requested_authorized_dereferenced_and_revoked_across_instances(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    assert_eq!(relationship(&b, &bob, &alice_on_b).await["following"], true);

    let original = post(&a, &alice, &[("status", "quote me, B")]).await;
    let original_uri = original["uri"].as_str().expect("uri").to_owned();
    let original_id = original["id"].as_str().expect("id").to_owned();
    settle(&[&a, &b]).await;
    let original_on_b = local_id_of(&b, &original_uri).await;

    let quote = post(
        &b,
        &bob,
        &[
            ("status", "well said"),
            ("quoted_status_id", &original_on_b),
        ],
    )
    .await;
    assert_eq!(
        quote["quote"]["state"], "pending",
        "asked, not yet answered: {quote}"
    );
    let quote_id = quote["id"].as_str().expect("id").to_owned();
    let quote_uri = quote["uri"].as_str().expect("uri").to_owned();
    settle(&[&a, &b]).await;

    let accepted = show(&b, &bob, &quote_id).await;
    assert_eq!(accepted["quote"]["state"], "accepted", "{accepted}");
    assert_eq!(
        accepted["quote"]["quoted_status"]["uri"],
        original_uri.as_str()
    );
    let seen_by_alice = show(&a, &alice, &original_id).await;
    assert_eq!(seen_by_alice["quotes_count"], 1);
    let notifications: Vec<Value> = a
        .as_(&alice)
        .get("/api/v1/notifications")
        .await
        .expect("list");
    assert!(
        notifications.iter().any(|n| n["type"] == "quote"),
        "{notifications:?}"
    );

    let (status, note) = fetch(&b, &quote_uri).await;
    assert_eq!(status, 200);
    assert_eq!(note["quote"], original_uri.as_str());
    assert_eq!(note["_misskey_quote"], original_uri.as_str());
    let stamp_uri = note["quoteAuthorization"]
        .as_str()
        .expect("a stamp on the Note")
        .to_owned();
    assert!(stamp_uri.starts_with(&format!(
        "http://{}/users/alice/quote_authorizations/",
        a.domain
    )));
    let (status, stamp) = fetch(&a, &stamp_uri).await;
    assert_eq!(status, 200);
    assert_eq!(stamp["type"], "QuoteAuthorization");
    assert_eq!(stamp["id"], stamp_uri.as_str());
    assert_eq!(stamp["interactingObject"], quote_uri.as_str());
    assert_eq!(stamp["interactionTarget"], original_uri.as_str());
    let (_, original_note) = fetch(&a, &original_uri).await;
    assert_eq!(
        original_note["interactionPolicy"]["canQuote"]["automaticApproval"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );

    let quotes: Vec<Value> = a
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{original_id}/quotes"))
        .await
        .expect("quotes");
    let quote_on_a = quotes[0]["id"].as_str().expect("id").to_owned();
    let revoked: Value = a
        .as_(&alice)
        .post(
            &format!("/api/v1/statuses/{original_id}/quotes/{quote_on_a}/revoke"),
            &[],
        )
        .await
        .expect("revoked");
    assert_eq!(revoked["quote"]["state"], "revoked");
    settle(&[&a, &b]).await;
    let after = show(&b, &bob, &quote_id).await;
    assert_eq!(
        after["quote"]["state"], "revoked",
        "the revocation reached B: {after}"
    );
    let (status, _) = fetch(&a, &stamp_uri).await;
    assert_eq!(status, 404, "a revoked stamp is gone");
}

/// Delivers `activity` signed by the scene's remote (mallory) and processes it.
async fn deliver(scene: &Scene, activity: &str) {
    let post = scene.signed("/inbox", activity).await;
    post.expect(&scene.app, reqwest::StatusCode::ACCEPTED).await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
}

#[sqlx::test]
async fn an_update_that_adds_a_quote_records_it(db: PgPool) {
    let scene = Scene::new(db).await;
    let posted = post(&scene.app, &scene.alice, &[("status", "quote me")]).await;
    let quoted_uri = posted["uri"].as_str().expect("uri");
    let (actor, alice) = (scene.remote.actor(), scene.app.url("/users/alice"));
    let note_id = format!("{actor}/statuses/1");
    let note = |quote: Option<&str>| {
        let mut note = json!({ "type": "Note", "id": note_id, "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public", alice],
            "content": "<p>look at this</p>",
            "tag": [{ "type": "Mention", "href": alice, "name": "@alice" }] });
        if let Some(quote) = quote {
            // Misskey's and Akkoma's form: shown as a quote without a stamp.
            note["quoteUrl"] = json!(quote);
        }
        note
    };
    deliver(&scene, &scene.activity("Create", note(None))).await;
    let id = local_id_of(&scene.app, &note_id).await;
    assert!(show(&scene.app, &scene.alice, &id).await["quote"].is_null());

    deliver(&scene, &scene.activity("Update", note(Some(quoted_uri)))).await;
    let shown = show(&scene.app, &scene.alice, &id).await;
    assert_eq!(shown["quote"]["state"], "accepted", "{shown}");
    assert_eq!(shown["quote"]["quoted_status"]["id"], posted["id"]);
    let notifications: Value = (scene.app.as_(&scene.alice))
        .get("/api/v1/notifications?types[]=quote")
        .await
        .expect("notifications");
    assert_eq!(
        notifications[0]["status"]["id"],
        id.as_str(),
        "{notifications}"
    );
}
