//! Issue 15's extras: annual report state and generation, identity proofs (always
//! empty), translation (no translator: 404), `source.language` as the default language
//! of new posts, the `application` a status was posted with, and oEmbed.

use chrono::Datelike;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test]
async fn an_annual_report_is_eligible_until_generated_then_available(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.as_(&alice).post_status("one").await.expect("posted");
    let year = chrono::Utc::now().year();
    let state = |year: String| {
        let path = format!("/api/v1/annual_reports/{year}/state");
        let client = app.as_(&alice);
        async move { client.get::<Value>(&path).await.expect("state") }
    };
    assert_eq!(state(year.to_string()).await, json!({"state": "eligible"}));
    assert_eq!(state("1999".into()).await, json!({"state": "ineligible"}));
    assert_eq!(state("soon".into()).await, json!({"state": "ineligible"}));

    let generated: Value = app
        .as_(&alice)
        .post(&format!("/api/v1/annual_reports/{year}/generate"), &[])
        .await
        .expect("generated");
    assert_eq!(generated, json!({}));
    assert_eq!(state(year.to_string()).await, json!({"state": "available"}));
    let listed: Value = app
        .as_(&alice)
        .get("/api/v1/annual_reports")
        .await
        .expect("list");
    assert_eq!(listed["annual_reports"][0]["year"], year);

    // The generated report is kept: a later post no longer moves it.
    app.as_(&alice).post_status("two").await.expect("posted");
    let report: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/annual_reports/{year}"))
        .await
        .expect("report");
    let data = &report["annual_reports"][0]["data"];
    assert_eq!(data["type_distribution"]["total"], 1);
    assert_eq!(
        data["most_used_apps"],
        json!([{"name": "Test app", "count": 1}])
    );
    let ineligible: Value = app
        .as_(&alice)
        .post("/api/v1/annual_reports/1999/generate", &[])
        .await
        .expect("nothing to do");
    assert_eq!(ineligible, json!({}));
    assert_eq!(state("1999".into()).await, json!({"state": "ineligible"}));
    let anonymous = app
        .anonymous()
        .get::<Value>(&format!("/api/v1/annual_reports/{year}/state"))
        .await;
    assert_eq!(anonymous.expect_err("needs a user").status, 401);
}

#[sqlx::test]
async fn identity_proofs_are_always_empty_for_a_known_account(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let proofs: Value = app
        .as_(&alice)
        .get(&format!(
            "/api/v1/accounts/{}/identity_proofs",
            bob.account_id
        ))
        .await
        .expect("proofs");
    assert_eq!(proofs, json!([]));
    let unknown = app
        .as_(&alice)
        .get::<Value>("/api/v1/accounts/123456789/identity_proofs")
        .await;
    assert_eq!(unknown.expect_err("unknown").status, 404);
    let anonymous = app
        .anonymous()
        .get::<Value>(&format!(
            "/api/v1/accounts/{}/identity_proofs",
            bob.account_id
        ))
        .await;
    assert_eq!(anonymous.expect_err("needs a user").status, 401);
}

#[sqlx::test]
async fn translation_answers_not_found_as_mastodon_without_a_translator(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let public = app
        .as_(&alice)
        .post_status("bonjour")
        .await
        .expect("posted");
    let private = app
        .as_(&alice)
        .post_status_with(&[("status", "secret"), ("visibility", "private")])
        .await
        .expect("posted");
    for status in [&public, &private] {
        let refused = app
            .as_(&bob)
            .post::<Value>(&format!("/api/v1/statuses/{}/translate", status.id), &[])
            .await
            .expect_err("no translator");
        assert_eq!(refused.status, 404);
        assert_eq!(refused.error, "Record not found");
    }
    let languages: Value = app
        .anonymous()
        .get("/api/v1/instance/translation_languages")
        .await
        .expect("languages");
    assert_eq!(languages, json!({}));
}

#[sqlx::test]
async fn the_default_language_is_an_iso_code_that_new_posts_take(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let set = |language: &'static str| {
        let client = app.as_(&alice);
        async move {
            client
                .patch::<Value>(
                    "/api/v1/accounts/update_credentials",
                    &[("source[language]", language)],
                )
                .await
        }
    };
    for invalid in ["xx", "english", "en-GB"] {
        let refused = set(invalid).await.expect_err("not ISO 639-1");
        assert_eq!(refused.status, 422, "{invalid}");
    }
    let me = set("DE").await.expect("set");
    assert_eq!(me["source"]["language"], "de");
    let verified: Value = app
        .as_(&alice)
        .get("/api/v1/accounts/verify_credentials")
        .await
        .expect("me");
    assert_eq!(verified["source"]["language"], "de");
    let preferences: Value = app
        .as_(&alice)
        .get("/api/v1/preferences")
        .await
        .expect("preferences");
    assert_eq!(preferences["posting:default:language"], "de");

    let post = |form: &'static [(&'static str, &'static str)]| {
        let client = app.as_(&alice);
        async move {
            client
                .post::<Value>("/api/v1/statuses", form)
                .await
                .expect("posted")
        }
    };
    assert_eq!(post(&[("status", "hallo")]).await["language"], "de");
    let chosen = post(&[("status", "hello"), ("language", "en")]).await;
    assert_eq!(chosen["language"], "en");

    let cleared = set("").await.expect("cleared");
    assert!(cleared["source"]["language"].is_null());
    assert!(post(&[("status", "hm")]).await["language"].is_null());
}

#[sqlx::test]
async fn a_status_shows_the_app_it_was_posted_with(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let posted: Value = app
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", "from my app")])
        .await
        .expect("posted");
    let expected = json!({"name": "Test app", "website": "https://app.example"});
    assert_eq!(posted["application"], expected);
    let id = posted["id"].as_str().expect("an id");
    let seen: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("seen");
    assert_eq!(seen["application"], expected);
    let anonymous: Vec<Value> = app
        .anonymous()
        .get("/api/v1/timelines/public")
        .await
        .expect("timeline");
    assert_eq!(anonymous[0]["application"], expected);

    let boost: Value = app
        .as_(&bob)
        .post(&format!("/api/v1/statuses/{id}/reblog"), &[])
        .await
        .expect("boosted");
    assert!(boost["application"].is_null(), "a boost is no post");
    assert_eq!(boost["reblog"]["application"], expected);
}

#[sqlx::test]
async fn oembed_describes_public_local_statuses_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let posted = app
        .as_(&alice)
        .post_status("<b>hi</b> & bye")
        .await
        .expect("posted");
    let page = posted.url.clone().expect("a page");
    let oembed = |url: String, extra: &'static str| {
        let client = app.anonymous();
        async move {
            let query = format!("/api/oembed?url={}{extra}", urlencode(&url));
            client.get::<Value>(&query).await
        }
    };
    let embed = oembed(page.clone(), "").await.expect("embed");
    assert_eq!(embed["type"], "rich");
    assert_eq!(embed["version"], "1.0");
    assert_eq!(embed["author_name"], "alice");
    assert_eq!(embed["author_url"], posted.account.url);
    assert_eq!(embed["cache_age"], 86400);
    assert_eq!(embed["width"], 400);
    assert!(embed["height"].is_null());
    let html = embed["html"].as_str().expect("html");
    assert!(
        html.starts_with("<blockquote class=\"mastodon-embed\""),
        "{html}"
    );
    assert!(
        html.contains("&lt;b&gt;hi&lt;/b&gt; &amp; bye"),
        "escaped: {html}"
    );
    assert!(html.contains(&format!("href=\"{page}\"")), "{html}");
    assert!(!html.contains("<script"), "{html}");
    let provider = embed["provider_url"].as_str().expect("provider");
    assert!(page.starts_with(provider), "{provider} {page}");

    let sized = oembed(posted.uri.clone(), "&maxwidth=300&maxheight=200")
        .await
        .expect("by its ActivityPub id");
    assert_eq!(
        (sized["width"].clone(), sized["height"].clone()),
        (json!(300), json!(200))
    );

    let private = app
        .as_(&alice)
        .post_status_with(&[("status", "secret"), ("visibility", "private")])
        .await
        .expect("posted");
    let deleted = app.as_(&alice).post_status("gone").await.expect("posted");
    app.as_(&alice)
        .delete_status(&deleted)
        .await
        .expect("deleted");
    let bob = app.sign_up("bob").await;
    let wrong_author = page.replace("/@alice/", &format!("/@{}/", bob.username));
    let refused = [
        private.url.clone().expect("a page"),
        deleted.url.clone().expect("a page"),
        wrong_author,
        "https://elsewhere.example/@alice/1".to_owned(),
        "not a url".to_owned(),
    ];
    for url in refused {
        let error = oembed(url.clone(), "").await.expect_err("not embeddable");
        assert_eq!(error.status, 404, "{url}");
        assert_eq!(error.error, "Record not found");
    }
    let missing = app.anonymous().get::<Value>("/api/oembed").await;
    assert_eq!(missing.expect_err("no url").status, 404);
}

/// Percent-encodes a query value.
fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
