//! Inbound HTTP signatures, checked with an implementation other than Roost's: every
//! request here is signed by `tests/clients/sign_request.py` (Python `cryptography`),
//! for an actor that a small fake server, started in the test on loopback, serves.
//! Roost fetches that actor over http because tests run it with `--insecure-http`.

use std::time::{Duration, SystemTime};

use axum::http::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::signed_remote::{http_date_ago, replay_with_fresh_created, PythonKey, Scene};
use crate::helpers::{expect_json, TestApp};
use roost::federation::inbox;

async fn a_signed_follow_makes_mallory_a_follower_through(db: PgPool, path: &str) {
    let scene = Scene::new(db).await;
    let follow = scene.follow_of_alice();
    let post = scene.signed(path, &follow).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    let follow: Value = serde_json::from_str(&follow).expect("JSON");
    let stored: (String, String, Value) = sqlx::query_as(
        "SELECT activity_type, actor_ap_id, payload FROM inbox_activities WHERE activity_id = $1",
    )
    .bind(follow["id"].as_str().expect("id"))
    .fetch_one(&scene.app.db)
    .await
    .expect("the Follow is stored");
    let expected = ("Follow".to_owned(), scene.remote.actor(), follow.clone());
    assert_eq!(stored, expected);

    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    let followers_path = format!("/api/v1/accounts/{}/followers", scene.alice_id);
    let followers = expect_json(scene.app.get(&followers_path).send().await, 200).await;
    let accts: Vec<&str> = followers
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["acct"].as_str())
        .collect();
    let remote_domain = scene.remote.base.trim_start_matches("http://");
    assert_eq!(accts, [format!("mallory@{remote_domain}")]);

    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT inbox_url, payload FROM deliveries WHERE state = 'pending'")
            .fetch_all(&scene.app.db)
            .await
            .expect("reads deliveries");
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].0, format!("{}/inbox", scene.remote.actor()));
    let accept: Value = serde_json::from_str(&queued[0].1).expect("JSON payload");
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], scene.app.url("/users/alice"));
    assert_eq!(accept["object"]["id"], follow["id"], "{accept}");
}

#[sqlx::test]
async fn a_python_signed_follow_to_a_personal_inbox_makes_a_remote_follower(db: PgPool) {
    a_signed_follow_makes_mallory_a_follower_through(db, "/users/alice/inbox").await;
}

#[sqlx::test]
async fn a_python_signed_follow_to_the_shared_inbox_makes_a_remote_follower(db: PgPool) {
    a_signed_follow_makes_mallory_a_follower_through(db, "/inbox").await;
}

/// The signature covers the path as sent, trailing slash included, although the
/// request is routed like the path without it.
#[sqlx::test]
async fn a_python_signed_follow_to_an_inbox_path_with_a_trailing_slash_is_verified(db: PgPool) {
    a_signed_follow_makes_mallory_a_follower_through(db, "/users/alice/inbox/").await;
}

#[sqlx::test]
async fn a_body_changed_after_signing_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let mut post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    post.body = scene.follow_of_alice();
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_signed_request_whose_digest_header_was_removed_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    scene.assert_refused(&post.without("Digest")).await;
}

#[sqlx::test]
async fn a_signature_by_another_key_than_the_actors_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let other = PythonKey::generate().await;
    let follow = scene.follow_of_alice();
    let post = scene.signed_with(&other, "/inbox", &follow, None).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_signature_dated_two_hours_ago_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let two_hours_ago = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(7200));
    let follow = scene.follow_of_alice();
    let post = scene
        .signed_with(&scene.key, "/inbox", &follow, Some(&two_hours_ago))
        .await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_request_without_a_signature_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    scene.assert_refused(&post.without("Signature")).await;
}

#[sqlx::test]
async fn a_signature_for_another_path_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let follow = scene.follow_of_alice();
    let mut post = scene.signed("/users/alice/inbox", &follow).await;
    post.url = scene.app.url("/inbox");
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn an_activity_whose_actor_is_not_the_key_owner_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["actor"] = json!(format!("{}/users/eve", scene.remote.base));
    let post = scene.signed("/inbox", &follow.to_string()).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn an_activity_whose_id_is_on_another_server_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["id"] = json!("https://victim.example/activities/1");
    let post = scene.signed("/inbox", &follow.to_string()).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_create_of_a_note_attributed_to_someone_else_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let note = json!({
        "id": format!("{}/notes/1", scene.remote.base),
        "type": "Note",
        "attributedTo": format!("{}/users/eve", scene.remote.base),
        "content": "<p>words put in eve's mouth</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let create = scene.activity("Create", note);
    let post = scene.signed("/inbox", &create).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn the_same_signed_activity_posted_twice_is_accepted_twice_and_stored_once(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.stored_activities().await, 1);
}

#[sqlx::test]
async fn an_activity_of_an_unknown_type_is_accepted_and_stored(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene
        .signed("/users/alice/inbox", &scene.bite_of_alice())
        .await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    let kinds: Vec<String> = sqlx::query_scalar("SELECT activity_type FROM inbox_activities")
        .fetch_all(&scene.app.db)
        .await
        .expect("reads");
    assert_eq!(kinds, ["Bite"]);
}

#[sqlx::test]
async fn a_signed_body_that_is_not_json_is_a_bad_request(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", "{\"type\": \"Follow\",").await;
    post.expect(&scene.app, StatusCode::BAD_REQUEST).await;
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn a_signed_body_over_one_mebibyte_is_too_large(db: PgPool) {
    let scene = Scene::new(db).await;
    let padding = "x".repeat(1024 * 1024);
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["padding"] = json!(padding);
    let post = scene.signed("/inbox", &follow.to_string()).await;
    post.expect(&scene.app, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn the_inbox_of_an_unknown_user_is_not_found(db: PgPool) {
    let scene = Scene::new(db).await;
    let follow = scene.activity("Follow", json!(scene.app.url("/users/nobody")));
    let post = scene.signed("/users/nobody/inbox", &follow).await;
    post.expect(&scene.app, StatusCode::NOT_FOUND).await;
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn a_rotated_key_is_refetched_once_and_not_again_within_ten_minutes(db: PgPool) {
    let mut scene = Scene::new(db).await;
    let first = scene.signed("/inbox", &scene.follow_of_alice()).await;
    first.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.remote.actor_fetches(), 1);

    scene.key = PythonKey::generate().await;
    scene.remote.serve_key(&scene.key);
    let rotated = scene.signed("/inbox", &scene.bite_of_alice()).await;
    rotated.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.remote.actor_fetches(), 2, "refetched once");
    let again = scene.signed("/inbox", &scene.bite_of_alice()).await;
    again.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.remote.actor_fetches(), 2, "the new key is cached");

    scene.key = PythonKey::generate().await;
    scene.remote.serve_key(&scene.key);
    let too_soon = scene.signed("/inbox", &scene.bite_of_alice()).await;
    too_soon.expect(&scene.app, StatusCode::UNAUTHORIZED).await;
    assert_eq!(scene.remote.actor_fetches(), 2, "no refetch within 10 min");
    assert_eq!(scene.stored_activities().await, 3);
}

#[sqlx::test]
async fn an_announce_embedding_another_authors_note_is_accepted(db: PgPool) {
    let scene = Scene::new(db).await;
    let note = json!({
        "id": "https://elsewhere.example/notes/1",
        "type": "Note",
        "attributedTo": "https://elsewhere.example/users/eve",
        "content": "<p>worth sharing</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let post = scene
        .signed("/inbox", &scene.activity("Announce", note))
        .await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.stored_activities().await, 1);
}

/// The number of favourites alice's status `id` has, as the API reports it.
async fn favourites_of(scene: &Scene, id: &str) -> i64 {
    let response = scene
        .app
        .get(&format!("/api/v1/statuses/{id}"))
        .bearer_auth(&scene.alice.access_token)
        .send()
        .await;
    expect_json(response, 200).await["favourites_count"]
        .as_i64()
        .expect("count")
}

#[sqlx::test]
async fn a_like_signed_three_hours_ago_is_refused_even_with_a_fresh_unsigned_created(db: PgPool) {
    let scene = Scene::new(db).await;
    let status = scene
        .app
        .post_status(&scene.alice, &[("status", "like me")])
        .await;
    let like = scene.activity(
        "Like",
        json!(scene.app.url(&format!("/users/alice/statuses/{status}"))),
    );
    let captured = scene
        .signed_with(&scene.key, "/inbox", &like, Some(&http_date_ago(3 * 3600)))
        .await;
    scene
        .assert_refused(&captured.replayed_with_fresh_created())
        .await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    assert_eq!(favourites_of(&scene, &status).await, 0);

    // The same Like signed now is applied: the refusal was about time alone.
    let fresh = scene.signed("/inbox", &like).await;
    fresh.expect(&scene.app, StatusCode::ACCEPTED).await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    assert_eq!(favourites_of(&scene, &status).await, 1);
}

/// Mallory follows alice (accepted at once), and alice posts a followers-only status.
async fn followers_only_status_mallory_may_see(scene: &Scene) -> String {
    let follow = scene.signed("/inbox", &scene.follow_of_alice()).await;
    follow.expect(&scene.app, StatusCode::ACCEPTED).await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    let form = [("status", "for my followers"), ("visibility", "private")];
    let id = scene.app.post_status(&scene.alice, &form).await;
    format!("/users/alice/statuses/{id}")
}

async fn get_note(scene: &Scene, path: &str, headers: &[(String, String)]) -> StatusCode {
    let mut request = scene
        .app
        .get(path)
        .header("accept", "application/activity+json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.expect("request sent").status()
}

#[sqlx::test]
async fn a_signed_get_dated_a_month_ago_does_not_show_a_followers_only_note_even_with_a_fresh_unsigned_created(
    db: PgPool,
) {
    let scene = Scene::new(db).await;
    let path = followers_only_status_mallory_may_see(&scene).await;
    let fresh = scene.signed_get(&path, None).await;
    assert_eq!(get_note(&scene, &path, &fresh).await, StatusCode::OK);

    let mut captured = scene
        .signed_get(&path, Some(&http_date_ago(30 * 24 * 3600)))
        .await;
    assert_eq!(
        get_note(&scene, &path, &captured).await,
        StatusCode::NOT_FOUND
    );
    replay_with_fresh_created(&mut captured);
    assert_eq!(
        get_note(&scene, &path, &captured).await,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn a_signed_get_older_than_the_window_does_not_show_a_followers_only_note(db: PgPool) {
    let scene = Scene::new(db).await;
    let path = followers_only_status_mallory_may_see(&scene).await;
    let two_hours_ago = scene
        .signed_get(&path, Some(&http_date_ago(2 * 3600)))
        .await;
    assert_eq!(
        get_note(&scene, &path, &two_hours_ago).await,
        StatusCode::NOT_FOUND
    );
}

/// Posts `body` to `path` with `headers` and no signature unless they carry one.
async fn post_raw(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value) {
    let mut request = app
        .post(path)
        .header(CONTENT_TYPE, "application/activity+json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("a JSON error"))
}

#[sqlx::test]
async fn an_unsigned_malformed_body_is_refused_as_not_signed_on_both_inboxes(db: PgPool) {
    let scene = Scene::new(db).await;
    for path in ["/inbox", "/users/alice/inbox"] {
        let (status, body) = post_raw(&scene.app, path, &[], "{\"type\": \"Follow\",").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(body, json!({"error": "Request not signed"}), "{path}");
    }
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn an_unparseable_signature_is_refused_before_the_body_is_judged(db: PgPool) {
    let scene = Scene::new(db).await;
    for path in ["/inbox", "/users/alice/inbox"] {
        let headers = [("signature", "this is not a signature")];
        let (status, body) = post_raw(&scene.app, path, &headers, "not json").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert!(body["error"].as_str().is_some(), "{path}: {body}");
    }
    assert_eq!(scene.stored_activities().await, 0);
}
