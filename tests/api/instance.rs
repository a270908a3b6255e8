//! What a server tells apps about itself: `/api/v1/instance`, `/api/v2/instance`
//! (<https://docs.joinmastodon.org/methods/instance/>), the OAuth server metadata
//! (RFC 8414), `/health`, and the OpenAPI document.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{expect_json, TestApp};

async fn get_json(app: &TestApp, path: &str) -> Value {
    expect_json(app.get(path).send().await, 200).await
}

#[sqlx::test]
async fn both_instance_versions_answer_with_and_without_a_trailing_slash(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/api/v1/instance",
        "/api/v1/instance/",
        "/api/v2/instance",
        "/api/v2/instance/",
    ] {
        let instance = get_json(&app, path).await;
        let version = instance["version"].as_str().expect("version");
        assert!(
            version.starts_with("4.3.0 (compatible; Roost "),
            "{path}: {version}"
        );
        assert_eq!(instance["title"], "Roost", "{path}");
    }
    assert_eq!(
        get_json(&app, "/api/v2/instance/").await,
        get_json(&app, "/api/v2/instance").await
    );
}

#[sqlx::test]
async fn the_v2_instance_describes_the_domain_registrations_and_limits(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let instance = get_json(&app, "/api/v2/instance").await;
    assert_eq!(instance["domain"], app.domain.as_str());
    assert_eq!(instance["registrations"]["enabled"], true);
    assert_eq!(instance["registrations"]["approval_required"], false);
    assert!(
        instance["api_versions"]["mastodon"]
            .as_u64()
            .is_some_and(|v| v >= 1),
        "{instance}"
    );
    let configuration = &instance["configuration"];
    assert_eq!(configuration["statuses"]["max_characters"], 500);
    assert!(
        configuration["statuses"]["max_media_attachments"].is_u64(),
        "{configuration}"
    );
    assert!(
        configuration["polls"]["max_options"].is_u64(),
        "{configuration}"
    );
    assert_eq!(
        configuration["urls"]["streaming"],
        format!("ws://{}", app.domain)
    );
    assert!(
        instance["usage"]["users"]["active_month"].is_i64(),
        "{instance}"
    );
    assert!(
        instance["languages"].is_array() && instance["rules"].is_array(),
        "{instance}"
    );
    assert!(instance["contact"]["email"].is_string(), "{instance}");
}

#[sqlx::test]
async fn the_v1_instance_counts_local_users(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let before = get_json(&app, "/api/v1/instance").await;
    assert_eq!(before["uri"], app.domain.as_str());
    assert_eq!(before["stats"]["user_count"], 0);
    assert_eq!(before["registrations"], true);
    assert_eq!(before["approval_required"], false);
    assert_eq!(
        before["urls"]["streaming_api"],
        format!("ws://{}", app.domain)
    );
    assert_eq!(before["configuration"]["statuses"]["max_characters"], 500);

    app.sign_up("alice").await;
    let after = get_json(&app, "/api/v1/instance").await;
    assert_eq!(after["stats"]["user_count"], 1);
}

#[sqlx::test]
async fn the_registration_mode_is_reported_in_both_versions(db: PgPool) {
    let approval = TestApp::spawn_with(db.clone(), &["--registration", "approval"]).await;
    let v2 = get_json(&approval, "/api/v2/instance").await;
    assert_eq!(v2["registrations"]["enabled"], true);
    assert_eq!(v2["registrations"]["approval_required"], true);
    let v1 = get_json(&approval, "/api/v1/instance").await;
    assert_eq!(
        (&v1["registrations"], &v1["approval_required"]),
        (&json!(true), &json!(true))
    );

    let closed = TestApp::spawn_with(db, &["--registration", "closed"]).await;
    let v2 = get_json(&closed, "/api/v2/instance").await;
    assert_eq!(v2["registrations"]["enabled"], false);
    let v1 = get_json(&closed, "/api/v1/instance").await;
    assert_eq!(v1["registrations"], false);
}

#[sqlx::test]
async fn the_oauth_server_metadata_follows_rfc_8414(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let metadata = get_json(&app, "/.well-known/oauth-authorization-server").await;
    let base = &app.base;
    assert_eq!(metadata["issuer"], format!("{base}/"));
    assert_eq!(
        metadata["authorization_endpoint"],
        format!("{base}/oauth/authorize")
    );
    assert_eq!(metadata["token_endpoint"], format!("{base}/oauth/token"));
    assert_eq!(
        metadata["revocation_endpoint"],
        format!("{base}/oauth/revoke")
    );
    assert_eq!(
        metadata["app_registration_endpoint"],
        format!("{base}/api/v1/apps")
    );
    let grants = metadata["grant_types_supported"]
        .as_array()
        .expect("grant types");
    for grant in [
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
    ] {
        assert!(
            grants.contains(&json!(grant)),
            "{grant} missing: {metadata}"
        );
    }
    assert_eq!(metadata["response_types_supported"], json!(["code"]));
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
    let scopes = metadata["scopes_supported"].as_array().expect("scopes");
    for scope in [
        "read",
        "write",
        "follow",
        "push",
        "profile",
        "read:accounts",
    ] {
        assert!(
            scopes.contains(&json!(scope)),
            "{scope} missing: {metadata}"
        );
    }
}

#[sqlx::test]
async fn health_reports_ok_while_the_database_answers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    assert_eq!(get_json(&app, "/health").await, json!({ "status": "ok" }));
}

/// Every route of `src/api/mod.rs` and `/health`, with its methods (trailing-slash
/// duplicates left out).
const ROUTES: &[(&str, &[&str])] = &[
    ("/api/v1/apps", &["post"]),
    ("/api/v1/apps/verify_credentials", &["get"]),
    ("/api/v1/accounts", &["post"]),
    ("/api/v1/accounts/verify_credentials", &["get"]),
    ("/api/v1/accounts/update_credentials", &["patch"]),
    ("/api/v1/preferences", &["get"]),
    ("/api/v1/profile/avatar", &["delete"]),
    ("/api/v1/profile/header", &["delete"]),
    ("/api/v1/accounts/familiar_followers", &["get"]),
    ("/api/v1/accounts", &["get", "post"]),
    ("/api/v1/statuses", &["get", "post"]),
    ("/api/v1/instance/peers", &["get"]),
    ("/api/v1/instance/translation_languages", &["get"]),
    ("/api/v2/media", &["post"]),
    ("/api/v1/media", &["post"]),
    ("/api/v1/media/{id}", &["get", "put", "delete"]),
    ("/api/v1/accounts/lookup", &["get"]),
    ("/api/v1/accounts/{id}", &["get"]),
    ("/api/v1/instance", &["get"]),
    ("/api/v1/lists", &["get", "post"]),
    ("/api/v1/lists/{id}", &["get", "put", "delete"]),
    ("/api/v1/lists/{id}/accounts", &["get", "post", "delete"]),
    ("/api/v1/accounts/{id}/lists", &["get"]),
    ("/api/v1/timelines/list/{id}", &["get"]),
    ("/api/v2/instance", &["get"]),
    ("/oauth/authorize", &["get", "post"]),
    ("/oauth/token", &["post"]),
    ("/oauth/revoke", &["post"]),
    ("/.well-known/oauth-authorization-server", &["get"]),
    ("/health", &["get"]),
];

#[sqlx::test]
async fn the_openapi_document_lists_every_route_with_its_methods(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let document = get_json(&app, "/api/openapi.json").await;
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")),
        "OpenAPI 3.x"
    );
    let paths = document["paths"].as_object().expect("paths");
    for (path, methods) in ROUTES {
        let item = paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} is missing from the OpenAPI paths"));
        for method in *methods {
            assert!(
                item.get(*method).is_some(),
                "{method} {path} is missing from the OpenAPI document"
            );
        }
    }
    assert!(
        document["components"]["securitySchemes"]["bearer"].is_object(),
        "bearer scheme declared"
    );
}

#[sqlx::test]
async fn the_openapi_document_lists_its_own_route(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let document = get_json(&app, "/api/openapi.json").await;
    let paths = document["paths"].as_object().expect("paths");
    let listed: Vec<&String> = paths.keys().collect();
    assert!(
        paths
            .get("/api/openapi.json")
            .is_some_and(|item| item["get"].is_object()),
        "{listed:?}"
    );
}

#[sqlx::test]
async fn openapi_parameters_are_in_the_query_unless_the_path_names_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let document = get_json(&app, "/api/openapi.json").await;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().expect("parameter name");
                let in_path = parameter["in"] == "path";
                assert_eq!(
                    in_path,
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: {parameter}"
                );
            }
        }
    }
    let lookup = &document["paths"]["/api/v1/accounts/lookup"]["get"]["parameters"][0];
    assert_eq!(
        (&lookup["name"], &lookup["in"]),
        (&json!("acct"), &json!("query"))
    );
}

/// `GET /api/v1/instance/peers` (Ice Cubes calls it at start-up) lists the domains of
/// known remote accounts once each, lowercased, without blocked domains or their
/// subdomains; in allowlist mode it is hidden, as Mastodon hides it.
#[sqlx::test]
async fn peers_lists_known_domains_except_blocked_ones(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    assert_eq!(get_json(&app, "/api/v1/instance/peers").await, json!([]));
    sqlx::query(
        "INSERT INTO accounts (username, domain) VALUES ('a', 'social.example'), \
           ('b', 'Social.Example'), ('c', 'b.example'), ('d', 'spam.example'), \
           ('e', 'eu.spam.example'), ('f', 'notspam.example')",
    )
    .execute(&db)
    .await
    .expect("remote accounts");
    sqlx::query("INSERT INTO domain_blocks (domain, severity) VALUES ('spam.example', 'suspend')")
        .execute(&db)
        .await
        .expect("domain block");
    assert_eq!(
        get_json(&app, "/api/v1/instance/peers").await,
        json!(["b.example", "notspam.example", "social.example"])
    );

    let limited = TestApp::spawn_with(db, &["--allowlist-mode", "true"]).await;
    let response = limited.get("/api/v1/instance/peers").send().await;
    crate::helpers::expect_error(response, 404).await;
}

/// Without a translation service, no language pair is offered (Mastodon's answer too).
#[sqlx::test]
async fn translation_languages_are_empty_without_a_translator(db: PgPool) {
    let app = TestApp::spawn(db).await;
    assert_eq!(
        get_json(&app, "/api/v1/instance/translation_languages").await,
        json!({})
    );
}
