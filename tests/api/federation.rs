//! Two real Roost instances on loopback, each with its own database, federating with
//! real HTTP signatures: discovery, follows (open and locked), unfollow, and the
//! durability of the inbound and outbound queues. Queues are drained explicitly with
//! the workers' `run_once`, so the tests are deterministic.

use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::helpers::{expect_json, TestApp, TestUser};
use roost::delivery::worker as delivery_worker;
use roost::federation::inbox_worker;

/// A second, migrated database beside the test's own (dropped first if a previous run
/// left it behind).
pub async fn second_database(db: &PgPool, suffix: &str) -> PgPool {
    let options = db.connect_options();
    let own = options.get_database().expect("test database has a name");
    // PostgreSQL cuts names at 63 bytes: keep the unique tail of the test's name.
    let tail: String = own
        .chars()
        .rev()
        .take(40)
        .collect::<String>()
        .chars()
        .rev()
        .collect();
    let name = format!("peer_{suffix}_{tail}");
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(db)
        .await
        .expect("drops");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(db)
        .await
        .expect("creates");
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect_with((*options).clone().database(&name))
        .await
        .expect("connects");
    roost::db::migrate(&pool).await.expect("migrates");
    pool
}

/// Starts an instance with its background workers off, so tests drive the queues.
pub async fn instance(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--workers", "false"]).await
}

/// Drains the outbound and inbound queues of every instance until nothing moves.
pub async fn settle(instances: &[&TestApp]) {
    for _round in 0..10 {
        let mut moved = 0;
        for app in instances {
            moved += delivery_worker::run_once(&app.state)
                .await
                .expect("delivers");
            moved += inbox_worker::run_once(&app.state).await.expect("processes");
        }
        if moved == 0 {
            return;
        }
    }
    panic!("queues did not settle in 10 rounds");
}

/// `user` finds `handle` (`name@domain`) through search with `resolve=true`.
pub async fn resolve(app: &TestApp, user: &TestUser, handle: &str) -> Value {
    let found = app
        .get("/api/v2/search")
        .bearer_auth(&user.access_token)
        .query(&[("q", handle), ("resolve", "true"), ("type", "accounts")])
        .send()
        .await;
    let found = expect_json(found, 200).await;
    let accounts = found["accounts"].as_array().expect("accounts").clone();
    assert_eq!(accounts.len(), 1, "resolving {handle} found {found}");
    accounts[0].clone()
}

pub async fn relationship(app: &TestApp, user: &TestUser, id: &str) -> Value {
    let response = app
        .get("/api/v1/accounts/relationships")
        .bearer_auth(&user.access_token)
        .query(&[("id[]", id)])
        .send()
        .await;
    expect_json(response, 200).await[0].clone()
}

async fn accounts_of(app: &TestApp, path: &str) -> Vec<String> {
    let list = expect_json(app.get(path).send().await, 200).await;
    list.as_array()
        .expect("list")
        .iter()
        .map(|a| a["acct"].as_str().expect("acct").to_owned())
        .collect()
}

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

async fn follow(app: &TestApp, user: &TestUser, account_id: &str) {
    let response = app
        .post(&format!("/api/v1/accounts/{account_id}/follow"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await;
}

fn port_of(app: &TestApp) -> u16 {
    app.domain
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("domain has a port")
}

async fn scalar(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db)
        .await
        .expect("query runs")
}

#[sqlx::test]
async fn a_follow_sent_while_the_other_server_is_down_is_delivered_when_it_returns(db: PgPool) {
    let a = instance(db.clone()).await;
    let b_db = second_database(&db, "b").await;
    let b = instance(b_db.clone()).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = resolve(&a, &alice, &format!("bob@{}", b.domain)).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let b_port = port_of(&b);
    b.stop().await;

    follow(&a, &alice, &bob_on_a).await;
    assert_eq!(delivery_worker::run_once(&a.state).await.expect("runs"), 1);
    let (state, attempts): (String, i32) = sqlx::query_as("SELECT state, attempts FROM deliveries")
        .fetch_one(&a.db)
        .await
        .expect("one delivery");
    assert_eq!(
        (state.as_str(), attempts),
        ("pending", 1),
        "a refused connection is retried later"
    );
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE next_attempt_at > now()"
        )
        .await,
        1
    );

    let b = TestApp::spawn_at(b_db, b_port, &["--workers", "false"]).await;
    // The retry is due in about a minute; move the clock of the queue instead of waiting.
    sqlx::query("UPDATE deliveries SET next_attempt_at = now()")
        .execute(&a.db)
        .await
        .expect("updates");
    settle(&[&a, &b]).await;
    assert_eq!(relationship(&a, &alice, &bob_on_a).await["following"], true);
    assert_eq!(
        accounts_of(
            &b,
            &format!("/api/v1/accounts/{}/followers", bob.account_id)
        )
        .await,
        vec![format!("alice@{}", a.domain)]
    );
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE state <> 'delivered'"
        )
        .await,
        0
    );
}

#[sqlx::test]
async fn deliveries_claimed_by_a_process_that_died_are_delivered_exactly_once_after_restart(
    db: PgPool,
) {
    let a_db = db.clone();
    let a = instance(a_db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let mut targets = Vec::new();
    for name in ["bob", "carol", "dave"] {
        let user = b.sign_up(name).await;
        let id = resolve(&a, &alice, &format!("{name}@{}", b.domain)).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        follow(&a, &alice, &id).await;
        targets.push(user);
    }
    // A worker claims the three deliveries, then the process dies before sending.
    let claimed = roost::db::deliveries::claim(&a.db, 10, 120)
        .await
        .expect("claims");
    assert_eq!(claimed.len(), 3);
    let a_port = port_of(&a);
    a.stop().await;

    let a = TestApp::spawn_at(a_db, a_port, &["--workers", "false"]).await;
    assert_eq!(
        delivery_worker::run_once(&a.state).await.expect("runs"),
        0,
        "leased rows wait for their lease"
    );
    // The lease runs out (two minutes later, in the queue's clock).
    sqlx::query("UPDATE deliveries SET locked_until = now() - interval '1 second'")
        .execute(&a.db)
        .await
        .expect("updates");
    settle(&[&a, &b]).await;

    assert_eq!(
        scalar(
            &b.db,
            "SELECT count(*) FROM inbox_activities WHERE activity_type = 'Follow'"
        )
        .await,
        3
    );
    assert_eq!(
        scalar(&b.db, "SELECT count(*) FROM follows WHERE accepted").await,
        3
    );
    for user in &targets {
        let on_b = expect_json(
            b.get(&format!("/api/v1/accounts/{}", user.account_id))
                .send()
                .await,
            200,
        )
        .await;
        assert_eq!(
            on_b["followers_count"], 1,
            "{} should have exactly one follower",
            user.username
        );
    }
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE state = 'delivered'"
        )
        .await,
        3
    );
    assert_eq!(
        scalar(&a.db, "SELECT count(*) FROM follows WHERE accepted").await,
        3
    );
}

#[sqlx::test]
async fn an_activity_delivered_twice_is_processed_once(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = resolve(&a, &alice, &format!("bob@{}", b.domain)).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    follow(&a, &alice, &bob_on_a).await;
    settle(&[&a, &b]).await;
    // Send the very same Follow again, as a retry after a lost response would.
    sqlx::query("UPDATE deliveries SET state = 'pending', next_attempt_at = now() WHERE payload LIKE '%\"Follow\"%'")
        .execute(&a.db)
        .await
        .expect("updates");
    settle(&[&a, &b]).await;
    assert_eq!(
        scalar(
            &b.db,
            "SELECT count(*) FROM inbox_activities WHERE activity_type = 'Follow'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &b.db,
            "SELECT count(*) FROM deliveries WHERE payload LIKE '%\"Accept\"%'"
        )
        .await,
        1
    );
    let on_b = expect_json(
        b.get(&format!("/api/v1/accounts/{}", bob.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(on_b["followers_count"], 1);
}

#[sqlx::test]
async fn a_server_that_refuses_an_activity_with_a_client_error_gets_no_retries(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    b.sign_up("bob").await;
    let bob_on_a = resolve(&a, &alice, &format!("bob@{}", b.domain)).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Point the stored inboxes at a path B answers with 404.
    sqlx::query(
        "UPDATE accounts SET inbox_url = inbox_url || '-missing', \
         shared_inbox_url = shared_inbox_url || '-missing' WHERE domain IS NOT NULL",
    )
    .execute(&a.db)
    .await
    .expect("updates");
    follow(&a, &alice, &bob_on_a).await;
    delivery_worker::run_once(&a.state).await.expect("runs");
    let (state, status): (String, Option<i32>) =
        sqlx::query_as("SELECT state, last_status FROM deliveries")
            .fetch_one(&a.db)
            .await
            .expect("one delivery");
    assert_eq!((state.as_str(), status), ("dead", Some(404)));
    assert_eq!(
        scalar(
            &a.db,
            "SELECT coalesce(sum(consecutive_failures), 0)::bigint FROM instances"
        )
        .await,
        0,
        "an answering server is not down"
    );
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
