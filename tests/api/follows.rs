//! Reads of the follow graph beyond followers and following lists:
//! `GET /api/v1/accounts/familiar_followers`
//! (<https://docs.joinmastodon.org/methods/accounts/#familiar_followers>), which Phanpy
//! calls when it shows a profile.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::TestApp;

/// The usernames of each entry's familiar followers, per asked account id.
fn familiar(answer: &Value) -> Vec<(String, Vec<String>)> {
    let entries = answer.as_array().expect("an array");
    entries
        .iter()
        .map(|entry| {
            let names = entry["accounts"].as_array().expect("accounts");
            let names = names
                .iter()
                .map(|a| a["username"].as_str().unwrap_or("").to_owned());
            (
                entry["id"].as_str().unwrap_or("").to_owned(),
                names.collect(),
            )
        })
        .collect()
}

#[sqlx::test]
async fn familiar_followers_are_the_people_you_follow_who_follow_them(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let [me, bob, carol, dave, erin, target, other] =
        ["me", "bob", "carol", "dave", "erin", "target", "other"].map(|name| app.sign_up(name));
    let (me, bob, carol, dave, erin, target, other) = (
        me.await,
        bob.await,
        carol.await,
        dave.await,
        erin.await,
        target.await,
        other.await,
    );
    // I follow bob, carol and erin; bob, carol, dave and erin follow target.
    for followed in [&bob, &carol, &erin] {
        app.as_(&me).follow(followed).await.expect("follow");
    }
    for follower in [&bob, &carol, &dave, &erin] {
        app.as_(follower)
            .follow(&target)
            .await
            .expect("follow target");
    }
    // Erin hides her collections; carol is blocked by me afterwards.
    sqlx::query("UPDATE accounts SET hide_collections = true WHERE username = 'erin'")
        .execute(&db)
        .await
        .expect("hide erin's collections");
    app.as_(&me).block(&carol).await.expect("block carol");

    let path = format!(
        "/api/v1/accounts/familiar_followers?id[]={}&id[]={}&id[]=999999&id[]=abc",
        target.account_id, other.account_id
    );
    let answer: Value = app.as_(&me).get(&path).await.expect("familiar followers");
    assert_eq!(
        familiar(&answer),
        [
            (target.account_id.clone(), vec!["bob".to_owned()]),
            (other.account_id.clone(), vec![]),
        ],
        "only bob: dave is not followed, erin hides her follows, carol is blocked; \
         unknown ids are left out"
    );

    let anonymous = app.anonymous().get::<Value>(&path).await;
    assert_eq!(anonymous.expect_err("needs a token").status, 401);
}

/// `GET /api/v1/accounts?id[]=…` (Mastodon 4.3): several accounts in one request, in
/// the order asked, unknown ids left out, at most 40.
#[sqlx::test]
async fn several_accounts_are_fetched_at_once_in_the_order_asked(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let path = format!(
        "/api/v1/accounts?id[]={}&id[]=999999&id[]={}&id[]={}",
        bob.account_id, alice.account_id, bob.account_id
    );
    let found: Value = app.anonymous().get(&path).await.expect("accounts");
    let names: Vec<&str> = found
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|account| account["username"].as_str())
        .collect();
    assert_eq!(names, ["bob", "alice"]);

    let too_many: String = (1..=41).map(|n| format!("id[]={n}&")).collect();
    let refused = app
        .anonymous()
        .get::<Value>(&format!("/api/v1/accounts?{too_many}"))
        .await
        .expect_err("41 ids");
    assert_eq!(refused.status, 422);
}
