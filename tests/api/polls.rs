//! Polls (<https://docs.joinmastodon.org/methods/polls/>): posted with a status (form
//! and JSON bodies), shown on the status everywhere and on their own, voted in under
//! Mastodon's rules (one vote per account, not one's own, not after the end, existing
//! options, several only when multiple), closed on time with `poll` notifications,
//! reset by an edit that changes the options; bad input is refused with nothing
//! written.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::media::upload_ok;
use crate::helpers::{scalar, TestApp, TestUser};

/// Sends `body` as JSON with `method` to `path` as `user`: the status and the body.
async fn send_json(
    app: &TestApp,
    user: &TestUser,
    method: Method,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let response = app
        .as_(user)
        .request(method, path)
        .json(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body read");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Posts a status with a yes/no poll (form body) as `user`; the status.
async fn post_poll(app: &TestApp, user: &TestUser, extra: &[(&str, &str)]) -> Value {
    let mut form = vec![
        ("status", "Tea or coffee?"),
        ("poll[options][]", "tea"),
        ("poll[options][]", "coffee"),
        ("poll[expires_in]", "3600"),
    ];
    form.extend_from_slice(extra);
    app.as_(user)
        .post("/api/v1/statuses", &form)
        .await
        .expect("poll posted")
}

/// `user` votes `choices` in poll `poll`: the status and the body.
async fn vote(app: &TestApp, user: &TestUser, poll: &str, choices: &[usize]) -> (u16, Value) {
    let choices: Vec<String> = choices.iter().map(ToString::to_string).collect();
    let path = format!("/api/v1/polls/{poll}/votes");
    send_json(
        app,
        user,
        Method::POST,
        &path,
        &json!({ "choices": choices }),
    )
    .await
}

fn poll_id(status: &Value) -> String {
    status["poll"]["id"].as_str().expect("a poll id").to_owned()
}

fn counts(poll: &Value) -> Vec<Value> {
    let options = poll["options"].as_array().expect("options");
    options.iter().map(|o| o["votes_count"].clone()).collect()
}

#[sqlx::test]
async fn a_poll_is_posted_with_its_status_and_votes_count_for_each_viewer(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let status = post_poll(&app, &alice, &[]).await;
    let poll = &status["poll"];
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["multiple"], false);
    assert_eq!(poll["votes_count"], 0);
    assert_eq!(poll["voters_count"], 0);
    assert_eq!(
        poll["options"],
        json!([{ "title": "tea", "votes_count": 0 }, { "title": "coffee", "votes_count": 0 }])
    );
    assert_eq!(poll["voted"], false);
    assert_eq!(poll["own_votes"], json!([]));
    assert!(poll["expires_at"]
        .as_str()
        .is_some_and(|at| at.ends_with('Z')));
    let id = poll_id(&status);

    let (code, voted) = vote(&app, &bob, &id, &[1]).await;
    assert_eq!(code, 200, "{voted}");
    assert_eq!(
        (voted["voted"].clone(), voted["own_votes"].clone()),
        (json!(true), json!([1]))
    );
    assert_eq!(counts(&voted), [json!(0), json!(1)]);
    assert_eq!(
        (voted["votes_count"].clone(), voted["voters_count"].clone()),
        (json!(1), json!(1))
    );

    // The poll on its own and on the status, as each viewer sees it.
    let anonymous: Value = app
        .anonymous()
        .get(&format!("/api/v1/polls/{id}"))
        .await
        .expect("public");
    assert!(anonymous.get("voted").is_none() && anonymous.get("own_votes").is_none());
    assert_eq!(counts(&anonymous), [json!(0), json!(1)]);
    let status_id = status["id"].as_str().expect("id");
    let seen: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/statuses/{status_id}"))
        .await
        .expect("status");
    assert_eq!(seen["poll"]["own_votes"], json!([1]));
    let by_alice: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{status_id}"))
        .await
        .expect("status");
    assert_eq!(by_alice["poll"]["voted"], false);
    let timeline: Vec<Value> = app
        .anonymous()
        .get("/api/v1/timelines/public")
        .await
        .expect("public timeline");
    assert_eq!(counts(&timeline[0]["poll"]), [json!(0), json!(1)]);
    let rows = scalar(&app.db, "SELECT count(*) FROM poll_votes").await;
    assert_eq!(rows, 1);
}

#[sqlx::test]
async fn a_json_body_makes_a_multiple_choice_poll_whose_totals_stay_hidden(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let body = json!({
        "status": "Which?",
        "poll": { "options": ["a", "b", "c"], "expires_in": 600, "multiple": true, "hide_totals": true }
    });
    let (code, status) = send_json(&app, &alice, Method::POST, "/api/v1/statuses", &body).await;
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["poll"]["multiple"], true);
    assert_eq!(
        counts(&status["poll"]),
        [Value::Null, Value::Null, Value::Null]
    );
    let (code, voted) = vote(&app, &bob, &poll_id(&status), &[2, 0]).await;
    assert_eq!(code, 200, "{voted}");
    assert_eq!(voted["own_votes"], json!([0, 2]));
    assert_eq!(
        (voted["votes_count"].clone(), voted["voters_count"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(counts(&voted), [Value::Null, Value::Null, Value::Null]);
}

#[sqlx::test]
async fn bad_polls_are_refused_with_mastodons_messages_and_nothing_is_written(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let eleven: Vec<String> = (0..11).map(|i| format!("option {i}")).collect();
    let cases = [
        (json!([]), 600, "more than one item"),
        (json!(["alone"]), 600, "more than one item"),
        (json!(["same", "same"]), 600, "duplicate"),
        (json!(eleven), 600, "more than 4 items"),
        (
            json!(["x".repeat(51), "y"]),
            600,
            "longer than 50 characters",
        ),
        (json!(["a", "b"]), 299, "too soon"),
        (json!(["a", "b"]), 2_629_747, "too far into the future"),
    ];
    for (options, expires_in, message) in cases {
        let body =
            json!({ "status": "poll", "poll": { "options": options, "expires_in": expires_in } });
        let (code, error) = send_json(&app, &alice, Method::POST, "/api/v1/statuses", &body).await;
        assert_eq!(code, 422, "{options}: {error}");
        let text = error["error"].as_str().expect("error");
        assert!(text.contains(message), "{options}: {text}");
    }
    let media = upload_ok(&app, &alice, crate::helpers::media::png(4, 4), &[]).await;
    let media_id = media["id"].as_str().expect("media id");
    let body = json!({ "status": "poll", "media_ids": [media_id],
                       "poll": { "options": ["a", "b"], "expires_in": 600 } });
    let (code, error) = send_json(&app, &alice, Method::POST, "/api/v1/statuses", &body).await;
    assert_eq!(code, 422, "{error}");
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM statuses").await, 0);
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM polls").await, 0);
    let attached = "SELECT count(*) FROM media_attachments WHERE status_id IS NOT NULL";
    assert_eq!(scalar(&app.db, attached).await, 0);
}

#[sqlx::test]
async fn votes_follow_mastodons_rules_and_a_refused_vote_writes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let id = poll_id(&post_poll(&app, &alice, &[]).await);
    let refusals = [
        (&alice, vec![0], 422, "your own polls"),
        (&bob, vec![2], 422, "does not exist"),
        (&bob, vec![], 422, "does not exist"),
        (&bob, vec![0, 1], 422, "only one choice"),
    ];
    for (user, choices, code, message) in refusals {
        let (status, body) = vote(&app, user, &id, &choices).await;
        assert_eq!(status, code, "{choices:?}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| e.contains(message)),
            "{body}"
        );
    }
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM poll_votes").await, 0);
    assert_eq!(vote(&app, &bob, &id, &[0]).await.0, 200);
    let (status, again) = vote(&app, &bob, &id, &[1]).await;
    assert_eq!(status, 422);
    assert!(again["error"]
        .as_str()
        .is_some_and(|e| e.contains("already voted")));
    assert_eq!(vote(&app, &bob, "123456789", &[0]).await.0, 404);
    assert_eq!(vote(&app, &bob, "not-an-id", &[0]).await.0, 404);

    // Past its end, nobody may vote.
    let carol = app.sign_up("carol").await;
    sqlx::query("UPDATE polls SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .expect("poll ended");
    let (status, ended) = vote(&app, &carol, &id, &[0]).await;
    assert_eq!(status, 422);
    assert!(ended["error"]
        .as_str()
        .is_some_and(|e| e.contains("already ended")));
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM poll_votes").await, 1);
}

#[sqlx::test]
async fn a_poll_on_a_status_the_viewer_may_not_see_is_not_found(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let status = post_poll(&app, &alice, &[("visibility", "private")]).await;
    let id = poll_id(&status);
    let shown = app
        .as_(&bob)
        .get::<Value>(&format!("/api/v1/polls/{id}"))
        .await;
    assert_eq!(shown.expect_err("hidden").status, 404);
    assert_eq!(vote(&app, &bob, &id, &[0]).await.0, 404);
    let own: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/polls/{id}"))
        .await
        .expect("own");
    assert_eq!(own["id"], json!(id));
}

#[sqlx::test]
async fn concurrent_votes_are_all_counted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let id = poll_id(&post_poll(&app, &alice, &[]).await);
    let mut voters = Vec::new();
    for n in 0..8 {
        voters.push(app.sign_up(&format!("voter{n}")).await);
    }
    let (app, id) = (&app, &id);
    let votes = (voters.iter().enumerate())
        .map(|(n, voter)| async move { vote(app, voter, id, &[n % 2]).await });
    let answers = futures_util::future::join_all(votes).await;
    assert!(answers.iter().all(|(code, _)| *code == 200), "{answers:?}");
    let poll: Value = app
        .anonymous()
        .get(&format!("/api/v1/polls/{id}"))
        .await
        .expect("poll");
    assert_eq!(counts(&poll), [json!(4), json!(4)]);
    assert_eq!(poll["voters_count"], 8);
}

#[sqlx::test]
async fn a_poll_closes_on_time_and_notifies_its_voters_and_author(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let status = post_poll(&app, &alice, &[]).await;
    let id = poll_id(&status);
    assert_eq!(vote(&app, &bob, &id, &[0]).await.0, 200);
    let now = chrono::Utc::now();
    let early = roost::services::polls::closing::run_once(&app.state, now).await;
    assert_eq!(
        early.expect("pass"),
        0,
        "nothing is due yet (the Update waits)"
    );

    let later = now + chrono::Duration::hours(2);
    let closed = roost::services::polls::closing::run_once(&app.state, later).await;
    assert!(closed.expect("pass") >= 1);
    assert_eq!(
        roost::services::polls::closing::run_once(&app.state, later)
            .await
            .expect("pass"),
        0
    );
    for user in [&alice, &bob] {
        let notes = app
            .as_(user)
            .notifications_where(&[("types[]", "poll")])
            .await
            .expect("notes");
        assert_eq!(notes.len(), 1, "{}", user.username);
        assert_eq!(notes[0].account.id, alice.account_id);
        assert_eq!(
            notes[0].status.as_ref().map(|s| s.id.clone()),
            status["id"].as_str().map(str::to_owned)
        );
    }
    let carols = app
        .as_(&carol)
        .notifications_where(&[("types[]", "poll")])
        .await
        .expect("notes");
    assert!(carols.is_empty());
    let grouped: Value = app
        .as_(&bob)
        .get("/api/v2/notifications")
        .await
        .expect("grouped");
    assert_eq!(grouped["notification_groups"][0]["type"], "poll");
    let poll: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/polls/{id}"))
        .await
        .expect("poll");
    assert_eq!(poll["expired"], true);
    assert_eq!(vote(&app, &carol, &id, &[1]).await.0, 422);
}

#[sqlx::test]
async fn an_edit_keeps_votes_for_the_same_options_and_resets_them_for_others(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let status = post_poll(&app, &alice, &[]).await;
    let status_id = status["id"].as_str().expect("id");
    let path = format!("/api/v1/statuses/{status_id}");
    assert_eq!(vote(&app, &bob, &poll_id(&status), &[1]).await.0, 200);

    let same = json!({ "status": "Tea or coffee, really?",
                       "poll": { "options": ["tea", "coffee"], "expires_in": 7200 } });
    let (code, edited) = send_json(&app, &alice, Method::PUT, &path, &same).await;
    assert_eq!(code, 200, "{edited}");
    assert_eq!(counts(&edited["poll"]), [json!(0), json!(1)]);

    let other = json!({ "status": "Tea, coffee or water?",
                        "poll": { "options": ["tea", "coffee", "water"], "expires_in": 7200 } });
    let (code, edited) = send_json(&app, &alice, Method::PUT, &path, &other).await;
    assert_eq!(code, 200, "{edited}");
    assert_eq!(counts(&edited["poll"]), [json!(0), json!(0), json!(0)]);
    let seen: Value = app.as_(&bob).get(&path).await.expect("status");
    assert_eq!(seen["poll"]["own_votes"], json!([]));
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM poll_votes").await, 0);

    let history: Vec<Value> = app
        .as_(&bob)
        .get(&format!("{path}/history"))
        .await
        .expect("history");
    let last = history.last().expect("versions");
    assert_eq!(
        last["poll"]["options"],
        json!([{ "title": "tea" }, { "title": "coffee" }, { "title": "water" }])
    );

    let bad = json!({ "status": "x", "poll": { "options": ["only"], "expires_in": 600 } });
    assert_eq!(
        send_json(&app, &alice, Method::PUT, &path, &bad).await.0,
        422
    );
    let dropped = json!({ "status": "No poll after all" });
    let (code, edited) = send_json(&app, &alice, Method::PUT, &path, &dropped).await;
    assert_eq!(code, 200, "{edited}");
    assert!(edited["poll"].is_null());
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM polls").await, 0);
}
