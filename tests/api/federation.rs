//! Follows between two Roost instances: discovery through search and lookup, open and
//! locked accounts, unfollow.

use sqlx::PgPool;

use crate::helpers::expect_json;
use crate::helpers::peers::{
    accounts_of, instance, relationship, resolve, second_database, settle,
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
