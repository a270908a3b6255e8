//! Polls between two Roost instances: a poll posted on A reaches B as a `Question`;
//! B's users vote through B's API, their votes travel to A as `Create(Note)` (never
//! shown as statuses), A counts them and sends one coalesced `Update(Question)` with
//! the counts back, and both sides match; when the poll ends, A's author and B's
//! voters are notified. Votes from a signed fake remote: counted once each (also
//! GoToSocial's several-in-one Create), never stored as statuses; duplicates, unknown
//! options and votes after the end are ignored.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;

use reqwest::StatusCode;

use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::signed_remote::Scene;
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

/// A vote Note by `actor` (id `actor/votes/N`) for `name` in the Question `question`.
fn vote_note(actor: &str, n: u32, question: &str, name: &str) -> Value {
    json!({ "id": format!("{actor}/votes/{n}"), "type": "Note", "attributedTo": actor,
            "name": name, "inReplyTo": question, "to": question.split("/statuses/").next() })
}

/// Delivers `activity` to the scene's inbox and processes it.
async fn deliver(scene: &Scene, activity: &str) {
    let post = scene.signed("/inbox", activity).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
}

#[sqlx::test]
async fn remote_votes_count_once_each_and_bad_ones_are_ignored(db: PgPool) {
    let scene = Scene::new(db).await;
    let body = json!({ "status": "Pick any",
                       "poll": { "options": ["a", "b", "c"], "expires_in": 3600, "multiple": true } });
    let status = json_post(&scene.app, &scene.alice, "/api/v1/statuses", &body).await;
    let question = status["uri"].as_str().expect("uri");
    let poll = format!(
        "/api/v1/polls/{}",
        status["poll"]["id"].as_str().expect("id")
    );
    let actor = scene.remote.actor();

    deliver(
        &scene,
        &scene.activity("Create", vote_note(&actor, 1, question, "a")),
    )
    .await;
    // The same vote again (another activity, the same Note id), and an unknown option.
    deliver(
        &scene,
        &scene.activity("Create", vote_note(&actor, 1, question, "a")),
    )
    .await;
    deliver(
        &scene,
        &scene.activity("Create", vote_note(&actor, 2, question, "zzz")),
    )
    .await;
    // GoToSocial's form: one Create of several votes.
    let both = json!([
        vote_note(&actor, 3, question, "b"),
        vote_note(&actor, 4, question, "c")
    ]);
    deliver(&scene, &scene.activity("Create", both)).await;
    let seen: Value = scene.app.as_(&scene.alice).get(&poll).await.expect("poll");
    assert_eq!(counts(&seen), [1, 1, 1], "{seen}");
    assert_eq!(seen["voters_count"], 1);
    assert_eq!(
        scalar(&scene.app.db, "SELECT count(*) FROM statuses").await,
        1
    );

    sqlx::query("UPDATE polls SET expires_at = now() - interval '1 second'")
        .execute(&scene.app.db)
        .await
        .expect("ended");
    deliver(
        &scene,
        &scene.activity("Create", vote_note(&actor, 5, question, "a")),
    )
    .await;
    let ended: Value = scene.app.as_(&scene.alice).get(&poll).await.expect("poll");
    assert_eq!(counts(&ended), [1, 1, 1]);
    assert_eq!(
        scalar(&scene.app.db, "SELECT count(*) FROM poll_votes").await,
        3
    );
}

#[sqlx::test]
async fn remote_votes_on_a_poll_the_voter_may_not_see_are_ignored(db: PgPool) {
    let scene = Scene::new(db).await;
    let actor = scene.remote.actor();
    let private = json!({ "status": "Followers pick", "visibility": "private",
                          "poll": { "options": ["a", "b"], "expires_in": 3600 } });
    let private = json_post(&scene.app, &scene.alice, "/api/v1/statuses", &private).await;
    let public =
        json!({ "status": "Anyone pick", "poll": { "options": ["a", "b"], "expires_in": 3600 } });
    let public = json_post(&scene.app, &scene.alice, "/api/v1/statuses", &public).await;
    let uri = |status: &Value| status["uri"].as_str().expect("uri").to_owned();

    let note = vote_note(&actor, 1, &uri(&private), "a");
    deliver(&scene, &scene.activity("Create", note)).await;
    assert_eq!(
        scalar(&scene.app.db, "SELECT count(*) FROM poll_votes").await,
        0,
        "a stranger's vote on a followers-only poll"
    );

    let remote_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE domain IS NOT NULL")
        .fetch_one(&scene.app.db)
        .await
        .expect("the voter is known");
    let _: Value = scene
        .app
        .as_(&scene.alice)
        .post(&format!("/api/v1/accounts/{remote_id}/block"), &[])
        .await
        .expect("blocks");
    let note = vote_note(&actor, 2, &uri(&public), "b");
    deliver(&scene, &scene.activity("Create", note)).await;
    assert_eq!(
        scalar(&scene.app.db, "SELECT count(*) FROM poll_votes").await,
        0,
        "a blocked account's vote"
    );
    sqlx::query("DELETE FROM blocks")
        .execute(&scene.app.db)
        .await
        .expect("unblocked");
    let note = vote_note(&actor, 3, &uri(&public), "b");
    deliver(&scene, &scene.activity("Create", note)).await;
    assert_eq!(
        scalar(&scene.app.db, "SELECT count(*) FROM poll_votes").await,
        1,
        "counted once nothing stands in the way"
    );
}
