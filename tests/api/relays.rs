//! Relays between two real Roost instances, `a` and `b`, through a test relay on
//! loopback (`helpers::relay`) in both styles: an admin subscribes each server, the
//! relay accepts, and alice's public posts on `a` reach `b`'s federated timeline as
//! alice's own posts (never as the relay's boosts), while her unlisted and
//! followers-only posts never reach the relay. Disabling sends the `Undo` and stops the
//! posts; what a disabled or unknown relay sends is not taken in. The admin API is for
//! admins with admin scopes, and bad input is a 422.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{instance, second_database, settle};
use crate::helpers::relay::{Style, TestRelay};
use crate::helpers::shell::{admin, assert_failure, assert_success};
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Two servers subscribed to one relay; alice posts on `a`.
struct Network {
    a: TestApp,
    b: TestApp,
    alice: TestUser,
    admin_a: String,
    admin_b: String,
    relay: TestRelay,
}

impl Network {
    /// Both servers' admins add the relay and it accepts them.
    async fn subscribed(db: PgPool, style: Style) -> Network {
        let relay = TestRelay::start(style).await;
        let a = instance(db.clone()).await;
        let b = instance(second_database(&db, "relay_b").await).await;
        let alice = a.sign_up("alice").await;
        let (_, admin_a) = staff(&a, "boss", "admin").await;
        let (_, admin_b) = staff(&b, "boss", "admin").await;
        for (app, token) in [(&a, &admin_a), (&b, &admin_b)] {
            let added = add(app, token, &relay.subscription_url()).await;
            assert_eq!(added["state"], "pending", "{added}");
        }
        settle(&[&a, &b]).await;
        for (app, token) in [(&a, &admin_a), (&b, &admin_b)] {
            let listed = list(app, token).await;
            assert_eq!(listed[0]["state"], "accepted", "{listed}");
            assert_eq!(listed[0]["enabled"], true);
            assert_eq!(listed[0]["actor_id"], relay.actor_id());
        }
        assert_eq!(relay.subscribers(), 2);
        Network {
            a,
            b,
            alice,
            admin_a,
            admin_b,
            relay,
        }
    }

    /// Alice posts `text` with `visibility`; the status.
    async fn post(&self, text: &str, visibility: &str) -> Value {
        let response = self
            .a
            .post("/api/v1/statuses")
            .bearer_auth(&self.alice.access_token)
            .form(&[("status", text), ("visibility", visibility)])
            .send()
            .await;
        let status = expect_json(response, 200).await;
        settle(&[&self.a, &self.b]).await;
        status
    }

    /// The relay's id on `b`.
    async fn relay_id_on_b(&self) -> String {
        let listed = list(&self.b, &self.admin_b).await;
        listed[0]["id"].as_str().expect("id").to_owned()
    }
}

async fn add(app: &TestApp, token: &str, url: &str) -> Value {
    let response = app
        .post("/api/v1/admin/relays")
        .bearer_auth(token)
        .json(&json!({ "inbox_url": url }))
        .send()
        .await;
    expect_json(response, 200).await
}

async fn list(app: &TestApp, token: &str) -> Value {
    expect_json(
        app.get("/api/v1/admin/relays")
            .bearer_auth(token)
            .send()
            .await,
        200,
    )
    .await
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str) -> Value {
    let path = format!("/api/v1/admin/relays/{id}/{action}");
    expect_json(app.post(&path).bearer_auth(token).send().await, 200).await
}

/// The federated timeline's entry for the post `uri`, if listed.
async fn federated(app: &TestApp, uri: &Value) -> Option<Value> {
    let response = app.get("/api/v1/timelines/public?remote=true").send().await;
    let timeline = expect_json(response, 200).await;
    let items = timeline.as_array().expect("a list").clone();
    items.into_iter().find(|item| item["uri"] == *uri)
}

fn creates_of(relay: &TestRelay, uri: &Value) -> usize {
    let creates = relay.received("Create");
    creates.iter().filter(|c| c["object"]["id"] == *uri).count()
}

#[sqlx::test]
async fn a_mastodon_style_relay_subscription_follows_the_public_collection(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    let follows = net.relay.received("Follow");
    assert_eq!(follows.len(), 2);
    assert_eq!(follows[0]["object"], PUBLIC);
    assert_eq!(follows[0]["actor"], net.a.url("/actor"));
    let listed = list(&net.a, &net.admin_a).await;
    assert_eq!(listed[0]["kind"], "mastodon");
    assert_eq!(listed[0]["inbox_url"], net.relay.subscription_url());
}

#[sqlx::test]
async fn a_public_post_reaches_the_other_server_through_a_mastodon_style_relay(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    let status = net.post("through the relay", "public").await;
    assert_eq!(creates_of(&net.relay, &status["uri"]), 1);
    let copy = federated(&net.b, &status["uri"])
        .await
        .expect("the post reached b's federated timeline");
    assert_eq!(copy["account"]["acct"], format!("alice@{}", net.a.domain));
    assert!(copy["reblog"].is_null(), "not a boost: {copy}");
    assert!(copy["content"]
        .as_str()
        .unwrap_or_default()
        .contains("through the relay"));

    // Alice edits it: the relay forwards the Update and b applies the text its
    // origin serves.
    let path = format!("/api/v1/statuses/{}", status["id"].as_str().expect("id"));
    let edited = net
        .a
        .put(&path)
        .bearer_auth(&net.alice.access_token)
        .form(&[("status", "edited through the relay")])
        .send()
        .await;
    expect_json(edited, 200).await;
    settle(&[&net.a, &net.b]).await;
    assert_eq!(net.relay.received("Update").len(), 1);
    let copy = federated(&net.b, &status["uri"])
        .await
        .expect("still there");
    let content = copy["content"].as_str().unwrap_or_default();
    assert!(content.contains("edited through the relay"), "{copy}");

    // Alice deletes it: the relay forwards the Delete and b, seeing the post gone at
    // its origin, deletes its copy.
    let deleted = net
        .a
        .delete(&path)
        .bearer_auth(&net.alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;
    settle(&[&net.a, &net.b]).await;
    assert_eq!(net.relay.received("Delete").len(), 1);
    assert!(federated(&net.b, &status["uri"]).await.is_none());
}

#[sqlx::test]
async fn a_public_post_reaches_the_other_server_through_a_litepub_relay(db: PgPool) {
    let net = Network::subscribed(db, Style::LitePub).await;
    let follows = net.relay.received("Follow");
    assert_eq!(follows[0]["object"], net.relay.actor_id());
    assert_eq!(list(&net.a, &net.admin_a).await[0]["kind"], "litepub");

    let status = net.post("announced by the relay", "public").await;
    assert_eq!(creates_of(&net.relay, &status["uri"]), 1);
    let copy = federated(&net.b, &status["uri"])
        .await
        .expect("the announced post reached b's federated timeline");
    assert_eq!(copy["account"]["acct"], format!("alice@{}", net.a.domain));
    assert!(copy["reblog"].is_null(), "the relay made no boost: {copy}");
    let boosts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM statuses WHERE reblog_of_id IS NOT NULL")
            .fetch_one(&net.b.db)
            .await
            .expect("counts");
    assert_eq!(boosts, 0);
}

#[sqlx::test]
async fn a_relay_that_rejects_the_subscription_gets_no_posts(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    let follows = net.relay.received("Follow");
    let a_actor = net.a.url("/actor");
    let follow = follows
        .iter()
        .find(|f| f["actor"] == a_actor)
        .expect("a's Follow");
    let follow_id = follow["id"].as_str().expect("id");
    let inbox = net.a.url("/inbox");
    assert_eq!(net.relay.reject_to(&inbox, follow_id).await.as_u16(), 202);
    settle(&[&net.a, &net.b]).await;
    let listed = list(&net.a, &net.admin_a).await;
    assert_eq!(listed[0]["state"], "rejected", "{listed}");
    assert_eq!(listed[0]["enabled"], false);

    let status = net.post("nobody relays this", "public").await;
    assert_eq!(creates_of(&net.relay, &status["uri"]), 0);
}

#[sqlx::test]
async fn a_public_boost_is_sent_to_the_relay_and_an_unlisted_one_is_not(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    let status = net.post("worth a boost", "public").await;
    let path = format!(
        "/api/v1/statuses/{}/reblog",
        status["id"].as_str().expect("id")
    );
    let boost = |visibility: &'static str| {
        let request = net.a.post(&path).bearer_auth(&net.alice.access_token);
        request.form(&[("visibility", visibility)]).send()
    };
    expect_json(boost("unlisted").await, 200).await;
    settle(&[&net.a, &net.b]).await;
    assert!(net.relay.received("Announce").is_empty());

    let unboost = format!(
        "/api/v1/statuses/{}/unreblog",
        status["id"].as_str().expect("id")
    );
    let undone = net
        .a
        .post(&unboost)
        .bearer_auth(&net.alice.access_token)
        .send()
        .await;
    expect_json(undone, 200).await;
    expect_json(boost("public").await, 200).await;
    settle(&[&net.a, &net.b]).await;
    let announces = net.relay.received("Announce");
    assert_eq!(announces.len(), 1);
    assert_eq!(announces[0]["object"], status["uri"]);
    // Forwarded to b, the boost brings in nothing new and is no boost by the relay.
    let boosts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM statuses WHERE reblog_of_id IS NOT NULL")
            .fetch_one(&net.b.db)
            .await
            .expect("counts");
    assert_eq!(boosts, 0);
}

#[sqlx::test]
async fn unlisted_and_followers_only_posts_are_not_sent_to_the_relay(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    for visibility in ["unlisted", "private", "direct"] {
        let status = net.post(&format!("a {visibility} post"), visibility).await;
        assert_eq!(creates_of(&net.relay, &status["uri"]), 0, "{visibility}");
        assert!(federated(&net.b, &status["uri"]).await.is_none());
    }
    assert!(net.relay.received("Create").is_empty());
}

#[sqlx::test]
async fn disabling_a_relay_sends_the_undo_and_stops_sending_posts(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    let id = list(&net.a, &net.admin_a).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let disabled = act(&net.a, &net.admin_a, &id, "disable").await;
    assert_eq!(disabled["state"], "idle");
    assert_eq!(disabled["enabled"], false);
    settle(&[&net.a, &net.b]).await;
    let undos = net.relay.received("Undo");
    assert_eq!(undos.len(), 1);
    assert_eq!(undos[0]["actor"], net.a.url("/actor"));
    assert_eq!(undos[0]["object"]["object"], PUBLIC);
    assert_eq!(net.relay.subscribers(), 1);

    let status = net.post("after the relay was disabled", "public").await;
    assert_eq!(creates_of(&net.relay, &status["uri"]), 0);
    assert!(federated(&net.b, &status["uri"]).await.is_none());

    // Enabled again, the server subscribes anew and posts flow again.
    assert_eq!(
        act(&net.a, &net.admin_a, &id, "enable").await["state"],
        "pending"
    );
    settle(&[&net.a, &net.b]).await;
    assert_eq!(list(&net.a, &net.admin_a).await[0]["state"], "accepted");
    let again = net.post("the relay is back", "public").await;
    assert!(federated(&net.b, &again["uri"]).await.is_some());

    // Removed, it is unsubscribed and gone.
    let path = format!("/api/v1/admin/relays/{id}");
    let removed = net.a.delete(&path).bearer_auth(&net.admin_a).send().await;
    expect_json(removed, 200).await;
    settle(&[&net.a, &net.b]).await;
    assert_eq!(net.relay.received("Undo").len(), 2);
    assert_eq!(list(&net.a, &net.admin_a).await, json!([]));
}

#[sqlx::test]
async fn what_a_disabled_relay_sends_is_not_taken_in(db: PgPool) {
    let net = Network::subscribed(db, Style::LitePub).await;
    let id = net.relay_id_on_b().await;
    act(&net.b, &net.admin_b, &id, "disable").await;
    settle(&[&net.a, &net.b]).await;
    let status = net.post("b no longer listens", "public").await;

    // The relay announces it to b anyway: b takes nothing in.
    let inbox = net.b.url("/inbox");
    let uri = status["uri"].as_str().expect("uri");
    assert_eq!(net.relay.announce_to(&inbox, uri).await.as_u16(), 202);
    settle(&[&net.a, &net.b]).await;
    assert!(federated(&net.b, &status["uri"]).await.is_none());

    // Nor may it forward alice's Create as hers.
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{uri}/activity"), "type": "Create",
        "actor": net.a.url("/users/alice"), "to": [PUBLIC],
        "object": {"id": uri, "type": "Note", "attributedTo": net.a.url("/users/alice"),
                   "to": [PUBLIC], "content": "forged"},
    });
    assert_eq!(net.relay.forward_to(&inbox, &create).await.as_u16(), 401);
}

#[sqlx::test]
async fn a_relayed_create_is_believed_only_as_its_origin_serves_it(db: PgPool) {
    let net = Network::subscribed(db, Style::Mastodon).await;
    let status = net.post("the real text", "public").await;
    let uri = status["uri"].as_str().expect("uri");
    // The relay forwards a Create of a post a does not have: nothing is stored.
    let missing = format!("{uri}0");
    let forged = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{missing}/activity"), "type": "Create",
        "actor": net.a.url("/users/alice"), "to": [PUBLIC],
        "object": {"id": missing, "type": "Note", "attributedTo": net.a.url("/users/alice"),
                   "to": [PUBLIC], "content": "forged"},
    });
    let inbox = net.b.url("/inbox");
    assert_eq!(net.relay.forward_to(&inbox, &forged).await.as_u16(), 202);
    settle(&[&net.a, &net.b]).await;
    assert!(federated(&net.b, &json!(missing)).await.is_none());
    let copy = federated(&net.b, &status["uri"])
        .await
        .expect("the real post");
    assert!(!copy["content"]
        .as_str()
        .unwrap_or_default()
        .contains("forged"));
}

#[sqlx::test]
async fn bad_relay_urls_are_refused_with_422(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--workers", "false"]).await;
    let (_, token) = staff(&app, "boss", "admin").await;
    let relay = TestRelay::start(Style::Mastodon).await;
    let nowhere = format!("{}/nothing-here", relay.base);
    for url in [
        "",
        "   ",
        "not a url",
        "ftp://relay.example/inbox",
        &nowhere,
    ] {
        let response = app
            .post("/api/v1/admin/relays")
            .bearer_auth(&token)
            .json(&json!({ "inbox_url": url }))
            .send()
            .await;
        let error = expect_error(response, 422).await;
        assert!(error["error"].is_string(), "{url}: {error}");
    }
    let long = format!("https://relay.example/{}/inbox", "a".repeat(3000));
    let response = app
        .post("/api/v1/admin/relays")
        .bearer_auth(&token)
        .json(&json!({ "inbox_url": long }))
        .send()
        .await;
    expect_error(response, 422).await;

    let taken = add(&app, &token, &relay.subscription_url()).await;
    assert_eq!(taken["state"], "pending");
    let again = app
        .post("/api/v1/admin/relays")
        .bearer_auth(&token)
        .json(&json!({ "inbox_url": relay.subscription_url() }))
        .send()
        .await;
    expect_error(again, 422).await;
    for path in [
        "/api/v1/admin/relays/123/enable",
        "/api/v1/admin/relays/123/disable",
    ] {
        expect_error(app.post(path).bearer_auth(&token).send().await, 404).await;
    }
    let gone = app
        .delete("/api/v1/admin/relays/123")
        .bearer_auth(&token)
        .send()
        .await;
    expect_error(gone, 404).await;

    // At most 50 relays.
    for n in 1..50 {
        add(&app, &token, &format!("http://127.0.0.1:9/{n}/inbox")).await;
    }
    let over = app
        .post("/api/v1/admin/relays")
        .bearer_auth(&token)
        .json(&json!({ "inbox_url": "http://127.0.0.1:9/50/inbox" }))
        .send()
        .await;
    expect_error(over, 422).await;
}

#[sqlx::test]
async fn plain_http_relays_are_refused_outside_insecure_mode(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--insecure-http", "false", "--workers", "false"]).await;
    let (_, token) = staff(&app, "boss", "admin").await;
    let response = app
        .post("/api/v1/admin/relays")
        .bearer_auth(&token)
        .json(&json!({ "inbox_url": "http://relay.example/inbox" }))
        .send()
        .await;
    expect_error(response, 422).await;
}

#[sqlx::test]
async fn relay_endpoints_are_for_admins_with_admin_scopes(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--workers", "false"]).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let user = app.sign_up("plain").await;
    sqlx::query("UPDATE users SET role = 'admin' WHERE account_id = $1::bigint")
        .bind(&user.account_id)
        .execute(&db)
        .await
        .expect("promoted");
    expect_error(app.get("/api/v1/admin/relays").send().await, 401).await;
    for token in [&moderator, &user.access_token] {
        let listed = app
            .get("/api/v1/admin/relays")
            .bearer_auth(token)
            .send()
            .await;
        expect_error(listed, 403).await;
        let added = app
            .post("/api/v1/admin/relays")
            .bearer_auth(token)
            .json(&json!({ "inbox_url": "http://127.0.0.1:9/inbox" }))
            .send()
            .await;
        expect_error(added, 403).await;
    }
    let (_, admin_token) = staff(&app, "boss", "admin").await;
    assert_eq!(list(&app, &admin_token).await, json!([]));
}

#[sqlx::test]
async fn an_operator_manages_relays_from_the_shell(db: PgPool) {
    let insecure = ["--insecure-http", "true"];
    let url = "http://127.0.0.1:9/inbox";
    let run = |args: Vec<&'static str>| {
        let db = db.clone();
        async move { admin(&db, &args).await }
    };
    let added = assert_success(&run([&insecure[..], &["relay-add", url]].concat()).await);
    assert!(added.contains("added"), "{added}");
    let listed = assert_success(&run(vec!["relay-list"]).await);
    assert!(
        listed.contains("pending\tmastodon\thttp://127.0.0.1:9/inbox"),
        "{listed}"
    );
    let disabled = assert_success(&run([&insecure[..], &["relay-disable", url]].concat()).await);
    assert!(disabled.contains("idle"), "{disabled}");
    let enabled = assert_success(&run([&insecure[..], &["relay-enable", url]].concat()).await);
    assert!(enabled.contains("pending"), "{enabled}");
    assert_success(&run([&insecure[..], &["relay-remove", url]].concat()).await);
    assert_eq!(assert_success(&run(vec!["relay-list"]).await).trim(), "");
    assert_failure(&run(vec!["relay-remove", url]).await, "no relay");
    assert_failure(
        &run(vec!["relay-add", "ftp://relay.example/inbox"]).await,
        "Inbox url",
    );
}
