//! Polls between two Roost instances: a poll posted on A reaches B as a `Question`;
//! B's users vote through B's API, their votes travel to A as `Create(Note)` (never
//! shown as statuses), A counts them and sends one coalesced `Update(Question)` with
//! the counts back, and both sides match; when the poll ends, A's author and B's
//! voters are notified.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::{scalar, TestApp, TestUser};
use roost::services::polls::closing;

async fn json_post(app: &TestApp, user: &TestUser, path: &str, body: &Value) -> Value {
    let response = app
        .as_(user)
        .request(reqwest::Method::POST, path)
        .json(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The poll of the newest status on `user`'s home timeline.
async fn poll_on_home(app: &TestApp, user: &TestUser) -> Value {
    let home: Vec<Value> = app
        .as_(user)
        .get("/api/v1/timelines/home")
        .await
        .expect("home");
    home.first().expect("a status on the home timeline")["poll"].clone()
}

/// How many `poll` notifications `user` has.
async fn notified(app: &TestApp, user: &TestUser) -> usize {
    let notes = app
        .as_(user)
        .notifications_where(&[("types[]", "poll")])
        .await;
    notes.expect("notifications").len()
}

fn counts(poll: &Value) -> Vec<i64> {
    let options = poll["options"].as_array().expect("options");
    options
        .iter()
        .map(|o| o["votes_count"].as_i64().expect("count"))
        .collect()
}

#[sqlx::test]
async fn votes_on_b_are_counted_on_a_and_both_sides_match_until_the_poll_ends(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let (bob, carol) = (b.sign_up("bob").await, b.sign_up("carol").await);
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    follow(&b, &carol, &alice_on_b).await;
    settle(&[&a, &b]).await;

    let body = json!({ "status": "Cats or dogs?",
                       "poll": { "options": ["cats", "dogs", "both"], "expires_in": 3600 } });
    let status = json_post(&a, &alice, "/api/v1/statuses", &body).await;
    let poll_on_a = status["poll"]["id"].as_str().expect("poll id").to_owned();
    settle(&[&a, &b]).await;
    let remote = poll_on_home(&b, &bob).await;
    assert_eq!(counts(&remote), [0, 0, 0], "{remote}");
    assert_eq!(remote["expires_at"], status["poll"]["expires_at"]);
    let poll_on_b = remote["id"].as_str().expect("poll id on B").to_owned();

    let path = format!("/api/v1/polls/{poll_on_b}/votes");
    let voted = json_post(&b, &bob, &path, &json!({ "choices": ["0"] })).await;
    assert_eq!(voted["own_votes"], json!([0]));
    json_post(&b, &carol, &path, &json!({ "choices": ["2"] })).await;
    settle(&[&a, &b]).await;

    let on_a: Value = a
        .as_(&alice)
        .get(&format!("/api/v1/polls/{poll_on_a}"))
        .await
        .expect("poll on A");
    assert_eq!(counts(&on_a), [1, 0, 1]);
    assert_eq!(on_a["voters_count"], 2);
    // Votes are not statuses on either side.
    assert_eq!(scalar(&a.db, "SELECT count(*) FROM statuses").await, 1);
    assert_eq!(scalar(&b.db, "SELECT count(*) FROM statuses").await, 1);

    // Both votes share one Update(Question) to B's inbox.
    let updates = "SELECT count(*) FROM deliveries WHERE payload LIKE '%\"type\":\"Update\"%'";
    assert_eq!(scalar(&a.db, updates).await, 0);
    closing::run_once(&a.state, Utc::now() + Duration::minutes(1))
        .await
        .expect("pass");
    assert_eq!(scalar(&a.db, updates).await, 1);
    settle(&[&a, &b]).await;
    let seen_by_carol = poll_on_home(&b, &carol).await;
    assert_eq!(counts(&seen_by_carol), [1, 0, 1], "{seen_by_carol}");
    assert_eq!(seen_by_carol["voters_count"], 2);
    assert_eq!(seen_by_carol["own_votes"], json!([2]));

    // The end: A closes its poll and tells B; B closes its copy and tells its voters.
    let later = Utc::now() + Duration::hours(2);
    closing::run_once(&a.state, later).await.expect("A closes");
    settle(&[&a, &b]).await;
    closing::run_once(&b.state, later).await.expect("B closes");
    let ended = poll_on_home(&b, &bob).await;
    assert_eq!(ended["expired"], true);
    assert_eq!(counts(&ended), [1, 0, 1]);
    assert_eq!(notified(&a, &alice).await, 1);
    assert_eq!(notified(&b, &bob).await, 1);
    assert_eq!(notified(&b, &carol).await, 1);
}
