//! How other servers find Roost's people and learn about the server: WebFinger
//! (RFC 7033), host-meta (RFC 6415), NodeInfo 2.0/2.1, actor documents with content
//! negotiation, the instance actor, and the followers/following/outbox/featured
//! collections. Expectations follow what Mastodon serves at the same URLs.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::Response;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{expect_json, TestApp};

const ACTIVITY_JSON: &str = "application/activity+json";
const LD_JSON_AS: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// The media type of a response, without parameters.
fn media_type(response: &Response) -> String {
    let value = response.headers().get(CONTENT_TYPE).expect("Content-Type");
    let value = value.to_str().expect("ASCII");
    value.split(';').next().unwrap_or("").trim().to_owned()
}

async fn webfinger(app: &TestApp, resource: &str) -> Response {
    app.get("/.well-known/webfinger")
        .query(&[("resource", resource)])
        .send()
        .await
        .expect("request sent")
}

/// GET `path` asking for ActivityStreams; asserts 200 and the media type.
async fn activity_json(app: &TestApp, path: &str, accept: &str) -> Value {
    let response = app.get(path).header(ACCEPT, accept).send().await;
    let response = response.expect("request sent");
    assert_eq!(response.status(), 200, "GET {path}");
    assert_eq!(media_type(&response), ACTIVITY_JSON, "GET {path}");
    response.json().await.expect("JSON")
}

/// The link of a JRD or NodeInfo links document with relation `rel`.
fn link<'a>(document: &'a Value, rel: &str) -> &'a Value {
    let links = document["links"].as_array().expect("links");
    let found = links.iter().find(|link| link["rel"] == rel);
    found.unwrap_or_else(|| panic!("no {rel} link in {document}"))
}

#[sqlx::test]
async fn webfinger_finds_a_local_user_by_acct_uri_in_any_case(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for resource in [
        format!("acct:alice@{}", app.domain),
        format!("acct:ALICE@{}", app.domain),
        format!("alice@{}", app.domain),
    ] {
        let response = webfinger(&app, &resource).await;
        assert_eq!(response.status(), 200, "{resource}");
        assert_eq!(media_type(&response), "application/jrd+json");
        let jrd: Value = response.json().await.expect("JSON");
        assert_eq!(jrd["subject"], format!("acct:alice@{}", app.domain));
        let actor = link(&jrd, "self");
        assert_eq!(actor["type"], ACTIVITY_JSON);
        assert_eq!(actor["href"], app.url("/users/alice"));
        let profile = link(&jrd, "http://webfinger.net/rel/profile-page");
        assert_eq!(profile["href"], app.url("/@alice"));
        let subscribe = link(&jrd, "http://ostatus.org/schema/1.0/subscribe");
        let template = subscribe["template"].as_str().expect("template");
        assert!(template.starts_with(&app.base), "{template}");
        assert!(template.contains("{uri}"), "{template}");
    }
}

#[sqlx::test]
async fn webfinger_finds_a_local_user_by_actor_url_and_by_profile_url(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for resource in [app.url("/users/alice"), app.url("/@alice")] {
        let jrd = expect_json(Ok(webfinger(&app, &resource).await), 200).await;
        assert_eq!(jrd["subject"], format!("acct:alice@{}", app.domain));
        assert_eq!(link(&jrd, "self")["href"], app.url("/users/alice"));
    }
}

#[sqlx::test]
async fn webfinger_does_not_know_unknown_users_or_other_domains(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for resource in [
        format!("acct:nobody@{}", app.domain),
        "acct:alice@elsewhere.example".to_owned(),
        "https://elsewhere.example/users/alice".to_owned(),
        app.url("/users/nobody"),
    ] {
        let response = webfinger(&app, &resource).await;
        assert_eq!(response.status(), 404, "{resource}");
    }
}

#[sqlx::test]
async fn webfinger_without_a_resource_is_a_bad_request(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let response = app.get("/.well-known/webfinger").send().await;
    assert_eq!(response.expect("request sent").status(), 400);
    assert_eq!(webfinger(&app, "").await.status(), 400);
}

#[sqlx::test]
async fn webfinger_with_a_malformed_resource_is_a_bad_request(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    assert_eq!(webfinger(&app, "alice").await.status(), 400);
}

#[sqlx::test]
async fn webfinger_finds_the_instance_actor(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let actor = activity_json(&app, "/actor", ACTIVITY_JSON).await;
    let username = actor["preferredUsername"]
        .as_str()
        .expect("preferredUsername");
    for resource in [app.url("/actor"), format!("acct:{username}@{}", app.domain)] {
        let jrd = expect_json(Ok(webfinger(&app, &resource).await), 200).await;
        assert_eq!(link(&jrd, "self")["href"], app.url("/actor"), "{resource}");
    }
}

#[sqlx::test]
async fn host_meta_points_at_the_webfinger_template(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let response = app.get("/.well-known/host-meta").send().await;
    let response = response.expect("request sent");
    assert_eq!(response.status(), 200);
    assert_eq!(media_type(&response), "application/xrd+xml");
    let xml = response.text().await.expect("body");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\""));
    let template = format!("{}/.well-known/webfinger?resource={{uri}}", app.base);
    let lrdd = format!("<Link rel=\"lrdd\" template=\"{template}\"");
    assert!(xml.contains(&lrdd), "{xml}");
}

/// The NodeInfo document linked from `/.well-known/nodeinfo` for `version`.
async fn nodeinfo(app: &TestApp, version: &str) -> Value {
    let links = expect_json(app.get("/.well-known/nodeinfo").send().await, 200).await;
    let rel = format!("http://nodeinfo.diaspora.software/ns/schema/{version}");
    let href = link(&links, &rel)["href"]
        .as_str()
        .expect("href")
        .to_owned();
    assert_eq!(href, app.url(&format!("/nodeinfo/{version}")));
    let document = expect_json(app.client.get(&href).send().await, 200).await;
    assert_eq!(document["version"], version);
    document
}

#[sqlx::test]
async fn nodeinfo_2_0_and_2_1_describe_roost_and_count_its_users(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for version in ["2.0", "2.1"] {
        let document = nodeinfo(&app, version).await;
        let software = document["software"].as_object().expect("software");
        assert_eq!(software["name"], "roost", "{document}");
        assert!(software["version"].is_string());
        if version == "2.0" {
            // The 2.0 schema allows no other software fields.
            let fields: Vec<&String> = software.keys().collect();
            assert_eq!(fields, ["name", "version"], "{document}");
        }
        assert_eq!(document["protocols"], serde_json::json!(["activitypub"]));
        assert!(document["services"]["inbound"].is_array());
        assert!(document["services"]["outbound"].is_array());
        assert_eq!(document["usage"]["users"]["total"], 1, "{document}");
        assert_eq!(document["openRegistrations"], true);
        assert_eq!(document["metadata"]["upstream"]["name"], "mastodon");
    }
}

#[sqlx::test]
async fn nodeinfo_reports_registrations_closed_only_when_they_are(db: PgPool) {
    let closed = TestApp::spawn_with(db.clone(), &["--registration", "closed"]).await;
    for version in ["2.0", "2.1"] {
        let document = nodeinfo(&closed, version).await;
        assert_eq!(document["openRegistrations"], false, "{document}");
        assert_eq!(document["usage"]["users"]["total"], 0);
    }
    closed.stop().await;
    // Mastodon counts sign-ups that need approval as open registrations.
    let approval = TestApp::spawn_with(db, &["--registration", "approval"]).await;
    assert_eq!(nodeinfo(&approval, "2.1").await["openRegistrations"], true);
}

#[sqlx::test]
async fn the_actor_document_is_served_for_both_activitystreams_media_types(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let updated = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&alice.access_token)
        .form(&[
            ("display_name", "Alice Liddell"),
            ("note", "Down the rabbit hole"),
            ("locked", "true"),
        ])
        .send()
        .await;
    expect_json(updated, 200).await;
    let id = app.url("/users/alice");
    for accept in [ACTIVITY_JSON, LD_JSON_AS] {
        let actor = activity_json(&app, "/users/alice", accept).await;
        assert_eq!(actor["id"], id, "{actor}");
        assert_eq!(actor["type"], "Person");
        assert_eq!(actor["preferredUsername"], "alice");
        assert_eq!(actor["inbox"], format!("{id}/inbox"));
        assert_eq!(actor["outbox"], format!("{id}/outbox"));
        assert_eq!(actor["followers"], format!("{id}/followers"));
        assert_eq!(actor["following"], format!("{id}/following"));
        assert_eq!(actor["featured"], format!("{id}/collections/featured"));
        assert_eq!(actor["endpoints"]["sharedInbox"], app.url("/inbox"));
        assert_eq!(actor["publicKey"]["id"], format!("{id}#main-key"));
        assert_eq!(actor["publicKey"]["owner"], id);
        let pem = actor["publicKey"]["publicKeyPem"].as_str().expect("PEM");
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
        assert_eq!(actor["manuallyApprovesFollowers"], true);
        assert_eq!(actor["name"], "Alice Liddell");
        let summary = actor["summary"].as_str().expect("summary");
        assert!(summary.contains("Down the rabbit hole"), "{summary}");
    }
    let unlocked = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&alice.access_token)
        .form(&[("locked", "false")])
        .send()
        .await;
    expect_json(unlocked, 200).await;
    let actor = activity_json(&app, "/users/alice", ACTIVITY_JSON).await;
    assert_eq!(actor["manuallyApprovesFollowers"], false);
}

#[sqlx::test]
async fn a_browser_gets_an_html_profile_at_the_actor_url(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for path in ["/users/alice", "/@alice"] {
        let response = app.get(path).header(ACCEPT, "text/html").send().await;
        let response = response.expect("request sent");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(media_type(&response), "text/html", "{path}");
        let html = response.text().await.expect("body");
        assert!(html.contains(&format!("@alice@{}", app.domain)), "{html}");
    }
}

#[sqlx::test]
async fn the_instance_actor_is_an_application_with_a_key(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let actor = activity_json(&app, "/actor", ACTIVITY_JSON).await;
    let id = app.url("/actor");
    assert_eq!(actor["id"], id, "{actor}");
    assert_eq!(actor["type"], "Application");
    assert!(actor["inbox"].is_string());
    assert_eq!(actor["publicKey"]["id"], format!("{id}#main-key"));
    assert_eq!(actor["publicKey"]["owner"], id);
    let pem = actor["publicKey"]["publicKeyPem"].as_str().expect("PEM");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
}

/// Asserts that `path` is an OrderedCollection of `total` items whose first page lists
/// exactly `items`.
async fn assert_collection(app: &TestApp, path: &str, total: u64, items: &[String]) {
    let collection = activity_json(app, path, ACTIVITY_JSON).await;
    assert_eq!(collection["id"], app.url(path));
    assert_eq!(collection["type"], "OrderedCollection", "{collection}");
    assert_eq!(collection["totalItems"], total, "{collection}");
    let first = collection["first"].as_str().expect("first page URL");
    let first = first.strip_prefix(&app.base).expect("a local page");
    let page = activity_json(app, first, ACTIVITY_JSON).await;
    assert_eq!(page["type"], "OrderedCollectionPage", "{page}");
    assert_eq!(page["partOf"], app.url(path));
    assert_eq!(page["orderedItems"], serde_json::json!(items), "{page}");
}

#[sqlx::test]
async fn followers_and_following_collections_list_a_local_follow(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    assert_collection(&app, "/users/alice/followers", 0, &[]).await;
    let followed = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    assert_eq!(expect_json(followed, 200).await["following"], true);

    let (alice_id, bob_id) = (app.url("/users/alice"), app.url("/users/bob"));
    assert_collection(&app, "/users/alice/followers", 1, &[bob_id]).await;
    assert_collection(&app, "/users/bob/following", 1, &[alice_id]).await;
    assert_collection(&app, "/users/alice/following", 0, &[]).await;
    assert_collection(&app, "/users/bob/followers", 0, &[]).await;
}

#[sqlx::test]
async fn outbox_and_featured_collections_exist(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for path in ["/users/alice/outbox", "/users/alice/collections/featured"] {
        let collection = activity_json(&app, path, ACTIVITY_JSON).await;
        assert_eq!(collection["id"], app.url(path));
        assert_eq!(collection["type"], "OrderedCollection", "{collection}");
        assert!(collection["totalItems"].is_u64(), "{collection}");
    }
}

#[sqlx::test]
async fn actor_documents_and_collections_of_unknown_users_are_not_found(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/users/nobody",
        "/@nobody",
        "/users/nobody/followers",
        "/users/nobody/following",
        "/users/nobody/outbox",
        "/users/nobody/collections/featured",
    ] {
        let response = app.get(path).header(ACCEPT, ACTIVITY_JSON).send().await;
        assert_eq!(response.expect("request sent").status(), 404, "{path}");
    }
}

#[sqlx::test]
async fn the_outbox_pages_create_activities_of_public_posts_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    for (text, visibility) in [("hello world", "public"), ("friends only", "private")] {
        let posted = app
            .post("/api/v1/statuses")
            .bearer_auth(&alice.access_token)
            .form(&[("status", text), ("visibility", visibility)])
            .send()
            .await;
        expect_json(posted, 200).await;
    }
    let outbox = activity_json(&app, "/users/alice/outbox", ACTIVITY_JSON).await;
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 2);
    let first = outbox["first"].as_str().expect("first page").to_owned();
    let path = first.strip_prefix(&app.base).expect("local URL").to_owned();
    let page = activity_json(&app, &path, ACTIVITY_JSON).await;
    let items = page["orderedItems"].as_array().expect("items");
    assert_eq!(items.len(), 1, "the followers-only post stays out: {page}");
    assert_eq!(items[0]["type"], "Create");
    assert_eq!(items[0]["object"]["type"], "Note");
    assert_eq!(items[0]["object"]["content"], "<p>hello world</p>");
    assert_eq!(items[0]["actor"], app.url("/users/alice"));
    let conversation = items[0]["object"]["conversation"]
        .as_str()
        .expect("conversation");
    assert!(
        conversation.starts_with(&format!("tag:{},", app.domain)),
        "{conversation}"
    );
}

#[sqlx::test]
async fn the_actor_publishes_one_stable_ed25519_multikey_beside_its_rsa_key(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    let id = app.url("/users/alice");
    let first = activity_json(&app, "/users/alice", ACTIVITY_JSON).await;
    let keys = first["assertionMethod"]
        .as_array()
        .expect("assertionMethod");
    assert_eq!(keys.len(), 1, "{first}");
    let key = &keys[0];
    assert_eq!(key["type"], "Multikey");
    assert_eq!(key["id"], format!("{id}#ed25519-key"));
    assert_eq!(key["controller"], id);
    let multibase = key["publicKeyMultibase"].as_str().expect("multibase");
    assert!(
        multibase.starts_with("z6Mk"),
        "an Ed25519 Multikey: {multibase}"
    );
    let parsed =
        roost::federation::signatures::VerifyingKey::from_multibase(multibase).expect("decodes");
    assert_eq!(
        parsed.key_type(),
        roost::federation::signatures::KeyType::Ed25519
    );
    let context = first["@context"].to_string();
    assert!(context.contains("publicKeyMultibase"), "{context}");
    let again = activity_json(&app, "/users/alice", ACTIVITY_JSON).await;
    assert_eq!(
        again["assertionMethod"], first["assertionMethod"],
        "made once"
    );
    assert!(first["publicKey"]["publicKeyPem"].is_string(), "RSA stays");
}
