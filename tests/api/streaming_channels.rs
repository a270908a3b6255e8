//! Mastodon's stream channels (<https://docs.joinmastodon.org/methods/streaming/#streams>):
//! WebSocket messages labelled as Mastodon labels them (`["user:notification"]`,
//! `["hashtag", tag]`, `["list", id]`), `user:notification` carrying notifications
//! only, the list stream, the remote and local public streams apart, refused
//! subscriptions answered in Mastodon's shape, and masto.js (the client library of
//! Elk and Phanpy) receiving what it subscribed to.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::signed_remote::Scene;
use crate::helpers::sse::{warm_up, SseReader};
use crate::helpers::{expect_error, test_node_modules, TestApp, TestUser};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket to `app`'s streaming API with `user`'s token, first on `stream`.
async fn socket(app: &TestApp, user: &TestUser, stream: &str) -> Socket {
    let mut request = format!("ws://{}/api/v1/streaming?stream={stream}", app.domain)
        .into_client_request()
        .expect("request");
    let token = user.access_token.parse().expect("header");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", token);
    tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrades")
        .0
}

/// Sends a `subscribe` message with `fields`.
async fn subscribe(socket: &mut Socket, fields: Value) {
    let mut message = json!({ "type": "subscribe" });
    for (key, value) in fields.as_object().expect("fields") {
        message[key] = value.clone();
    }
    let text = Message::Text(message.to_string().into());
    socket.send(text).await.expect("sends");
}

/// The JSON messages the socket receives within `wait`.
async fn messages_within(socket: &mut Socket, wait: Duration) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut messages = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = message {
            messages.push(serde_json::from_str(&text).expect("json"));
        }
    }
    messages
}

/// Creates a list of `member` as `owner`; its id.
async fn list_of(app: &TestApp, owner: &TestUser, member: &TestUser) -> String {
    let list: Value = app
        .as_(owner)
        .post("/api/v1/lists", &[("title", "Close friends")])
        .await
        .expect("list created");
    let id = list["id"].as_str().expect("id").to_owned();
    app.as_(owner)
        .post::<Value>(
            &format!("/api/v1/lists/{id}/accounts"),
            &[("account_ids[]", member.account_id.as_str())],
        )
        .await
        .expect("member added");
    id
}

#[sqlx::test]
async fn websocket_messages_are_labelled_as_mastodon_labels_its_streams(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob).follow(&alice).await.expect("follows");
    let list = list_of(&app, &bob, &alice).await;
    let mut socket = socket(&app, &bob, "user:notification").await;
    subscribe(&mut socket, json!({ "stream": "hashtag", "tag": "Rust" })).await;
    subscribe(&mut socket, json!({ "stream": "public:local" })).await;
    subscribe(&mut socket, json!({ "stream": "list", "list": list })).await;

    // The process starts listening with its first subscriber: post until one arrives.
    let mut labels: HashMap<String, Vec<String>> = HashMap::new();
    for attempt in 0..20 {
        labels.clear();
        let text = format!("@bob #Rust number {attempt}");
        let id = app.post_status(&alice, &[("status", &text)]).await;
        for message in messages_within(&mut socket, Duration::from_millis(700)).await {
            let payload = message["payload"].as_str().unwrap_or_default();
            if payload.contains(&id) {
                let event = message["event"].as_str().expect("event").to_owned();
                labels
                    .entry(message["stream"].to_string())
                    .or_default()
                    .push(event);
            }
        }
        if labels.len() == 4 {
            break;
        }
    }
    let expected = [
        (json!(["user:notification"]), "notification"),
        (json!(["hashtag", "Rust"]), "update"),
        (json!(["public:local"]), "update"),
        (json!(["list", list]), "update"),
    ];
    for (label, event) in expected {
        assert_eq!(
            labels.get(&label.to_string()).map(Vec::as_slice),
            Some([event.to_owned()].as_slice()),
            "on {label}: {labels:?}"
        );
    }
}

#[sqlx::test]
async fn refused_subscriptions_are_answered_with_an_error_and_status(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob).follow(&alice).await.expect("follows");
    let bobs_list = list_of(&app, &bob, &alice).await;
    let mut socket = socket(&app, &alice, "public").await;
    subscribe(&mut socket, json!({ "stream": "list", "list": bobs_list })).await;
    subscribe(&mut socket, json!({ "stream": "hashtag" })).await;
    subscribe(&mut socket, json!({ "stream": "nonsense" })).await;
    let answers = messages_within(&mut socket, Duration::from_secs(2)).await;
    let statuses: Vec<&Value> = answers.iter().map(|answer| &answer["status"]).collect();
    assert_eq!(
        statuses,
        [&json!(404), &json!(400), &json!(400)],
        "{answers:?}"
    );
    assert!(answers.iter().all(|answer| answer["error"].is_string()));

    // The same refusals as HTTP answers of the Server-Sent Events paths.
    let path = format!("/api/v1/streaming/list?list={bobs_list}");
    let foreign = app.get(&path).bearer_auth(&alice.access_token).send().await;
    expect_error(foreign, 404).await;
    let anonymous = app.get(&path).send().await;
    expect_error(anonymous, 401).await;
    let tagless = app.get("/api/v1/streaming/hashtag/local").send().await;
    expect_error(tagless, 400).await;
}

#[sqlx::test]
async fn the_list_and_notification_streams_carry_what_they_name(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    for followed in [&alice, &carol] {
        app.as_(&bob).follow(followed).await.expect("follows");
    }
    let list = list_of(&app, &bob, &alice).await;
    let mut in_list =
        SseReader::open(&app, &format!("/api/v1/streaming/list?list={list}"), &bob).await;
    warm_up(&app, &alice, &mut in_list).await;
    let mut notifications =
        SseReader::open(&app, "/api/v1/streaming/user/notification", &bob).await;

    let carols = app
        .post_status(&carol, &[("status", "@bob not on the list")])
        .await;
    let alices = app.post_status(&alice, &[("status", "on the list")]).await;
    let events = in_list.until("update", &alices).await;
    assert!(
        events.iter().all(|(_, data)| !data.contains(&carols)),
        "a non-member's post reached the list stream: {events:?}"
    );
    let (event, data) = notifications.next().await.expect("an event");
    assert_eq!(event, "notification", "{data}");
    let notification: Value = serde_json::from_str(&data).expect("json");
    assert_eq!(notification["status"]["id"], carols.as_str());
}

#[sqlx::test]
async fn remote_and_local_public_streams_keep_to_their_origin(db: PgPool) {
    let scene = Scene::new(db).await;
    let app = &scene.app;
    let mut everything = SseReader::open_anonymous(app, "/api/v1/streaming/public").await;
    warm_up(app, &scene.alice, &mut everything).await;
    let mut remote = SseReader::open_anonymous(app, "/api/v1/streaming/public/remote").await;
    let mut local = SseReader::open_anonymous(app, "/api/v1/streaming/public/local").await;

    deliver_note(&scene, 1, "far away one").await;
    let here = app
        .post_status(&scene.alice, &[("status", "right here")])
        .await;
    deliver_note(&scene, 2, "far away two").await;

    let from_afar = remote.until("update", "far away two").await;
    let texts: Vec<&str> = from_afar.iter().map(|(_, data)| data.as_str()).collect();
    assert!(
        texts.iter().any(|data| data.contains("far away one")),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|data| data.contains(&here)), "{texts:?}");
    let from_here = local.until("update", &here).await;
    assert!(
        from_here.iter().all(|(_, data)| !data.contains("far away")),
        "{from_here:?}"
    );
}

/// Delivers a public note by mallory mentioning alice (which makes it wanted here).
async fn deliver_note(scene: &Scene, number: u32, text: &str) {
    let actor = scene.remote.actor();
    let alice = scene.app.url("/users/alice");
    let note = json!({
        "id": format!("{actor}/notes/{number}"),
        "type": "Note",
        "attributedTo": actor,
        "content": format!("<p>{text}</p>"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [alice],
        "tag": [{ "type": "Mention", "href": alice, "name": "@alice" }],
        "published": "2026-12-01T10:00:00Z",
    });
    let create = scene.activity("Create", note);
    let post = scene.signed("/inbox", &create).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
}

#[sqlx::test]
async fn a_masto_js_client_receives_notification_and_hashtag_events(db: PgPool) {
    use tokio::io::AsyncBufReadExt;

    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/masto_stream.cjs"
    );
    let mut client = tokio::process::Command::new("node")
        .args([
            script,
            &format!("ws://{}", app.domain),
            &bob.access_token,
            "Rust",
            "60",
        ])
        .env("NODE_PATH", test_node_modules())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs (scripts/test installs Node.js and masto.js)");
    let stdout = client.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();

    // The client subscribes asynchronously: post until both events come through.
    let mut received: HashMap<String, Value> = HashMap::new();
    for attempt in 0..30 {
        let text = format!("@bob #Rust from masto.js test {attempt}");
        let id = app.post_status(&alice, &[("status", &text)]).await;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(1000);
        while let Ok(Ok(Some(line))) = tokio::time::timeout_at(deadline, lines.next_line()).await {
            let event: Value = serde_json::from_str(&line).expect("a JSON line");
            assert!(event["error"].is_null(), "masto.js failed: {event}");
            if event["status"] == id.as_str() {
                let subscription = event["subscription"].as_str().expect("name").to_owned();
                received.insert(subscription, event);
            }
        }
        if received.len() == 2 {
            break;
        }
    }
    let notification = &received
        .get("user:notification")
        .expect("a notification event");
    assert_eq!(notification["event"], "notification");
    assert_eq!(notification["stream"], json!(["user:notification"]));
    let tagged = &received.get("hashtag").expect("a hashtag event");
    assert_eq!(tagged["event"], "update");
    assert_eq!(tagged["stream"], json!(["hashtag", "Rust"]));
}
