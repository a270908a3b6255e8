//! Posts across two instances, beyond the basics of federated_statuses: authorized
//! fetch of followers-only notes, fetching unknown reply parents, and boosts reaching
//! the booster's followers on the original server.

use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::{expect_json, TestApp};

/// GETs `url` signed with the key of `username` on `signer_app` (authorized fetch).
async fn signed_get(signer_app: &TestApp, username: &str, url: &str) -> reqwest::Response {
    let pem: String = sqlx::query_scalar(
        "SELECT private_key_pem FROM accounts WHERE username = $1 AND domain IS NULL",
    )
    .bind(username)
    .fetch_one(&signer_app.db)
    .await
    .expect("local key");
    let key = roost::federation::signatures::SigningKey::from_pem(&pem).expect("parses");
    let target = url::Url::parse(url).expect("url");
    let key_id = format!("{}/users/{username}#main-key", signer_app.base);
    let signed = roost::federation::signatures::sign(
        &reqwest::Method::GET,
        &target,
        None,
        &key_id,
        &key,
        chrono::Utc::now(),
    )
    .expect("signs");
    let mut request = signer_app
        .client
        .get(url)
        .header("accept", "application/activity+json");
    for (name, value) in signed.iter() {
        request = request.header(name, value);
    }
    request.send().await.expect("sent")
}

#[sqlx::test]
async fn a_followers_only_note_is_served_only_to_a_signed_get_by_a_follower(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    b.sign_up("carol").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let private = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&[("status", "for followers"), ("visibility", "private")])
        .send()
        .await;
    let uri = expect_json(private, 200).await["uri"]
        .as_str()
        .expect("uri")
        .to_owned();

    let anonymous = a
        .client
        .get(&uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 404);
    let by_follower = signed_get(&b, "bob", &uri).await;
    assert_eq!(by_follower.status(), 200);
    let note: serde_json::Value = by_follower.json().await.expect("json");
    assert_eq!(note["content"], "<p>for followers</p>");
    assert_eq!(
        signed_get(&b, "carol", &uri).await.status(),
        404,
        "a non-follower sees nothing"
    );
}

#[sqlx::test]
async fn a_reply_to_an_unknown_post_brings_its_parent_along(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let carol = a.sign_up("carol").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;

    let parent_id = a
        .post_status(&carol, &[("status", "carol's question")])
        .await;
    let reply = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&[("status", "alice's answer"), ("in_reply_to_id", &parent_id)])
        .send()
        .await;
    expect_json(reply, 200).await;
    settle(&[&a, &b]).await;

    // Not in bob's home (he does not follow carol, as in Mastodon), but on alice's profile.
    let statuses_path = format!("/api/v1/accounts/{alice_on_b}/statuses");
    let on_profile = expect_json(
        b.get(&statuses_path)
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    let reply_on_b = on_profile[0].clone();
    assert!(
        reply_on_b["content"]
            .as_str()
            .is_some_and(|c| c.contains("answer")),
        "the reply reached B: {on_profile}"
    );
    assert!(
        reply_on_b["in_reply_to_id"].is_string(),
        "the parent was fetched and linked: {reply_on_b}"
    );
    let context = b
        .get(&format!(
            "/api/v1/statuses/{}/context",
            reply_on_b["id"].as_str().expect("id")
        ))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    let context = expect_json(context, 200).await;
    assert_eq!(
        context["ancestors"][0]["account"]["acct"],
        format!("carol@{}", a.domain)
    );
}

#[sqlx::test]
async fn a_remote_boost_reaches_the_boosters_followers_on_the_original_server(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let erin = a.sign_up("erin").await;
    let bob = b.sign_up("bob").await;
    // bob@B follows alice@A; erin@A follows bob@B.
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    let bob_on_a = remote_id(&a, &erin, &format!("bob@{}", b.domain)).await;
    follow(&a, &erin, &bob_on_a).await;
    settle(&[&a, &b]).await;

    let alice_status = a.post_status(&alice, &[("status", "worth sharing")]).await;
    settle(&[&a, &b]).await;
    let home = expect_json(
        b.get("/api/v1/timelines/home")
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    let on_b = home[0]["id"]
        .as_str()
        .expect("alice's post reached bob")
        .to_owned();
    let boost = b
        .post(&format!("/api/v1/statuses/{on_b}/reblog"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(boost, 200).await;
    settle(&[&a, &b]).await;

    let erins_home = expect_json(
        a.get("/api/v1/timelines/home")
            .bearer_auth(&erin.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        erins_home[0]["account"]["acct"],
        format!("bob@{}", b.domain),
        "{erins_home}"
    );
    assert_eq!(erins_home[0]["reblog"]["id"], alice_status.as_str());
    let original = expect_json(
        a.get(&format!("/api/v1/statuses/{alice_status}"))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(original["reblogs_count"], 1);

    let unboost = b
        .post(&format!("/api/v1/statuses/{on_b}/unreblog"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(unboost, 200).await;
    settle(&[&a, &b]).await;
    let erins_home = expect_json(
        a.get("/api/v1/timelines/home")
            .bearer_auth(&erin.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(erins_home, serde_json::json!([]));
}
