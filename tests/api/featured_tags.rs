//! Featured hashtags (<https://docs.joinmastodon.org/methods/featured_tags/>): featuring
//! and unfeaturing (also through `/api/v1/tags/:name/feature`), their use counts, the
//! limit, suggestions, another account's list, the `featuredTags` collection, and
//! federation between two Roost instances (the collection read when an actor is
//! fetched, `Add`/`Remove` of a Hashtag sent to followers).

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{instance, remote_id, second_database, settle};
use crate::helpers::{expect_json, scalar, TestApp};

#[sqlx::test]
async fn featured_hashtags_show_their_use_and_can_be_removed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let me = app.as_(&alice);
    me.post_status("#Rust one").await.expect("posted");
    me.post_status("#rust two").await.expect("posted");
    me.post_status_with(&[("status", "#rust secret"), ("visibility", "private")])
        .await
        .expect("posted");
    app.as_(&bob)
        .post_status("#rust by bob")
        .await
        .expect("posted");

    let featured: Value = me
        .post("/api/v1/featured_tags", &[("name", "#Rust")])
        .await
        .expect("featured");
    assert_eq!(featured["name"], "rust");
    assert_eq!(
        featured["statuses_count"], 2,
        "public and unlisted, her own"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(featured["last_status_at"], today.as_str());
    assert!(featured["url"]
        .as_str()
        .expect("url")
        .ends_with("/@alice/tagged/rust"));
    let again: Value = me
        .post("/api/v1/featured_tags", &[("name", "rust")])
        .await
        .expect("featured again");
    assert_eq!(again["id"], featured["id"], "re-featuring returns it");

    let unused: Value = me
        .post("/api/v1/featured_tags", &[("name", "neverused")])
        .await
        .expect("featured");
    assert_eq!(unused["statuses_count"], 0);
    assert_eq!(unused["last_status_at"], Value::Null);
    let mine: Vec<Value> = me.get("/api/v1/featured_tags").await.expect("list");
    let names: Vec<&str> = mine.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["rust", "neverused"], "most used first");
    let public: Vec<Value> = app
        .anonymous()
        .get(&format!(
            "/api/v1/accounts/{}/featured_tags",
            alice.account_id
        ))
        .await
        .expect("public list");
    assert_eq!(public.len(), 2);

    let id = unused["id"].as_str().expect("id");
    let removed: Value = me
        .delete(&format!("/api/v1/featured_tags/{id}"))
        .await
        .expect("removed");
    assert_eq!(removed, serde_json::json!({}));
    let gone = me
        .delete::<Value>(&format!("/api/v1/featured_tags/{id}"))
        .await;
    assert_eq!(gone.expect_err("already removed").status, 404);
    let others = app
        .as_(&bob)
        .delete::<Value>(&format!(
            "/api/v1/featured_tags/{}",
            featured["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(others.expect_err("not bob's").status, 404);
    let mine: Vec<Value> = me.get("/api/v1/featured_tags").await.expect("list");
    assert_eq!(mine.len(), 1);
    let unknown = app
        .anonymous()
        .get::<Value>("/api/v1/accounts/999999999/featured_tags")
        .await;
    assert_eq!(unknown.expect_err("no account").status, 404);
}

#[sqlx::test]
async fn at_most_ten_valid_hashtags_are_featured(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let me = app.as_(&alice);
    let invalid = me
        .post::<Value>("/api/v1/featured_tags", &[("name", "two words")])
        .await;
    assert_eq!(invalid.expect_err("invalid").status, 422);
    let missing = me.post::<Value>("/api/v1/featured_tags", &[]).await;
    assert_eq!(missing.expect_err("no name").status, 422);
    for n in 0..10 {
        me.post::<Value>("/api/v1/featured_tags", &[("name", &format!("tag{n}"))])
            .await
            .expect("featured");
    }
    let eleventh = me
        .post::<Value>("/api/v1/featured_tags", &[("name", "tag10")])
        .await;
    assert_eq!(eleventh.expect_err("too many").status, 422);
    let again: Value = me
        .post("/api/v1/featured_tags", &[("name", "tag3")])
        .await
        .expect("a featured one is still returned");
    assert_eq!(again["name"], "tag3");
}

#[sqlx::test]
async fn suggestions_and_the_tag_feature_endpoints(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let me = app.as_(&alice);
    me.post_status("#cats and #dogs").await.expect("posted");
    me.post_status("more #cats").await.expect("posted");
    let suggested: Vec<Value> = me
        .get("/api/v1/featured_tags/suggestions")
        .await
        .expect("suggestions");
    let names: Vec<&str> = suggested
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["cats", "dogs"], "most used first");
    assert_eq!(suggested[0]["history"].as_array().map(Vec::len), Some(7));

    let tag: Value = me
        .post("/api/v1/tags/Cats/feature", &[])
        .await
        .expect("featured");
    assert_eq!(tag["name"], "cats");
    assert_eq!(tag["featuring"], true);
    let shown: Value = me.get("/api/v1/tags/cats").await.expect("tag");
    assert_eq!(shown["featuring"], true);
    let suggested: Vec<Value> = me
        .get("/api/v1/featured_tags/suggestions")
        .await
        .expect("suggestions");
    let names: Vec<&str> = suggested
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["dogs"], "featured ones are not suggested");

    let tag: Value = me
        .post("/api/v1/tags/cats/unfeature", &[])
        .await
        .expect("unfeatured");
    assert_eq!(tag["featuring"], false);
    let mine: Vec<Value> = me.get("/api/v1/featured_tags").await.expect("list");
    assert!(mine.is_empty());
    let invalid = me.post::<Value>("/api/v1/tags/12345/feature", &[]).await;
    assert_eq!(invalid.expect_err("invalid").status, 422);
}

#[sqlx::test]
async fn the_actor_serves_its_featured_hashtags_collection(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.as_(&alice)
        .post::<Value>("/api/v1/featured_tags", &[("name", "rust")])
        .await
        .expect("featured");
    let actor = app
        .get("/users/alice")
        .header("Accept", "application/activity+json")
        .send()
        .await;
    let actor = expect_json(actor, 200).await;
    let url = actor["featuredTags"].as_str().expect("featuredTags");
    assert!(url.ends_with("/users/alice/collections/tags"), "{url}");
    let collection = app
        .get("/users/alice/collections/tags")
        .header("Accept", "application/activity+json")
        .send()
        .await;
    let collection = expect_json(collection, 200).await;
    assert_eq!(collection["id"], url);
    assert_eq!(collection["totalItems"], 1);
    let item = &collection["orderedItems"][0];
    assert_eq!(item["type"], "Hashtag");
    assert_eq!(item["name"], "#rust");
    assert!(item["href"].as_str().expect("href").ends_with("/tags/rust"));
}

/// The names `app` shows for the account `id`'s featured hashtags.
async fn featured_names(app: &TestApp, id: &str) -> Vec<String> {
    let listed: Vec<Value> = app
        .anonymous()
        .get(&format!("/api/v1/accounts/{id}/featured_tags"))
        .await
        .expect("list");
    listed
        .iter()
        .filter_map(|tag| tag["name"].as_str().map(str::to_owned))
        .collect()
}

#[sqlx::test]
async fn featured_hashtags_federate_between_servers(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    a.as_(&alice)
        .post::<Value>("/api/v1/featured_tags", &[("name", "rust")])
        .await
        .expect("featured");

    // B reads the collection when it first fetches alice's actor.
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    assert_eq!(featured_names(&b, &alice_on_b).await, ["rust"]);
    b.as_(&bob).follow(&alice_on_b).await.expect("follows");
    settle(&[&a, &b]).await;

    // Changes reach followers as Add and Remove.
    a.as_(&alice)
        .post::<Value>("/api/v1/tags/go/feature", &[])
        .await
        .expect("featured");
    settle(&[&a, &b]).await;
    let mut names = featured_names(&b, &alice_on_b).await;
    names.sort();
    assert_eq!(names, ["go", "rust"]);
    a.as_(&alice)
        .post::<Value>("/api/v1/tags/rust/unfeature", &[])
        .await
        .expect("unfeatured");
    settle(&[&a, &b]).await;
    assert_eq!(featured_names(&b, &alice_on_b).await, ["go"]);
}

/// An actor first met through a signed inbox POST (here a follow from another server)
/// has its featured hashtags read too: the inbox request fetches the actor for its
/// key and leaves the collections to a background task, after the 202.
#[sqlx::test]
async fn a_follower_first_met_in_the_inbox_has_its_featured_hashtags_read(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    b.as_(&bob)
        .post::<Value>("/api/v1/featured_tags", &[("name", "rust")])
        .await
        .expect("featured");
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    b.as_(&bob).follow(&alice_on_b).await.expect("follows");
    settle(&[&a, &b]).await;

    let bob_on_a = scalar(
        &a.db,
        "SELECT id FROM accounts WHERE username = 'bob' AND domain IS NOT NULL",
    )
    .await
    .to_string();
    let mut names = Vec::new();
    for _ in 0..100 {
        names = featured_names(&a, &bob_on_a).await;
        if !names.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(names, ["rust"]);
}
