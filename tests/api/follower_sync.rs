//! Follower synchronisation (FEP-8fcf) between real Roost instances: deliveries of
//! followers-addressed activities carry a signed `Collection-Synchronization` header,
//! the receiver compares digests, fetches the partial followers collection on a
//! mismatch and reconciles lost follows in both directions.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::{expect_json, TestApp};

/// The local account id of `username` on `app`.
async fn local_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1 AND domain IS NULL")
        .bind(username)
        .fetch_one(&app.db)
        .await
        .expect("local account")
}

/// The acct of every account following the local `username` on `app`, as rows say.
async fn followers_rows(app: &TestApp, username: &str) -> Vec<(String, bool)> {
    let mut rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT a.username, f.accepted FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1",
    )
    .bind(local_id(app, username).await)
    .fetch_all(&app.db)
    .await
    .expect("reads");
    rows.sort();
    rows
}

/// Deletes the follow of the account `target` by the account named `follower` on
/// `app`, behind the server's back: as if an `Undo` or `Reject` had been lost.
async fn forget_follow(app: &TestApp, follower: &str, target: i64) {
    let deleted = sqlx::query(
        "DELETE FROM follows WHERE target_account_id = $1 \
           AND account_id = (SELECT id FROM accounts WHERE username = $2)",
    )
    .bind(target)
    .bind(follower)
    .execute(&app.db)
    .await
    .expect("deletes");
    assert_eq!(deleted.rows_affected(), 1);
}

#[sqlx::test]
async fn follows_one_side_lost_are_reconciled_after_a_post_to_followers(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "fs").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = b.sign_up("carol").await;
    let dave = b.sign_up("dave").await;
    let erin = b.sign_up("erin").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    for user in [&bob, &carol, &dave, &erin] {
        follow(&b, user, &alice_on_b).await;
    }
    settle(&[&a, &b]).await;
    let everyone = vec![
        ("bob".to_owned(), true),
        ("carol".to_owned(), true),
        ("dave".to_owned(), true),
        ("erin".to_owned(), true),
    ];
    assert_eq!(followers_rows(&a, "alice").await, everyone);

    // Each side loses something the other still has:
    // a forgets carol's follow (b still thinks carol follows alice);
    let alice_id = local_id(&a, "alice").await;
    forget_follow(&a, "carol", alice_id).await;
    // b forgets dave's follow (a still delivers to dave);
    let alice_remote: i64 = alice_on_b.parse().expect("numeric id");
    forget_follow(&b, "dave", alice_remote).await;
    // and b never saw the Accept of erin's follow.
    sqlx::query("UPDATE follows SET accepted = false WHERE target_account_id = $1 AND account_id = (SELECT id FROM accounts WHERE username = 'erin')")
        .bind(alice_remote)
        .execute(&b.db)
        .await
        .expect("updates");

    a.post_status(
        &alice,
        &[("status", "to my followers"), ("visibility", "private")],
    )
    .await;
    settle(&[&a, &b]).await;

    // The Create reached b with a signed header naming alice's followers collection.
    let header: Option<String> = sqlx::query_scalar(
        "SELECT collection_synchronization FROM inbox_activities \
         WHERE activity_type = 'Create' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&b.db)
    .await
    .expect("reads");
    let header = header.expect("the delivery carried Collection-Synchronization");
    assert!(
        header.contains(&format!(
            "collectionId=\"{}/users/alice/followers\"",
            a.base
        )),
        "{header}"
    );
    assert!(
        header.contains(&format!(
            "url=\"{}/users/alice/followers_synchronization\"",
            a.base
        )),
        "{header}"
    );

    // b fetched alice's followers on b and reconciled: carol no longer follows,
    // erin's request is accepted, and dave's follow was undone towards a.
    assert_eq!(
        relationship(&b, &carol, &alice_on_b).await["following"],
        false
    );
    let erin_sees = relationship(&b, &erin, &alice_on_b).await;
    assert_eq!(erin_sees["following"], true, "{erin_sees}");
    assert_eq!(erin_sees["requested"], false, "{erin_sees}");
    assert_eq!(
        relationship(&b, &dave, &alice_on_b).await["following"],
        false
    );
    assert_eq!(relationship(&b, &bob, &alice_on_b).await["following"], true);
    assert_eq!(
        followers_rows(&a, "alice").await,
        vec![("bob".to_owned(), true), ("erin".to_owned(), true)]
    );

    // Both sides agree now: the next post's digest matches, so nothing is fetched
    // (the rate limit row is not written again).
    sqlx::query("DELETE FROM follower_synchronizations")
        .execute(&b.db)
        .await
        .expect("deletes");
    a.post_status(&alice, &[("status", "again"), ("visibility", "private")])
        .await;
    settle(&[&a, &b]).await;
    let fetched: i64 = sqlx::query_scalar("SELECT count(*) FROM follower_synchronizations")
        .fetch_one(&b.db)
        .await
        .expect("counts");
    assert_eq!(fetched, 0, "digests agree, nothing to fetch");
    let home = b
        .get("/api/v1/timelines/home")
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    let home = expect_json(home, 200).await;
    assert!(home.to_string().contains("again"), "{home}");
}

#[sqlx::test]
async fn the_partial_collection_is_signed_only_and_lists_the_signers_server(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "fsb").await).await;
    let c = instance(second_database(&db, "fsc").await).await;
    a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carl = c.sign_up("carl").await;
    for (app, user) in [(&b, &bob), (&c, &carl)] {
        let alice = remote_id(app, user, &format!("alice@{}", a.domain)).await;
        follow(app, user, &alice).await;
    }
    settle(&[&a, &b, &c]).await;
    let url = a.url("/users/alice/followers_synchronization");

    let unsigned = a
        .get("/users/alice/followers_synchronization")
        .header("accept", "application/activity+json")
        .send()
        .await;
    let refused = expect_json(unsigned, 401).await;
    assert!(refused["error"].is_string(), "{refused}");

    // b's instance actor signs the GET, as b does when it synchronises.
    let target = url::Url::parse(&url).expect("url");
    let seen_by_b = roost::federation::fetch::fetch_object(&b.state, &target)
        .await
        .expect("a signed GET is answered");
    assert_eq!(seen_by_b["type"], "OrderedCollection");
    assert_eq!(seen_by_b["id"], url.as_str());
    let items: Vec<&str> = seen_by_b["orderedItems"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(items, vec![b.url("/users/bob").as_str()]);
    let seen_by_c = roost::federation::fetch::fetch_object(&c.state, &target)
        .await
        .expect("answered");
    assert_eq!(
        seen_by_c["orderedItems"],
        serde_json::json!([c.url("/users/carl")])
    );
    let nobody = a
        .get("/users/nobody/followers_synchronization")
        .send()
        .await;
    expect_json(nobody, 404).await;
}
