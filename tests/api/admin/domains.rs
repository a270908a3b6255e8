//! Domain blocks and allows through the admin API, and what a domain block enforces
//! between two real instances (a suspension, `reject_media`).

use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::media::{png, upload_ok};
use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::scalar;
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp};

#[sqlx::test]
async fn domain_blocks_and_allows_are_created_changed_listed_and_removed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let created = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[
            ("domain", "Spam.Example"),
            ("severity", "silence"),
            ("public_comment", "spam"),
        ],
    )
    .await;
    assert_eq!(created["domain"], "spam.example");
    assert_eq!(created["severity"], "silence");
    assert_eq!(created["public_comment"], "spam");
    assert_eq!(created["digest"].as_str().map(str::len), Some(64));
    let id = created["id"].as_str().expect("id").to_owned();

    let duplicate = expect_error(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/domain_blocks",
            &[("domain", "spam.example")],
        )
        .await,
        422,
    )
    .await;
    assert_eq!(duplicate["existing_domain_block"]["id"], id.as_str());
    expect_error(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/domain_blocks",
            &[("domain", "x.example"), ("severity", "nuke")],
        )
        .await,
        422,
    )
    .await;
    expect_error(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/domain_blocks",
            &[("domain", "bad domain!")],
        )
        .await,
        422,
    )
    .await;

    let updated = ok(
        &app,
        &admin,
        Method::PUT,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &[("severity", "suspend"), ("reject_media", "true")],
    )
    .await;
    assert_eq!(updated["severity"], "suspend");
    assert_eq!(updated["reject_media"], true);
    assert_eq!(
        updated["public_comment"], "spam",
        "settings not given are kept"
    );
    let listed = ok(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/domain_blocks",
        &[],
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    ok(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &[],
    )
    .await;
    ok(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &[],
    )
    .await;
    expect_error(
        call(
            &app,
            &admin,
            Method::GET,
            &format!("/api/v1/admin/domain_blocks/{id}"),
            &[],
        )
        .await,
        404,
    )
    .await;

    let allowed = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_allows",
        &[("domain", "friends.example")],
    )
    .await;
    let again = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_allows",
        &[("domain", "friends.example")],
    )
    .await;
    assert_eq!(allowed["id"], again["id"]);
    let allow_id = allowed["id"].as_str().expect("id");
    let listed = ok(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/domain_allows",
        &[],
    )
    .await;
    assert_eq!(listed[0]["domain"], "friends.example");
    ok(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/admin/domain_allows/{allow_id}"),
        &[],
    )
    .await;
    expect_error(
        call(
            &app,
            &admin,
            Method::GET,
            &format!("/api/v1/admin/domain_allows/{allow_id}"),
            &[],
        )
        .await,
        404,
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn after_suspending_a_domain_nothing_lands_from_it_and_nothing_goes_to_it(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let (_, admin) = staff(&a, "boss", "admin").await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = b.sign_up("carol").await;
    // Bob and Alice follow each other before the block.
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    follow(&a, &alice, &bob_on_a).await;
    settle(&[&a, &b]).await;
    // A post of Alice's is queued for B, not yet sent.
    a.post_status(&alice, &[("status", "queued before the block")])
        .await;

    ok(
        &a,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[("domain", &b.domain), ("severity", "suspend")],
    )
    .await;
    let bob_seen = ok(
        &a,
        &admin,
        Method::GET,
        &format!("/api/v1/admin/accounts/{bob_on_a}"),
        &[],
    )
    .await;
    assert_eq!(
        bob_seen["suspended"], true,
        "the domain's accounts are suspended"
    );

    let stored_on_a = || scalar(&a.db, "SELECT count(*) FROM inbox_activities");
    let stored_on_b = || scalar(&b.db, "SELECT count(*) FROM inbox_activities");
    let (a_before, b_before) = (stored_on_a().await, stored_on_b().await);
    // B still believes Alice follows Bob: his post is sent to A and refused. Carol's
    // follow is refused too.
    b.post_status(&bob, &[("status", "can anyone hear me")])
        .await;
    let carol_sees_alice = remote_id(&b, &carol, &format!("alice@{}", a.domain)).await;
    follow(&b, &carol, &carol_sees_alice).await;
    settle(&[&a, &b]).await;
    assert_eq!(
        stored_on_a().await,
        a_before,
        "nothing from the suspended domain is stored"
    );
    let refused = scalar(
        &b.db,
        "SELECT count(*) FROM deliveries WHERE state = 'dead' AND last_status = 403",
    )
    .await;
    assert!(
        refused >= 2,
        "A answered 403 to B's post and follow ({refused})"
    );
    let followers = expect_json(
        a.get(&format!("/api/v1/accounts/{}/followers", alice.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        followers,
        json!([]),
        "the follow was severed and no new one landed"
    );

    // The post queued for B before the block was never sent.
    assert_eq!(
        stored_on_b().await,
        b_before,
        "nothing reaches the suspended domain"
    );
    let not_sent = scalar(
        &a.db,
        "SELECT count(*) FROM deliveries WHERE state = 'dead' AND last_status IS NULL",
    )
    .await;
    assert_eq!(
        not_sent, 1,
        "the queued delivery was refused without a request"
    );
    a.stop().await;
    b.stop().await;
}

#[sqlx::test]
async fn media_from_a_domain_blocked_with_reject_media_is_not_kept(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let (_, admin) = staff(&a, "boss", "admin").await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    follow(&a, &alice, &bob_on_a).await;
    settle(&[&a, &b]).await;
    ok(
        &a,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[
            ("domain", &b.domain),
            ("severity", "noop"),
            ("reject_media", "true"),
        ],
    )
    .await;
    let media = upload_ok(&b, &bob, png(40, 30), &[("description", "a cat")]).await;
    expect_json(
        b.post("/api/v1/statuses")
            .bearer_auth(&bob.access_token)
            .form(&[
                ("status", "my cat"),
                ("media_ids[]", media["id"].as_str().expect("id")),
            ])
            .send()
            .await,
        200,
    )
    .await;
    settle(&[&a, &b]).await;
    let home = expect_json(
        a.get("/api/v1/timelines/home")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        home[0]["content"], "<p>my cat</p>",
        "the post arrived: {home}"
    );
    assert_eq!(home[0]["media_attachments"], json!([]), "without its media");
    a.stop().await;
    b.stop().await;
}
