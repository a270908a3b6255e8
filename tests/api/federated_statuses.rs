//! Statuses between two Roost instances: a post reaches remote followers; favourites,
//! boosts, replies, edits and deletes travel back and forth (Create, Update, Delete,
//! Like, Announce, Undo); followers-only and direct posts reach only their audience;
//! a local Note is served as ActivityStreams at its id.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::Response;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{
    accounts_of, follow, instance, relationship, remote_id, second_database, settle,
};
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

const ACTIVITY_JSON: &str = "application/activity+json";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Two instances, alice on A and bob on B, and bob follows alice (settled).
async fn alice_followed_by_bob(db: PgPool) -> (TestApp, TestApp, TestUser, TestUser) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let now = relationship(&b, &bob, &alice_on_b).await;
    assert_eq!(now["following"], true, "bob follows alice: {now}");
    (a, b, alice, bob)
}

async fn post(app: &TestApp, user: &TestUser, form: &[(&str, &str)]) -> Value {
    let response = app
        .post("/api/v1/statuses")
        .bearer_auth(&user.access_token)
        .form(form)
        .send()
        .await;
    expect_json(response, 200).await
}

fn id_of(status: &Value) -> String {
    status["id"].as_str().expect("id").to_owned()
}

async fn act(app: &TestApp, user: &TestUser, id: &str, action: &str) -> Value {
    let response = app
        .post(&format!("/api/v1/statuses/{id}/{action}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await
}

/// GET /api/v1/statuses/:id as `user` (anonymous with `None`).
async fn show(app: &TestApp, user: Option<&TestUser>, id: &str) -> reqwest::Result<Response> {
    let mut request = app.get(&format!("/api/v1/statuses/{id}"));
    if let Some(user) = user {
        request = request.bearer_auth(&user.access_token);
    }
    request.send().await
}

/// The timeline item whose `uri` is `uri`, if `path` lists it for `user`.
async fn item_with_uri(
    app: &TestApp,
    user: Option<&TestUser>,
    path: &str,
    uri: &Value,
) -> Option<Value> {
    let mut request = app.get(path);
    if let Some(user) = user {
        request = request.bearer_auth(&user.access_token);
    }
    let items = expect_json(request.send().await, 200).await;
    items
        .as_array()
        .expect("array")
        .iter()
        .find(|item| &item["uri"] == uri)
        .cloned()
}

/// The B-side copy of a status in `user`'s home timeline, found by its `uri` on A.
async fn in_home(app: &TestApp, user: &TestUser, uri: &Value) -> Value {
    item_with_uri(app, Some(user), "/api/v1/timelines/home", uri)
        .await
        .unwrap_or_else(|| panic!("{uri} is not in {}'s home timeline", user.username))
}

/// The id on `app` of the status with ActivityPub id `uri`, read from its database.
async fn local_id_of(app: &TestApp, uri: &Value) -> Option<String> {
    sqlx::query_scalar::<_, i64>("SELECT id FROM statuses WHERE ap_id = $1")
        .bind(uri.as_str().expect("uri"))
        .fetch_optional(&app.db)
        .await
        .expect("query runs")
        .map(|id| id.to_string())
}

/// The counters of a status as its author sees them.
async fn counts(app: &TestApp, user: &TestUser, id: &str) -> (Value, Value, Value) {
    let status = expect_json(show(app, Some(user), id).await, 200).await;
    (
        status["favourites_count"].clone(),
        status["reblogs_count"].clone(),
        status["replies_count"].clone(),
    )
}

/// An unsigned GET of `url` asking for `accept`.
async fn fetch(app: &TestApp, url: &str, accept: &str) -> Response {
    app.client
        .get(url)
        .header(ACCEPT, accept)
        .send()
        .await
        .expect("request sent")
}

fn media_type(response: &Response) -> String {
    let value = response.headers().get(CONTENT_TYPE).expect("Content-Type");
    let value = value.to_str().expect("ASCII");
    value.split(';').next().unwrap_or("").trim().to_owned()
}

#[sqlx::test]
async fn a_post_reaches_a_remote_follower_and_likes_boosts_and_replies_come_back(db: PgPool) {
    let (a, b, alice, bob) = alice_followed_by_bob(db).await;
    let status = post(
        &a,
        &alice,
        &[("status", "Hello from A"), ("language", "en")],
    )
    .await;
    let a_id = id_of(&status);
    settle(&[&a, &b]).await;

    let copy = in_home(&b, &bob, &status["uri"]).await;
    assert_eq!(copy["content"], status["content"], "{copy}");
    assert_eq!(copy["language"], "en", "carried in contentMap: {copy}");
    assert_eq!(copy["account"]["acct"], format!("alice@{}", a.domain));
    assert_eq!(copy["visibility"], "public");
    let b_id = id_of(&copy);

    act(&b, &bob, &b_id, "favourite").await;
    act(&b, &bob, &b_id, "reblog").await;
    let reply = post(
        &b,
        &bob,
        &[("status", "Hello back from B"), ("in_reply_to_id", &b_id)],
    )
    .await;
    assert_eq!(reply["in_reply_to_id"], b_id.as_str());
    settle(&[&a, &b]).await;

    assert_eq!(
        counts(&a, &alice, &a_id).await,
        (1.into(), 1.into(), 1.into()),
        "(favourites, reblogs, replies) on A"
    );
    let context = a
        .get(&format!("/api/v1/statuses/{a_id}/context"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let context = expect_json(context, 200).await;
    let descendants = context["descendants"].as_array().expect("descendants");
    assert_eq!(descendants.len(), 1, "{context}");
    assert_eq!(descendants[0]["uri"], reply["uri"]);
    assert_eq!(
        descendants[0]["account"]["acct"],
        format!("bob@{}", b.domain)
    );
    assert_eq!(descendants[0]["in_reply_to_id"], a_id.as_str());
    assert_eq!(descendants[0]["content"], reply["content"]);
    let bob_on_a = vec![format!("bob@{}", b.domain)];
    for list in ["favourited_by", "reblogged_by"] {
        let path = format!("/api/v1/statuses/{a_id}/{list}");
        assert_eq!(accounts_of(&a, &path).await, bob_on_a, "{list}");
    }

    act(&b, &bob, &b_id, "unfavourite").await;
    act(&b, &bob, &b_id, "unreblog").await;
    settle(&[&a, &b]).await;
    assert_eq!(
        counts(&a, &alice, &a_id).await,
        (0.into(), 0.into(), 1.into()),
        "(favourites, reblogs, replies) on A after the undos"
    );
    for list in ["favourited_by", "reblogged_by"] {
        let path = format!("/api/v1/statuses/{a_id}/{list}");
        assert!(accounts_of(&a, &path).await.is_empty(), "{list}");
    }
}

#[sqlx::test]
async fn edits_and_deletes_federate(db: PgPool) {
    let (a, b, alice, bob) = alice_followed_by_bob(db).await;
    let status = post(&a, &alice, &[("status", "first version")]).await;
    let a_id = id_of(&status);
    settle(&[&a, &b]).await;
    let b_id = id_of(&in_home(&b, &bob, &status["uri"]).await);

    let edited = a
        .client
        .put(a.url(&format!("/api/v1/statuses/{a_id}")))
        .bearer_auth(&alice.access_token)
        .form(&[("status", "second version")])
        .send()
        .await;
    expect_json(edited, 200).await;
    settle(&[&a, &b]).await;

    let copy = expect_json(show(&b, Some(&bob), &b_id).await, 200).await;
    assert_eq!(copy["content"], "<p>second version</p>", "{copy}");
    assert!(copy["edited_at"].is_string(), "{copy}");
    let history = b
        .get(&format!("/api/v1/statuses/{b_id}/history"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    let history = expect_json(history, 200).await;
    let contents: Vec<&str> = history
        .as_array()
        .expect("array")
        .iter()
        .map(|version| version["content"].as_str().expect("content"))
        .collect();
    assert_eq!(
        contents,
        vec!["<p>first version</p>", "<p>second version</p>"]
    );

    let deleted = a
        .delete(&format!("/api/v1/statuses/{a_id}"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;
    settle(&[&a, &b]).await;
    assert!(
        item_with_uri(&b, Some(&bob), "/api/v1/timelines/home", &status["uri"])
            .await
            .is_none(),
        "the deleted status left bob's home timeline"
    );
    expect_error(show(&b, Some(&bob), &b_id).await, 404).await;
}

#[sqlx::test]
async fn followers_only_and_direct_statuses_reach_only_their_audience(db: PgPool) {
    let (a, b, alice, bob) = alice_followed_by_bob(db).await;
    let carol = b.sign_up("carol").await;

    let private = post(
        &a,
        &alice,
        &[("status", "for my followers"), ("visibility", "private")],
    )
    .await;
    settle(&[&a, &b]).await;
    let copy = in_home(&b, &bob, &private["uri"]).await;
    assert_eq!(copy["visibility"], "private", "{copy}");
    let b_id = id_of(&copy);
    expect_error(show(&b, Some(&carol), &b_id).await, 404).await;
    expect_error(show(&b, None, &b_id).await, 404).await;
    for path in [
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?remote=true",
    ] {
        let listed = item_with_uri(&b, None, path, &private["uri"]).await;
        assert!(listed.is_none(), "{path} lists a followers-only status");
    }

    let direct = post(
        &a,
        &alice,
        &[
            ("status", &format!("@carol@{} just for you", b.domain)),
            ("visibility", "direct"),
        ],
    )
    .await;
    settle(&[&a, &b]).await;
    let b_id = local_id_of(&b, &direct["uri"])
        .await
        .expect("the direct status reached B");
    let seen = expect_json(show(&b, Some(&carol), &b_id).await, 200).await;
    assert_eq!(seen["visibility"], "direct", "{seen}");
    assert_eq!(seen["account"]["acct"], format!("alice@{}", a.domain));
    let mentioned: Vec<&str> = seen["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .map(|mention| mention["acct"].as_str().expect("acct"))
        .collect();
    assert_eq!(mentioned, vec!["carol"], "{seen}");
    expect_error(show(&b, Some(&bob), &b_id).await, 404).await;
    let in_bobs_home =
        item_with_uri(&b, Some(&bob), "/api/v1/timelines/home", &direct["uri"]).await;
    assert!(in_bobs_home.is_none(), "a direct status in bob's home");

    for status in [&private, &direct] {
        let uri = status["uri"].as_str().expect("uri");
        let response = fetch(&a, uri, ACTIVITY_JSON).await;
        let code = response.status().as_u16();
        let body = response.text().await.expect("body");
        assert!(
            [401, 403, 404].contains(&code),
            "an unsigned GET of {uri} answered {code}: {body}"
        );
    }
}

#[sqlx::test]
async fn a_public_note_is_served_as_activitystreams_at_its_uri(db: PgPool) {
    let a = instance(db).await;
    let alice = a.sign_up("alice").await;
    let bob = a.sign_up("bob").await;
    let status = post(&a, &alice, &[("status", "Hello, fediverse")]).await;
    let uri = status["uri"].as_str().expect("uri").to_owned();
    assert_eq!(
        uri,
        a.url(&format!("/users/alice/statuses/{}", id_of(&status)))
    );

    let response = fetch(&a, &uri, ACTIVITY_JSON).await;
    assert_eq!(response.status(), 200);
    assert_eq!(media_type(&response), ACTIVITY_JSON);
    let note: Value = response.json().await.expect("JSON");
    assert_eq!(note["type"], "Note", "{note}");
    assert_eq!(note["id"], uri.as_str());
    assert_eq!(note["attributedTo"], a.url("/users/alice").as_str());
    assert_eq!(note["content"], status["content"]);
    let audience = |field: &str| -> Vec<String> {
        let list = note[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {note}"));
        list.iter()
            .map(|item| item.as_str().expect("a URI").to_owned())
            .collect()
    };
    assert!(audience("to").contains(&PUBLIC.to_owned()), "{note}");
    let followers = a.url("/users/alice/followers");
    assert!(audience("cc").contains(&followers), "{note}");

    let page = fetch(&a, &uri, "text/html").await;
    let code = page.status();
    assert!(
        code.is_redirection() || (code == 200 && media_type(&page) == "text/html"),
        "a browser at {uri} got {code}"
    );

    let unknown = fetch(&a, &a.url("/users/alice/statuses/424242"), ACTIVITY_JSON).await;
    assert_eq!(unknown.status(), 404);
    let elsewhere = format!("/users/{}/statuses/{}", bob.username, id_of(&status));
    let wrong_author = fetch(&a, &a.url(&elsewhere), ACTIVITY_JSON).await;
    assert_eq!(
        wrong_author.status(),
        404,
        "{elsewhere} names bob, not alice"
    );
}
