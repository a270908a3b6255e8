//! Endorsements across servers: a local actor publishes the accounts it endorses as
//! its `endorsements` collection, sends its followers an `Update` of itself when they
//! change, and the other server shows them for the remote account
//! (`GET /api/v1/accounts/:id/endorsements`), limited to accounts it already knows.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{accounts_of, instance, remote_id, second_database, settle};
use crate::helpers::{expect_json, TestApp};

#[sqlx::test]
async fn the_actor_serves_the_accounts_it_endorses(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&alice).follow(&bob).await.expect("follows");
    app.as_(&alice)
        .post::<Value>(&format!("/api/v1/accounts/{}/endorse", bob.account_id), &[])
        .await
        .expect("endorsed");
    let as_json = |path: &'static str| {
        app.get(path)
            .header("Accept", "application/activity+json")
            .send()
    };
    let actor = expect_json(as_json("/users/alice").await, 200).await;
    let url = actor["endorsements"].as_str().expect("endorsements");
    assert!(
        url.ends_with("/users/alice/collections/endorsements"),
        "{url}"
    );
    let context = actor["@context"].to_string();
    assert!(context.contains("toot:endorsements"), "{context}");
    let collection = expect_json(as_json("/users/alice/collections/endorsements").await, 200).await;
    assert_eq!(collection["id"], url);
    assert_eq!(collection["type"], "OrderedCollection");
    assert_eq!(collection["totalItems"], 1);
    let item = collection["orderedItems"][0].as_str().expect("an actor id");
    assert!(item.ends_with("/users/bob"), "{item}");
}

#[sqlx::test]
async fn endorsements_federate_between_servers(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = b.sign_up("carol").await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    let carol_on_a = remote_id(&a, &alice, &format!("carol@{}", b.domain)).await;
    a.as_(&alice).follow(&bob_on_a).await.expect("follows bob");
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    b.as_(&bob)
        .follow(&alice_on_b)
        .await
        .expect("follows alice");
    b.as_(&bob).follow(&carol).await.expect("follows carol");
    settle(&[&a, &b]).await;

    let endorse = |id: String, verb: &'static str| {
        let client = b.as_(&bob);
        async move {
            client
                .post::<Value>(&format!("/api/v1/accounts/{id}/{verb}"), &[])
                .await
                .expect("changed")
        }
    };
    endorse(carol.account_id.clone(), "endorse").await;
    endorse(alice_on_b.clone(), "endorse").await;
    settle(&[&a, &b]).await;
    let path = format!("/api/v1/accounts/{bob_on_a}/endorsements");
    let domain = &b.domain;
    assert_eq!(
        accounts_of(&a, &path).await,
        ["alice".to_owned(), format!("carol@{domain}")],
        "A shows bob's endorsements, newest first, its own alice among them"
    );
    let listed: Vec<Value> = a.anonymous().get(&path).await.expect("list");
    assert_eq!(listed[1]["id"], carol_on_a.as_str());

    endorse(carol.account_id.clone(), "unendorse").await;
    settle(&[&a, &b]).await;
    assert_eq!(accounts_of(&a, &path).await, ["alice"]);
}
