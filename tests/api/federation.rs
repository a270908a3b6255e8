//! Follows between two Roost instances: discovery through search and lookup, open and
//! locked accounts, unfollow.

use sqlx::PgPool;

use crate::helpers::expect_json;
use crate::helpers::TestApp;
use crate::peers::{
    accounts_of, instance, relationship, remote_id, resolve, second_database, settle,
};

#[sqlx::test]
async fn alice_finds_bob_on_another_server_follows_him_and_unfollows(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;

    let remote_bob = resolve(&a, &alice, &format!("bob@{}", b.domain)).await;
    assert_eq!(remote_bob["acct"], format!("bob@{}", b.domain));
    assert_eq!(remote_bob["uri"], format!("{}/users/bob", b.base));
    let bob_on_a = remote_bob["id"].as_str().expect("id").to_owned();

    let followed = a
        .post(&format!("/api/v1/accounts/{bob_on_a}/follow"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let followed = expect_json(followed, 200).await;
    assert_eq!(
        (followed["following"].clone(), followed["requested"].clone()),
        (false.into(), true.into())
    );

    settle(&[&a, &b]).await;
    let now = relationship(&a, &alice, &bob_on_a).await;
    assert_eq!(
        (now["following"].clone(), now["requested"].clone()),
        (true.into(), false.into()),
        "{now}"
    );
    assert_eq!(
        accounts_of(
            &b,
            &format!("/api/v1/accounts/{}/followers", bob.account_id)
        )
        .await,
        vec![format!("alice@{}", a.domain)]
    );
    assert_eq!(
        accounts_of(
            &a,
            &format!("/api/v1/accounts/{}/following", alice.account_id)
        )
        .await,
        vec![format!("bob@{}", b.domain)]
    );
    let bob_on_b = expect_json(
        b.get(&format!("/api/v1/accounts/{}", bob.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(bob_on_b["followers_count"], 1);
    let alice_on_b = resolve(&b, &bob, &format!("alice@{}", a.domain)).await;
    let seen_by_bob = relationship(&b, &bob, alice_on_b["id"].as_str().expect("id")).await;
    assert_eq!(seen_by_bob["followed_by"], true);

    let unfollowed = a
        .post(&format!("/api/v1/accounts/{bob_on_a}/unfollow"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    assert_eq!(expect_json(unfollowed, 200).await["following"], false);
    settle(&[&a, &b]).await;
    assert!(accounts_of(
        &b,
        &format!("/api/v1/accounts/{}/followers", bob.account_id)
    )
    .await
    .is_empty());
    let bob_on_b = expect_json(
        b.get(&format!("/api/v1/accounts/{}", bob.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(bob_on_b["followers_count"], 0);
}

#[sqlx::test]
async fn a_locked_account_gets_a_follow_request_and_authorizing_it_completes_the_follow(
    db: PgPool,
) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let locked = b
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&bob.access_token)
        .form(&[("locked", "true")])
        .send()
        .await;
    expect_json(locked, 200).await;

    let bob_on_a = resolve(&a, &alice, &format!("bob@{}", b.domain)).await;
    assert_eq!(bob_on_a["locked"], true);
    let bob_on_a = bob_on_a["id"].as_str().expect("id").to_owned();
    let followed = a
        .post(&format!("/api/v1/accounts/{bob_on_a}/follow"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(followed, 200).await;
    settle(&[&a, &b]).await;

    assert_eq!(relationship(&a, &alice, &bob_on_a).await["requested"], true);
    let requests = expect_json(
        b.get("/api/v1/follow_requests")
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(requests[0]["acct"], format!("alice@{}", a.domain));
    let alice_on_b = requests[0]["id"].as_str().expect("id").to_owned();
    assert!(accounts_of(
        &b,
        &format!("/api/v1/accounts/{}/followers", bob.account_id)
    )
    .await
    .is_empty());

    let authorized = b
        .post(&format!("/api/v1/follow_requests/{alice_on_b}/authorize"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    assert_eq!(expect_json(authorized, 200).await["followed_by"], true);
    settle(&[&a, &b]).await;

    let now = relationship(&a, &alice, &bob_on_a).await;
    assert_eq!(
        (now["following"].clone(), now["requested"].clone()),
        (true.into(), false.into()),
        "{now}"
    );
    assert_eq!(
        accounts_of(
            &b,
            &format!("/api/v1/accounts/{}/followers", bob.account_id)
        )
        .await,
        vec![format!("alice@{}", a.domain)]
    );
    let empty = expect_json(
        b.get("/api/v1/follow_requests")
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(empty, serde_json::json!([]));
}

#[sqlx::test]
async fn lookup_resolves_an_unknown_remote_handle_only_when_asked_by_a_signed_in_user(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    b.sign_up("bob").await;
    let handle = format!("bob@{}", b.domain);
    let plain = a
        .get("/api/v1/accounts/lookup")
        .query(&[("acct", handle.as_str())])
        .send()
        .await;
    crate::helpers::expect_error(plain, 404).await;
    let anonymous = a
        .get("/api/v1/accounts/lookup")
        .query(&[("acct", handle.as_str()), ("resolve", "true")])
        .send()
        .await;
    crate::helpers::expect_error(anonymous, 404).await;
    let resolved = a
        .get("/api/v1/accounts/lookup")
        .bearer_auth(&alice.access_token)
        .query(&[("acct", handle.as_str()), ("resolve", "true")])
        .send()
        .await;
    let resolved = expect_json(resolved, 200).await;
    assert_eq!(resolved["acct"], handle);
    assert_eq!(resolved["url"], format!("{}/@bob", b.base));
    let unknown = a
        .get("/api/v1/accounts/lookup")
        .bearer_auth(&alice.access_token)
        .query(&[
            ("acct", format!("nobody@{}", b.domain).as_str()),
            ("resolve", "true"),
        ])
        .send()
        .await;
    crate::helpers::expect_error(unknown, 404).await;
}

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
    let follow = b
        .post(&format!("/api/v1/accounts/{alice_on_b}/follow"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
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
    let follow = b
        .post(&format!("/api/v1/accounts/{alice_on_b}/follow"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
    settle(&[&a, &b]).await;

    let parent = a
        .post("/api/v1/statuses")
        .bearer_auth(&carol.access_token)
        .form(&[("status", "carol's question")])
        .send()
        .await;
    let parent_id = expect_json(parent, 200).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
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
