//! Scheduled statuses (<https://docs.joinmastodon.org/methods/scheduled_statuses/>):
//! `scheduled_at` keeps a post for later with its media reserved; the list, show,
//! reschedule and cancel endpoints; Mastodon's rules (five minutes ahead, 25 a day,
//! 300 in all); and the worker, which publishes each due post exactly once, also when
//! two processes race for it and after a restart that happened while it was due.

use chrono::{Duration, Utc};
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::client::entities::Status;
use crate::helpers::media::{png, upload_ok};
use crate::helpers::{scalar, TestApp, TestUser};
use roost::error::ApiError;
use roost::services::scheduled_statuses::run_once;
use roost::services::statuses::{self, NewPost};

/// An ISO 8601 time `minutes` from now.
fn in_minutes(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339()
}

/// A server whose queues run only when a test drains them.
async fn quiet_app(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--workers", "false"]).await
}

/// Schedules `text` as `user` at `at`, with extra form fields; the answer or the error.
async fn schedule(
    app: &TestApp,
    user: &TestUser,
    text: &str,
    at: &str,
    extra: &[(&str, &str)],
) -> Result<Value, (u16, String)> {
    let mut form = vec![("status", text), ("scheduled_at", at)];
    form.extend_from_slice(extra);
    app.as_(user)
        .post("/api/v1/statuses", &form)
        .await
        .map_err(|error| (error.status.as_u16(), error.error))
}

/// Makes every scheduled status due, as if the server had been down at its time.
async fn make_due(db: &PgPool) {
    sqlx::query("UPDATE scheduled_statuses SET scheduled_at = now() - interval '1 minute'")
        .execute(db)
        .await
        .expect("made due");
}

/// `user`'s own statuses.
async fn statuses_of(app: &TestApp, user: &TestUser) -> Vec<Status> {
    let as_user = app.as_(user);
    as_user
        .account_statuses(&user.account_id)
        .await
        .expect("statuses")
}

#[sqlx::test]
async fn a_scheduled_post_waits_with_its_media_and_is_published_once_when_due(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob)
        .follow(&alice.account_id)
        .await
        .expect("follows");
    let media = upload_ok(&app, &alice, png(8, 8), &[("description", "a dot")]).await;
    let media_id = media["id"].as_str().expect("media id");
    let at = in_minutes(30);
    let kept = schedule(
        &app,
        &alice,
        "later, #roost",
        &at,
        &[("media_ids[]", media_id)],
    )
    .await
    .expect("scheduled");
    let id = kept["id"].as_str().expect("id").to_owned();
    assert_eq!(kept["params"]["text"], "later, #roost");
    assert_eq!(kept["params"]["visibility"], "public");
    assert_eq!(kept["params"]["scheduled_at"], Value::Null);
    assert_eq!(kept["params"]["media_ids"][0], media_id);
    assert_eq!(kept["media_attachments"][0]["id"], media_id);
    assert!(
        kept.get("content").is_none(),
        "a ScheduledStatus, not a Status"
    );
    let listed: Vec<Value> = app
        .as_(&alice)
        .get("/api/v1/scheduled_statuses")
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(
        statuses_of(&app, &alice).await.is_empty(),
        "not published yet"
    );
    assert_eq!(run_once(&app.state).await.expect("drained"), 0, "not due");

    // The reserved upload is neither free for another post nor deletable.
    let other = app
        .as_(&alice)
        .post_status_with(&[("status", "now"), ("media_ids[]", media_id)])
        .await;
    assert_eq!(other.expect_err("reserved").status.as_u16(), 422);
    let deleted = app
        .as_(&alice)
        .delete::<Value>(&format!("/api/v1/media/{media_id}"))
        .await;
    assert_eq!(deleted.expect_err("reserved").status.as_u16(), 422);

    make_due(&app.db).await;
    assert_eq!(run_once(&app.state).await.expect("drained"), 1);
    let published = statuses_of(&app, &alice).await;
    assert_eq!(published.len(), 1);
    assert!(published[0].content.contains("later"));
    assert_eq!(published[0].media_attachments.len(), 1);
    assert_eq!(published[0].media_attachments[0]["id"], media_id);
    let home = app.as_(&bob).home().await.expect("home");
    assert_eq!(
        home.first().map(|s| s.id.as_str()),
        Some(published[0].id.as_str())
    );
    let gone = app
        .as_(&alice)
        .get::<Value>(&format!("/api/v1/scheduled_statuses/{id}"))
        .await;
    assert_eq!(gone.expect_err("published").status.as_u16(), 404);
    assert_eq!(run_once(&app.state).await.expect("drained"), 0);
    assert_eq!(statuses_of(&app, &alice).await.len(), 1, "published once");
}

#[sqlx::test]
async fn a_time_too_soon_in_the_past_or_unreadable_is_refused_and_nothing_is_kept(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    for at in [in_minutes(4), in_minutes(-60), "tomorrow".to_owned()] {
        let (status, error) = schedule(&app, &alice, "hi", &at, &[])
            .await
            .expect_err("refused");
        assert_eq!(status, 422, "{at}");
        assert!(error.contains("Scheduled at"), "{error}");
    }
    let (status, _) = schedule(&app, &alice, " ", &in_minutes(30), &[])
        .await
        .expect_err("blank text");
    assert_eq!(status, 422, "a scheduled post follows the posting rules");
    let (status, _) = schedule(
        &app,
        &alice,
        "hi",
        &in_minutes(30),
        &[("visibility", "loud")],
    )
    .await
    .expect_err("unknown visibility");
    assert_eq!(status, 422);
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM scheduled_statuses").await,
        0
    );
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM statuses").await, 0);
}

#[sqlx::test]
async fn a_scheduled_post_is_rescheduled_or_cancelled_by_its_author_only(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    let mallory = app.sign_up("mallory").await;
    let media = upload_ok(&app, &alice, png(8, 8), &[]).await;
    let media_id = media["id"].as_str().expect("media id");
    let kept = schedule(
        &app,
        &alice,
        "soon",
        &in_minutes(30),
        &[("media_ids[]", media_id)],
    )
    .await
    .expect("scheduled");
    let path = format!(
        "/api/v1/scheduled_statuses/{}",
        kept["id"].as_str().expect("id")
    );

    let later = in_minutes(600);
    let moved: Value = app
        .as_(&alice)
        .put(&path, &[("scheduled_at", later.as_str())])
        .await
        .expect("rescheduled");
    let moved_at =
        chrono::DateTime::parse_from_rfc3339(moved["scheduled_at"].as_str().expect("at"))
            .expect("a time");
    let wanted = chrono::DateTime::parse_from_rfc3339(&later).expect("a time");
    assert!((moved_at - wanted).num_seconds().abs() < 1);
    let too_soon = app
        .as_(&alice)
        .put::<Value>(&path, &[("scheduled_at", &in_minutes(1))])
        .await;
    assert_eq!(too_soon.expect_err("too soon").status.as_u16(), 422);

    for result in [
        app.as_(&mallory).get::<Value>(&path).await,
        app.as_(&mallory)
            .put::<Value>(&path, &[("scheduled_at", &in_minutes(90))])
            .await,
        app.as_(&mallory).delete::<Value>(&path).await,
    ] {
        assert_eq!(result.expect_err("not theirs").status.as_u16(), 404);
    }
    let cancelled: Value = app.as_(&alice).delete(&path).await.expect("cancelled");
    assert_eq!(cancelled, serde_json::json!({}));
    assert_eq!(
        app.as_(&alice)
            .get::<Value>(&path)
            .await
            .expect_err("gone")
            .status
            .as_u16(),
        404
    );
    let freed = app
        .as_(&alice)
        .post_status_with(&[("status", "now"), ("media_ids[]", media_id)])
        .await
        .expect("the upload is free again");
    assert_eq!(freed.media_attachments.len(), 1);
}

#[sqlx::test]
async fn an_account_may_keep_25_a_day_and_300_in_all(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    let day = (Utc::now() + Duration::days(3)).date_naive();
    let noon = |hour: u32| {
        day.and_hms_opt(hour % 24, 0, 0)
            .expect("a time")
            .and_utc()
            .to_rfc3339()
    };
    for n in 0..25 {
        schedule(&app, &alice, &format!("post {n}"), &noon(n % 24), &[])
            .await
            .expect("within the daily limit");
    }
    let (status, error) = schedule(&app, &alice, "one more", &noon(12), &[])
        .await
        .expect_err("daily limit");
    assert_eq!(status, 422);
    assert!(error.contains("for today"), "{error}");
    let next_day = (Utc::now() + Duration::days(4)).to_rfc3339();
    schedule(&app, &alice, "the day after", &next_day, &[])
        .await
        .expect("another day is free");

    // Fill up to 300 in all, spread over later days.
    sqlx::query(
        "INSERT INTO scheduled_statuses (account_id, scheduled_at, params) \
         SELECT $1, now() + make_interval(days => 10 + n / 20), '{}'::jsonb \
         FROM generate_series(1, 274) AS n",
    )
    .bind(alice.account_id.parse::<i64>().expect("id"))
    .execute(&app.db)
    .await
    .expect("filled");
    let (status, error) = schedule(&app, &alice, "too many", &in_minutes(60 * 24 * 200), &[])
        .await
        .expect_err("total limit");
    assert_eq!(status, 422);
    assert!(error.contains("limit of 300"), "{error}");
}

#[sqlx::test]
async fn a_repeated_idempotency_key_returns_the_first_scheduled_post(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    let send = || async {
        let response = app
            .as_(&alice)
            .request(reqwest::Method::POST, "/api/v1/statuses")
            .header("Idempotency-Key", "abc-123")
            .form(&[("status", "once"), ("scheduled_at", &in_minutes(30))])
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), 200);
        response.json::<Value>().await.expect("json")
    };
    let first = send().await;
    let second = send().await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["params"]["idempotency"], "abc-123");
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM scheduled_statuses").await,
        1
    );
}

#[sqlx::test]
async fn two_processes_publish_each_due_post_exactly_once(db: PgPool) {
    let app = quiet_app(db.clone()).await;
    let second = TestApp::spawn_with(db, &["--workers", "false", "--domain", &app.domain]).await;
    let alice = app.sign_up("alice").await;
    for n in 0..6 {
        schedule(&app, &alice, &format!("post {n}"), &in_minutes(30 + n), &[])
            .await
            .expect("scheduled");
    }
    let first_id: i64 = scalar(&app.db, "SELECT min(id) FROM scheduled_statuses").await;
    make_due(&app.db).await;
    let (first, other) = tokio::join!(run_once(&app.state), run_once(&second.state));
    assert_eq!(
        first.expect("runs") + other.expect("runs"),
        6,
        "each claimed once"
    );
    assert_eq!(statuses_of(&app, &alice).await.len(), 6);
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM scheduled_statuses").await,
        0
    );

    // A publisher whose lease ran out while another published the row finds it gone
    // and writes nothing.
    let late = NewPost {
        text: Some("post 0"),
        from_schedule: Some(first_id),
        ..NewPost::default()
    };
    let author: i64 = alice.account_id.parse().expect("id");
    let again = statuses::post(&second.state, author, &late).await;
    assert!(matches!(again, Err(ApiError::NotFound)), "{again:?}");
    assert_eq!(
        statuses_of(&app, &alice).await.len(),
        6,
        "nothing published twice"
    );
}

#[sqlx::test]
async fn a_post_due_while_the_server_was_down_is_published_after_the_restart(db: PgPool) {
    let before = quiet_app(db.clone()).await;
    let alice = before.sign_up("alice").await;
    schedule(&before, &alice, "while you were out", &in_minutes(30), &[])
        .await
        .expect("scheduled");
    let domain = before.domain.clone();
    drop(before);
    make_due(&db).await;
    // A fresh process of the same instance, its workers running as `roost serve` starts them.
    let after = TestApp::spawn_with(db, &["--domain", &domain]).await;
    let mut published = Vec::new();
    for _ in 0..100 {
        published = statuses_of(&after, &alice).await;
        if !published.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(published.len(), 1, "published by the worker within 20 s");
    assert!(published[0].content.contains("while you were out"));
}

#[sqlx::test]
async fn a_scheduled_reply_whose_parent_is_gone_is_dropped(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let parent = app
        .as_(&bob)
        .post_status("a thought")
        .await
        .expect("posted");
    schedule(
        &app,
        &alice,
        "a late answer",
        &in_minutes(30),
        &[("in_reply_to_id", &parent.id)],
    )
    .await
    .expect("scheduled");
    app.as_(&bob)
        .delete_status(&parent.id)
        .await
        .expect("deleted");
    make_due(&app.db).await;
    assert_eq!(run_once(&app.state).await.expect("drained"), 1);
    assert!(statuses_of(&app, &alice).await.is_empty());
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM scheduled_statuses").await,
        0
    );
}

#[sqlx::test]
async fn a_scheduled_poll_is_checked_at_once_and_runs_from_publication(db: PgPool) {
    let app = quiet_app(db).await;
    let alice = app.sign_up("alice").await;
    let at = in_minutes(30);
    let one_option = [("poll[options][]", "only"), ("poll[expires_in]", "3600")];
    let (status, _) = schedule(&app, &alice, "a question", &at, &one_option)
        .await
        .expect_err("a poll needs two options");
    assert_eq!(status, 422);
    let poll = [
        ("poll[options][]", "tea"),
        ("poll[options][]", "coffee"),
        ("poll[expires_in]", "3600"),
        ("poll[multiple]", "true"),
    ];
    let kept = schedule(&app, &alice, "tea or coffee?", &at, &poll)
        .await
        .expect("scheduled");
    assert_eq!(
        kept["params"]["poll"]["options"],
        serde_json::json!(["tea", "coffee"])
    );
    assert_eq!(kept["params"]["poll"]["expires_in"], 3600);
    make_due(&app.db).await;
    assert_eq!(run_once(&app.state).await.expect("drained"), 1);
    let published: Vec<Value> = app
        .as_(&alice)
        .get(&format!("/api/v1/accounts/{}/statuses", alice.account_id))
        .await
        .expect("statuses");
    let poll = &published[0]["poll"];
    assert_eq!(poll["multiple"], true);
    assert_eq!(poll["options"][1]["title"], "coffee");
    let expires = chrono::DateTime::parse_from_rfc3339(poll["expires_at"].as_str().expect("end"))
        .expect("a time");
    let from_now = expires.with_timezone(&Utc) - Utc::now();
    assert!(
        from_now > Duration::minutes(55),
        "an hour from publication: {from_now}"
    );
}
