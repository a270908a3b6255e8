//! User safety on one instance: blocks, mutes and domain blocks (relationship flags,
//! lists with Link paging, and what each hides from timelines, threads, status pages,
//! search and notifications), and reports with the moderators' `admin.report`.

use reqwest::Response;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::relationship;
use crate::helpers::requests::{call, notification_kinds, read};
use crate::helpers::staff::promote;
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

async fn read_raw(app: &TestApp, user: &TestUser, path: &str) -> Response {
    app.get(path)
        .bearer_auth(&user.access_token)
        .send()
        .await
        .expect("request sent")
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn block(app: &TestApp, user: &TestUser, account_id: &str) -> Value {
    call(
        app,
        user,
        &format!("/api/v1/accounts/{account_id}/block"),
        &[],
    )
    .await
}

/// The `max_id` of the `rel="next"` link, asserting the header exists.
fn next_max_id(response: &Response) -> String {
    let link = response
        .headers()
        .get("link")
        .expect("a Link header")
        .to_str()
        .expect("ascii")
        .to_owned();
    let next = link
        .split(',')
        .find(|part| part.contains("rel=\"next\""))
        .expect("a next link");
    next.split("max_id=")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("max_id")
        .to_owned()
}

/// Three users alice, bob and carol on one instance.
async fn three(db: PgPool) -> (TestApp, TestUser, TestUser, TestUser) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    (app, alice, bob, carol)
}

#[sqlx::test]
async fn blocking_severs_follows_both_ways_and_sets_blocking_and_blocked_by(db: PgPool) {
    let (app, alice, bob, _) = three(db).await;
    let (as_alice, as_bob) = (app.as_(&alice), app.as_(&bob));
    as_alice.follow(&bob).await.expect("alice follows bob");
    as_bob.follow(&alice).await.expect("bob follows alice");
    let before = as_alice.relationship(&bob).await.expect("relationship");
    assert_eq!((before.blocking, before.following), (false, true));

    let shown = as_alice.block(&bob).await.expect("alice blocks bob");
    assert!(shown.blocking, "{shown:?}");
    assert!(!shown.following);
    assert!(!shown.followed_by);
    assert!(!shown.blocked_by);
    let seen_by_bob = as_bob.relationship(&alice).await.expect("relationship");
    assert!(seen_by_bob.blocked_by, "{seen_by_bob:?}");
    assert!(!seen_by_bob.blocking);
    assert!(!seen_by_bob.following);
    let me = as_alice.me().await.expect("verify_credentials");
    assert_eq!((me.followers_count, me.following_count), (0, 0));

    let refused = as_bob.follow(&alice).await.expect_err("blocked");
    assert_eq!(refused.status, 403);
    let refused = as_alice.follow(&bob).await.expect_err("blocking");
    assert_eq!(refused.status, 403);

    let cleared = as_alice.unblock(&bob).await.expect("alice unblocks bob");
    assert!(!cleared.blocking);
    let seen_by_bob = as_bob.relationship(&alice).await.expect("relationship");
    assert!(!seen_by_bob.blocked_by);
    as_bob.follow(&alice).await.expect("bob may follow again");
}

#[sqlx::test]
async fn blocked_accounts_are_listed_newest_first_with_link_paging(db: PgPool) {
    let (app, alice, bob, carol) = three(db).await;
    let dave = app.sign_up("dave").await;
    for target in [&bob, &carol, &dave] {
        block(&app, &alice, &target.account_id).await;
    }
    let first = read_raw(&app, &alice, "/api/v1/blocks?limit=2").await;
    let max_id = next_max_id(&first);
    let page = expect_json(Ok(first), 200).await;
    assert_eq!(
        ids(&page),
        vec![dave.account_id.clone(), carol.account_id.clone()]
    );
    let rest = read(
        &app,
        &alice,
        &format!("/api/v1/blocks?limit=2&max_id={max_id}"),
    )
    .await;
    assert_eq!(ids(&rest), vec![bob.account_id.clone()]);
    let none = read(&app, &bob, "/api/v1/blocks").await;
    assert_eq!(ids(&none), Vec::<String>::new());
}

#[sqlx::test]
async fn a_block_hides_each_side_from_the_other_everywhere(db: PgPool) {
    let (app, alice, bob, carol) = three(db).await;
    call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/follow", carol.account_id),
        &[],
    )
    .await;
    let root = app.post_status(&alice, &[("status", "a thread")]).await;
    let reply = app
        .post_status(
            &bob,
            &[
                ("status", "@alice a reply"),
                ("in_reply_to_id", root.as_str()),
            ],
        )
        .await;
    let bobs = app.post_status(&bob, &[("status", "bob speaks")]).await;
    call(
        &app,
        &carol,
        &format!("/api/v1/statuses/{bobs}/reblog"),
        &[],
    )
    .await;
    let alices = app.post_status(&alice, &[("status", "alice speaks")]).await;
    let before = read(&app, &alice, "/api/v1/notifications").await;
    assert!(
        notification_kinds(&before).contains(&"mention".to_owned()),
        "{before}"
    );

    block(&app, &alice, &bob.account_id).await;

    for (viewer, status) in [
        (&alice, &bobs),
        (&alice, &reply),
        (&bob, &alices),
        (&bob, &root),
    ] {
        let hidden = read_raw(&app, viewer, &format!("/api/v1/statuses/{status}")).await;
        assert_eq!(hidden.status(), 404, "{} sees {status}", viewer.username);
    }
    let context = read(&app, &alice, &format!("/api/v1/statuses/{root}/context")).await;
    assert_eq!(context["descendants"], serde_json::json!([]), "{context}");
    let public = read(&app, &alice, "/api/v1/timelines/public").await;
    assert!(!public.to_string().contains("bob speaks"), "{public}");
    app.post_status(&carol, &[("status", "@bob hello bob")])
        .await;
    let home = read(&app, &alice, "/api/v1/timelines/home").await;
    assert!(
        !home.to_string().contains("bob speaks"),
        "the boost of bob's post shows: {home}"
    );
    assert!(
        !home.to_string().contains("hello bob"),
        "a post mentioning bob shows: {home}"
    );
    let profile = read(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/statuses", bob.account_id),
    )
    .await;
    assert_eq!(ids(&profile), Vec::<String>::new());
    let bobs_view = read(&app, &bob, "/api/v1/timelines/public").await;
    assert!(
        !bobs_view.to_string().contains("alice speaks"),
        "{bobs_view}"
    );
    let found = read(&app, &alice, "/api/v1/accounts/search?q=bob").await;
    assert_eq!(ids(&found), Vec::<String>::new());
    let found = read(&app, &bob, "/api/v2/search?q=alice&type=accounts").await;
    assert_eq!(found["accounts"], serde_json::json!([]));
    let after = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(notification_kinds(&after), Vec::<String>::new(), "{after}");
    app.post_status(&bob, &[("status", "@alice still here?")])
        .await;
    let later = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(notification_kinds(&later), Vec::<String>::new(), "{later}");

    let carols_view = read(&app, &carol, "/api/v1/timelines/public").await;
    assert!(
        carols_view.to_string().contains("bob speaks"),
        "others still see it"
    );
}

#[sqlx::test]
async fn muting_hides_from_feeds_and_notifications_but_not_from_the_profile(db: PgPool) {
    let (app, alice, bob, _) = three(db).await;
    call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/follow", bob.account_id),
        &[],
    )
    .await;
    let root = app.post_status(&alice, &[("status", "a thread")]).await;
    let shown = call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/mute", bob.account_id),
        &[],
    )
    .await;
    assert_eq!(shown["muting"], true, "{shown}");
    assert_eq!(shown["muting_notifications"], true);
    assert_eq!(shown["following"], true, "a mute keeps the follow");
    assert_eq!(
        relationship(&app, &bob, &alice.account_id).await["muting"],
        false
    );

    let mention = app
        .post_status(&bob, &[("status", "@alice muted words")])
        .await;
    let reply = app
        .post_status(
            &bob,
            &[("status", "muted reply"), ("in_reply_to_id", root.as_str())],
        )
        .await;
    for path in ["/api/v1/timelines/home", "/api/v1/timelines/public"] {
        let feed = read(&app, &alice, path).await;
        assert!(!feed.to_string().contains("muted words"), "{path}: {feed}");
    }
    let context = read(&app, &alice, &format!("/api/v1/statuses/{root}/context")).await;
    assert_eq!(context["descendants"], serde_json::json!([]), "{context}");
    let profile = read(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/statuses", bob.account_id),
    )
    .await;
    assert_eq!(ids(&profile), vec![reply.clone(), mention.clone()]);
    read(&app, &alice, &format!("/api/v1/statuses/{mention}")).await;
    let notified = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(
        notification_kinds(&notified),
        Vec::<String>::new(),
        "{notified}"
    );

    call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/unmute", bob.account_id),
        &[],
    )
    .await;
    let home = read(&app, &alice, "/api/v1/timelines/home").await;
    assert!(home.to_string().contains("muted words"), "{home}");
}

#[sqlx::test]
async fn a_mute_may_spare_notifications_and_end_after_its_duration(db: PgPool) {
    let (app, alice, bob, carol) = three(db.clone()).await;
    let shown = call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/mute", bob.account_id),
        &[("notifications", "false"), ("duration", "3600")],
    )
    .await;
    assert_eq!(
        (
            shown["muting"].clone(),
            shown["muting_notifications"].clone()
        ),
        (true.into(), false.into())
    );
    app.post_status(&bob, &[("status", "@alice you still hear me")])
        .await;
    let notified = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(notification_kinds(&notified), vec!["mention"]);
    call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/mute", carol.account_id),
        &[],
    )
    .await;

    let first = read_raw(&app, &alice, "/api/v1/mutes?limit=1").await;
    let max_id = next_max_id(&first);
    let page = expect_json(Ok(first), 200).await;
    assert_eq!(ids(&page), vec![carol.account_id.clone()]);
    assert_eq!(page[0]["mute_expires_at"], Value::Null);
    let rest = read(
        &app,
        &alice,
        &format!("/api/v1/mutes?limit=1&max_id={max_id}"),
    )
    .await;
    assert_eq!(ids(&rest), vec![bob.account_id.clone()]);
    assert!(rest[0]["mute_expires_at"].as_str().is_some(), "{rest}");

    sqlx::query(
        "UPDATE mutes SET expires_at = now() - interval '1 second' WHERE notifications = false",
    )
    .execute(&db)
    .await
    .expect("expires the mute");
    assert_eq!(
        relationship(&app, &alice, &bob.account_id).await["muting"],
        false
    );
    let left = read(&app, &alice, "/api/v1/mutes").await;
    assert_eq!(ids(&left), vec![carol.account_id.clone()]);

    let bad = app
        .post(&format!("/api/v1/accounts/{}/mute", bob.account_id))
        .bearer_auth(&alice.access_token)
        .form(&[("duration", "-5")])
        .send()
        .await;
    expect_error(bad, 422).await;
    let own = app
        .post(&format!("/api/v1/accounts/{}/mute", alice.account_id))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_error(own, 403).await;
}

/// A remote account on `domain` with one public status, stored as federation would.
async fn remote_poster(db: &PgPool, domain: &str) -> (i64, i64) {
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, domain, ap_id, inbox_url) VALUES ('spammer', $1, $2, $3) RETURNING id",
    )
    .bind(domain)
    .bind(format!("https://{domain}/users/spammer"))
    .bind(format!("https://{domain}/users/spammer/inbox"))
    .fetch_one(db)
    .await
    .expect("inserts the account");
    let status: i64 = sqlx::query_scalar(
        "INSERT INTO statuses (account_id, local, ap_id, content, visibility) \
         VALUES ($1, false, $2, '<p>buy now</p>', 'public') RETURNING id",
    )
    .bind(account)
    .bind(format!("https://{domain}/users/spammer/statuses/1"))
    .fetch_one(db)
    .await
    .expect("inserts the status");
    (account, status)
}

#[sqlx::test]
async fn domain_blocks_hide_the_domain_and_are_listed_with_link_paging(db: PgPool) {
    let (app, alice, bob, _) = three(db.clone()).await;
    let (spammer, status) = remote_poster(&db, "spam.example").await;
    let spammer = spammer.to_string();
    assert_eq!(
        relationship(&app, &alice, &spammer).await["domain_blocking"],
        false
    );
    call(
        &app,
        &alice,
        "/api/v1/domain_blocks",
        &[("domain", "Spam.Example")],
    )
    .await;
    call(
        &app,
        &alice,
        "/api/v1/domain_blocks",
        &[("domain", "other.example")],
    )
    .await;
    call(
        &app,
        &alice,
        "/api/v1/domain_blocks",
        &[("domain", "third.example")],
    )
    .await;
    assert_eq!(
        relationship(&app, &alice, &spammer).await["domain_blocking"],
        true
    );

    let first = read_raw(&app, &alice, "/api/v1/domain_blocks?limit=2").await;
    let max_id = next_max_id(&first);
    let page = expect_json(Ok(first), 200).await;
    assert_eq!(page, serde_json::json!(["third.example", "other.example"]));
    let rest = read(
        &app,
        &alice,
        &format!("/api/v1/domain_blocks?limit=2&max_id={max_id}"),
    )
    .await;
    assert_eq!(rest, serde_json::json!(["spam.example"]));

    let public = read(&app, &alice, "/api/v1/timelines/public").await;
    assert!(!public.to_string().contains("buy now"), "{public}");
    let others = read(&app, &bob, "/api/v1/timelines/public").await;
    assert!(others.to_string().contains("buy now"), "{others}");
    let follow = app
        .post(&format!("/api/v1/accounts/{spammer}/follow"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_error(follow, 403).await;
    sqlx::query(
        "INSERT INTO statuses (account_id, local, ap_id, content, visibility, in_reply_to_id) \
         SELECT $1, false, 'https://spam.example/users/spammer/statuses/2', '<p>hi</p>', 'public', $2",
    )
    .bind(spammer.parse::<i64>().expect("id"))
    .bind(status)
    .execute(&db)
    .await
    .expect("inserts");
    let favourite = app.post_status(&alice, &[("status", "mine")]).await;
    let mut transaction = db.begin().await.expect("begins");
    let cause = roost::services::notifications::create::Cause::new(
        roost::db::notifications::Kind::Favourite,
        spammer.parse().expect("id"),
        Some(favourite.parse().expect("id")),
    );
    roost::services::notifications::create::notify(
        &mut transaction,
        &cause,
        &[alice.account_id.parse().expect("id")],
    )
    .await
    .expect("runs");
    transaction.commit().await.expect("commits");
    let notified = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(
        notification_kinds(&notified),
        Vec::<String>::new(),
        "{notified}"
    );

    let removed = app
        .delete("/api/v1/domain_blocks")
        .bearer_auth(&alice.access_token)
        .form(&[("domain", "spam.example")])
        .send()
        .await;
    expect_json(removed, 200).await;
    assert_eq!(
        relationship(&app, &alice, &spammer).await["domain_blocking"],
        false
    );
    let public = read(&app, &alice, "/api/v1/timelines/public").await;
    assert!(public.to_string().contains("buy now"), "{public}");

    for domain in ["", "a b", &app.domain] {
        let bad = app
            .post("/api/v1/domain_blocks")
            .bearer_auth(&alice.access_token)
            .form(&[("domain", domain)])
            .send()
            .await;
        expect_error(bad, 422).await;
    }
}

#[sqlx::test]
async fn a_report_notifies_every_local_moderator_with_the_report(db: PgPool) {
    let (app, alice, bob, carol) = three(db.clone()).await;
    let moderator = app.sign_up("moddy").await;
    let admin = app.sign_up("boss").await;
    promote(&db, "moddy", "moderator").await;
    promote(&db, "boss", "admin").await;
    let offending = app.post_status(&bob, &[("status", "rude")]).await;
    let unrelated = app.post_status(&carol, &[("status", "fine")]).await;

    let report = expect_json(
        app.post("/api/v1/reports")
            .bearer_auth(&alice.access_token)
            .json(&serde_json::json!({
                "account_id": bob.account_id,
                "status_ids": [offending, unrelated],
                "comment": "please look",
                "category": "spam",
            }))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(report["category"], "spam", "{report}");
    assert_eq!(report["comment"], "please look");
    assert_eq!(report["action_taken"], false);
    assert_eq!(report["forwarded"], false);
    assert_eq!(report["status_ids"], serde_json::json!([offending]));
    assert_eq!(report["target_account"]["id"], bob.account_id.as_str());

    for staff in [&moderator, &admin] {
        let list = read(&app, staff, "/api/v1/notifications?types[]=admin.report").await;
        assert_eq!(notification_kinds(&list), vec!["admin.report"], "{list}");
        assert_eq!(list[0]["account"]["id"], alice.account_id.as_str());
        assert_eq!(list[0]["report"]["id"], report["id"]);
        assert_eq!(
            list[0]["report"]["target_account"]["id"],
            bob.account_id.as_str()
        );
    }
    let nothing = read(&app, &carol, "/api/v1/notifications").await;
    assert_eq!(notification_kinds(&nothing), Vec::<String>::new());

    let rule: i64 =
        sqlx::query_scalar("INSERT INTO instance_rules (text) VALUES ('No spam') RETURNING id")
            .fetch_one(&app.db)
            .await
            .expect("rule");
    let unknown_rule = app
        .post("/api/v1/reports")
        .bearer_auth(&alice.access_token)
        .form(&[("account_id", bob.account_id.as_str()), ("rule_ids[]", "1")])
        .send()
        .await;
    crate::helpers::expect_error(unknown_rule, 422).await;
    let again = call(
        &app,
        &alice,
        "/api/v1/reports",
        &[
            ("account_id", &bob.account_id),
            ("rule_ids[]", &rule.to_string()),
            ("category", "spam"),
        ],
    )
    .await;
    assert_eq!(again["category"], "violation", "rules make it a violation");
    assert_eq!(again["rule_ids"], serde_json::json!([rule.to_string()]));
    assert_eq!(again["status_ids"], serde_json::json!([]));
    assert_eq!(report["rule_ids"], Value::Null);
    let list = read(&app, &moderator, "/api/v1/notifications").await;
    assert_eq!(
        notification_kinds(&list),
        vec!["admin.report", "admin.report"],
        "{list}"
    );
}

#[sqlx::test]
async fn invalid_reports_are_refused(db: PgPool) {
    let (app, alice, bob, _) = three(db).await;
    let cases: [(Vec<(&str, String)>, u16); 5] = [
        (vec![], 422),
        (vec![("account_id", "123456".into())], 404),
        (
            vec![
                ("account_id", bob.account_id.clone()),
                ("comment", "x".repeat(1001)),
            ],
            422,
        ),
        (
            vec![
                ("account_id", bob.account_id.clone()),
                ("category", "boring".into()),
            ],
            422,
        ),
        (vec![("account_id", alice.account_id.clone())], 422),
    ];
    for (form, status) in cases {
        let response = app
            .post("/api/v1/reports")
            .bearer_auth(&alice.access_token)
            .form(&form)
            .send()
            .await;
        expect_error(response, status).await;
    }
}
