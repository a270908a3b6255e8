//! Durability of federation: nothing is lost or sent twice when a peer is down, a
//! worker dies mid-send, an activity arrives twice, or several workers share a queue.

use sqlx::PgPool;

use crate::helpers::peers::{
    accounts_of, follow, instance, port_of, relationship, remote_id, second_database, settle,
};
use crate::helpers::scalar;
use crate::helpers::{expect_json, TestApp, TestUser};
use roost::delivery::worker as delivery_worker;

#[sqlx::test]
async fn a_follow_sent_while_the_other_server_is_down_is_delivered_when_it_returns(db: PgPool) {
    let a = instance(db.clone()).await;
    let b_db = second_database(&db, "b").await;
    let b = instance(b_db.clone()).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
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
        let id = remote_id(&a, &alice, &format!("{name}@{}", b.domain)).await;
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
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
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
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
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
async fn two_worker_processes_share_the_queue_and_send_each_delivery_once(db: PgPool) {
    let a = instance(db.clone()).await;
    // A second process of instance A: same database, domain and secret.
    let a2 = TestApp::spawn_with(db.clone(), &["--workers", "false", "--domain", &a.domain]).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    for name in ["bob", "carol", "dave", "erin", "frank", "grace"] {
        b.sign_up(name).await;
        let id = remote_id(&a, &alice, &format!("{name}@{}", b.domain)).await;
        follow(&a, &alice, &id).await;
    }
    let (first, second) = tokio::join!(
        delivery_worker::run_once(&a.state),
        delivery_worker::run_once(&a2.state)
    );
    assert_eq!(
        first.expect("runs") + second.expect("runs"),
        6,
        "every delivery claimed by exactly one worker"
    );
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE state = 'delivered' AND attempts = 1"
        )
        .await,
        6
    );
    assert_eq!(
        scalar(&b.db, "SELECT count(*) FROM inbox_activities").await,
        6
    );
}

/// Six remote users on B that alice on A has looked up (so A knows their inboxes).
async fn six_remote_users(a: &TestApp, b: &TestApp, alice: &TestUser) -> Vec<String> {
    let mut ids = Vec::new();
    for name in ["bob", "carol", "dave", "erin", "frank", "grace"] {
        b.sign_up(name).await;
        ids.push(remote_id(a, alice, &format!("{name}@{}", b.domain)).await);
    }
    ids
}

#[sqlx::test]
async fn a_burst_of_failures_at_one_moment_does_not_pause_the_domain(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let ids = six_remote_users(&a, &b, &alice).await;
    b.stop().await;
    for id in &ids {
        follow(&a, &alice, id).await;
    }
    assert_eq!(delivery_worker::run_once(&a.state).await.expect("runs"), 6);
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM instances WHERE unavailable_until IS NOT NULL"
        )
        .await,
        0,
        "six refusals within a second are one moment of failure, not an outage"
    );
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE state = 'pending' AND attempts = 1 \
             AND next_attempt_at < now() + interval '2 minutes'"
        )
        .await,
        6,
        "each is retried after its first wait of about a minute"
    );
}

#[sqlx::test]
async fn a_peer_that_was_down_gets_its_whole_backlog_soon_after_it_comes_back(db: PgPool) {
    // Test timings: the breaker opens at the first failure and probes after a second.
    let a = TestApp::spawn_with(
        db.clone(),
        &[
            "--workers",
            "false",
            "--delivery-breaker-open-after",
            "0",
            "--delivery-breaker-cool-off",
            "1",
        ],
    )
    .await;
    let b_db = second_database(&db, "b").await;
    let b = instance(b_db.clone()).await;
    let alice = a.sign_up("alice").await;
    let ids = six_remote_users(&a, &b, &alice).await;
    let b_port = port_of(&b);
    b.stop().await;
    for id in &ids {
        follow(&a, &alice, id).await;
    }
    assert_eq!(delivery_worker::run_once(&a.state).await.expect("runs"), 6);
    let open: bool = sqlx::query_scalar("SELECT unavailable_until > now() FROM instances")
        .fetch_one(&a.db)
        .await
        .expect("domain recorded");
    assert!(open, "the domain is paused");
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE next_attempt_at > now() + interval '30 seconds'"
        )
        .await,
        6,
        "every delivery waits for its retry"
    );

    let b = TestApp::spawn_at(b_db, b_port, &["--workers", "false"]).await;
    // No clock is moved: the probe after the cool-off brings the rest back.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        delivery_worker::run_once(&a.state).await.expect("runs");
        let received = scalar(
            &b.db,
            "SELECT count(*) FROM inbox_activities WHERE activity_type = 'Follow'",
        )
        .await;
        if received == 6 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B got {received} of 6 follows within 30 s of coming back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE state = 'delivered'"
        )
        .await,
        6
    );
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM instances WHERE unavailable_until IS NULL \
             AND failing_since IS NULL AND consecutive_failures = 0"
        )
        .await,
        1,
        "the breaker is closed and the outage forgotten"
    );
}
