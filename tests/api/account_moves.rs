//! Moving accounts between real Roost instances, as Mastodon users do: the new account
//! names the old one as an alias (`/settings/aliases`), the old one moves
//! (`/settings/migration`, with the password), and its followers — here and on other
//! servers — follow the new account, are told with a `move` notification, and see the
//! old account redirect (`moved`) while it can no longer post or be followed. Moves
//! that are not proven (no alias, a forged `Move`) change nothing, and moves repeat
//! only after their cooldown. `roost admin` sets aliases and moves accounts too.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::shell::{admin, assert_failure, assert_success};
use crate::helpers::web::WebClient;
use crate::helpers::{expect_error, expect_json, scalar, TestApp, TestUser, PASSWORD};

/// `user`'s account `id` as the API shows it.
async fn account(app: &TestApp, user: &TestUser, id: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/accounts/{id}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await
}

/// `user`'s notifications of type `move`.
async fn move_notifications(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let response = app
        .get("/api/v1/notifications")
        .bearer_auth(&user.access_token)
        .query(&[("types[]", "move")])
        .send()
        .await;
    expect_json(response, 200)
        .await
        .as_array()
        .expect("list")
        .clone()
}

/// Signs `username` in on `app`'s web pages and submits a settings form.
async fn settings_form(
    app: &TestApp,
    username: &str,
    page: &str,
    fields: &[(&str, &str)],
) -> crate::helpers::web::Page {
    let mut browser = WebClient::new(app);
    browser.sign_in(username, PASSWORD).await;
    assert_eq!(browser.get(page).await.status, StatusCode::OK);
    browser.submit(page, fields).await
}

/// `username` on `app` adds `alias` through `/settings/aliases`.
async fn add_alias(app: &TestApp, username: &str, alias: &str) {
    let done = settings_form(app, username, "/settings/aliases", &[("acct", alias)]).await;
    assert_eq!(
        done.location(),
        Some("/settings/aliases?saved=1"),
        "{}",
        done.body
    );
}

/// `username` on `app` moves to `target` through `/settings/migration`.
async fn move_to(app: &TestApp, username: &str, target: &str) -> crate::helpers::web::Page {
    let fields = [("acct", target), ("current_password", PASSWORD)];
    settings_form(app, username, "/settings/migration", &fields).await
}

/// The actor document of local `username` on `app`.
async fn actor_document(app: &TestApp, username: &str) -> Value {
    let response = app
        .get(&format!("/users/{username}"))
        .header("accept", "application/activity+json")
        .send()
        .await;
    expect_json(response, 200).await
}

/// Whether `user` follows account `id` (accepted).
async fn follows(app: &TestApp, user: &TestUser, id: &str) -> bool {
    relationship(app, user, id).await["following"] == json!(true)
}

#[sqlx::test]
async fn a_local_account_moves_to_another_server_and_its_followers_everywhere_follow(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let carol = a.sign_up("carol").await;
    let erin = a.sign_up("erin").await;
    let bob = b.sign_up("bob").await;
    let dave = b.sign_up("dave").await;
    follow(&a, &carol, &alice.account_id).await;
    let alice_on_b = remote_id(&b, &dave, &format!("alice@{}", a.domain)).await;
    follow(&b, &dave, &alice_on_b).await;
    settle(&[&a, &b]).await;
    assert!(follows(&b, &dave, &alice_on_b).await);

    add_alias(&b, "bob", &format!("alice@{}", a.domain)).await;
    let bob_document = actor_document(&b, "bob").await;
    assert_eq!(bob_document["alsoKnownAs"], json!([a.url("/users/alice")]));

    let wrong = settings_form(
        &a,
        "alice",
        "/settings/migration",
        &[
            ("acct", &format!("bob@{}", b.domain)),
            ("current_password", "nope nope"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = move_to(&a, "alice", &format!("bob@{}", b.domain)).await;
    assert_eq!(
        done.location(),
        Some("/settings/migration?saved=1"),
        "{}",
        done.body
    );
    settle(&[&a, &b]).await;

    // Followers on the old account's server and on the new one's moved over.
    let bob_on_a = remote_id(&a, &carol, &format!("bob@{}", b.domain)).await;
    assert!(follows(&a, &carol, &bob_on_a).await, "carol follows bob");
    assert!(!follows(&a, &carol, &alice.account_id).await);
    assert!(
        follows(&b, &dave, &bob.account_id).await,
        "dave follows bob"
    );
    assert!(!follows(&b, &dave, &alice_on_b).await);
    let alice_followers = "SELECT count(*) FROM follows f JOIN accounts t \
        ON t.id = f.target_account_id WHERE t.username = 'alice' AND t.domain IS NULL";
    assert_eq!(scalar(&a.state.db, alice_followers).await, 0);

    // Each was told, with the new account as target.
    let told = move_notifications(&a, &carol).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["account"]["acct"], "alice");
    assert_eq!(told[0]["target"]["acct"], format!("bob@{}", b.domain));
    let told = move_notifications(&b, &dave).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["account"]["acct"], format!("alice@{}", a.domain));
    assert_eq!(told[0]["target"]["acct"], "bob");

    // The old account redirects on both servers.
    let seen_here = account(&a, &carol, &alice.account_id).await;
    assert_eq!(seen_here["moved"]["acct"], format!("bob@{}", b.domain));
    assert!(seen_here["moved"].get("moved").is_none(), "not nested");
    let own = expect_json(
        a.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(own["moved"]["id"], bob_on_a);
    assert_eq!(
        account(&b, &dave, &alice_on_b).await["moved"]["acct"],
        "bob"
    );
    assert!(account(&b, &dave, &bob.account_id)
        .await
        .get("moved")
        .is_none());
    let document = actor_document(&a, "alice").await;
    assert_eq!(document["movedTo"], json!(b.url("/users/bob")));
    let profile = WebClient::new(&a).get("/@alice").await;
    assert!(profile.body.contains("This account has moved to"));
    assert!(profile.body.contains(&format!("@bob@{}", b.domain)));

    // It can no longer post, nor be followed.
    let post = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&[("status", "still here?")])
        .send()
        .await;
    expect_error(post, 422).await;
    let refused = a
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&erin.access_token)
        .send()
        .await;
    expect_error(refused, 403).await;
}

#[sqlx::test]
async fn a_remote_account_moving_here_brings_its_followers_on_every_server_along(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let c = instance(second_database(&db, "c").await).await;
    let frank = b.sign_up("frank").await;
    let gina = a.sign_up("gina").await;
    let hal = a.sign_up("hal").await;
    let ivy = c.sign_up("ivy").await;
    let frank_on_a = remote_id(&a, &hal, &format!("frank@{}", b.domain)).await;
    follow(&a, &hal, &frank_on_a).await;
    let frank_on_c = remote_id(&c, &ivy, &format!("frank@{}", b.domain)).await;
    follow(&c, &ivy, &frank_on_c).await;
    settle(&[&a, &b, &c]).await;
    // hal reads frank in German only; the choice moves with the follow.
    let hal_id: i64 = hal.account_id.parse().expect("numeric id");
    sqlx::query("UPDATE follows SET languages = '{de}' WHERE account_id = $1")
        .bind(hal_id)
        .execute(&a.db)
        .await
        .expect("updates");

    add_alias(&a, "gina", &format!("frank@{}", b.domain)).await;
    let done = move_to(&b, "frank", &format!("gina@{}", a.domain)).await;
    assert_eq!(
        done.location(),
        Some("/settings/migration?saved=1"),
        "{}",
        done.body
    );
    settle(&[&a, &b, &c]).await;

    // Here the new account is local: hal follows gina at once.
    assert!(
        follows(&a, &hal, &gina.account_id).await,
        "hal follows gina"
    );
    let languages: Option<Vec<String>> = sqlx::query_scalar(
        "SELECT languages FROM follows WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(hal_id)
    .bind(gina.account_id.parse::<i64>().expect("numeric id"))
    .fetch_one(&a.db)
    .await
    .expect("the carried follow");
    assert_eq!(languages, Some(vec!["de".to_owned()]));
    assert!(!follows(&a, &hal, &frank_on_a).await);
    assert_eq!(
        account(&a, &hal, &frank_on_a).await["moved"]["acct"],
        "gina"
    );
    let told = move_notifications(&a, &hal).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["target"]["acct"], "gina");
    // On a third server both accounts are remote.
    let gina_on_c = remote_id(&c, &ivy, &format!("gina@{}", a.domain)).await;
    assert!(follows(&c, &ivy, &gina_on_c).await, "ivy follows gina");
    assert!(!follows(&c, &ivy, &frank_on_c).await);
    let moved = account(&c, &ivy, &frank_on_c).await;
    assert_eq!(moved["moved"]["acct"], format!("gina@{}", a.domain));
    assert_eq!(move_notifications(&c, &ivy).await.len(), 1);
    let frank_moved = expect_json(
        b.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&frank.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(frank_moved["moved"]["acct"], format!("gina@{}", a.domain));

    // The same move again (a new activity id) within 7 days is ignored.
    send_move(&b, "frank", &a.url("/users/gina"), &a, "again").await;
    settle(&[&a, &b, &c]).await;
    let reason = last_move_error(&a).await;
    assert!(reason.contains("last 7 days"), "{reason}");
}

/// Delivers a `Move` of local `from` on `sender` to `target` (an actor URL) to
/// `receiver`'s shared inbox, signed by `from`, as a server that skips the checks of a
/// real move would.
async fn send_move(sender: &TestApp, from: &str, target: &str, receiver: &TestApp, tag: &str) {
    let actor = sender.url(&format!("/users/{from}"));
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}#moves/{tag}"),
        "type": "Move",
        "actor": actor,
        "object": actor,
        "target": target,
    });
    let signer = roost::db::accounts::find_visible_by_acct(&sender.state.db, from, None)
        .await
        .expect("reads")
        .expect("local account");
    let inbox = url::Url::parse(&receiver.url("/inbox")).expect("inbox url");
    let mut transaction = sender.state.db.begin().await.expect("begins");
    roost::federation::outbound::deliver(&mut transaction, &activity, &signer, &[inbox])
        .await
        .expect("queued");
    transaction.commit().await.expect("commits");
}

/// Why the latest `Move` `app` received had no effect.
async fn last_move_error(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT coalesce(last_error, '') FROM inbox_activities WHERE activity_type = 'Move' \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("a Move was received")
}

#[sqlx::test]
async fn a_move_that_is_not_proven_changes_nothing_and_moves_wait_for_their_cooldown(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let carol = a.sign_up("carol").await;
    b.sign_up("bob").await;
    b.sign_up("dave").await;
    let bob_on_a = remote_id(&a, &carol, &format!("bob@{}", b.domain)).await;
    follow(&a, &carol, &bob_on_a).await;
    follow(&a, &carol, &alice.account_id).await;
    settle(&[&a, &b]).await;

    // bob names no alias: alice cannot move to him.
    let refused = move_to(&a, "alice", &format!("bob@{}", b.domain)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("alias"), "{}", refused.body);
    assert!(account(&a, &carol, &alice.account_id)
        .await
        .get("moved")
        .is_none());
    assert!(follows(&a, &carol, &alice.account_id).await);
    let unknown = move_to(&a, "alice", "nobody@nowhere.invalid").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A forged Move from bob to dave (who names no alias) is ignored on A.
    send_move(&b, "bob", &b.url("/users/dave"), &a, "forged").await;
    settle(&[&a, &b]).await;
    let reason = last_move_error(&a).await;
    assert!(reason.contains("alsoKnownAs"), "{reason}");
    assert!(
        follows(&a, &carol, &bob_on_a).await,
        "carol still follows bob"
    );
    assert!(account(&a, &carol, &bob_on_a).await.get("moved").is_none());
    assert!(move_notifications(&a, &carol).await.is_empty());

    // With the alias the move goes through; a second one waits 30 days.
    add_alias(&b, "bob", &format!("alice@{}", a.domain)).await;
    let done = move_to(&a, "alice", &format!("bob@{}", b.domain)).await;
    assert_eq!(
        done.location(),
        Some("/settings/migration?saved=1"),
        "{}",
        done.body
    );
    let again = move_to(&a, "alice", "carol").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("You can move again after"),
        "{}",
        again.body
    );
    let mut browser = WebClient::new(&a);
    browser.sign_in("alice", PASSWORD).await;
    let shown = browser.get("/settings/migration").await;
    assert!(
        shown.body.contains("You can move again after"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains(&format!("@bob@{}", b.domain)));
    assert!(
        !shown.body.contains("current_password"),
        "no form while waiting"
    );
}

#[sqlx::test]
async fn an_admin_sets_aliases_and_moves_an_account_from_the_shell(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--workers", "false"]).await;
    let old = app.sign_up("oldname").await;
    let fan = app.sign_up("fan").await;
    let new = app.sign_up("newname").await;
    follow(&app, &fan, &old.account_id).await;

    assert_failure(
        &admin(
            &db,
            &["move-account", "--account", "oldname", "--to", "newname"],
        )
        .await,
        "alias",
    );
    let added = assert_success(
        &admin(
            &db,
            &["alias-add", "--account", "newname", "--alias", "oldname"],
        )
        .await,
    );
    assert!(added.contains("newname is also oldname@"), "{added}");
    let listed = assert_success(&admin(&db, &["alias-list", "--account", "newname"]).await);
    assert!(listed.contains("/users/oldname"), "{listed}");
    let moved = assert_success(
        &admin(
            &db,
            &["move-account", "--account", "oldname", "--to", "newname"],
        )
        .await,
    );
    assert!(moved.contains("1 local followers carried over"), "{moved}");
    assert!(follows(&app, &fan, &new.account_id).await);
    assert!(!follows(&app, &fan, &old.account_id).await);
    assert_eq!(
        account(&app, &fan, &old.account_id).await["moved"]["acct"],
        "newname"
    );
    assert_eq!(move_notifications(&app, &fan).await.len(), 1);

    assert_success(&admin(&db, &["move-clear", "--account", "oldname"]).await);
    assert!(account(&app, &fan, &old.account_id)
        .await
        .get("moved")
        .is_none());
    assert_success(
        &admin(
            &db,
            &["alias-remove", "--account", "newname", "--alias", "oldname"],
        )
        .await,
    );
    let listed = assert_success(&admin(&db, &["alias-list", "--account", "newname"]).await);
    assert!(listed.trim().is_empty(), "{listed}");
}
