//! Streaming across processes: two `roost serve` processes share one database; a
//! client streaming from the second receives what happens through the first, as
//! Server-Sent Events, and nothing it may not see.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::sse::{warm_up, SseReader};
use crate::helpers::{expect_error, expect_json, TestApp};

#[sqlx::test]
async fn a_client_of_one_process_streams_what_happens_through_another(db: PgPool) {
    // Workers off: the test database's small pool is for requests and listeners.
    let first = TestApp::spawn_with(db.clone(), &["--workers", "false"]).await;
    let second = TestApp::spawn_with(db, &["--workers", "false", "--domain", &first.domain]).await;
    let alice = first.sign_up("alice").await;
    let bob = first.sign_up("bob").await;
    let carol = first.sign_up("carol").await;
    let follow = first
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;

    let mut bobs_home = SseReader::open(&second, "/api/v1/streaming/user", &bob).await;
    let mut alices_user = SseReader::open(&second, "/api/v1/streaming/user", &alice).await;
    let mut carols_public = SseReader::open(&second, "/api/v1/streaming/public", &carol).await;
    // The second process may still be connecting its listener: wait for a first post.
    let mut warm = None;
    for _ in 0..20 {
        let id = first.post_status(&alice, &[("status", "warming up")]).await;
        let arrived = tokio::time::timeout(Duration::from_millis(500), bobs_home.next()).await;
        if let Ok(Some((event, data))) = arrived {
            if event == "update" && data.contains(&id) {
                warm = Some(id);
                break;
            }
        }
    }
    assert!(warm.is_some(), "the second process never streamed a post");

    let private = first
        .post_status(
            &alice,
            &[("status", "friends only"), ("visibility", "private")],
        )
        .await;
    let public = first.post_status(&alice, &[("status", "everyone")]).await;
    let got = bobs_home
        .expect("update", |s| s["id"] == private.as_str())
        .await;
    assert_eq!(
        got["visibility"], "private",
        "a follower gets the followers-only post"
    );
    let seen = carols_public
        .expect("update", |s| {
            s["id"] == public.as_str() || s["id"] == private.as_str()
        })
        .await;
    assert_eq!(
        seen["id"],
        public.as_str(),
        "the followers-only post never reaches a non-follower's public stream"
    );

    let like = first
        .post(&format!("/api/v1/statuses/{public}/favourite"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(like, 200).await;
    let notification = alices_user
        .expect("notification", |n| n["type"] == "favourite")
        .await;
    assert_eq!(notification["account"]["username"], "bob");
    assert_eq!(notification["status"]["id"], public.as_str());

    let deleted = first
        .delete(&format!("/api/v1/statuses/{public}"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;
    // A delete's data is the bare status id.
    let gone = bobs_home
        .expect("delete", |id| {
            *id == Value::String(public.clone())
                || id.as_u64().is_some_and(|n| n.to_string() == public)
        })
        .await;
    assert!(
        gone.as_u64().is_some_and(|n| n.to_string() == public) || gone == Value::String(public)
    );
}

#[sqlx::test]
async fn the_streaming_health_check_answers_ok(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let response = app
        .get("/api/v1/streaming/health")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "OK");
}

#[sqlx::test]
async fn a_websocket_client_subscribes_and_receives_events_in_mastodons_shape(db: PgPool) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let follow = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
    // The token travels in Sec-WebSocket-Protocol, as Mastodon's web client sends it.
    let mut request = format!("ws://{}/api/v1/streaming?stream=user", app.domain)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        bob.access_token.parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrades");
    socket
        .send(Message::Text(
            r#"{"type":"subscribe","stream":"public:local"}"#.into(),
        ))
        .await
        .expect("sends");

    let mut found = None;
    for _ in 0..20 {
        let id = app
            .post_status(&alice, &[("status", "over the socket")])
            .await;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
            if let Message::Text(text) = message {
                let event: Value = serde_json::from_str(&text).expect("json");
                if event["event"] == "update"
                    && event["payload"].as_str().is_some_and(|p| p.contains(&id))
                {
                    found = Some(event);
                    break;
                }
            }
        }
        if found.is_some() {
            break;
        }
    }
    let event = found.expect("an update arrived over the WebSocket");
    assert!(
        event["stream"] == serde_json::json!(["user"])
            || event["stream"] == serde_json::json!(["public:local"]),
        "{event}"
    );
    let payload: Value =
        serde_json::from_str(event["payload"].as_str().expect("payload is a JSON string"))
            .expect("status");
    assert_eq!(payload["account"]["username"], "alice");
}

#[sqlx::test]
async fn muted_and_blocked_accounts_never_reach_a_stream(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let dave = app.sign_up("dave").await;
    let erin = app.sign_up("erin").await;
    for (action, target) in [("mute", &carol), ("block", &dave)] {
        let response = app
            .post(&format!("/api/v1/accounts/{}/{action}", target.account_id))
            .bearer_auth(&alice.access_token)
            .send()
            .await;
        expect_json(response, 200).await;
    }
    let mut public = SseReader::open(&app, "/api/v1/streaming/public", &alice).await;
    let mut user = SseReader::open(&app, "/api/v1/streaming/user", &alice).await;
    let mut warm = false;
    for _ in 0..20 {
        let id = app.post_status(&erin, &[("status", "warming up")]).await;
        let arrived = tokio::time::timeout(Duration::from_millis(500), public.next()).await;
        if let Ok(Some((event, data))) = arrived {
            if event == "update" && data.contains(&id) {
                warm = true;
                break;
            }
        }
    }
    assert!(warm, "the stream never delivered a post");

    let muted = app
        .post_status(&carol, &[("status", "@alice from a muted account")])
        .await;
    let blocked = app
        .post_status(&dave, &[("status", "@alice from a blocked account")])
        .await;
    let visible = app
        .post_status(&erin, &[("status", "@alice from a friend")])
        .await;
    let first = public
        .expect("update", |s| {
            [&muted, &blocked, &visible]
                .iter()
                .any(|id| s["id"] == id.as_str())
        })
        .await;
    assert_eq!(
        first["id"],
        visible.as_str(),
        "muted and blocked posts are skipped"
    );
    let notification = user
        .expect("notification", |n| n["type"] == "mention")
        .await;
    assert_eq!(notification["status"]["id"], visible.as_str());
}

#[sqlx::test]
async fn edits_and_deletes_of_private_posts_reach_only_those_who_could_see_them(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let follow = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
    let mut anonymous = SseReader::open_anonymous(&app, "/api/v1/streaming/public").await;
    let mut carols_public = SseReader::open(&app, "/api/v1/streaming/public", &carol).await;
    let mut bobs_home = SseReader::open(&app, "/api/v1/streaming/user", &bob).await;
    warm_up(&app, &alice, &mut anonymous).await;

    let private = app
        .post_status(
            &alice,
            &[("status", "friends only"), ("visibility", "private")],
        )
        .await;
    let direct = app
        .post_status(
            &alice,
            &[("status", "@bob just us"), ("visibility", "direct")],
        )
        .await;
    let edited = app
        .put(&format!("/api/v1/statuses/{private}"))
        .bearer_auth(&alice.access_token)
        .form(&[("status", "friends only, edited")])
        .send()
        .await;
    expect_json(edited, 200).await;
    // The follower hears of the edit. Awaited before the delete: an edit whose event
    // is prepared after the status is gone is (rightly) dropped, as its delete follows.
    bobs_home
        .expect("status.update", |s| s["id"] == private.as_str())
        .await;
    for id in [&private, &direct] {
        let deleted = app
            .delete(&format!("/api/v1/statuses/{id}"))
            .bearer_auth(&alice.access_token)
            .send()
            .await;
        expect_json(deleted, 200).await;
    }
    let public = app.post_status(&alice, &[("status", "everyone")]).await;
    let deleted = app
        .delete(&format!("/api/v1/statuses/{public}"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;

    // Events arrive in order: everything before the public post's delete is all the
    // public streams were sent about the private and direct posts.
    for (who, reader) in [
        ("anonymous", &mut anonymous),
        ("a non-follower", &mut carols_public),
    ] {
        let events = reader.until("delete", &public).await;
        for (event, data) in &events {
            assert!(
                !data.contains(&private) && !data.contains(&direct),
                "{who} was sent `{event}` about a post it cannot see: {data}"
            );
        }
    }
    // The follower (and the mentioned account) hears of both deletes.
    for id in [&private, &direct] {
        bobs_home
            .expect("delete", |data| {
                *data == Value::String(id.to_string())
                    || data.as_u64().is_some_and(|n| n.to_string() == *id)
            })
            .await;
    }
}

#[sqlx::test]
async fn anonymous_streams_are_capped_per_address_and_a_closed_one_frees_its_slot(db: PgPool) {
    let app = TestApp::spawn_with(
        db,
        &[
            "--workers",
            "false",
            "--streaming-max-anonymous-per-ip",
            "2",
        ],
    )
    .await;
    let first = SseReader::open_anonymous(&app, "/api/v1/streaming/public").await;
    let _second = SseReader::open_anonymous(&app, "/api/v1/streaming/hashtag?tag=cats").await;

    let refused = app.get("/api/v1/streaming/public/local").send().await;
    expect_error(refused, 429).await;
    let socket = tokio_tungstenite::connect_async(format!(
        "ws://{}/api/v1/streaming?stream=public",
        app.domain
    ))
    .await;
    match socket {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(
                response.status(),
                429,
                "a third anonymous WebSocket is refused"
            );
        }
        Err(other) => panic!("unexpected WebSocket failure: {other}"),
        Ok(_) => panic!("a third anonymous WebSocket was accepted"),
    }
    // Signed-in clients do not count against the anonymous cap.
    let alice = app.sign_up("alice").await;
    let _alices = SseReader::open(&app, "/api/v1/streaming/public", &alice).await;

    drop(first);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = app
            .get("/api/v1/streaming/public")
            .send()
            .await
            .expect("connects");
        if response.status() == 200 {
            break;
        }
        assert_eq!(response.status(), 429);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed stream's slot was never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[sqlx::test]
async fn home_streams_carry_their_recipients_own_marks_and_public_streams_none(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let follow = app
        .post(&format!("/api/v1/accounts/{}/follow", carol.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
    let liked = app
        .post_status(&alice, &[("status", "worth keeping")])
        .await;
    for action in ["favourite", "bookmark"] {
        let marked = app
            .post(&format!("/api/v1/statuses/{liked}/{action}"))
            .bearer_auth(&bob.access_token)
            .send()
            .await;
        expect_json(marked, 200).await;
    }

    let mut bobs_home = SseReader::open(&app, "/api/v1/streaming/user", &bob).await;
    let mut public = SseReader::open_anonymous(&app, "/api/v1/streaming/public").await;
    warm_up(&app, &carol, &mut bobs_home).await;
    let boosted = app
        .post(&format!("/api/v1/statuses/{liked}/reblog"))
        .bearer_auth(&carol.access_token)
        .send()
        .await;
    let boost = expect_json(boosted, 200).await;
    let boost_id = boost["id"].as_str().expect("id").to_owned();

    let got = bobs_home
        .expect("update", |s| s["id"] == boost_id.as_str())
        .await;
    assert_eq!(got["reblog"]["favourited"], true, "{got}");
    assert_eq!(got["reblog"]["bookmarked"], true, "{got}");
    assert_eq!(got["reblog"]["reblogged"], false, "{got}");
    assert_eq!(got["favourited"], false, "{got}");
    assert_eq!(got["muted"], false, "{got}");

    let own = app.post_status(&carol, &[("status", "plain")]).await;
    let seen = public.expect("update", |s| s["id"] == own.as_str()).await;
    assert!(
        seen.get("favourited").is_none(),
        "public streams carry no viewer's marks: {seen}"
    );
}

#[sqlx::test]
async fn a_reply_the_home_timeline_leaves_out_is_not_streamed_either(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let response = app
        .post(&format!("/api/v1/accounts/{}/follow", bob.account_id))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(response, 200).await;
    let mut home = SseReader::open(&app, "/api/v1/streaming/user", &alice).await;
    warm_up(&app, &bob, &mut home).await;

    // Bob replies to Carol, whom Alice does not follow: not for Alice's home.
    let question = app.post_status(&carol, &[("status", "anyone?")]).await;
    let reply = app
        .post_status(
            &bob,
            &[
                ("status", "@carol me"),
                ("in_reply_to_id", question.as_str()),
            ],
        )
        .await;
    let after = app.post_status(&bob, &[("status", "later")]).await;
    let first = home
        .expect("update", |s| {
            s["id"] == reply.as_str() || s["id"] == after.as_str()
        })
        .await;
    assert_eq!(first["id"], after.as_str(), "the reply is not streamed");

    let response = app
        .get("/api/v1/timelines/home")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let timeline = expect_json(response, 200).await;
    let ids: Vec<&str> = timeline
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.contains(&after.as_str()));
    assert!(!ids.contains(&reply.as_str()), "nor on the home timeline");
}
