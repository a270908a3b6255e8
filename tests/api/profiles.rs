//! `PATCH /api/v1/accounts/update_credentials`: what a user types into their profile,
//! how it is rendered, and the limits
//! (<https://docs.joinmastodon.org/methods/accounts/#update_credentials>).

use reqwest::multipart;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, TestApp, PASSWORD};

async fn update(
    app: &TestApp,
    token: &str,
    form: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    app.patch("/api/v1/accounts/update_credentials")
        .bearer_auth(token)
        .form(form)
        .send()
        .await
}

async fn update_json(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(token)
        .json(body)
        .send()
        .await;
    expect_json(response, 200).await
}

fn field_names(account: &Value) -> Vec<&str> {
    account["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect()
}

#[sqlx::test]
async fn updating_the_profile_with_a_form_sets_name_note_flags_and_fields(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let note = "Line one\nline two\n\nSecond paragraph";
    let form = [
        ("display_name", "Alice A."),
        ("note", note),
        ("locked", "1"),
        ("bot", "true"),
        ("fields_attributes[0][name]", "Website"),
        ("fields_attributes[0][value]", "https://alice.example/"),
        ("fields_attributes[1][name]", "Pronouns"),
        ("fields_attributes[1][value]", "she/her"),
    ];
    let me = expect_json(update(&app, &alice.access_token, &form).await, 200).await;
    assert_eq!(me["display_name"], "Alice A.");
    assert_eq!(
        me["note"],
        "<p>Line one<br />line two</p><p>Second paragraph</p>"
    );
    assert_eq!(me["source"]["note"], note);
    assert_eq!(me["locked"], true);
    assert_eq!(me["bot"], true);
    let fields = me["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), 2, "{me}");
    assert_eq!(fields[0]["name"], "Website");
    let link = fields[0]["value"].as_str().expect("value");
    assert!(
        link.starts_with("<a href=\"https://alice.example/\"") && link.contains("me"),
        "{link}"
    );
    assert_eq!(fields[0]["verified_at"], Value::Null);
    assert_eq!(
        fields[1],
        json!({ "name": "Pronouns", "value": "she/her", "verified_at": null })
    );
    assert_eq!(me["source"]["fields"][0]["value"], "https://alice.example/");
    assert_eq!(me["source"]["fields"][1]["name"], "Pronouns");

    // Absent parameters keep their values; the public view shows the same profile.
    let me = expect_json(
        update(&app, &alice.access_token, &[("display_name", "Al")]).await,
        200,
    )
    .await;
    assert_eq!(me["source"]["note"], note);
    assert_eq!(me["fields"].as_array().map(Vec::len), Some(2));
    let public = expect_json(
        app.get(&format!("/api/v1/accounts/{}", alice.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(public["display_name"], "Al");
    assert_eq!(public["note"], me["note"]);
    assert_eq!(public["fields"], me["fields"]);
    assert!(
        public.get("source").is_none(),
        "source is only for the owner: {public}"
    );
}

#[sqlx::test]
async fn updating_the_profile_with_json_takes_fields_as_an_array(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let body = json!({
        "display_name": "Jay Son",
        "locked": false,
        "fields_attributes": [{ "name": "First", "value": "1" }, { "name": "Second", "value": "2" }],
    });
    let me = update_json(&app, &alice.access_token, &body).await;
    assert_eq!(me["display_name"], "Jay Son");
    assert_eq!(me["locked"], false);
    assert_eq!(field_names(&me), ["First", "Second"]);
}

#[sqlx::test]
async fn fields_keep_the_order_given_whatever_their_index(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    // The example from Mastodon's documentation of update_credentials.
    let body = json!({ "fields_attributes": {
        "420": { "name": "1st", "value": "field" },
        "69": { "name": "2nd", "value": "field" },
        "1312": { "name": "3rd", "value": "field" },
    }});
    let me = update_json(&app, &alice.access_token, &body).await;
    assert_eq!(field_names(&me), ["1st", "2nd", "3rd"]);
}

#[sqlx::test]
async fn updating_the_profile_with_multipart_form_data_works(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let form = multipart::Form::new()
        .text("display_name", "Multi Part")
        .text("note", "From a form")
        .text("fields_attributes[0][name]", "Home")
        .text("fields_attributes[0][value]", "here")
        .text("source[privacy]", "private");
    let response = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&alice.access_token)
        .multipart(form)
        .send()
        .await;
    let me = expect_json(response, 200).await;
    assert_eq!(me["display_name"], "Multi Part");
    assert_eq!(me["note"], "<p>From a form</p>");
    assert_eq!(me["fields"][0]["name"], "Home");
    assert_eq!(me["source"]["privacy"], "private");
}

#[sqlx::test]
async fn profile_limits_are_enforced(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let long_name = "n".repeat(31);
    let error = expect_error(
        update(&app, &alice.access_token, &[("display_name", &long_name)]).await,
        422,
    )
    .await;
    assert!(error["details"]["display_name"].is_array(), "{error}");
    expect_error(
        update(&app, &alice.access_token, &[("note", &"n".repeat(501))]).await,
        422,
    )
    .await;

    let keys: Vec<(String, String)> = (0..5)
        .flat_map(|i| {
            [
                (format!("fields_attributes[{i}][name]"), format!("n{i}")),
                (format!("fields_attributes[{i}][value]"), "v".into()),
            ]
        })
        .collect();
    let five: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    expect_error(update(&app, &alice.access_token, &five).await, 422).await;
    let four = &five[..8];
    let me = expect_json(update(&app, &alice.access_token, four).await, 200).await;
    assert_eq!(me["fields"].as_array().map(Vec::len), Some(4));

    let at_limit = "n".repeat(30);
    let me = expect_json(
        update(&app, &alice.access_token, &[("display_name", &at_limit)]).await,
        200,
    )
    .await;
    assert_eq!(me["display_name"], at_limit.as_str());
}

#[sqlx::test]
async fn posting_defaults_in_source_are_saved_and_validated(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let form = [
        ("source[privacy]", "unlisted"),
        ("source[sensitive]", "true"),
        ("source[language]", "de"),
    ];
    let me = expect_json(update(&app, &alice.access_token, &form).await, 200).await;
    assert_eq!(me["source"]["privacy"], "unlisted");
    assert_eq!(me["source"]["sensitive"], true);
    assert_eq!(me["source"]["language"], "de");

    let error = expect_error(
        update(&app, &alice.access_token, &[("source[privacy]", "bogus")]).await,
        422,
    )
    .await;
    assert!(
        error["details"]["source[privacy]"].is_array() || error["details"]["privacy"].is_array(),
        "{error}"
    );
    let me = expect_json(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        me["source"]["privacy"], "unlisted",
        "a rejected update changes nothing"
    );
}

#[sqlx::test]
async fn html_typed_into_the_profile_is_escaped_in_the_rendered_note_and_fields(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let note = "<script>alert(1)</script> & <b>co</b>";
    let form = [
        ("display_name", "<b>Bold</b>"),
        ("note", note),
        ("fields_attributes[0][name]", "Tag"),
        ("fields_attributes[0][value]", "<i>x</i>"),
    ];
    let me = expect_json(update(&app, &alice.access_token, &form).await, 200).await;
    assert_eq!(
        me["note"],
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;</p>"
    );
    assert_eq!(me["source"]["note"], note);
    // display_name is plain text in Mastodon's API: clients escape it themselves.
    assert_eq!(me["display_name"], "<b>Bold</b>");
    assert_eq!(me["fields"][0]["value"], "&lt;i&gt;x&lt;/i&gt;");
    assert_eq!(me["source"]["fields"][0]["value"], "<i>x</i>");
}

#[sqlx::test]
async fn a_read_only_token_cannot_update_the_profile(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let read_only = app
        .password_token(&alice.app, "alice", PASSWORD, "read")
        .await;
    expect_error(
        update(&app, &read_only, &[("display_name", "Hacked")]).await,
        403,
    )
    .await;
    let me = expect_json(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&read_only)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(me["display_name"], "");
}

#[sqlx::test]
async fn blank_fields_are_dropped_so_sending_only_blank_fields_clears_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let form = [
        ("fields_attributes[0][name]", ""),
        ("fields_attributes[0][value]", " "),
        ("fields_attributes[1][name]", "Kept"),
        ("fields_attributes[1][value]", "yes"),
    ];
    let me = expect_json(update(&app, &alice.access_token, &form).await, 200).await;
    assert_eq!(field_names(&me), ["Kept"]);

    let blank = [
        ("fields_attributes[0][name]", ""),
        ("fields_attributes[0][value]", ""),
    ];
    let me = expect_json(update(&app, &alice.access_token, &blank).await, 200).await;
    assert_eq!(me["fields"], json!([]));
    assert_eq!(me["source"]["fields"], json!([]));
}

/// `GET /api/v1/preferences` (called at start-up by Elk, Phanpy, Ice Cubes, Mastodon
/// Android and toot) shows the posting defaults set through update_credentials, keyed as
/// Mastodon keys them, and needs `read:accounts`.
#[sqlx::test]
async fn preferences_show_the_posting_defaults_in_mastodons_keys(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let preferences = |token: String| {
        let request = app.get("/api/v1/preferences").bearer_auth(token);
        async move { request.send().await }
    };
    let fresh = expect_json(preferences(alice.access_token.clone()).await, 200).await;
    assert_eq!(
        fresh,
        json!({
            "posting:default:visibility": "public",
            "posting:default:sensitive": false,
            "posting:default:language": null,
            "posting:default:quote_policy": "public",
            "posting:default:reply_policy": "everyone",
            "reading:expand:media": "default",
            "reading:expand:spoilers": false,
            "reading:autoplay:gifs": false,
        })
    );

    let form = [
        ("source[privacy]", "private"),
        ("source[sensitive]", "true"),
        ("source[language]", "fr"),
    ];
    expect_json(update(&app, &alice.access_token, &form).await, 200).await;
    let changed = expect_json(preferences(alice.access_token.clone()).await, 200).await;
    assert_eq!(changed["posting:default:visibility"], "private");
    assert_eq!(changed["posting:default:sensitive"], true);
    assert_eq!(changed["posting:default:language"], "fr");

    expect_error(app.get("/api/v1/preferences").send().await, 401).await;
    let write_only = app.create_app("write").await;
    let token = app
        .password_token(&write_only, "alice", PASSWORD, "write")
        .await;
    expect_error(preferences(token).await, 403).await;
}

#[sqlx::test]
async fn the_profile_api_shows_and_changes_the_source_values(db: sqlx::PgPool) {
    let app = crate::helpers::TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let profile: serde_json::Value = app
        .as_(&alice)
        .get("/api/v1/profile")
        .await
        .expect("profile");
    assert_eq!(profile["id"], alice.account_id.as_str());
    assert!(
        profile["avatar"].is_null(),
        "no avatar set: null, not the placeholder"
    );
    let changed: serde_json::Value = app
        .as_(&alice)
        .patch(
            "/api/v1/profile",
            &[
                ("note", "I like *cats* & dogs"),
                ("display_name", "Alice"),
                ("fields_attributes[0][name]", "site"),
                ("fields_attributes[0][value]", "https://example.com"),
                ("locked", "true"),
            ],
        )
        .await
        .expect("changed");
    assert_eq!(
        changed["note"], "I like *cats* & dogs",
        "the bio as typed, not HTML"
    );
    assert_eq!(changed["display_name"], "Alice");
    assert_eq!(changed["fields"][0]["value"], "https://example.com");
    assert_eq!(changed["locked"], true);
    app.as_(&alice)
        .post::<serde_json::Value>("/api/v1/featured_tags", &[("name", "cats")])
        .await
        .expect("featured");
    let shown: serde_json::Value = app
        .as_(&alice)
        .get("/api/v1/profile")
        .await
        .expect("profile");
    assert_eq!(
        shown["featured_tags"][0]["name"], "cats",
        "the featured hashtags are part of the profile"
    );
    let account: serde_json::Value = app
        .as_(&alice)
        .get("/api/v1/accounts/verify_credentials")
        .await
        .expect("me");
    assert_eq!(account["locked"], true);
    let too_long = "x".repeat(600);
    let refused = app
        .as_(&alice)
        .patch::<serde_json::Value>("/api/v1/profile", &[("note", too_long.as_str())])
        .await;
    assert_eq!(refused.expect_err("too long").status, 422);
}
