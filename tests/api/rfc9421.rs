//! RFC 9421 HTTP Message Signatures on the wire, both directions: Fedify (an
//! independent implementation, `tests/clients/fedify_*.mjs`) signs requests to Roost
//! and verifies Roost's deliveries; two Roost instances talk RFC 9421 with Ed25519
//! keys by default; a server that takes only draft-cavage gets it after one knock and
//! is remembered.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::helpers::fedify::{sign_post, FedifyInbox, Knock};
use crate::helpers::peers::{instance, remote_id, second_database, settle};
use crate::helpers::signed_remote::{PythonKey, Scene};
use crate::helpers::{expect_json, TestApp};
use roost::delivery::worker as delivery_worker;
use roost::federation::inbox;

const RFC9421: &str = "rfc9421";

/// POSTs `body` to `path` on the scene's Roost with the headers a signer produced
/// (`host` and `content-type` are the client's own) and returns the status.
async fn post_signed(
    app: &TestApp,
    path: &str,
    body: &str,
    headers: &std::collections::BTreeMap<String, String>,
) -> StatusCode {
    let mut request = app
        .client
        .post(app.url(path))
        .header("content-type", "application/activity+json")
        .body(body.to_owned());
    for (name, value) in headers {
        if name != "host" && name != "content-type" {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    request.send().await.expect("request sent").status()
}

/// The followers of alice, as `acct`s.
async fn followers_of_alice(scene: &Scene) -> Vec<String> {
    let path = format!("/api/v1/accounts/{}/followers", scene.alice_id);
    let followers = expect_json(scene.app.get(&path).send().await, 200).await;
    followers
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|account| account["acct"].as_str().map(str::to_owned))
        .collect()
}

#[sqlx::test]
async fn a_follow_signed_by_fedify_with_rfc9421_is_accepted_on_the_first_knock(db: PgPool) {
    let scene = Scene::new(db).await;
    let follow = scene.follow_of_alice();
    let url = scene.app.url("/users/alice/inbox");
    let key = scene.key.private_pem_path();
    let headers = sign_post(&url, &follow, key, &scene.remote.key_id(), RFC9421).await;
    assert!(headers.contains_key("signature-input"), "{headers:?}");
    assert!(!headers["signature"].contains("keyId="), "not draft-cavage");

    let status = post_signed(&scene.app, "/users/alice/inbox", &follow, &headers).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    let remote_domain = scene.remote.base.trim_start_matches("http://");
    assert_eq!(
        followers_of_alice(&scene).await,
        [format!("mallory@{remote_domain}")]
    );
}

#[sqlx::test]
async fn a_fedify_rfc9421_request_whose_body_changed_after_signing_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let follow = scene.follow_of_alice();
    let url = scene.app.url("/inbox");
    let key = scene.key.private_pem_path();
    let headers = sign_post(&url, &follow, key, &scene.remote.key_id(), RFC9421).await;
    let forged = follow.replace("Follow", "Block");
    assert_eq!(
        post_signed(&scene.app, "/inbox", &forged, &headers).await,
        StatusCode::UNAUTHORIZED,
        "the Content-Digest no longer matches"
    );
    // Signed for another path: the @target-uri differs.
    let elsewhere = sign_post(
        &scene.app.url("/users/alice/inbox"),
        &follow,
        key,
        &scene.remote.key_id(),
        RFC9421,
    )
    .await;
    assert_eq!(
        post_signed(&scene.app, "/inbox", &follow, &elsewhere).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn a_signature_by_an_actors_second_published_key_verifies(db: PgPool) {
    let scene = Scene::new(db).await;
    // trudy publishes two RSA keys, as Fedify-based servers list an array of keys;
    // she signs with the second.
    let (first, second) = (PythonKey::generate().await, PythonKey::generate().await);
    let trudy = format!("{}/users/trudy", scene.remote.base);
    scene.remote.serve(
        "/users/trudy",
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": trudy, "type": "Person", "preferredUsername": "trudy",
            "inbox": format!("{trudy}/inbox"),
            "publicKey": [
                { "id": format!("{trudy}#main-key"), "owner": trudy, "publicKeyPem": first.public_key_pem() },
                { "id": format!("{trudy}#key-2"), "owner": trudy, "publicKeyPem": second.public_key_pem() },
            ],
        }),
    );
    let follow = scene.activity_by(&trudy, "Follow", json!(scene.app.url("/users/alice")));
    let url = scene.app.url("/inbox");
    let key_id = format!("{trudy}#key-2");
    let path = second.private_pem_path();
    let headers = sign_post(&url, &follow, path, &key_id, RFC9421).await;
    assert_eq!(
        post_signed(&scene.app, "/inbox", &follow, &headers).await,
        StatusCode::ACCEPTED
    );
    // The same key id with the other key's signature is refused.
    let wrong = sign_post(&url, &follow, first.private_pem_path(), &key_id, RFC9421).await;
    assert_eq!(
        post_signed(&scene.app, "/inbox", &follow, &wrong).await,
        StatusCode::UNAUTHORIZED
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM remote_actor_keys WHERE key_id = $1")
            .bind(&key_id)
            .fetch_one(&scene.app.db)
            .await
            .expect("counts");
    assert_eq!(stored, 1, "the second key is stored with trudy");
}

/// Makes mallory (the scene's fake remote) a follower of alice, then points her inbox
/// at `inbox` so that alice's posts are delivered there.
async fn follower_with_inbox(scene: &Scene, inbox: &str) {
    let follow = scene.follow_of_alice();
    scene
        .signed("/users/alice/inbox", &follow)
        .await
        .expect(&scene.app, StatusCode::ACCEPTED)
        .await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    sqlx::query("DELETE FROM deliveries")
        .execute(&scene.app.db)
        .await
        .expect("drops the Accept");
    sqlx::query("UPDATE accounts SET inbox_url = $1, shared_inbox_url = NULL WHERE ap_id = $2")
        .bind(inbox)
        .bind(scene.remote.actor())
        .execute(&scene.app.db)
        .await
        .expect("moves the inbox");
}

async fn remembered_scheme(app: &TestApp, domain: &str) -> Option<String> {
    sqlx::query_scalar("SELECT scheme FROM domain_signature_schemes WHERE domain = $1")
        .bind(domain)
        .fetch_optional(&app.db)
        .await
        .expect("reads")
}

#[sqlx::test]
async fn fedify_verifies_roosts_rfc9421_delivery_after_one_fallback_from_ed25519_to_rsa(
    db: PgPool,
) {
    let scene = Scene::new(db).await;
    let mut fedify = FedifyInbox::start().await;
    follower_with_inbox(&scene, &format!("{}/inbox", fedify.base)).await;

    scene
        .app
        .post_status(&scene.alice, &[("status", "hello Fedify")])
        .await;
    delivery_worker::run_once(&scene.app.state)
        .await
        .expect("delivers");
    let alice = scene.app.url("/users/alice");
    // Fedify 1.9 verifies RFC 9421 with keys it finds in `publicKey` only, so the
    // Ed25519 Multikey knock is refused and the RSA one verifies.
    assert_eq!(
        fedify.next_knock().await,
        Knock {
            scheme: RFC9421.into(),
            key_id: format!("{alice}#ed25519-key"),
            verified: false
        }
    );
    let accepted = Knock {
        scheme: RFC9421.into(),
        key_id: format!("{alice}#main-key"),
        verified: true,
    };
    assert_eq!(fedify.next_knock().await, accepted);
    let domain = fedify.base.trim_start_matches("http://");
    assert_eq!(
        remembered_scheme(&scene.app, domain).await.as_deref(),
        Some("rfc9421-rsa")
    );
    let delivered: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'")
            .fetch_one(&scene.app.db)
            .await
            .expect("counts");
    assert_eq!(delivered, 1);

    // The next post knocks once, with the remembered scheme.
    scene
        .app
        .post_status(&scene.alice, &[("status", "again")])
        .await;
    delivery_worker::run_once(&scene.app.state)
        .await
        .expect("delivers");
    assert_eq!(fedify.next_knock().await, accepted);
}

/// A server that verifies draft-cavage only, as Mastodon before 4.5: 401 to any
/// request with `Signature-Input`, 202 otherwise; it records which scheme came.
async fn draft_cavage_only_inbox() -> (String, Arc<Mutex<Vec<&'static str>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let handler = move |headers: HeaderMap| {
        let record = record.clone();
        async move {
            let rfc9421 = headers.contains_key("signature-input");
            let cavage = headers
                .get("signature")
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.contains("keyId="));
            let scheme = match (rfc9421, cavage) {
                (true, _) => "rfc9421",
                (false, true) => "draft-cavage",
                _ => "none",
            };
            record.lock().expect("lock").push(scheme);
            match scheme {
                "draft-cavage" => AxumStatus::ACCEPTED,
                _ => AxumStatus::UNAUTHORIZED,
            }
        }
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let router = axum::Router::new().route("/inbox", post(handler));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, seen)
}

#[sqlx::test]
async fn a_server_that_refuses_rfc9421_gets_draft_cavage_and_is_remembered(db: PgPool) {
    let scene = Scene::new(db).await;
    let (base, seen) = draft_cavage_only_inbox().await;
    follower_with_inbox(&scene, &format!("{base}/inbox")).await;

    scene
        .app
        .post_status(&scene.alice, &[("status", "first")])
        .await;
    delivery_worker::run_once(&scene.app.state)
        .await
        .expect("delivers");
    let knocks = seen.lock().expect("lock").clone();
    assert_eq!(knocks, ["rfc9421", "rfc9421", "draft-cavage"]);
    let domain = base.trim_start_matches("http://");
    assert_eq!(
        remembered_scheme(&scene.app, domain).await.as_deref(),
        Some("cavage")
    );

    scene
        .app
        .post_status(&scene.alice, &[("status", "second")])
        .await;
    delivery_worker::run_once(&scene.app.state)
        .await
        .expect("delivers");
    let knocks = seen.lock().expect("lock").clone();
    assert_eq!(
        knocks[3..],
        ["draft-cavage"],
        "one knock once the scheme is known"
    );
    let delivered: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'")
            .fetch_one(&scene.app.db)
            .await
            .expect("counts");
    assert_eq!(delivered, 2);
}

#[sqlx::test]
async fn two_roost_instances_talk_rfc9421_with_ed25519_keys_by_default(db: PgPool) {
    let other = second_database(&db, "r9").await;
    let (a, b) = (instance(db).await, instance(other).await);
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    let follow = b
        .post(&format!("/api/v1/accounts/{alice_on_b}/follow"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
    settle(&[&a, &b]).await;
    a.post_status(&alice, &[("status", "over RFC 9421")]).await;
    settle(&[&a, &b]).await;

    let home = b
        .get("/api/v1/timelines/home")
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    let home = expect_json(home, 200).await;
    let texts: Vec<&str> = home
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|status| status["content"].as_str())
        .collect();
    assert!(
        texts.iter().any(|text| text.contains("over RFC 9421")),
        "{home}"
    );
    // Each side's first knock (RFC 9421 with the Ed25519 key) was accepted: b's Follow
    // on a, and a's Accept and Create on b.
    assert_eq!(
        remembered_scheme(&b, &a.domain).await.as_deref(),
        Some("rfc9421-ed25519")
    );
    assert_eq!(
        remembered_scheme(&a, &b.domain).await.as_deref(),
        Some("rfc9421-ed25519")
    );
    // a verified bob's Ed25519 key, which b publishes as a Multikey.
    let bob_key = format!("{}#ed25519-key", b.url("/users/bob"));
    let stored: Option<String> =
        sqlx::query_scalar("SELECT format FROM remote_actor_keys WHERE key_id = $1")
            .bind(&bob_key)
            .fetch_optional(&a.db)
            .await
            .expect("reads");
    assert_eq!(stored.as_deref(), Some("multibase"));
}

#[sqlx::test]
async fn actors_advertise_rfc9421_through_fep_844e(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for path in ["/users/alice", "/actor"] {
        let actor = app
            .get(path)
            .header("accept", "application/activity+json")
            .send()
            .await;
        let actor: Value = expect_json(actor, 200).await;
        assert_eq!(actor["generator"]["type"], "Application", "{path}");
        assert_eq!(
            actor["generator"]["implements"][0]["href"],
            "https://datatracker.ietf.org/doc/html/rfc9421",
            "{path}"
        );
    }
}
