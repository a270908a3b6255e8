//! Private notes, endorsements and removing followers
//! (<https://docs.joinmastodon.org/methods/accounts/#note>,
//! <https://docs.joinmastodon.org/methods/endorsements/>,
//! <https://docs.joinmastodon.org/methods/accounts/#remove_from_followers>): notes and
//! endorsements show in the Relationship, endorsements on the profile; a removed
//! follower stops following, on another server too.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{instance, relationship, remote_id, second_database, settle};
use crate::helpers::{TestApp, TestUser};

/// POSTs `path` as `user` with `form`, answering the Relationship or the error status.
async fn call(
    app: &TestApp,
    user: &TestUser,
    path: &str,
    form: &[(&str, &str)],
) -> Result<Value, u16> {
    app.as_(user)
        .post(path, form)
        .await
        .map_err(|error| error.status.as_u16())
}

/// The acct of each account in a list answered at `path`.
async fn accts(app: &TestApp, user: &TestUser, path: &str) -> Vec<String> {
    let accounts: Vec<Value> = app.as_(user).get(path).await.expect("accounts");
    let names = accounts
        .iter()
        .map(|a| a["acct"].as_str().expect("acct").to_owned());
    names.collect()
}

#[sqlx::test]
async fn a_private_note_shows_only_to_its_author(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let path = format!("/api/v1/accounts/{}/note", bob.account_id);
    let noted = call(&app, &alice, &path, &[("comment", "met at the conference")]).await;
    assert_eq!(noted.expect("noted")["note"], "met at the conference");
    let seen = relationship(&app, &alice, &bob.account_id).await;
    assert_eq!(seen["note"], "met at the conference");
    let others = relationship(&app, &bob, &alice.account_id).await;
    assert_eq!(others["note"], "", "bob has no note on alice");

    let too_long = "x".repeat(2001);
    assert_eq!(
        call(&app, &alice, &path, &[("comment", &too_long)]).await,
        Err(422)
    );
    let cleared = call(&app, &alice, &path, &[("comment", "")]).await;
    assert_eq!(cleared.expect("cleared")["note"], "");
    let unknown = call(
        &app,
        &alice,
        "/api/v1/accounts/12345/note",
        &[("comment", "x")],
    )
    .await;
    assert_eq!(unknown, Err(404));
}

#[sqlx::test]
async fn endorsed_accounts_are_featured_on_the_profile(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let endorse = |target: &TestUser| format!("/api/v1/accounts/{}/endorse", target.account_id);
    assert_eq!(
        call(&app, &alice, &endorse(&bob), &[]).await,
        Err(422),
        "only followed accounts are featured"
    );
    for followed in [&bob, &carol] {
        app.as_(&alice).follow(followed).await.expect("follows");
        let endorsed = call(&app, &alice, &endorse(followed), &[]).await;
        assert_eq!(endorsed.expect("endorsed")["endorsed"], true);
    }
    assert_eq!(call(&app, &alice, &endorse(&alice), &[]).await, Err(422));

    assert_eq!(
        accts(&app, &alice, "/api/v1/endorsements").await,
        ["carol", "bob"]
    );
    let profile = format!("/api/v1/accounts/{}/endorsements", alice.account_id);
    let anonymous: Vec<Value> = app.anonymous().get(&profile).await.expect("public");
    assert_eq!(anonymous.len(), 2);

    // The older names of the same actions.
    let unpin = format!("/api/v1/accounts/{}/unpin", bob.account_id);
    let unpinned = call(&app, &alice, &unpin, &[]).await;
    assert_eq!(unpinned.expect("unpinned")["endorsed"], false);
    assert_eq!(accts(&app, &carol, &profile).await, ["carol"]);
}

#[sqlx::test]
async fn a_removed_follower_on_another_server_stops_following(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    b.as_(&bob).follow(&alice_on_b).await.expect("follows");
    settle(&[&a, &b]).await;
    assert_eq!(relationship(&b, &bob, &alice_on_b).await["following"], true);
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    assert_eq!(
        relationship(&a, &alice, &bob_on_a).await["followed_by"],
        true
    );

    let path = format!("/api/v1/accounts/{bob_on_a}/remove_from_followers");
    let removed = call(&a, &alice, &path, &[]).await.expect("removed");
    assert_eq!(removed["followed_by"], false);
    settle(&[&a, &b]).await;
    let on_b = relationship(&b, &bob, &alice_on_b).await;
    assert_eq!(
        on_b["following"], false,
        "bob's server heard the Reject: {on_b}"
    );
    let followers: Vec<Value> = a
        .anonymous()
        .get(&format!("/api/v1/accounts/{}/followers", alice.account_id))
        .await
        .expect("followers");
    assert!(followers.is_empty());
    let status = a
        .as_(&alice)
        .post::<Value>("/api/v1/accounts/999/remove_from_followers", &[])
        .await
        .expect_err("unknown account");
    assert_eq!(status.status, StatusCode::NOT_FOUND);
}
