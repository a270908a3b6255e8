//! A hostile server on loopback: its actor and its posts carry `javascript:`, `data:`
//! and `file:` URLs wherever a client would show or follow one, and NUL characters in
//! their text. Roost must keep the posts and show clients none of those URLs, and must
//! accept the NUL-laden activity (with the NULs dropped) rather than fail it for ever.

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::helpers::{expect_json, TestApp, TestUser};
use roost::federation::inbox;
use roost::federation::signatures::{self, SigningKey};

/// A remote server that serves one actor, `mallory`, whose profile is full of hostile
/// URLs, and signs her activities with her key.
struct HostileServer {
    base: String,
    key: SigningKey,
}

impl HostileServer {
    async fn start() -> HostileServer {
        let pair = signatures::generate_rsa_keypair().expect("key pair");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let actor = hostile_actor(&base, &pair.public_pem).to_string();
        let serve_actor =
            move || async move { ([(CONTENT_TYPE, "application/activity+json")], actor) };
        let router = axum::Router::new().route("/users/mallory", get(serve_actor));
        // Runs until the test's runtime shuts down.
        tokio::spawn(async move { axum::serve(listener, router).await });
        HostileServer {
            base,
            key: SigningKey::from_pem(&pair.private_pem).expect("parses"),
        }
    }

    fn actor(&self) -> String {
        format!("{}/users/mallory", self.base)
    }

    /// POSTs `activity` to `app`'s shared inbox, signed by mallory; the answer's status.
    async fn deliver(&self, app: &TestApp, activity: &Value) -> reqwest::StatusCode {
        let body = activity.to_string();
        let url = url::Url::parse(&app.url("/inbox")).expect("inbox URL");
        let key_id = format!("{}#main-key", self.actor());
        let signed = signatures::sign(
            &reqwest::Method::POST,
            &url,
            Some(body.as_bytes()),
            &key_id,
            &self.key,
            chrono::Utc::now(),
        )
        .expect("signs");
        let mut request = app
            .client
            .post(url.as_str())
            .header(CONTENT_TYPE, "application/activity+json")
            .body(body);
        for (name, value) in signed.iter().filter(|(name, _)| *name != "host") {
            request = request.header(name, value);
        }
        request.send().await.expect("sent").status()
    }

    /// A public Create(Note) by mallory that mentions `user` (so Roost keeps it).
    fn create_note(&self, app: &TestApp, user: &TestUser, note: Value) -> Value {
        let id = format!("{}/statuses/{}", self.actor(), uuid::Uuid::new_v4());
        let alice = app.url(&format!("/users/{}", user.username));
        let mut object = json!({
            "id": id,
            "type": "Note",
            "attributedTo": self.actor(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [alice],
            "tag": [{"type": "Mention", "href": alice, "name": format!("@{}", user.username)}],
        });
        if let (Some(object), Value::Object(extra)) = (object.as_object_mut(), note) {
            object.extend(extra);
        }
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{id}/activity"),
            "type": "Create",
            "actor": self.actor(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [alice],
            "object": object,
        })
    }
}

/// Mallory's actor document: a `javascript:` profile URL, a `data:` avatar, a `file:`
/// header, script links in her bio and in a profile field, a `javascript:` emoji.
fn hostile_actor(base: &str, public_pem: &str) -> Value {
    let id = format!("{base}/users/mallory");
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": "mallory",
        "name": "Mallory :blob:",
        "summary": "<p>bio <a href=\"javascript:alert(document.cookie)\">click</a></p>",
        "url": "javascript:alert(1)",
        "inbox": format!("{id}/inbox"),
        "icon": {"type": "Image", "mediaType": "image/png",
                 "url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="},
        "image": {"type": "Image", "url": "file:///etc/passwd"},
        "attachment": [{"type": "PropertyValue", "name": "Site",
                        "value": "<a href=\"javascript:alert(1)\" rel=\"me\">my site</a>"}],
        "tag": [{"type": "Emoji", "name": ":blob:", "id": format!("{base}/emojis/1"),
                 "icon": {"type": "Image", "url": "javascript:alert(1)"}}],
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public_pem},
    })
}

/// The newest mention notification of `user`: the status and its author as clients
/// see them.
async fn newest_mention(app: &TestApp, user: &TestUser) -> Value {
    let notifications = app
        .get("/api/v1/notifications")
        .bearer_auth(&user.access_token)
        .query(&[("types[]", "mention")])
        .send()
        .await;
    let notifications = expect_json(notifications, 200).await;
    notifications[0].clone()
}

/// Every string in `value` that a client could take for a URL with a dangerous scheme.
fn hostile_strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => {
            let lower = text.to_ascii_lowercase();
            let hostile = ["javascript:", "data:", "file:", "vbscript:"]
                .iter()
                .any(|scheme| lower.contains(scheme));
            hostile.then(|| text.clone()).into_iter().collect()
        }
        Value::Array(items) => items.iter().flat_map(hostile_strings).collect(),
        Value::Object(map) => map.values().flat_map(hostile_strings).collect(),
        _ => Vec::new(),
    }
}

#[sqlx::test]
async fn a_hostile_servers_script_and_data_urls_never_reach_clients(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let mallory = HostileServer::start().await;
    let good_media = format!("{}/media/cat.png", mallory.base);
    let create = mallory.create_note(
        &app,
        &alice,
        json!({
            "content": "<p>hello <a href=\"javascript:alert(1)\">there</a></p>",
            "url": "javascript:alert(1)",
            "inReplyTo": "javascript:alert(2)",
            "attachment": [
                {"type": "Document", "mediaType": "image/png",
                 "url": "data:image/png;base64,iVBORw0KGgo="},
                {"type": "Document", "mediaType": "image/png", "url": good_media},
            ],
        }),
    );

    assert_eq!(mallory.deliver(&app, &create).await, 202);
    inbox::worker::run_once(&app.state)
        .await
        .expect("processes");

    let mention = newest_mention(&app, &alice).await;
    let status = &mention["status"];
    assert!(
        status["content"]
            .as_str()
            .is_some_and(|c| c.contains("hello")),
        "the note is stored and shown: {mention}"
    );
    assert_eq!(status["url"], Value::Null, "a javascript: url is dropped");
    assert_eq!(status["in_reply_to_id"], Value::Null);
    let media = status["media_attachments"].as_array().expect("media");
    assert_eq!(
        media.len(),
        1,
        "only the http attachment is kept: {media:?}"
    );
    assert_eq!(media[0]["remote_url"], good_media.as_str());
    let account = &status["account"];
    assert_eq!(
        account["url"], account["uri"],
        "the profile URL falls back to the id"
    );
    assert!(account["uri"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://")));
    assert_eq!(account["fields"][0]["name"], "Site");
    assert_eq!(
        hostile_strings(&mention),
        Vec::<String>::new(),
        "no dangerous URL anywhere in {mention}"
    );
}

#[sqlx::test]
async fn a_remote_post_with_nul_characters_is_accepted_and_stored_without_them(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let mallory = HostileServer::start().await;
    let create = mallory.create_note(
        &app,
        &alice,
        json!({"content": "<p>hel\u{0}lo</p>", "summary": "c\u{0}w", "nul\u{0}key": "x\u{0}"}),
    );
    assert!(
        create.to_string().contains("\\u0000"),
        "sent as JSON escapes"
    );

    assert_eq!(mallory.deliver(&app, &create).await, 202);
    inbox::worker::run_once(&app.state)
        .await
        .expect("processes");

    let mention = newest_mention(&app, &alice).await;
    assert_eq!(mention["status"]["content"], "<p>hello</p>", "{mention}");
    assert_eq!(mention["status"]["spoiler_text"], "cw");
}
