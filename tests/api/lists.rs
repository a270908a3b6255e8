//! Lists (<https://docs.joinmastodon.org/methods/lists/>): creating, renaming and
//! deleting them, members (only followed accounts, leaving when the follow ends),
//! the lists containing an account, the list timeline with its replies policy and
//! paging, the limits, and the scopes.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::client::entities::{ids, Status};
use crate::helpers::{TestApp, TestUser, PASSWORD};

/// Creates a list titled `title` as `user`; its id.
async fn create(app: &TestApp, user: &TestUser, title: &str) -> String {
    let list: Value = app
        .as_(user)
        .post("/api/v1/lists", &[("title", title)])
        .await
        .expect("list created");
    list["id"].as_str().expect("id").to_owned()
}

/// Adds `account` to list `list` as `user`.
async fn add(app: &TestApp, user: &TestUser, list: &str, account: &str) -> Result<Value, u16> {
    app.as_(user)
        .post(
            &format!("/api/v1/lists/{list}/accounts"),
            &[("account_ids[]", account)],
        )
        .await
        .map_err(|error| error.status.as_u16())
}

/// The member ids of list `list`.
async fn members(app: &TestApp, user: &TestUser, list: &str) -> Vec<String> {
    let accounts: Vec<Value> = app
        .as_(user)
        .get(&format!("/api/v1/lists/{list}/accounts"))
        .await
        .expect("members");
    let ids = accounts
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned());
    ids.collect()
}

/// The first page of list `list`'s timeline.
async fn timeline(app: &TestApp, user: &TestUser, list: &str) -> Vec<Status> {
    app.as_(user)
        .get(&format!("/api/v1/timelines/list/{list}"))
        .await
        .expect("list timeline")
}

#[sqlx::test]
async fn a_list_is_created_shown_changed_and_deleted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let as_alice = app.as_(&alice);

    let created: Value = as_alice
        .post("/api/v1/lists", &[("title", "  Friends  ")])
        .await
        .expect("created");
    let id = created["id"].as_str().expect("id string").to_owned();
    assert_eq!(
        created,
        json!({ "id": id, "title": "Friends", "replies_policy": "list", "exclusive": false })
    );
    let all: Value = as_alice.get("/api/v1/lists").await.expect("index");
    assert_eq!(all, json!([created]));
    let shown: Value = as_alice
        .get(&format!("/api/v1/lists/{id}"))
        .await
        .expect("show");
    assert_eq!(shown, created);

    let changed: Value = as_alice
        .request(Method::PUT, &format!("/api/v1/lists/{id}"))
        .json(&json!({ "title": "Close friends", "replies_policy": "followed", "exclusive": true }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(
        changed,
        json!({ "id": id, "title": "Close friends", "replies_policy": "followed", "exclusive": true })
    );
    let renamed: Value = as_alice
        .put(&format!("/api/v1/lists/{id}"), &[("title", "Pals")])
        .await
        .expect("renamed");
    assert_eq!(
        renamed["replies_policy"], "followed",
        "unsent settings stay"
    );
    assert_eq!(renamed["exclusive"], true);
    let refused = as_alice
        .put::<Value>(&format!("/api/v1/lists/{id}"), &[("replies_policy", "all")])
        .await
        .expect_err("unknown policy");
    assert_eq!(refused.status, 422);

    let deleted: Value = as_alice
        .delete(&format!("/api/v1/lists/{id}"))
        .await
        .expect("deleted");
    assert_eq!(deleted, json!({}));
    let gone = as_alice
        .get::<Value>(&format!("/api/v1/lists/{id}"))
        .await
        .expect_err("deleted");
    assert_eq!(gone.status, 404);
}

#[sqlx::test]
async fn only_followed_accounts_are_members_and_leave_when_the_follow_ends(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let list = create(&app, &alice, "Friends").await;

    assert_eq!(add(&app, &alice, &list, &bob.account_id).await, Err(404));
    app.as_(&alice).follow(&bob).await.expect("follows bob");
    assert_eq!(
        add(&app, &alice, &list, &bob.account_id).await,
        Ok(json!({}))
    );
    assert_eq!(
        add(&app, &alice, &list, &bob.account_id).await,
        Ok(json!({})),
        "again: no change"
    );
    assert_eq!(
        members(&app, &alice, &list).await,
        [bob.account_id.as_str()]
    );
    let containing: Vec<Value> = app
        .as_(&alice)
        .get(&format!("/api/v1/accounts/{}/lists", bob.account_id))
        .await
        .expect("lists of bob");
    assert_eq!(containing.len(), 1);
    assert_eq!(containing[0]["id"], list.as_str());

    // JSON bodies as masto.js sends them; one unfollowed account refuses the whole request.
    app.as_(&alice).follow(&carol).await.expect("follows carol");
    let added = app
        .as_(&alice)
        .request(Method::POST, &format!("/api/v1/lists/{list}/accounts"))
        .json(&json!({ "account_ids": [carol.account_id] }))
        .send()
        .await
        .expect("sent");
    assert_eq!(added.status(), 200);
    assert_eq!(members(&app, &alice, &list).await.len(), 2);
    let removed = app
        .as_(&alice)
        .request(Method::DELETE, &format!("/api/v1/lists/{list}/accounts"))
        .query(&[("account_ids[]", carol.account_id.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(removed.status(), 200);
    assert_eq!(
        members(&app, &alice, &list).await,
        [bob.account_id.as_str()]
    );

    app.as_(&alice).unfollow(&bob).await.expect("unfollows");
    assert!(members(&app, &alice, &list).await.is_empty());
    let containing: Vec<Value> = app
        .as_(&alice)
        .get(&format!("/api/v1/accounts/{}/lists", bob.account_id))
        .await
        .expect("lists of bob");
    assert!(containing.is_empty());
}

#[sqlx::test]
async fn a_requested_follow_is_enough_and_its_rejection_removes_the_member(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let dave = app.sign_up("dave").await;
    let _: Value = app
        .as_(&dave)
        .patch("/api/v1/accounts/update_credentials", &[("locked", "true")])
        .await
        .expect("locked");
    let list = create(&app, &alice, "Maybe").await;
    let asked = app.as_(&alice).follow(&dave).await.expect("asks");
    assert!(asked.requested);
    assert_eq!(
        add(&app, &alice, &list, &dave.account_id).await,
        Ok(json!({}))
    );
    assert_eq!(
        members(&app, &alice, &list).await,
        [dave.account_id.as_str()]
    );
    let _: Value = app
        .as_(&dave)
        .post(
            &format!("/api/v1/follow_requests/{}/reject", alice.account_id),
            &[],
        )
        .await
        .expect("rejected");
    assert!(members(&app, &alice, &list).await.is_empty());
}

#[sqlx::test]
async fn another_users_list_is_not_found(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let mallory = app.sign_up("mallory").await;
    let list = create(&app, &alice, "Private").await;
    app.as_(&mallory).follow(&alice).await.expect("follows");
    let as_mallory = app.as_(&mallory);
    let paths = [
        format!("/api/v1/lists/{list}"),
        format!("/api/v1/lists/{list}/accounts"),
        format!("/api/v1/timelines/list/{list}"),
    ];
    for path in &paths {
        let refused = as_mallory.get::<Value>(path).await.expect_err(path);
        assert_eq!(refused.status, 404, "{path}");
        assert_eq!(refused.error, "Record not found");
    }
    let path = format!("/api/v1/lists/{list}");
    let refused = as_mallory.put::<Value>(&path, &[("title", "Mine")]).await;
    assert_eq!(refused.expect_err("put").status, 404);
    assert_eq!(
        as_mallory
            .delete::<Value>(&path)
            .await
            .expect_err("delete")
            .status,
        404
    );
    let refused = add(&app, &mallory, &list, &alice.account_id).await;
    assert_eq!(refused, Err(404));
    let still: Value = app.as_(&alice).get(&path).await.expect("still there");
    assert_eq!(still["title"], "Private");
    assert!(as_mallory.get::<Value>("/api/v1/lists/abc").await.is_err());
}

#[sqlx::test]
async fn the_list_timeline_shows_members_posts_with_the_replies_policy(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let erin = app.sign_up("erin").await;
    let list = create(&app, &alice, "Bob").await;
    for other in [&bob, &carol] {
        app.as_(&alice).follow(other).await.expect("follows");
    }
    add(&app, &alice, &list, &bob.account_id)
        .await
        .expect("bob added");

    let first = app.as_(&bob).post_status("first").await.expect("posted");
    let carols = app
        .as_(&carol)
        .post_status("carol's")
        .await
        .expect("posted");
    let erins = app.as_(&erin).post_status("erin's").await.expect("posted");
    let alices = app
        .as_(&alice)
        .post_status("alice's")
        .await
        .expect("posted");
    let to_self = app.as_(&bob).reply(&first, "thread").await.expect("posted");
    let to_owner = app
        .as_(&bob)
        .reply(&alices, "hi alice")
        .await
        .expect("posted");
    let to_followed = app
        .as_(&bob)
        .reply(&carols, "hi carol")
        .await
        .expect("posted");
    let to_stranger = app
        .as_(&bob)
        .reply(&erins, "hi erin")
        .await
        .expect("posted");

    let shown = timeline(&app, &alice, &list).await;
    assert_eq!(
        ids(&shown),
        [&to_owner.id, &to_self.id, &first.id],
        "policy list"
    );

    let path = format!("/api/v1/lists/{list}");
    let set = |policy: &'static str| {
        let path = path.clone();
        let app = &app;
        let alice = &alice;
        async move {
            let _: Value = app
                .as_(alice)
                .put(&path, &[("replies_policy", policy)])
                .await
                .expect("policy set");
        }
    };
    set("followed").await;
    let shown = timeline(&app, &alice, &list).await;
    assert_eq!(
        ids(&shown),
        [&to_followed.id, &to_owner.id, &to_self.id, &first.id]
    );
    set("none").await;
    let shown = timeline(&app, &alice, &list).await;
    assert_eq!(ids(&shown), [&to_owner.id, &to_self.id, &first.id]);

    add(&app, &alice, &list, &carol.account_id)
        .await
        .expect("carol added");
    set("list").await;
    let shown = timeline(&app, &alice, &list).await;
    let expected = [
        &to_followed.id,
        &to_owner.id,
        &to_self.id,
        &carols.id,
        &first.id,
    ];
    assert_eq!(ids(&shown), expected, "a reply to a member shows");
    assert!(!ids(&shown).contains(&to_stranger.id.as_str()));
}

#[sqlx::test]
async fn the_list_timeline_pages_with_link_headers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let list = create(&app, &alice, "Bob").await;
    app.as_(&alice).follow(&bob).await.expect("follows");
    add(&app, &alice, &list, &bob.account_id)
        .await
        .expect("added");
    let mut posted = Vec::new();
    for n in 0..3 {
        let status = app.as_(&bob).post_status(&format!("post {n}")).await;
        posted.push(status.expect("posted").id);
    }

    let path = format!("/api/v1/timelines/list/{list}?limit=2");
    let response = app
        .as_(&alice)
        .request(Method::GET, &path)
        .send()
        .await
        .expect("sent");
    let link = response
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .expect("Link header")
        .to_owned();
    let page: Vec<Status> = response.json().await.expect("json");
    assert_eq!(ids(&page), [&posted[2], &posted[1]]);
    let next = format!("/api/v1/timelines/list/{list}?limit=2&max_id={}", posted[1]);
    assert!(link.contains(&next), "{link}");
    let older: Vec<Status> = app.as_(&alice).get(&next).await.expect("older");
    assert_eq!(ids(&older), [&posted[0]]);
    let newer = format!("/api/v1/timelines/list/{list}?min_id={}", posted[0]);
    let newer: Vec<Status> = app.as_(&alice).get(&newer).await.expect("newer");
    assert_eq!(ids(&newer), [&posted[2], &posted[1]]);

    let all: Vec<Value> = app
        .as_(&alice)
        .get(&format!("/api/v1/lists/{list}/accounts?limit=0"))
        .await
        .expect("all members");
    assert_eq!(all.len(), 1);
}

#[sqlx::test]
async fn limits_on_lists_titles_and_ids_answer_422(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let as_alice = app.as_(&alice);
    for blank in ["", "   "] {
        let refused = as_alice
            .post::<Value>("/api/v1/lists", &[("title", blank)])
            .await
            .expect_err("blank title");
        assert_eq!(refused.status, 422);
        assert_eq!(refused.body["details"]["title"][0]["error"], "ERR_BLANK");
    }
    let long = "x".repeat(257);
    let refused = as_alice
        .post::<Value>("/api/v1/lists", &[("title", &long)])
        .await;
    assert_eq!(refused.expect_err("long title").status, 422);
    let refused = as_alice.post::<Value>("/api/v1/lists", &[]).await;
    assert_eq!(refused.expect_err("no title").status, 422);

    for n in 0..50 {
        create(&app, &alice, &format!("list {n}")).await;
    }
    let refused = as_alice
        .post::<Value>("/api/v1/lists", &[("title", "one too many")])
        .await
        .expect_err("51st list");
    assert_eq!(refused.status, 422);
    let lists: Vec<Value> = as_alice.get("/api/v1/lists").await.expect("index");
    assert_eq!(lists.len(), 50);

    let list = lists[0]["id"].as_str().expect("id");
    let many: Vec<String> = (1..=101).map(|n| n.to_string()).collect();
    let refused = as_alice
        .request(Method::POST, &format!("/api/v1/lists/{list}/accounts"))
        .json(&json!({ "account_ids": many }))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 422);
}

#[sqlx::test]
async fn a_read_token_reads_lists_but_cannot_change_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write follow push").await;
    let alice = app.sign_up_with(&oauth_app, "alice").await;
    create(&app, &alice, "Mine").await;
    let read = app
        .password_token(&oauth_app, "alice", PASSWORD, "read")
        .await;
    let lists: Vec<Value> = app
        .with_token(&read)
        .get("/api/v1/lists")
        .await
        .expect("read");
    assert_eq!(lists.len(), 1);
    let refused = app
        .with_token(&read)
        .post::<Value>("/api/v1/lists", &[("title", "Another")])
        .await
        .expect_err("read-only");
    assert_eq!(refused.status, 403);
    let granular = app
        .password_token(&oauth_app, "alice", PASSWORD, "write:lists")
        .await;
    let created = app
        .with_token(&granular)
        .post::<Value>("/api/v1/lists", &[("title", "Another")])
        .await;
    assert!(created.is_ok(), "write:lists creates");
    let refused = app
        .with_token(&granular)
        .get::<Value>("/api/v1/lists")
        .await;
    assert_eq!(refused.expect_err("no read").status, 403);
    let anonymous = app.anonymous().get::<Value>("/api/v1/lists").await;
    assert_eq!(anonymous.expect_err("anonymous").status, 401);
}

/// Makes list `list` exclusive (`on`) or not, as `user`.
async fn set_exclusive(app: &TestApp, user: &TestUser, list: &str, on: bool) {
    let flag = if on { "true" } else { "false" };
    let list: Value = app
        .as_(user)
        .put(&format!("/api/v1/lists/{list}"), &[("exclusive", flag)])
        .await
        .expect("list updated");
    assert_eq!(list["exclusive"], on);
}

#[sqlx::test]
async fn members_of_an_exclusive_list_are_read_in_the_list_not_at_home(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    for followed in [&bob, &carol] {
        app.as_(&alice).follow(followed).await.expect("follows");
    }
    let list = create(&app, &alice, "Work").await;
    add(&app, &alice, &list, &bob.account_id)
        .await
        .expect("bob added");
    set_exclusive(&app, &alice, &list, true).await;
    let bobs = app
        .as_(&bob)
        .post_status("from work")
        .await
        .expect("posted");
    let carols = app
        .as_(&carol)
        .post_status("from home")
        .await
        .expect("posted");
    let own = app.as_(&alice).post_status("my own").await.expect("posted");

    let home = app.as_(&alice).home().await.expect("home");
    assert_eq!(ids(&home), [&own.id, &carols.id], "bob only in the list");
    let in_list = timeline(&app, &alice, &list).await;
    assert_eq!(ids(&in_list), [&bobs.id]);

    set_exclusive(&app, &alice, &list, false).await;
    let home = app.as_(&alice).home().await.expect("home");
    assert_eq!(ids(&home), [&own.id, &carols.id, &bobs.id], "home again");
}
