//! Profile link verification (`verified_at` on account fields): a field linking to a
//! page that links back with `rel="me"` is verified in the background, after the
//! profile update answered; a page without the link back, a changed value, a page that
//! never answers and a page too large to read leave the field unverified, and nothing
//! hangs. The pages are served on 127.0.0.1 (allowed by the test settings'
//! `--insecure-http`, as for preview cards).

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::Value;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::helpers::{TestApp, TestUser};
use roost::services::profile_links::worker;

/// `?to=URL`: where a page's `rel="me"` link points.
#[derive(Deserialize)]
struct LinkTo {
    to: Option<String>,
}

/// Starts the pages and returns their base URL: `/back?to=U` links to `U` with
/// `rel="me"`, `/plain?to=U` links to it without, `/hang` never answers, `/huge`
/// streams 1 GiB with the link back after its first 2 MiB.
async fn start_pages() -> String {
    let router = Router::new().route("/{page}", get(page));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

async fn page(Path(page): Path<String>, Query(link): Query<LinkTo>) -> Response {
    let to = link.to.unwrap_or_default();
    let html = |body: String| ([(header::CONTENT_TYPE, "text/html")], body).into_response();
    match page.as_str() {
        "back" => html(format!(
            "<!doctype html><html><head><title>Me</title></head>\
             <body><a rel=\"me noopener\" href=\"{to}\">my profile</a></body></html>"
        )),
        "plain" => html(format!(
            "<html><body><a href=\"{to}\">a link</a></body></html>"
        )),
        "hang" => std::future::pending().await,
        "huge" => {
            let padding = Bytes::from(vec![b' '; 64 * 1024]);
            let link = Bytes::from(format!("<a rel=\"me\" href=\"{to}\">me</a>"));
            let chunks = std::iter::repeat_n(padding.clone(), 32)
                .chain(std::iter::once(link))
                .chain(std::iter::repeat_n(padding, 16 * 1024));
            let stream = futures_util::stream::iter(chunks.map(Ok::<Bytes, std::io::Error>));
            (
                [(header::CONTENT_TYPE, "text/html")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        _ => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

/// Sets the profile fields of `user` (name, value pairs) and returns the account.
async fn set_fields(app: &TestApp, user: &TestUser, fields: &[(&str, &str)]) -> Value {
    let keys: Vec<(String, String)> = (0..fields.len())
        .map(|i| {
            (
                format!("fields_attributes[{i}][name]"),
                format!("fields_attributes[{i}][value]"),
            )
        })
        .collect();
    let mut form: Vec<(&str, &str)> = Vec::new();
    for ((name_key, value_key), (name, value)) in keys.iter().zip(fields) {
        form.push((name_key, name));
        form.push((value_key, value));
    }
    let started = Instant::now();
    let me: Value = app
        .as_(user)
        .patch("/api/v1/accounts/update_credentials", &form)
        .await
        .expect("updated");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the update waited for a page"
    );
    me
}

/// Runs the check queue until nothing is due, within a minute; returns how long it took.
async fn drain(app: &TestApp) -> Duration {
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(60), worker::run_once(&app.state))
        .await
        .expect("the checks finished within a minute")
        .expect("checks ran");
    started.elapsed()
}

/// `verified_at` of each field as the public account shows it.
async fn verified(app: &TestApp, user: &TestUser) -> Vec<bool> {
    let account: Value = app
        .as_(user)
        .get(&format!("/api/v1/accounts/{}", user.account_id))
        .await
        .expect("reads");
    account["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|field| !field["verified_at"].is_null())
        .collect()
}

async fn app_without_workers(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--workers", "false"]).await
}

#[sqlx::test]
async fn a_page_linking_back_with_rel_me_verifies_its_field_and_others_do_not(db: PgPool) {
    let pages = start_pages().await;
    let app = app_without_workers(db).await;
    let alice = app.sign_up("alice").await;
    let profile = app.url("/@alice");
    let actor = app.url("/users/alice");
    let someone_else = app.url("/@bob");
    let back = format!("{pages}/back?to={profile}");
    let back_to_actor = format!("{pages}/back?to={actor}");
    let elsewhere = format!("{pages}/back?to={someone_else}");
    let without_rel = format!("{pages}/plain?to={profile}");
    let me = set_fields(
        &app,
        &alice,
        &[
            ("Site", &back),
            ("Actor", &back_to_actor),
            ("Other", &elsewhere),
            ("No rel", &without_rel),
        ],
    )
    .await;
    assert!(
        me["fields"][0]["verified_at"].is_null(),
        "not before the check"
    );

    drain(&app).await;
    assert_eq!(verified(&app, &alice).await, [true, true, false, false]);
    let me: Value = app
        .as_(&alice)
        .get("/api/v1/accounts/verify_credentials")
        .await
        .expect("reads");
    let stamp = me["fields"][0]["verified_at"]
        .as_str()
        .expect("a timestamp");
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{stamp}"
    );
}

#[sqlx::test]
async fn an_unchanged_value_stays_verified_and_a_changed_one_is_cleared(db: PgPool) {
    let pages = start_pages().await;
    let app = app_without_workers(db).await;
    let alice = app.sign_up("alice").await;
    let back = format!("{pages}/back?to={}", app.url("/@alice"));
    let also_back = format!("{pages}/back?to={}&again", app.url("/@alice"));
    set_fields(&app, &alice, &[("Site", &back), ("Blog", &also_back)]).await;
    drain(&app).await;
    assert_eq!(verified(&app, &alice).await, [true, true]);

    let plain = format!("{pages}/plain?to={}", app.url("/@alice"));
    let me = set_fields(&app, &alice, &[("Website", &back), ("Blog", &plain)]).await;
    assert!(
        !me["fields"][0]["verified_at"].is_null(),
        "same link, renamed"
    );
    assert!(me["fields"][1]["verified_at"].is_null(), "changed link");
    drain(&app).await;
    assert_eq!(verified(&app, &alice).await, [true, false]);
}

#[sqlx::test]
async fn a_page_that_hangs_or_is_huge_verifies_nothing_and_holds_nothing_up(db: PgPool) {
    let pages = start_pages().await;
    let app = app_without_workers(db).await;
    let alice = app.sign_up("alice").await;
    let profile = app.url("/@alice");
    let hang = format!("{pages}/hang?to={profile}");
    let huge = format!("{pages}/huge?to={profile}");
    set_fields(&app, &alice, &[("Slow", &hang), ("Big", &huge)]).await;

    let took = drain(&app).await;
    assert!(took < Duration::from_secs(30), "the checks took {took:?}");
    assert_eq!(verified(&app, &alice).await, [false, false]);
    let waiting: Vec<(String, i32)> =
        sqlx::query_as("SELECT url, attempts FROM profile_link_checks")
            .fetch_all(&app.db)
            .await
            .expect("reads");
    assert_eq!(waiting, [(hang, 1)], "the slow page is tried again later");
}

#[sqlx::test]
async fn a_remote_accounts_links_are_checked_here_against_its_own_profile_url(db: PgPool) {
    use crate::helpers::peers::{instance, second_database};
    let pages = start_pages().await;
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let back = format!("{pages}/back?to={}", b.url("/@bob"));
    let back_to_a = format!("{pages}/back?to={}", a.url("/@bob"));
    set_fields(&b, &bob, &[("Site", &back), ("Wrong", &back_to_a)]).await;

    let handle = format!("bob@{}", b.domain);
    let resolved: Value = a
        .as_(&alice)
        .get(&format!(
            "/api/v1/accounts/lookup?acct={handle}&resolve=true"
        ))
        .await
        .expect("resolves");
    let id = resolved["id"].as_str().expect("id").to_owned();
    assert!(resolved["fields"][0]["verified_at"].is_null());
    // Remote links wait a random moment of up to ten minutes: make them due now.
    let queued = sqlx::query("UPDATE profile_link_checks SET next_attempt_at = now()")
        .execute(&a.db)
        .await
        .expect("updates");
    assert_eq!(queued.rows_affected(), 2, "both links are queued");
    drain(&a).await;
    let seen: Value = a
        .as_(&alice)
        .get(&format!("/api/v1/accounts/{id}"))
        .await
        .expect("reads");
    assert!(!seen["fields"][0]["verified_at"].is_null(), "{seen}");
    assert!(seen["fields"][1]["verified_at"].is_null(), "{seen}");
}
