//! Content filters (<https://docs.joinmastodon.org/methods/filters/>): v2 filters
//! with keywords and statuses, the deprecated v1 routes, and how filters judge what a
//! user reads: whole words or substrings, only in their contexts, not once expired,
//! `hide` leaving statuses out of home, notifications and threads, `warn` filling
//! `filtered`; bad input answered 422; the scopes.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser, PASSWORD};

/// Sends `body` as JSON with `method` to `path` as `user`; the status and the answer.
async fn send(
    app: &TestApp,
    user: &TestUser,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = app
        .as_(user)
        .request(method, path)
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Creates a v2 filter from `body` as `user`; the Filter.
async fn create(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let (status, filter) = send(app, user, Method::POST, "/api/v2/filters", body).await;
    assert_eq!(status, 200, "{filter}");
    filter
}

/// A filter titled `title` with one keyword, in `context`, doing `action`.
fn keyword_filter(
    title: &str,
    keyword: &str,
    whole_word: bool,
    context: &[&str],
    action: &str,
) -> Value {
    json!({
        "title": title,
        "context": context,
        "filter_action": action,
        "keywords_attributes": [{ "keyword": keyword, "whole_word": whole_word }],
    })
}

/// The statuses of `path` as `user`, by id, with their `filtered`.
async fn filtered_by_id(app: &TestApp, user: &TestUser, path: &str) -> Vec<(String, Value)> {
    let statuses: Vec<Value> = app.as_(user).get(path).await.expect("statuses");
    statuses
        .into_iter()
        .map(|status| {
            (
                status["id"].as_str().expect("id").to_owned(),
                status["filtered"].clone(),
            )
        })
        .collect()
}

/// The `filtered` of status `id` in `listed`; panics when it is not listed.
fn filtered_of<'a>(listed: &'a [(String, Value)], id: &str) -> &'a Value {
    &listed
        .iter()
        .find(|(shown, _)| shown == id)
        .unwrap_or_else(|| panic!("{id} listed"))
        .1
}

/// Alice and Bob, Bob following Alice.
async fn alice_and_follower(app: &TestApp) -> (TestUser, TestUser) {
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob).follow(&alice).await.expect("followed");
    (alice, bob)
}

#[sqlx::test]
async fn a_v2_filter_is_created_with_keywords_changed_and_deleted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let created = create(
        &app,
        &alice,
        json!({
            "title": "Politics",
            "context": ["home", " public ", ""],
            "filter_action": "hide",
            "expires_in": 3600,
            "keywords_attributes": [
                { "keyword": "election" },
                { "keyword": "vote", "whole_word": false },
                { "keyword": "", "whole_word": null },
            ],
        }),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["title"], "Politics");
    assert_eq!(created["context"], json!(["home", "public"]));
    assert_eq!(created["filter_action"], "hide");
    assert!(created["expires_at"].is_string(), "{created}");
    assert_eq!(created["statuses"], json!([]));
    let keywords = created["keywords"].as_array().expect("keywords").clone();
    assert_eq!(keywords.len(), 2, "the blank entry is skipped: {created}");
    assert_eq!(keywords[0]["keyword"], "election");
    assert_eq!(keywords[0]["whole_word"], true, "whole word by default");
    assert_eq!(keywords[1]["whole_word"], false);
    let all: Value = app.as_(&alice).get("/api/v2/filters").await.expect("index");
    assert_eq!(all, json!([created]));

    let election = keywords[0]["id"].as_str().expect("id");
    let vote = keywords[1]["id"].as_str().expect("id");
    let (status, changed) = send(
        &app,
        &alice,
        Method::PUT,
        &format!("/api/v2/filters/{id}"),
        json!({
            "title": "Elections",
            "expires_in": "",
            "keywords_attributes": [
                { "id": election, "_destroy": true },
                { "id": vote, "keyword": "ballot" },
                { "keyword": "poll", "whole_word": "false" },
            ],
        }),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["title"], "Elections");
    assert_eq!(changed["filter_action"], "hide", "unsent settings stay");
    assert_eq!(
        changed["expires_at"],
        Value::Null,
        "blank expires_in: never"
    );
    let words: Vec<&str> = changed["keywords"]
        .as_array()
        .expect("keywords")
        .iter()
        .map(|k| k["keyword"].as_str().expect("keyword"))
        .collect();
    assert_eq!(words, ["ballot", "poll"]);

    let as_alice = app.as_(&alice);
    let added: Value = as_alice
        .post(
            &format!("/api/v2/filters/{id}/keywords"),
            &[("keyword", "senate")],
        )
        .await
        .expect("keyword added");
    assert_eq!(added["whole_word"], true);
    let senate = added["id"].as_str().expect("id");
    let listed: Vec<Value> = as_alice
        .get(&format!("/api/v2/filters/{id}/keywords"))
        .await
        .expect("keywords");
    assert_eq!(listed.len(), 3);
    let renamed: Value = as_alice
        .put(
            &format!("/api/v2/filters/keywords/{senate}"),
            &[("keyword", "congress"), ("whole_word", "false")],
        )
        .await
        .expect("keyword changed");
    assert_eq!(
        renamed,
        json!({ "id": senate, "keyword": "congress", "whole_word": false })
    );
    let shown: Value = as_alice
        .get(&format!("/api/v2/filters/keywords/{senate}"))
        .await
        .expect("keyword shown");
    assert_eq!(shown, renamed);
    let removed: Value = as_alice
        .delete(&format!("/api/v2/filters/keywords/{senate}"))
        .await
        .expect("keyword removed");
    assert_eq!(removed, json!({}));

    let deleted: Value = as_alice
        .delete(&format!("/api/v2/filters/{id}"))
        .await
        .expect("deleted");
    assert_eq!(deleted, json!({}));
    let gone = as_alice
        .get::<Value>(&format!("/api/v2/filters/{id}"))
        .await
        .expect_err("gone");
    assert_eq!(gone.status, 404);
    let keyword_gone = as_alice
        .get::<Value>(&format!("/api/v2/filters/keywords/{vote}"))
        .await
        .expect_err("gone with its filter");
    assert_eq!(keyword_gone.status, 404);
}

#[sqlx::test]
async fn a_filter_names_statuses_and_marks_them_and_their_boosts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (alice, bob) = alice_and_follower(&app).await;
    let carol = app.sign_up("carol").await;
    app.as_(&bob).follow(&carol).await.expect("followed");
    let post = app
        .as_(&alice)
        .post_status("nothing to see")
        .await
        .expect("posted");
    let filter = create(
        &app,
        &bob,
        json!({ "title": "That one", "context": ["home"] }),
    )
    .await;
    let id = filter["id"].as_str().expect("id");
    let as_bob = app.as_(&bob);
    let named: Value = as_bob
        .post(
            &format!("/api/v2/filters/{id}/statuses"),
            &[("status_id", &post.id)],
        )
        .await
        .expect("status added");
    assert_eq!(named["status_id"], post.id.as_str());
    let again = as_bob
        .post::<Value>(
            &format!("/api/v2/filters/{id}/statuses"),
            &[("status_id", &post.id)],
        )
        .await
        .expect_err("named already");
    assert_eq!(again.status, 422);
    let unknown = as_bob
        .post::<Value>(
            &format!("/api/v2/filters/{id}/statuses"),
            &[("status_id", "123")],
        )
        .await
        .expect_err("no such status");
    assert_eq!(unknown.status, 422);

    let boost = app.as_(&carol).reblog(&post).await.expect("boosted");
    let home = filtered_by_id(&app, &bob, "/api/v1/timelines/home").await;
    let result = filtered_of(&home, &post.id);
    assert_eq!(result[0]["status_matches"], json!([post.id]), "{result}");
    assert_eq!(result[0]["keyword_matches"], Value::Null);
    assert_eq!(result[0]["filter"]["id"], id);
    assert!(result[0]["filter"].get("keywords").is_none(), "{result}");
    let via_boost = filtered_of(&home, &boost.id);
    assert_eq!(via_boost[0]["status_matches"], json!([post.id]));

    let listed: Vec<Value> = as_bob
        .get(&format!("/api/v2/filters/{id}/statuses"))
        .await
        .expect("statuses");
    assert_eq!(listed, vec![named.clone()]);
    let row = named["id"].as_str().expect("id");
    let shown: Value = as_bob
        .get(&format!("/api/v2/filters/statuses/{row}"))
        .await
        .expect("shown");
    assert_eq!(shown, named);
    let others = app
        .as_(&alice)
        .get::<Value>(&format!("/api/v2/filters/statuses/{row}"))
        .await
        .expect_err("not alice's");
    assert_eq!(others.status, 404);
    let removed: Value = as_bob
        .delete(&format!("/api/v2/filters/statuses/{row}"))
        .await
        .expect("removed");
    assert_eq!(removed, json!({}));
    let home = filtered_by_id(&app, &bob, "/api/v1/timelines/home").await;
    assert_eq!(filtered_of(&home, &post.id), &json!([]));
}

#[sqlx::test]
async fn v1_filters_are_v2_filters_with_one_keyword(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let as_alice = app.as_(&alice);
    let created: Value = as_alice
        .post(
            "/api/v1/filters",
            &[
                ("phrase", "spoiler"),
                ("context[]", "home"),
                ("context[]", "notifications"),
                ("irreversible", "true"),
                ("whole_word", "false"),
            ],
        )
        .await
        .expect("created");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created,
        json!({
            "id": id, "phrase": "spoiler", "context": ["home", "notifications"],
            "whole_word": false, "expires_at": null, "irreversible": true,
        })
    );
    let v2: Vec<Value> = as_alice.get("/api/v2/filters").await.expect("v2 index");
    assert_eq!(v2.len(), 1);
    assert_eq!(v2[0]["title"], "spoiler");
    assert_eq!(v2[0]["filter_action"], "hide");
    assert_eq!(
        v2[0]["keywords"][0]["id"],
        id.as_str(),
        "the v1 id is the keyword's"
    );
    let listed: Value = as_alice.get("/api/v1/filters").await.expect("v1 index");
    assert_eq!(listed, json!([created]));

    let changed: Value = as_alice
        .put(
            &format!("/api/v1/filters/{id}"),
            &[("phrase", "spoilers"), ("irreversible", "false")],
        )
        .await
        .expect("changed");
    assert_eq!(changed["phrase"], "spoilers");
    assert_eq!(changed["irreversible"], false);
    assert_eq!(changed["context"], json!(["home", "notifications"]));
    let shown: Value = as_alice
        .get(&format!("/api/v1/filters/{id}"))
        .await
        .expect("shown");
    assert_eq!(shown, changed);

    let filter_id = v2[0]["id"].as_str().expect("id");
    let _: Value = as_alice
        .post(
            &format!("/api/v2/filters/{filter_id}/keywords"),
            &[("keyword", "leak")],
        )
        .await
        .expect("second keyword");
    let refused = as_alice
        .put::<Value>(
            &format!("/api/v1/filters/{id}"),
            &[("irreversible", "true")],
        )
        .await
        .expect_err("several keywords");
    assert_eq!(refused.status, 422);

    let deleted: Value = as_alice
        .delete(&format!("/api/v1/filters/{id}"))
        .await
        .expect("deleted");
    assert_eq!(deleted, json!({}));
    let left: Vec<Value> = as_alice.get("/api/v1/filters").await.expect("v1 index");
    assert_eq!(
        left.len(),
        1,
        "the keyword went, the filter and its other keyword stay"
    );
    assert_eq!(left[0]["phrase"], "leak");
}

#[sqlx::test]
async fn whole_word_keywords_match_words_and_others_match_inside_words(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (alice, bob) = alice_and_follower(&app).await;
    let as_alice = app.as_(&alice);
    let inside = as_alice
        .post_status("Concatenate strings")
        .await
        .expect("posted");
    let word = as_alice
        .post_status("A CAT sat here")
        .await
        .expect("posted");
    let warned = as_alice
        .post_status_with(&[("status", "nothing"), ("spoiler_text", "cat pictures")])
        .await
        .expect("posted");
    create(
        &app,
        &bob,
        keyword_filter("Cats", "cat", true, &["home"], "warn"),
    )
    .await;
    let home = filtered_by_id(&app, &bob, "/api/v1/timelines/home").await;
    assert_eq!(filtered_of(&home, &inside.id), &json!([]));
    let result = filtered_of(&home, &word.id);
    assert_eq!(result[0]["keyword_matches"], json!(["CAT"]), "{result}");
    assert_eq!(result[0]["status_matches"], Value::Null);
    assert_eq!(result[0]["filter"]["title"], "Cats");
    assert_eq!(result[0]["filter"]["filter_action"], "warn");
    let result = filtered_of(&home, &warned.id);
    assert_eq!(
        result[0]["keyword_matches"],
        json!(["cat"]),
        "the content warning counts"
    );

    create(
        &app,
        &bob,
        keyword_filter("Bits", "cat", false, &["home"], "blur"),
    )
    .await;
    let home = filtered_by_id(&app, &bob, "/api/v1/timelines/home").await;
    let result = filtered_of(&home, &inside.id);
    assert_eq!(result.as_array().expect("results").len(), 1, "{result}");
    assert_eq!(result[0]["keyword_matches"], json!(["cat"]));
    assert_eq!(result[0]["filter"]["filter_action"], "blur");
    assert_eq!(
        filtered_of(&home, &word.id)
            .as_array()
            .expect("results")
            .len(),
        2
    );
}

#[sqlx::test]
async fn filters_apply_only_in_their_contexts_and_not_once_expired(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (alice, bob) = alice_and_follower(&app).await;
    let post = app
        .as_(&alice)
        .post_status("fresh bread")
        .await
        .expect("posted");
    let filter = create(
        &app,
        &bob,
        keyword_filter("Food", "bread", true, &["public"], "warn"),
    )
    .await;
    let home = filtered_by_id(&app, &bob, "/api/v1/timelines/home").await;
    assert_eq!(
        filtered_of(&home, &post.id),
        &json!([]),
        "not a home filter"
    );
    let public = filtered_by_id(&app, &bob, "/api/v1/timelines/public").await;
    assert_eq!(
        filtered_of(&public, &post.id)[0]["keyword_matches"],
        json!(["bread"])
    );
    let account = format!("/api/v1/accounts/{}/statuses", alice.account_id);
    let listed = filtered_by_id(&app, &bob, &account).await;
    assert_eq!(
        filtered_of(&listed, &post.id),
        &json!([]),
        "not an account filter"
    );
    let anonymous: Vec<Value> = app
        .anonymous()
        .get("/api/v1/timelines/public")
        .await
        .expect("public");
    assert_eq!(anonymous[0]["filtered"], json!([]));

    let id = filter["id"].as_str().expect("id");
    sqlx::query("UPDATE custom_filters SET expires_at = now() - interval '1 minute' WHERE id = $1")
        .bind(id.parse::<i64>().expect("numeric id"))
        .execute(&app.db)
        .await
        .expect("expired");
    let public = filtered_by_id(&app, &bob, "/api/v1/timelines/public").await;
    assert_eq!(filtered_of(&public, &post.id), &json!([]), "expired");
    let still: Value = app
        .as_(&bob)
        .get(&format!("/api/v2/filters/{id}"))
        .await
        .expect("listed");
    assert_eq!(still["id"], id, "an expired filter stays listed");
}

#[sqlx::test]
async fn hide_filters_leave_statuses_out_of_home_notifications_and_threads(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (alice, bob) = alice_and_follower(&app).await;
    create(
        &app,
        &bob,
        keyword_filter(
            "Spoilers",
            "spoiler",
            true,
            &["home", "notifications", "thread"],
            "hide",
        ),
    )
    .await;
    let own = app
        .as_(&bob)
        .post_status("no spoiler from me")
        .await
        .expect("posted");
    let hidden = app
        .as_(&alice)
        .post_status("@bob spoiler: the butler did it")
        .await
        .expect("posted");
    let plain = app
        .as_(&alice)
        .post_status("@bob hello")
        .await
        .expect("posted");
    let reply = app
        .as_(&alice)
        .reply(&own, "@bob a spoiler in the thread")
        .await
        .expect("replied");

    let home = filtered_by_id(&app, &bob, "/api/v1/timelines/home").await;
    let ids: Vec<&str> = home.iter().map(|(id, _)| id.as_str()).collect();
    assert!(!ids.contains(&hidden.id.as_str()), "{ids:?}");
    assert!(!ids.contains(&reply.id.as_str()), "{ids:?}");
    assert!(ids.contains(&plain.id.as_str()));
    assert!(
        ids.contains(&own.id.as_str()),
        "one's own statuses are never hidden"
    );

    let notifications = app.as_(&bob).notifications().await.expect("notifications");
    let about: Vec<String> = notifications
        .iter()
        .filter_map(|n| n.status.as_ref().map(|s| s.id.clone()))
        .collect();
    assert!(about.contains(&plain.id), "{about:?}");
    assert!(!about.contains(&hidden.id), "{about:?}");

    let context: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/statuses/{}/context", own.id))
        .await
        .expect("context");
    assert_eq!(context["descendants"], json!([]), "{context}");
    let for_alice: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{}/context", own.id))
        .await
        .expect("context");
    assert_eq!(
        for_alice["descendants"][0]["id"],
        reply.id.as_str(),
        "alice has no filter"
    );
}

#[sqlx::test]
async fn bad_input_is_refused_with_422_and_others_filters_are_absent(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let mallory = app.sign_up("mallory").await;
    let long_keyword = "k".repeat(513);
    let many: Vec<Value> = (0..101)
        .map(|n| json!({ "keyword": format!("w{n}") }))
        .collect();
    let refusals = [
        json!({ "title": "", "context": ["home"] }),
        json!({ "context": ["home"] }),
        json!({ "title": "t".repeat(257), "context": ["home"] }),
        json!({ "title": "T", "context": [] }),
        json!({ "title": "T", "context": ["everywhere"] }),
        json!({ "title": "T", "context": ["home"], "filter_action": "delete" }),
        json!({ "title": "T", "context": ["home"], "expires_in": "soon" }),
        json!({ "title": "T", "context": ["home"], "expires_in": -5 }),
        json!({ "title": "T", "context": ["home"], "expires_in": 99_999_999_999_i64 }),
        json!({ "title": "T", "context": ["home"], "keywords_attributes": [{ "keyword": long_keyword }] }),
        json!({ "title": "T", "context": ["home"], "keywords_attributes": many }),
        json!({ "title": "T", "context": "home", "keywords_attributes": "nonsense" }),
    ];
    for body in refusals {
        let (status, answer) =
            send(&app, &alice, Method::POST, "/api/v2/filters", body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    let none: Vec<Value> = app.as_(&alice).get("/api/v2/filters").await.expect("index");
    assert!(none.is_empty(), "nothing was created: {none:?}");

    let filter = create(
        &app,
        &alice,
        keyword_filter("Mine", "word", true, &["home"], "warn"),
    )
    .await;
    let id = filter["id"].as_str().expect("id");
    let keyword = filter["keywords"][0]["id"].as_str().expect("id");
    let as_mallory = app.as_(&mallory);
    for path in [
        format!("/api/v2/filters/{id}"),
        format!("/api/v2/filters/{id}/keywords"),
        format!("/api/v2/filters/{id}/statuses"),
        format!("/api/v2/filters/keywords/{keyword}"),
        format!("/api/v1/filters/{keyword}"),
        "/api/v2/filters/not-an-id".to_owned(),
    ] {
        let refused = as_mallory.get::<Value>(&path).await.expect_err("not hers");
        assert_eq!(refused.status, 404, "{path}");
    }
    let (status, _) = send(
        &app,
        &mallory,
        Method::PUT,
        &format!("/api/v2/filters/{id}"),
        json!({ "title": "x" }),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(
        &app,
        &alice,
        Method::PUT,
        &format!("/api/v2/filters/{id}"),
        json!({ "keywords_attributes": [{ "id": "999", "keyword": "x" }] }),
    )
    .await;
    assert_eq!(status, 404, "a keyword id not of this filter");
    let refused = app
        .as_(&alice)
        .post::<Value>(
            &format!("/api/v2/filters/{id}/keywords"),
            &[("keyword", " ")],
        )
        .await
        .expect_err("blank keyword");
    assert_eq!(refused.status, 422);
    let refused = app
        .as_(&alice)
        .post::<Value>("/api/v1/filters", &[("context[]", "home")])
        .await
        .expect_err("no phrase");
    assert_eq!(refused.status, 422);
}

#[sqlx::test]
async fn reading_filters_needs_read_filters_and_changing_them_write_filters(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write follow push").await;
    let alice = app.sign_up_with(&oauth_app, "alice").await;
    create(
        &app,
        &alice,
        keyword_filter("Mine", "word", true, &["home"], "warn"),
    )
    .await;
    let read = app
        .password_token(&oauth_app, "alice", PASSWORD, "read:filters")
        .await;
    let listed: Vec<Value> = app
        .with_token(&read)
        .get("/api/v2/filters")
        .await
        .expect("read");
    assert_eq!(listed.len(), 1);
    let listed: Vec<Value> = app
        .with_token(&read)
        .get("/api/v1/filters")
        .await
        .expect("read v1");
    assert_eq!(listed.len(), 1);
    let refused = app
        .with_token(&read)
        .post::<Value>("/api/v1/filters", &[("phrase", "x"), ("context[]", "home")])
        .await
        .expect_err("read-only");
    assert_eq!(refused.status, 403);
    let write = app
        .password_token(&oauth_app, "alice", PASSWORD, "write:filters")
        .await;
    let created = app
        .with_token(&write)
        .post::<Value>("/api/v2/filters", &[("title", "T"), ("context[]", "home")])
        .await;
    assert!(created.is_ok(), "write:filters creates: {created:?}");
    let refused = app.with_token(&write).get::<Value>("/api/v2/filters").await;
    assert_eq!(refused.expect_err("no read").status, 403);
    let anonymous = app.anonymous().get::<Value>("/api/v2/filters").await;
    assert_eq!(anonymous.expect_err("anonymous").status, 401);
}

#[sqlx::test]
async fn streams_leave_out_what_hide_filters_match_and_mark_what_warn_filters_match(db: PgPool) {
    use crate::helpers::sse::{warm_up, SseReader};

    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let (alice, bob) = alice_and_follower(&app).await;
    create(
        &app,
        &bob,
        keyword_filter("Secrets", "secret", true, &["home"], "hide"),
    )
    .await;
    create(
        &app,
        &bob,
        keyword_filter("Cats", "cats", true, &["home", "public"], "warn"),
    )
    .await;
    let mut home = SseReader::open(&app, "/api/v1/streaming/user", &bob).await;
    let mut public = SseReader::open(&app, "/api/v1/streaming/public", &bob).await;
    warm_up(&app, &alice, &mut home).await;

    let hidden = app
        .post_status(&alice, &[("status", "a secret plan")])
        .await;
    let warned = app.post_status(&alice, &[("status", "I like cats")]).await;
    let seen = home.until("update", &warned).await;
    assert!(
        seen.iter().all(|(_, data)| !data.contains(&hidden)),
        "the hidden status is not streamed home: {seen:?}"
    );
    let (_, data) = seen.last().expect("the warned status");
    let status: Value = serde_json::from_str(data).expect("status");
    assert_eq!(status["filtered"][0]["filter"]["title"], "Cats", "{status}");
    assert_eq!(status["filtered"][0]["keyword_matches"], json!(["cats"]));

    let on_public = public
        .expect("update", |s| s["id"] == warned.as_str())
        .await;
    assert_eq!(
        on_public["filtered"][0]["filter"]["title"], "Cats",
        "{on_public}"
    );
    let mut anonymous = SseReader::open_anonymous(&app, "/api/v1/streaming/public").await;
    warm_up(&app, &alice, &mut anonymous).await;
    let again = app.post_status(&alice, &[("status", "more cats")]).await;
    let for_nobody = anonymous
        .expect("update", |s| s["id"] == again.as_str())
        .await;
    assert_eq!(for_nobody["filtered"], json!([]), "no viewer, no filters");
}

#[sqlx::test]
async fn changing_filters_is_announced_on_the_users_stream(db: PgPool) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let mut request = format!("ws://{}/api/v1/streaming?stream=user", app.domain)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        alice.access_token.parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrades");
    socket
        .send(Message::Ping(Vec::new().into()))
        .await
        .expect("ping");
    let mut announced = None;
    // The process's listener connects after the first subscriber: change until heard.
    for attempt in 0..20 {
        let title = format!("Filter {attempt}");
        create(
            &app,
            &alice,
            keyword_filter(&title, "word", true, &["home"], "warn"),
        )
        .await;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(500);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
            if let Message::Text(text) = message {
                let event: Value = serde_json::from_str(&text).expect("json");
                if event["event"] == "filters_changed" {
                    announced = Some(event);
                    break;
                }
            }
        }
        if announced.is_some() {
            break;
        }
    }
    let event = announced.expect("filters_changed arrived");
    assert_eq!(
        event,
        json!({ "stream": ["user"], "event": "filters_changed" })
    );
}
