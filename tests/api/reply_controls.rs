//! Reply controls (Roost, issue 16 item 4): `reply_policy` on posting (everyone,
//! followers, mentioned, nobody; the author always may reply), enforcement on local
//! replies (422, nothing written), changing the policy later through
//! `PUT /api/v1/statuses/:id/interaction_policy`, and bad inputs.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser};

/// Posts `form` as `user`; the status as JSON, or the error status and body.
async fn post(
    app: &TestApp,
    user: &TestUser,
    form: &[(&str, &str)],
) -> Result<Value, (u16, Value)> {
    app.as_(user)
        .post("/api/v1/statuses", form)
        .await
        .map_err(|error| (error.status.as_u16(), error.body))
}

/// The id of the status `user` posts with `text` (and the extra `form` fields).
async fn posted(app: &TestApp, user: &TestUser, text: &str, form: &[(&str, &str)]) -> String {
    let mut all = vec![("status", text)];
    all.extend_from_slice(form);
    let status = post(app, user, &all).await.expect("posted");
    status["id"].as_str().expect("id").to_owned()
}

/// `user`'s reply to `parent`: Ok, or the error status and body.
async fn reply(app: &TestApp, user: &TestUser, parent: &str) -> Result<Value, (u16, Value)> {
    post(
        app,
        user,
        &[("status", "a reply"), ("in_reply_to_id", parent)],
    )
    .await
}

/// How many replies to `parent` are stored.
async fn replies_stored(db: &PgPool, parent: &str) -> i64 {
    let parent: i64 = parent.parse().expect("numeric id");
    sqlx::query_scalar("SELECT count(*) FROM statuses WHERE in_reply_to_id = $1")
        .bind(parent)
        .fetch_one(db)
        .await
        .expect("count")
}

/// `PUT …/interaction_policy` with `body` as `user`: the HTTP status and JSON.
async fn change_policy(app: &TestApp, user: &TestUser, id: &str, body: Value) -> (u16, Value) {
    let response = app
        .as_(user)
        .request(
            Method::PUT,
            &format!("/api/v1/statuses/{id}/interaction_policy"),
        )
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[sqlx::test]
async fn everyone_may_reply_by_default(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "open to all", &[]).await;
    reply(&app, &bob, &original).await.expect("replied");
}

#[sqlx::test]
async fn nobody_lets_only_the_author_reply(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "no replies", &[("reply_policy", "nobody")]).await;

    let (status, body) = reply(&app, &bob, &original).await.expect_err("refused");
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().expect("error").contains("reply"),
        "{body}"
    );
    assert_eq!(replies_stored(&db, &original).await, 0);
    reply(&app, &alice, &original)
        .await
        .expect("the author may");
    assert_eq!(replies_stored(&db, &original).await, 1);
}

#[sqlx::test]
async fn followers_lets_followers_and_mentioned_reply(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let dave = app.sign_up("dave").await;
    app.as_(&bob)
        .follow(&alice.account_id)
        .await
        .expect("follow");
    let original = posted(
        &app,
        &alice,
        "followers and @carol",
        &[("reply_policy", "followers")],
    )
    .await;

    reply(&app, &bob, &original).await.expect("a follower");
    reply(&app, &carol, &original).await.expect("mentioned");
    let (status, _) = reply(&app, &dave, &original).await.expect_err("a stranger");
    assert_eq!(status, 422);
    assert_eq!(replies_stored(&db, &original).await, 2);
}

#[sqlx::test]
async fn mentioned_lets_only_the_mentioned_reply(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    app.as_(&bob)
        .follow(&alice.account_id)
        .await
        .expect("follow");
    let original = posted(
        &app,
        &alice,
        "just @carol",
        &[("reply_policy", "mentioned")],
    )
    .await;

    reply(&app, &carol, &original).await.expect("mentioned");
    let (status, _) = reply(&app, &bob, &original).await.expect_err("a follower");
    assert_eq!(status, 422);
}

#[sqlx::test]
async fn the_policy_can_change_after_posting(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "open at first", &[]).await;
    reply(&app, &bob, &original).await.expect("open");

    let (status, _) =
        change_policy(&app, &alice, &original, json!({ "reply_policy": "nobody" })).await;
    assert_eq!(status, 200);
    let (status, _) = reply(&app, &bob, &original).await.expect_err("closed");
    assert_eq!(status, 422);

    let (status, _) = change_policy(
        &app,
        &alice,
        &original,
        json!({ "reply_policy": "everyone" }),
    )
    .await;
    assert_eq!(status, 200);
    reply(&app, &bob, &original).await.expect("open again");
}

#[sqlx::test]
async fn bad_inputs_are_refused_and_change_nothing(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let (status, body) = post(
        &app,
        &alice,
        &[("status", "hi"), ("reply_policy", "friends")],
    )
    .await
    .expect_err("unknown policy");
    assert_eq!(status, 422);
    assert!(body["error"]
        .as_str()
        .expect("error")
        .contains("Reply policy"));

    let original = posted(&app, &alice, "mine", &[]).await;
    let (status, _) = change_policy(
        &app,
        &alice,
        &original,
        json!({ "reply_policy": "friends" }),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) =
        change_policy(&app, &bob, &original, json!({ "reply_policy": "nobody" })).await;
    assert_eq!(status, 404);
    let (status, _) = change_policy(
        &app,
        &alice,
        "999999999",
        json!({ "reply_policy": "nobody" }),
    )
    .await;
    assert_eq!(status, 404);
    reply(&app, &bob, &original).await.expect("still open");
}

#[sqlx::test]
async fn the_status_shows_who_may_reply_and_whether_the_viewer_may(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let created = post(
        &app,
        &alice,
        &[("status", "for @bob only"), ("reply_policy", "mentioned")],
    )
    .await
    .expect("posted");
    assert_eq!(
        created["interaction_policy"]["can_reply"],
        json!({ "automatic_approval": ["mentioned", "me"], "manual_approval": [],
                "current_user": "automatic" })
    );
    let id = created["id"].as_str().expect("id");
    let closed = posted(&app, &alice, "closed", &[("reply_policy", "nobody")]).await;
    let open = posted(&app, &alice, "open", &[]).await;
    let shown = |id: String| {
        let client = app.as_(&bob);
        async move {
            let status: Value = client
                .get(&format!("/api/v1/statuses/{id}"))
                .await
                .expect("status");
            status["interaction_policy"]["can_reply"].clone()
        }
    };
    assert_eq!(shown(id.to_owned()).await["current_user"], "automatic");
    let closed = shown(closed).await;
    assert_eq!(closed["current_user"], "denied");
    assert_eq!(closed["automatic_approval"], json!(["me"]));
    let open = shown(open.clone()).await;
    assert_eq!(open["automatic_approval"], json!(["public", "me"]));
    assert_eq!(open["current_user"], "automatic");
}

/// The ids of the descendants of `id` in its context, as `viewer` (or nobody) reads it.
async fn descendants(app: &TestApp, viewer: Option<&TestUser>, id: &str) -> Vec<String> {
    let path = format!("/api/v1/statuses/{id}/context");
    let context: Value = match viewer {
        Some(user) => app.as_(user).get(&path).await.expect("context"),
        None => app.anonymous().get(&path).await.expect("context"),
    };
    (context["descendants"]
        .as_array()
        .expect("descendants")
        .iter())
    .map(|status| status["id"].as_str().expect("id").to_owned())
    .collect()
}

/// The ids (the last path segment of each item) on the first page of the replies
/// collection of `author`'s status `id`, fetched anonymously, after checking that its
/// Note links to it.
async fn replies_collection(app: &TestApp, author: &str, id: &str) -> Vec<String> {
    let fetch = |path: String| async move {
        let response = app
            .get(&path)
            .header("accept", "application/activity+json")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{path}");
        response.json::<Value>().await.expect("json")
    };
    let note = fetch(format!("/users/{author}/statuses/{id}")).await;
    let collection_url = note["replies"].as_str().expect("a replies collection");
    assert!(collection_url.ends_with(&format!("/users/{author}/statuses/{id}/replies")));
    let collection = fetch(format!("/users/{author}/statuses/{id}/replies")).await;
    assert_eq!(collection["id"], collection_url);
    assert_eq!(collection["type"], "OrderedCollection");
    let first = collection["first"].as_str().expect("first page");
    let path = first
        .split_once("/users/")
        .map(|(_, rest)| format!("/users/{rest}"));
    let page = fetch(path.expect("a local page")).await;
    assert_eq!(page["partOf"], collection_url);
    (page["orderedItems"].as_array().expect("items").iter())
        .map(|item| {
            let uri = item.as_str().expect("a URI");
            uri.rsplit('/').next().expect("an id").to_owned()
        })
        .collect()
}

/// `POST /api/v1/statuses/:id/<action>` as `user`: the HTTP status.
async fn act(app: &TestApp, user: &TestUser, id: &str, action: &str) -> u16 {
    app.as_(user)
        .request(Method::POST, &format!("/api/v1/statuses/{id}/{action}"))
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[sqlx::test]
async fn the_author_hides_a_reply_for_everyone_but_its_author(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let original = posted(&app, &alice, "a thread", &[]).await;
    let rude = reply(&app, &bob, &original).await.expect("replied");
    let rude = rude["id"].as_str().expect("id").to_owned();
    let answer = posted(&app, &carol, "@bob no", &[("in_reply_to_id", &rude)]).await;
    let kind = reply(&app, &carol, &original).await.expect("replied");
    let kind = kind["id"].as_str().expect("id").to_owned();

    assert_eq!(act(&app, &carol, &rude, "hide_reply").await, 403);
    assert_eq!(act(&app, &bob, &rude, "hide_reply").await, 403);
    assert_eq!(act(&app, &alice, "999999999", "hide_reply").await, 404);
    assert_eq!(act(&app, &alice, &rude, "hide_reply").await, 200);

    let without = vec![kind.clone()];
    assert_eq!(replies_collection(&app, "alice", &original).await, without);
    assert_eq!(descendants(&app, Some(&alice), &original).await, without);
    assert_eq!(descendants(&app, Some(&carol), &original).await, without);
    assert_eq!(descendants(&app, None, &original).await, without);
    assert_eq!(
        descendants(&app, Some(&bob), &original).await,
        vec![rude.clone(), answer.clone(), kind.clone()]
    );

    assert_eq!(act(&app, &alice, &rude, "unhide_reply").await, 200);
    assert_eq!(
        replies_collection(&app, "alice", &original).await,
        vec![rude.clone(), kind.clone()],
        "direct replies only, oldest first"
    );
    assert_eq!(
        descendants(&app, None, &original).await,
        vec![rude, answer, kind]
    );
}

#[sqlx::test]
async fn replies_by_accounts_the_author_blocked_never_show(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let original = posted(&app, &alice, "a thread", &[]).await;
    let by_bob = reply(&app, &bob, &original).await.expect("replied");
    let by_carol = reply(&app, &carol, &original).await.expect("replied");
    let by_carol = by_carol["id"].as_str().expect("id").to_owned();
    assert!(descendants(&app, None, &original)
        .await
        .contains(&by_bob["id"].as_str().expect("id").to_owned()));

    app.as_(&alice).block(&bob.account_id).await.expect("block");
    assert_eq!(
        descendants(&app, Some(&carol), &original).await,
        vec![by_carol.clone()]
    );
    assert_eq!(
        replies_collection(&app, "alice", &original).await,
        vec![by_carol.clone()]
    );
    assert_eq!(descendants(&app, None, &original).await, vec![by_carol]);
}

/// `replies_count` of status `id` as `viewer` reads it.
async fn replies_count(app: &TestApp, viewer: &TestUser, id: &str) -> Value {
    let status: Value = (app.as_(viewer).get(&format!("/api/v1/statuses/{id}")))
        .await
        .expect("status");
    status["replies_count"].clone()
}

#[sqlx::test]
async fn replies_count_leaves_out_hidden_replies_and_blocked_accounts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let original = posted(&app, &alice, "a thread", &[]).await;
    let by_bob = reply(&app, &bob, &original).await.expect("replied");
    let by_bob = by_bob["id"].as_str().expect("id").to_owned();
    reply(&app, &carol, &original).await.expect("replied");
    assert_eq!(replies_count(&app, &alice, &original).await, 2);

    assert_eq!(act(&app, &alice, &by_bob, "hide_reply").await, 200);
    assert_eq!(act(&app, &alice, &by_bob, "hide_reply").await, 200);
    assert_eq!(replies_count(&app, &carol, &original).await, 1, "hidden");
    assert_eq!(act(&app, &alice, &by_bob, "unhide_reply").await, 200);
    assert_eq!(act(&app, &alice, &by_bob, "unhide_reply").await, 200);
    assert_eq!(
        replies_count(&app, &carol, &original).await,
        2,
        "shown again"
    );

    app.as_(&alice)
        .block(&carol.account_id)
        .await
        .expect("block");
    app.as_(&alice)
        .block(&carol.account_id)
        .await
        .expect("again");
    assert_eq!(replies_count(&app, &bob, &original).await, 1, "blocked");
    app.as_(&alice)
        .unblock(&carol.account_id)
        .await
        .expect("unblock");
    assert_eq!(replies_count(&app, &bob, &original).await, 2, "unblocked");

    // A hidden reply that is deleted was not counted: the count stays.
    assert_eq!(act(&app, &alice, &by_bob, "hide_reply").await, 200);
    app.as_(&bob)
        .delete_status(by_bob.as_str())
        .await
        .expect("deleted");
    assert_eq!(replies_count(&app, &carol, &original).await, 1);
}

#[sqlx::test]
async fn new_posts_take_the_authors_default_reply_policy(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let path = "/api/v1/accounts/update_credentials";
    let bad = (app
        .as_(&alice)
        .patch::<Value>(path, &[("source[reply_policy]", "friends")]))
    .await
    .expect_err("unknown policy");
    assert_eq!(bad.status.as_u16(), 422);
    let _: Value = (app
        .as_(&alice)
        .patch(path, &[("source[reply_policy]", "nobody")]))
    .await
    .expect("changed");
    let preferences: Value = (app.as_(&alice).get("/api/v1/preferences"))
        .await
        .expect("preferences");
    assert_eq!(preferences["posting:default:reply_policy"], "nobody");

    let closed = posted(&app, &alice, "by default", &[]).await;
    assert_eq!(
        reply(&app, &bob, &closed).await.err().map(|e| e.0),
        Some(422)
    );
    let open = posted(&app, &alice, "this one", &[("reply_policy", "everyone")]).await;
    reply(&app, &bob, &open).await.expect("asked for");
}
