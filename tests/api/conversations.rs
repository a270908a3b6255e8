//! Conversations (<https://docs.joinmastodon.org/methods/conversations/>): direct
//! messages grouped by thread and participants for each local participant, unread
//! for all but the author, read and removed by their owner, kept true when messages
//! are deleted, received from other servers, and streamed on `direct`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::signed_remote::Scene;
use crate::helpers::sse::SseReader;
use crate::helpers::{TestApp, TestUser, PASSWORD};

/// `user`'s conversations (first page).
async fn conversations_of(app: &TestApp, user: &TestUser) -> Vec<Value> {
    app.as_(user)
        .get("/api/v1/conversations")
        .await
        .expect("conversations")
}

/// Sends a direct message as `author`, replying to `parent` when given; its id.
async fn direct(app: &TestApp, author: &TestUser, text: &str, parent: Option<&str>) -> String {
    let mut form = vec![("status", text), ("visibility", "direct")];
    if let Some(parent) = parent {
        form.push(("in_reply_to_id", parent));
    }
    app.post_status(author, &form).await
}

/// The ids of a conversation's accounts.
fn participants(conversation: &Value) -> Vec<&str> {
    let accounts = conversation["accounts"].as_array().expect("accounts");
    accounts
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect()
}

/// Sorted ids of `users`.
fn ids_of(users: &[&TestUser]) -> Vec<String> {
    let mut ids: Vec<String> = users.iter().map(|u| u.account_id.clone()).collect();
    ids.sort_by_key(|id| id.parse::<i64>().expect("numeric id"));
    ids
}

#[sqlx::test]
async fn a_direct_thread_is_one_conversation_per_participant_unread_for_the_others(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let first = direct(&app, &alice, "@bob @carol a secret", None).await;
    app.post_status(&alice, &[("status", "a public post")])
        .await;

    let bobs = conversations_of(&app, &bob).await;
    assert_eq!(bobs.len(), 1, "{bobs:?}");
    assert_eq!(bobs[0]["unread"], true);
    assert_eq!(participants(&bobs[0]), ids_of(&[&alice, &carol]));
    assert_eq!(bobs[0]["last_status"]["id"], first.as_str());
    assert_eq!(bobs[0]["last_status"]["visibility"], "direct");
    let alices = conversations_of(&app, &alice).await;
    assert_eq!(
        alices.len(),
        1,
        "only the direct message makes a conversation"
    );
    assert_eq!(alices[0]["unread"], false, "the author has read it");
    assert_eq!(participants(&alices[0]), ids_of(&[&bob, &carol]));

    // Bob answers in the thread: the same conversation, now read for him.
    let reply = direct(&app, &bob, "@alice @carol re", Some(&first)).await;
    let bobs = conversations_of(&app, &bob).await;
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0]["last_status"]["id"], reply.as_str());
    assert_eq!(bobs[0]["unread"], false);
    let alices = conversations_of(&app, &alice).await;
    assert_eq!(alices[0]["unread"], true);

    // Another set of people in the same thread is another conversation.
    direct(&app, &bob, "@alice only you", Some(&first)).await;
    assert_eq!(conversations_of(&app, &alice).await.len(), 2);
}

#[sqlx::test]
async fn conversations_are_read_removed_and_follow_deletions(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let first = direct(&app, &alice, "@bob one", None).await;
    let second = direct(&app, &alice, "@bob two", Some(&first)).await;
    let id = conversations_of(&app, &bob).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let read: Value = app
        .as_(&bob)
        .post(&format!("/api/v1/conversations/{id}/read"), &[])
        .await
        .expect("read");
    assert_eq!(read["unread"], false);
    assert_eq!(read["id"], id.as_str());
    let foreign = app
        .as_(&alice)
        .post::<Value>(&format!("/api/v1/conversations/{id}/read"), &[])
        .await
        .expect_err("another's conversation");
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // Deleting the newest message brings the one before back as the last.
    app.as_(&alice)
        .delete::<Value>(&format!("/api/v1/statuses/{second}"))
        .await
        .expect("deleted");
    let bobs = conversations_of(&app, &bob).await;
    assert_eq!(bobs[0]["last_status"]["id"], first.as_str());
    // Deleting the last one removes the conversation.
    app.as_(&alice)
        .delete::<Value>(&format!("/api/v1/statuses/{first}"))
        .await
        .expect("deleted");
    assert!(conversations_of(&app, &bob).await.is_empty());

    // Removing a conversation hides it until the next message.
    direct(&app, &alice, "@bob three", None).await;
    let id = conversations_of(&app, &bob).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let removed: Value = app
        .as_(&bob)
        .delete(&format!("/api/v1/conversations/{id}"))
        .await
        .expect("removed");
    assert_eq!(removed, json!({}));
    assert!(conversations_of(&app, &bob).await.is_empty());
    let gone = app
        .as_(&bob)
        .delete::<Value>(&format!("/api/v1/conversations/{id}"))
        .await
        .expect_err("already removed");
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn conversations_page_by_their_last_message(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let mut sent = Vec::new();
    for n in 0..3 {
        sent.push(direct(&app, &alice, &format!("@bob thread {n}"), None).await);
    }
    let response = app
        .as_(&bob)
        .request(Method::GET, "/api/v1/conversations?limit=2")
        .send()
        .await
        .expect("sent");
    let link = response.headers()["link"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let page: Vec<Value> = response.json().await.expect("json");
    let last: Vec<&Value> = page.iter().map(|c| &c["last_status"]["id"]).collect();
    assert_eq!(last, [&json!(sent[2]), &json!(sent[1])]);
    assert!(link.contains(&format!("max_id={}", sent[1])), "{link}");
    let older: Vec<Value> = app
        .as_(&bob)
        .get(&format!("/api/v1/conversations?max_id={}", sent[1]))
        .await
        .expect("older");
    assert_eq!(older.len(), 1);
    assert_eq!(older[0]["last_status"]["id"], sent[0].as_str());
}

#[sqlx::test]
async fn only_a_token_with_write_conversations_changes_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write follow push").await;
    let alice = app.sign_up("alice").await;
    app.sign_up_with(&oauth_app, "bob").await;
    direct(&app, &alice, "@bob hello", None).await;
    let reader = app
        .password_token(&oauth_app, "bob", PASSWORD, "read")
        .await;
    let listed: Vec<Value> = app
        .with_token(&reader)
        .get("/api/v1/conversations")
        .await
        .expect("a read token lists");
    let id = listed[0]["id"].as_str().expect("id");
    let refused = app
        .with_token(&reader)
        .post::<Value>(&format!("/api/v1/conversations/{id}/read"), &[])
        .await
        .expect_err("no write scope");
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let writer = app
        .password_token(&oauth_app, "bob", PASSWORD, "write:conversations")
        .await;
    let read: Value = app
        .with_token(&writer)
        .post(&format!("/api/v1/conversations/{id}/read"), &[])
        .await
        .expect("write:conversations marks it read");
    assert_eq!(read["unread"], false);
}

#[sqlx::test]
async fn a_direct_message_from_another_server_starts_a_conversation(db: PgPool) {
    let scene = Scene::new(db).await;
    let actor = scene.remote.actor();
    let alice = scene.app.url("/users/alice");
    let note = json!({
        "id": format!("{actor}/notes/dm"),
        "type": "Note",
        "attributedTo": actor,
        "content": "<p>just between us</p>",
        "to": [alice],
        "tag": [{ "type": "Mention", "href": alice, "name": "@alice" }],
        "published": "2026-12-01T10:00:00Z",
    });
    let create = scene.activity("Create", note);
    let post = scene.signed("/inbox", &create).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");

    let conversations = conversations_of(&scene.app, &scene.alice).await;
    assert_eq!(conversations.len(), 1, "{conversations:?}");
    assert_eq!(conversations[0]["unread"], true);
    assert_eq!(
        conversations[0]["last_status"]["content"],
        "<p>just between us</p>"
    );
    let accounts = conversations[0]["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0]["acct"].as_str().expect("acct").contains('@'));
}

#[sqlx::test]
async fn the_direct_stream_carries_conversation_events(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let mut stream = SseReader::open(&app, "/api/v1/streaming/direct", &bob).await;
    // The process starts listening with its first subscriber: send until one arrives.
    let mut arrived = None;
    for attempt in 0..20 {
        let id = direct(&app, &alice, &format!("@bob psst {attempt}"), None).await;
        let next = tokio::time::timeout(std::time::Duration::from_millis(700), stream.next()).await;
        if let Ok(Some((event, data))) = next {
            assert_eq!(event, "conversation", "{data}");
            let conversation: Value = serde_json::from_str(&data).expect("json");
            if conversation["last_status"]["id"] == id.as_str() {
                arrived = Some(conversation);
                break;
            }
        }
    }
    let conversation = arrived.expect("a conversation event");
    assert_eq!(conversation["unread"], true);
    assert_eq!(participants(&conversation), [alice.account_id.as_str()]);
    // A public post is no conversation: the next event is about the next message.
    app.post_status(&alice, &[("status", "@bob in public")])
        .await;
    let last = direct(&app, &alice, "@bob psst again", None).await;
    let (event, data) = stream.next().await.expect("an event");
    assert_eq!(event, "conversation");
    assert!(data.contains(&last), "{data}");
}

/// An `account_conversations` row: owner, thread, others, statuses, last status.
type FiledRow = (i64, String, Vec<i64>, Vec<i64>, i64);

#[sqlx::test]
async fn the_migration_files_earlier_direct_messages_as_the_service_does(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let first = direct(&app, &alice, "@bob @carol one", None).await;
    direct(&app, &bob, "@alice @carol two", Some(&first)).await;
    direct(&app, &carol, "@alice aside", Some(&first)).await;
    direct(&app, &bob, "@bob to myself", None).await;
    let written = |db: PgPool| async move {
        let rows: Vec<FiledRow> = sqlx::query_as(
            "SELECT account_id, conversation, participant_ids, status_ids, last_status_id \
             FROM account_conversations ORDER BY account_id, last_status_id",
        )
        .fetch_all(&db)
        .await
        .expect("rows");
        rows
    };
    let by_service = written(db.clone()).await;
    // Alice, bob and carol: the thread of three; alice and carol: the aside; bob: the note.
    assert_eq!(by_service.len(), 6, "{by_service:?}");

    let migration = include_str!("../../migrations/20261203000400_conversations.sql");
    let backfill = migration
        .split("-- backfill:begin")
        .nth(1)
        .and_then(|rest| rest.split("-- backfill:end").next())
        .expect("the backfill between its markers");
    sqlx::query("DELETE FROM account_conversations")
        .execute(&db)
        .await
        .expect("emptied");
    sqlx::query(backfill)
        .execute(&db)
        .await
        .expect("backfill runs");
    assert_eq!(written(db).await, by_service);
}

#[sqlx::test]
async fn a_muted_thread_notifies_no_more_until_unmuted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let root = app
        .as_(&alice)
        .post_status("a thread")
        .await
        .expect("posted");
    let muted: Value = app
        .as_(&alice)
        .post(&format!("/api/v1/statuses/{}/mute", root.id), &[])
        .await
        .expect("muted");
    assert_eq!(muted["muted"], true);
    let reply = app
        .as_(&bob)
        .reply(&root, "@alice hello")
        .await
        .expect("replied");
    app.as_(&bob).favourite(&root).await.expect("favourited");
    let seen: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{}", reply.id))
        .await
        .expect("status");
    assert_eq!(seen["muted"], true, "the whole thread is muted");
    let notifications = app
        .as_(&alice)
        .notifications()
        .await
        .expect("notifications");
    assert!(notifications.is_empty(), "{notifications:?}");

    let unmuted: Value = app
        .as_(&alice)
        .post(&format!("/api/v1/statuses/{}/unmute", reply.id), &[])
        .await
        .expect("unmuted");
    assert_eq!(unmuted["muted"], false);
    app.as_(&bob)
        .reply(&root, "@alice again")
        .await
        .expect("replied");
    let notifications = app
        .as_(&alice)
        .notifications()
        .await
        .expect("notifications");
    assert_eq!(notifications.len(), 1);
    let unknown = app
        .as_(&alice)
        .post::<Value>("/api/v1/statuses/42/mute", &[])
        .await
        .expect_err("no such status");
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
