//! Blocks and reports between two real Roost instances: a `Block` severs the follows
//! on both servers and `Undo(Block)` lifts it; a report forwarded as a `Flag` becomes
//! a report on the reported account's server, where its moderators hear of it.

use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::requests::{call, notification_kinds, read};
use crate::helpers::staff::promote;
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

/// alice on A and bob on B, following each other (settled); returns each one's id of
/// the other.
async fn mutual_follows(db: &PgPool) -> (TestApp, TestApp, TestUser, TestUser, String, String) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&a, &alice, &bob_on_a).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let seen = relationship(&b, &bob, &alice_on_b).await;
    assert_eq!(
        (seen["following"].clone(), seen["followed_by"].clone()),
        (true.into(), true.into()),
        "{seen}"
    );
    (a, b, alice, bob, bob_on_a, alice_on_b)
}

#[sqlx::test]
async fn a_block_reaches_the_remote_server_and_severs_the_follow_both_ways(db: PgPool) {
    let (a, b, alice, bob, bob_on_a, alice_on_b) = mutual_follows(&db).await;
    let alices = a
        .post_status(&alice, &[("status", "before the block")])
        .await;
    settle(&[&a, &b]).await;
    let home = read(&b, &bob, "/api/v1/timelines/home").await;
    let on_b = home[0]["id"]
        .as_str()
        .expect("alice's post reached bob")
        .to_owned();
    assert!(home[0]["content"]
        .as_str()
        .is_some_and(|c| c.contains("before the block")));
    let _ = alices;

    let shown = a
        .as_(&alice)
        .block(&bob_on_a)
        .await
        .expect("alice blocks bob");
    assert_eq!((shown.blocking, shown.following), (true, false));
    settle(&[&a, &b]).await;

    let seen = relationship(&b, &bob, &alice_on_b).await;
    assert_eq!(seen["blocked_by"], true, "{seen}");
    assert_eq!(seen["following"], false, "{seen}");
    assert_eq!(seen["followed_by"], false, "{seen}");
    let on_a = relationship(&a, &alice, &bob_on_a).await;
    assert_eq!(
        (on_a["following"].clone(), on_a["followed_by"].clone()),
        (false.into(), false.into()),
        "{on_a}"
    );
    let hidden = b
        .get(&format!("/api/v1/statuses/{on_b}"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_error(hidden, 404).await;
    let refused = b
        .post(&format!("/api/v1/accounts/{alice_on_b}/follow"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_error(refused, 403).await;

    call(
        &a,
        &alice,
        &format!("/api/v1/accounts/{bob_on_a}/unblock"),
        &[],
    )
    .await;
    settle(&[&a, &b]).await;
    assert_eq!(
        relationship(&b, &bob, &alice_on_b).await["blocked_by"],
        false
    );
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    assert_eq!(relationship(&b, &bob, &alice_on_b).await["following"], true);
}

#[sqlx::test]
async fn a_follow_from_a_blocked_remote_account_is_rejected(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    a.as_(&alice)
        .block(&bob_on_a)
        .await
        .expect("alice blocks bob");
    // B has not processed the Block yet, so bob's follow goes out.
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let seen = relationship(&b, &bob, &alice_on_b).await;
    assert_eq!(
        (seen["following"].clone(), seen["requested"].clone()),
        (false.into(), false.into()),
        "{seen}"
    );
    assert_eq!(
        relationship(&a, &alice, &bob_on_a).await["followed_by"],
        false
    );
}

#[sqlx::test]
async fn a_forwarded_report_arrives_as_a_report_for_the_remote_moderators(db: PgPool) {
    let (a, b, alice, bob, bob_on_a, _) = mutual_follows(&db).await;
    let a_moderator = a.sign_up("moddy").await;
    promote(&a.db, "moddy", "moderator").await;
    let b_admin = b.sign_up("boss").await;
    promote(&b.db, "boss", "admin").await;
    let offending = b.post_status(&bob, &[("status", "offending words")]).await;
    settle(&[&a, &b]).await;
    let home = read(&a, &alice, "/api/v1/timelines/home").await;
    let offending_on_a = home[0]["id"]
        .as_str()
        .expect("bob's post reached A")
        .to_owned();

    let report = expect_json(
        a.post("/api/v1/reports")
            .bearer_auth(&alice.access_token)
            .form(&[
                ("account_id", bob_on_a.as_str()),
                ("status_ids[]", offending_on_a.as_str()),
                ("comment", "please act"),
                ("forward", "true"),
            ])
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(report["forwarded"], true, "{report}");
    let local = read(&a, &a_moderator, "/api/v1/notifications").await;
    assert_eq!(notification_kinds(&local), vec!["admin.report"], "{local}");
    assert_eq!(local[0]["report"]["id"], report["id"]);
    settle(&[&a, &b]).await;

    let remote = read(&b, &b_admin, "/api/v1/notifications?types[]=admin.report").await;
    assert_eq!(
        notification_kinds(&remote),
        vec!["admin.report"],
        "{remote}"
    );
    let arrived = &remote[0]["report"];
    assert_eq!(
        arrived["target_account"]["id"],
        bob.account_id.as_str(),
        "{arrived}"
    );
    assert_eq!(arrived["status_ids"], serde_json::json!([offending]));
    assert_eq!(arrived["comment"], "please act");
    let reporter = remote[0]["account"]["acct"].as_str().expect("acct");
    assert!(reporter.ends_with(&format!("@{}", a.domain)), "{reporter}");
    assert_ne!(
        reporter,
        format!("alice@{}", a.domain),
        "the instance actor reports, not alice"
    );
    let bobs = read(&b, &bob, "/api/v1/notifications").await;
    assert!(!notification_kinds(&bobs).contains(&"admin.report".to_owned()));

    let unforwarded = call(
        &a,
        &alice,
        "/api/v1/reports",
        &[("account_id", bob_on_a.as_str())],
    )
    .await;
    assert_eq!(unforwarded["forwarded"], false);
    settle(&[&a, &b]).await;
    let remote = read(&b, &b_admin, "/api/v1/notifications?types[]=admin.report").await;
    assert_eq!(
        remote.as_array().map(Vec::len),
        Some(1),
        "only the forwarded report crossed"
    );
}

#[sqlx::test]
async fn a_domain_block_removes_the_followers_on_that_domain(db: PgPool) {
    let (a, b, alice, bob, bob_on_a, alice_on_b) = mutual_follows(&db).await;
    call(
        &a,
        &alice,
        "/api/v1/domain_blocks",
        &[("domain", b.domain.as_str())],
    )
    .await;
    settle(&[&a, &b]).await;
    let on_a = relationship(&a, &alice, &bob_on_a).await;
    assert_eq!(on_a["domain_blocking"], true, "{on_a}");
    assert_eq!(on_a["followed_by"], false, "{on_a}");
    assert_eq!(on_a["following"], true, "alice's own follow stays: {on_a}");
    let on_b = relationship(&b, &bob, &alice_on_b).await;
    assert_eq!(on_b["following"], false, "B heard of the Reject: {on_b}");
    let listed = read(&a, &alice, "/api/v1/domain_blocks").await;
    assert_eq!(listed, serde_json::json!([b.domain]));
}
