//! The start-up and first-screen calls of eight open-source Mastodon clients (Elk,
//! Phanpy, Tusky, Ice Cubes, Mastodon for Android and iOS, Tuba, toot), listed from
//! their source in `/work/shared/reference/client-startup.json` (each call's file is
//! named there): every one answers 2xx with the JSON shape Mastodon answers, for a
//! returning user with posts, follows, a list, notifications and a Web Push
//! subscription (as the clients assume).

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser};

/// Each client's calls: path (with `{me}`, `{other}`, `{acct}`, `{year}`) and whether
/// it is made without a token.
const CLIENTS: &[(&str, &[(&str, bool)])] = &[
    (
        "Elk",
        &[
            ("/api/v2/instance", true),
            ("/nodeinfo/2.0", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/preferences", false),
            ("/api/v1/push/subscription", false),
            ("/api/v1/timelines/home?limit=30", false),
            ("/api/v1/followed_tags", false),
            ("/api/v1/markers?timeline[]=notifications", false),
            ("/api/v1/notifications?limit=30", false),
            ("/api/v1/accounts/lookup?acct={acct}", false),
            ("/api/v1/accounts/{other}/statuses?pinned=true", false),
            (
                "/api/v1/accounts/{other}/statuses?limit=30&exclude_replies=true",
                false,
            ),
            ("/api/v1/accounts/relationships?id[]={other}", false),
            ("/api/v1/custom_emojis", false),
        ],
    ),
    (
        "Phanpy",
        &[
            ("/api/v2/instance", true),
            ("/.well-known/nodeinfo", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/preferences", false),
            ("/api/v1/timelines/home?limit=20", false),
            ("/api/v1/markers?timeline[]=notifications", false),
            ("/api/v2/notifications?limit=40", false),
            ("/api/v1/notifications?limit=1", false),
            ("/api/v1/announcements", false),
            ("/api/v1/follow_requests?limit=80", false),
            ("/api/v1/lists", false),
            ("/api/v1/followed_tags?limit=200", false),
            ("/api/v1/accounts/{other}", false),
            ("/api/v1/accounts/{other}/statuses?pinned=true", false),
            ("/api/v1/accounts/{other}/featured_tags", false),
            ("/api/v1/accounts/familiar_followers?id[]={other}", false),
            ("/api/v1/custom_emojis", false),
        ],
    ),
    (
        "Tusky",
        &[
            ("/api/v2/instance", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/announcements", false),
            ("/api/v1/custom_emojis", false),
            ("/api/v2/filters", false),
            ("/api/v1/filters", false),
            ("/api/v1/timelines/home?limit=30", false),
            ("/api/v1/notifications?limit=30", false),
            ("/api/v2/notifications/policy", false),
            ("/api/v1/timelines/public?local=true&limit=30", false),
            ("/api/v1/conversations?limit=30", false),
        ],
    ),
    (
        "Ice Cubes",
        &[
            ("/api/v2/instance", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/instance/peers", false),
            ("/api/v1/lists", false),
            ("/api/v1/followed_tags", false),
            ("/api/v1/follow_requests", false),
            ("/api/v1/preferences", false),
            ("/api/v1/timelines/home?limit=50", false),
            ("/api/v1/markers", false),
            ("/api/v2/notifications?limit=40", false),
            ("/api/v2/notifications/policy", false),
            ("/api/v1/custom_emojis", false),
        ],
    ),
    (
        "Mastodon Android",
        &[
            ("/api/v2/instance", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/filters", false),
            ("/api/v1/custom_emojis", false),
            ("/api/v1/preferences", false),
            ("/api/v1/markers?timeline[]=notifications", false),
            ("/api/v1/timelines/home?limit=20", false),
            ("/api/v1/lists", false),
            ("/api/v2/notifications/unread_count", false),
            ("/api/v2/notifications?limit=40", false),
            ("/api/v1/notifications/policy", false),
        ],
    ),
    (
        "Mastodon iOS",
        &[
            ("/api/v1/instance", true),
            ("/api/v2/instance", true),
            ("/api/v1/instance/translation_languages", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/filters", false),
            ("/api/v1/timelines/home?limit=20", false),
            ("/api/v1/notifications?limit=20", false),
            ("/api/v2/notifications/policy", false),
            ("/api/v1/custom_emojis", false),
        ],
    ),
    (
        "Tuba",
        &[
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/instance", false),
            ("/api/v2/instance", false),
            ("/api/v1/annual_reports/{year}", false),
            ("/api/v1/custom_emojis", false),
            ("/api/v1/lists", false),
            ("/api/v1/notifications?limit=40", false),
            ("/api/v1/markers?timeline[]=notifications", false),
            ("/api/v1/announcements", false),
            ("/api/v1/timelines/home", false),
            ("/api/v2/notifications", false),
            ("/api/v1/notifications/policy", false),
        ],
    ),
    (
        "toot",
        &[
            ("/api/v1/instance", true),
            ("/api/v1/accounts/verify_credentials", false),
            ("/api/v1/preferences", false),
            ("/api/v1/timelines/home?limit=40", false),
            ("/api/v1/accounts/{me}/following", false),
            ("/api/v1/notifications", false),
        ],
    ),
];

/// A Web Push key pair's public half and secret (RFC 8291's example): the clients'
/// subscription exists, nothing is pushed during the test.
const P256DH: &str =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

/// Whether Mastodon answers `path` with a JSON array (else an object).
fn answers_a_list(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let objects = [
        "/api/v1/instance",
        "/api/v2/instance",
        "/api/v1/accounts/verify_credentials",
        "/api/v1/preferences",
        "/api/v1/push/subscription",
        "/api/v1/markers",
        "/api/v1/accounts/lookup",
        "/api/v1/notifications/policy",
        "/api/v2/notifications/policy",
        "/api/v2/notifications/unread_count",
        "/api/v2/notifications",
        "/api/v1/instance/translation_languages",
        "/nodeinfo/2.0",
        "/.well-known/nodeinfo",
    ];
    !(objects.contains(&path)
        || path.starts_with("/api/v1/annual_reports/")
        || is_one_account(path))
}

/// `/api/v1/accounts/:id` (an Account), as opposed to `…/relationships` and other lists.
fn is_one_account(path: &str) -> bool {
    path.strip_prefix("/api/v1/accounts/")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// A returning user (`me`) who follows `other`, with posts, a list, a notification
/// and a Web Push subscription.
async fn returning_user(app: &TestApp) -> (TestUser, TestUser) {
    let me = app.sign_up("alice").await;
    let other = app.sign_up("bob").await;
    app.as_(&me).follow(&other).await.expect("follows");
    app.as_(&other).follow(&me).await.expect("followed back");
    let pinned = app
        .as_(&other)
        .post_status("#roost pinned")
        .await
        .expect("posted");
    app.as_(&other)
        .post::<Value>(&format!("/api/v1/statuses/{}/pin", pinned.id), &[])
        .await
        .expect("pinned");
    let mine = app.as_(&me).post_status("hello").await.expect("posted");
    app.as_(&other).favourite(&mine).await.expect("favourited");
    app.as_(&me)
        .post::<Value>("/api/v1/lists", &[("title", "Friends")])
        .await
        .expect("list");
    let subscription = [
        ("subscription[endpoint]", "http://127.0.0.1:9/push"),
        ("subscription[keys][p256dh]", P256DH),
        ("subscription[keys][auth]", AUTH),
        ("data[alerts][mention]", "true"),
    ];
    app.as_(&me)
        .post::<Value>("/api/v1/push/subscription", &subscription)
        .await
        .expect("push subscription");
    (me, other)
}

#[sqlx::test]
async fn every_clients_start_up_calls_answer_in_mastodons_shape(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (me, other) = returning_user(&app).await;
    let year = (chrono::Datelike::year(&chrono::Utc::now()) - 1).to_string();
    let mut failures = Vec::new();
    for (client, calls) in CLIENTS {
        for (call, anonymous) in calls.iter() {
            let path = call
                .replace("{me}", &me.account_id)
                .replace("{other}", &other.account_id)
                .replace("{acct}", &other.username)
                .replace("{year}", &year);
            let request = app.get(&path);
            let request = if *anonymous {
                request
            } else {
                request.bearer_auth(&me.access_token)
            };
            let response = request.send().await.expect("answers");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let shaped = if answers_a_list(&path) {
                body.is_array()
            } else {
                body.is_object()
            };
            if !status.is_success() || !shaped {
                failures.push(format!("{client}: GET {path} -> {status} {body}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} calls failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
