//! Threads without gaps: when a signed-in viewer opens a thread, Roost fetches in the
//! background what never reached it (missing parents, replies listed in `replies`
//! collections), tells the client through `Mastodon-Async-Refresh` and
//! `/api/v1_alpha/async_refreshes/:id`, and stays within its bounds against servers
//! that list too much, list junk, or are blocked.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::fake_lemmy::FakeLemmy;
use crate::helpers::peers::{
    follow, instance, remote_id, second_database, settle, settle_without_backfills,
};
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};
use roost::services::thread_backfill;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Runs every queued thread backfill of `app`.
async fn backfill(app: &TestApp) {
    thread_backfill::worker::run_once(&app.state)
        .await
        .expect("backfills");
}

/// `/context` of status `id` as `user`: the refresh id from `Mastodon-Async-Refresh`
/// (with the header's whole value) and the body.
async fn context(app: &TestApp, user: &TestUser, id: &str) -> (Option<(String, String)>, Value) {
    let response = app
        .get(&format!("/api/v1/statuses/{id}/context"))
        .bearer_auth(&user.access_token)
        .send()
        .await
        .expect("sent");
    let header = response
        .headers()
        .get("mastodon-async-refresh")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = expect_json(Ok(response), 200).await;
    let refresh = header.map(|value| {
        let id = value
            .split("id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("an id in the header")
            .to_owned();
        (id, value)
    });
    (refresh, body)
}

/// The async refresh `id` as `user` reads it.
async fn refresh(app: &TestApp, user: &TestUser, id: &str) -> Value {
    let response = app
        .get(&format!("/api/v1_alpha/async_refreshes/{id}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await["async_refresh"].clone()
}

fn contents(statuses: &Value) -> Vec<String> {
    let list = statuses.as_array().expect("a list");
    let text = |status: &Value| status["content"].as_str().unwrap_or_default().to_owned();
    list.iter().map(text).collect()
}

fn first_id(statuses: &Value) -> String {
    statuses[0]["id"].as_str().expect("a status").to_owned()
}

/// A reply by `user` on `app` to status `parent` there.
async fn reply(app: &TestApp, user: &TestUser, parent: &str, text: &str) -> String {
    app.post_status(user, &[("status", text), ("in_reply_to_id", parent)])
        .await
}

async fn get_json(app: &TestApp, user: &TestUser, path: &str) -> Value {
    expect_json(
        app.get(path).bearer_auth(&user.access_token).send().await,
        200,
    )
    .await
}

#[sqlx::test]
async fn a_missing_middle_reply_is_fetched_once_the_thread_is_opened(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let v = instance(second_database(&db, "v").await).await;
    let (alice, carol) = (a.sign_up("alice").await, a.sign_up("carol").await);
    let bob = b.sign_up("bob").await;
    let (dave, erin) = (v.sign_up("dave").await, v.sign_up("erin").await);
    // bob@B follows alice; dave@V follows alice and carol, not bob.
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    for name in ["alice", "carol"] {
        let on_v = remote_id(&v, &dave, &format!("{name}@{}", a.domain)).await;
        follow(&v, &dave, &on_v).await;
    }
    settle(&[&a, &b, &v]).await;

    // A1 by alice ← B1 by bob ← C1 by carol.
    let a1 = a.post_status(&alice, &[("status", "A1 root")]).await;
    settle(&[&a, &b, &v]).await;
    let a1_on_b = first_id(&get_json(&b, &bob, "/api/v1/timelines/home").await);
    let b1_text = format!("@alice@{} B1 middle", a.domain);
    reply(&b, &bob, &a1_on_b, &b1_text).await;
    settle(&[&a, &b]).await;
    let on_a = get_json(&a, &carol, &format!("/api/v1/statuses/{a1}/context")).await;
    let b1_on_a = first_id(&on_a["descendants"]);
    reply(&a, &carol, &b1_on_a, &format!("@bob@{} C1 leaf", b.domain)).await;
    settle_without_backfills(&[&a, &b, &v]).await;

    // V has A1 and C1, not B1: C1 waits for its parent.
    let carol_on_v = remote_id(&v, &dave, &format!("carol@{}", a.domain)).await;
    let carols = get_json(
        &v,
        &dave,
        &format!("/api/v1/accounts/{carol_on_v}/statuses"),
    )
    .await;
    let c1_on_v = first_id(&carols);
    assert!(carols[0]["in_reply_to_id"].is_null(), "{carols}");
    let (header, thread) = context(&v, &dave, &c1_on_v).await;
    assert_eq!(thread["ancestors"], json!([]));
    let (refresh_id, value) = header.expect("a refresh runs");
    assert!(
        value.contains("retry=") && value.contains("result_count=0"),
        "{value}"
    );
    let running = refresh(&v, &dave, &refresh_id).await;
    assert_eq!(running["status"], "running");
    assert_eq!(running["id"], refresh_id.as_str());
    let by_another = v
        .get(&format!("/api/v1_alpha/async_refreshes/{refresh_id}"))
        .bearer_auth(&erin.access_token)
        .send()
        .await;
    expect_error(by_another, 404).await;

    backfill(&v).await;

    let finished = refresh(&v, &dave, &refresh_id).await;
    assert_eq!(finished["status"], "finished");
    assert_eq!(finished["result_count"], 1, "B1 was fetched: {finished}");
    let (header, thread) = context(&v, &dave, &c1_on_v).await;
    assert!(header.is_none(), "no new refresh within minutes");
    let ancestors = contents(&thread["ancestors"]);
    assert_eq!(ancestors.len(), 2, "{thread}");
    assert!(ancestors[0].contains("A1 root"), "{ancestors:?}");
    assert!(ancestors[1].contains("B1 middle"), "{ancestors:?}");
}

#[sqlx::test]
async fn replies_listed_in_a_replies_collection_are_fetched(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let v = instance(second_database(&db, "v").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let dave = v.sign_up("dave").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    let alice_on_v = remote_id(&v, &dave, &format!("alice@{}", a.domain)).await;
    follow(&v, &dave, &alice_on_v).await;
    settle(&[&a, &b, &v]).await;
    a.post_status(&alice, &[("status", "a question")]).await;
    settle(&[&a, &b, &v]).await;
    let on_b = first_id(&get_json(&b, &bob, "/api/v1/timelines/home").await);
    let answer = format!("@alice@{} an answer V never got", a.domain);
    reply(&b, &bob, &on_b, &answer).await;
    settle(&[&a, &b, &v]).await;

    let on_v = first_id(&get_json(&v, &dave, "/api/v1/timelines/home").await);
    let (header, thread) = context(&v, &dave, &on_v).await;
    assert_eq!(thread["descendants"], json!([]));
    let (refresh_id, _) = header.expect("a refresh runs");
    backfill(&v).await;

    let (_, thread) = context(&v, &dave, &on_v).await;
    let descendants = contents(&thread["descendants"]);
    assert_eq!(descendants.len(), 1, "{thread}");
    assert!(descendants[0].contains("an answer V never got"));
    assert_eq!(
        thread["descendants"][0]["account"]["acct"],
        format!("bob@{}", b.domain)
    );
    assert_eq!(refresh(&v, &dave, &refresh_id).await["result_count"], 1);
}

/// A note of `server` at `/notes/NAME` by `author`, answering `parent`.
fn note(server: &FakeLemmy, name: &str, author: &str, parent: Option<String>) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": server.url(&format!("/notes/{name}")), "type": "Note",
        "attributedTo": author, "to": [PUBLIC], "content": format!("<p>note {name}</p>"),
        "published": "2026-01-01T00:00:00Z", "inReplyTo": parent,
    })
}

/// `dave` on `v` looks `url` up (search with `resolve=true`); its id on `v`.
async fn resolve_status(v: &TestApp, dave: &TestUser, url: &str) -> String {
    let found = v
        .get("/api/v2/search")
        .bearer_auth(&dave.access_token)
        .query(&[("q", url), ("resolve", "true"), ("type", "statuses")])
        .send()
        .await;
    first_id(&expect_json(found, 200).await["statuses"])
}

#[sqlx::test]
async fn a_deep_chain_of_parents_is_cut_at_twenty_levels(db: PgPool) {
    let v = instance(db).await;
    let dave = v.sign_up("dave").await;
    let remote = FakeLemmy::start().await;
    let author = remote.serve_person("deep");
    for level in 1..=30 {
        let parent = (level > 1).then(|| remote.url(&format!("/notes/{}", level - 1)));
        let name = level.to_string();
        remote.serve(
            &format!("/notes/{name}"),
            note(&remote, &name, &author, parent),
        );
    }
    let leaf = resolve_status(&v, &dave, &remote.url("/notes/30")).await;

    let (header, _) = context(&v, &dave, &leaf).await;
    assert!(header.is_some());
    backfill(&v).await;

    let (_, thread) = context(&v, &dave, &leaf).await;
    let ancestors = contents(&thread["ancestors"]);
    assert_eq!(ancestors.len(), 20, "{ancestors:?}");
    assert_eq!(ancestors[0], "<p>note 10</p>");
    let fetched = remote.fetched_paths();
    assert!(
        !fetched.iter().any(|path| path == "/notes/9"),
        "nothing above the limit is requested: {fetched:?}"
    );
}

#[sqlx::test]
async fn a_blocked_domain_listed_in_a_replies_collection_is_never_contacted(db: PgPool) {
    let v = instance(db).await;
    let dave = v.sign_up("dave").await;
    let (open, blocked) = (FakeLemmy::start().await, FakeLemmy::start().await);
    let op = open.serve_person("op");
    let friend = open.serve_person("friend");
    let stranger = blocked.serve_person("stranger");
    let root_url = open.url("/notes/root");
    let mut root = note(&open, "root", &op, None);
    root["replies"] = json!({
        "id": open.url("/notes/root/replies"), "type": "Collection",
        "first": {"type": "CollectionPage", "partOf": open.url("/notes/root/replies"),
                  "items": [blocked.url("/notes/reply"), open.url("/notes/ok")]},
    });
    open.serve("/notes/root", root);
    open.serve(
        "/notes/ok",
        note(&open, "ok", &friend, Some(root_url.clone())),
    );
    blocked.serve(
        "/notes/reply",
        note(&blocked, "reply", &stranger, Some(root_url.clone())),
    );
    let blocked_domain = blocked.base.trim_start_matches("http://").to_owned();
    sqlx::query("INSERT INTO domain_blocks (domain, severity) VALUES ($1, 'suspend')")
        .bind(&blocked_domain)
        .execute(&v.db)
        .await
        .expect("blocks");
    let root_on_v = resolve_status(&v, &dave, &root_url).await;

    context(&v, &dave, &root_on_v).await;
    backfill(&v).await;

    let (_, thread) = context(&v, &dave, &root_on_v).await;
    assert_eq!(contents(&thread["descendants"]), ["<p>note ok</p>"]);
    assert_eq!(blocked.fetched_paths(), Vec::<String>::new());
}

#[sqlx::test]
async fn a_hostile_replies_collection_is_read_within_bounds(db: PgPool) {
    let v = instance(db).await;
    let dave = v.sign_up("dave").await;
    let remote = FakeLemmy::start().await;
    let op = remote.serve_person("op");
    let mut root = note(&remote, "root", &op, None);
    root["replies"] = json!(remote.url("/replies"));
    root["context"] = json!({"not": "a collection id"});
    remote.serve("/notes/root", root);
    remote.serve(
        "/replies",
        json!({"id": remote.url("/replies"), "type": "OrderedCollection",
               "first": remote.url("/replies/1")}),
    );
    for page in 1..=10 {
        let junk = json!([42, null, {"no": "id"}, "javascript:alert(1)", remote.url("/missing"),
                          remote.url("/u/op"), {"type": "Create", "object": 7}]);
        remote.serve(
            &format!("/replies/{page}"),
            json!({"type": "OrderedCollectionPage", "orderedItems": junk,
                   "next": remote.url(&format!("/replies/{}", page + 1))}),
        );
    }
    let root_on_v = resolve_status(&v, &dave, &remote.url("/notes/root")).await;

    let (header, _) = context(&v, &dave, &root_on_v).await;
    let (refresh_id, _) = header.expect("a refresh runs");
    backfill(&v).await;

    let (_, thread) = context(&v, &dave, &root_on_v).await;
    assert_eq!(thread["descendants"], json!([]));
    let finished = refresh(&v, &dave, &refresh_id).await;
    assert_eq!(finished["status"], "finished");
    assert_eq!(finished["result_count"], 0);
    let pages = remote.fetched_paths();
    let pages = pages.iter().filter(|path| path.starts_with("/replies/"));
    assert_eq!(pages.count(), 5, "five pages of one collection at most");
}

#[sqlx::test]
async fn an_unknown_refresh_is_a_404_and_needs_a_token(db: PgPool) {
    let v = TestApp::spawn(db).await;
    let dave = v.sign_up("dave").await;
    let unknown = v
        .get("/api/v1_alpha/async_refreshes/0123456789abcdef")
        .bearer_auth(&dave.access_token)
        .send()
        .await;
    expect_error(unknown, 404).await;
    let anonymous = v.get("/api/v1_alpha/async_refreshes/x").send().await;
    expect_error(anonymous, 401).await;
}

#[sqlx::test]
async fn a_local_thread_starts_no_refresh(db: PgPool) {
    let v = TestApp::spawn(db).await;
    let dave = v.sign_up("dave").await;
    let root = v.post_status(&dave, &[("status", "local only")]).await;
    reply(&v, &dave, &root, "still local").await;
    let (header, thread) = context(&v, &dave, &root).await;
    assert!(header.is_none());
    assert_eq!(contents(&thread["descendants"]), ["<p>still local</p>"]);
}
