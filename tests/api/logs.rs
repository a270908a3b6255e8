//! The server's log, read as an operator reads it: `roost serve` run as a process with
//! `ROOST_LOG_FORMAT=json` and everything at debug level, driven through sign-up,
//! tokens, posting and refused requests. Every line is one JSON object, request lines
//! carry their request id, and no token, password, client secret, key or code appears
//! anywhere in the output. Also: without a terminal, text lines have no colour codes,
//! and an unknown format is refused.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use tokio::process::Command;

use crate::helpers::process::serve;
use crate::helpers::shell::test_database_url;

/// JSON of a successful answer.
async fn json(response: reqwest::Result<reqwest::Response>) -> Value {
    let response = response.expect("sent");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("json")
}

#[sqlx::test]
async fn json_logs_carry_request_ids_and_never_a_secret(db: PgPool) {
    let served = serve(&db, &[("ROOST_LOG_FORMAT", "json"), ("ROOST_LOG", "debug")]).await;
    let base = served.base.clone();
    let client = reqwest::Client::new();
    let password = "a very secret password 1";
    let app = json(
        client
            .post(format!("{base}/api/v1/apps"))
            .form(&[
                ("client_name", "Logs"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ("scopes", "read write"),
            ])
            .send()
            .await,
    )
    .await;
    let client_id = app["client_id"].as_str().expect("client_id").to_owned();
    let client_secret = app["client_secret"].as_str().expect("secret").to_owned();
    let app_token = json(
        client
            .post(format!("{base}/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", client_secret.as_str()),
                ("scope", "read write"),
            ])
            .send()
            .await,
    )
    .await["access_token"]
        .as_str()
        .expect("app token")
        .to_owned();
    let user_token = json(
        client
            .post(format!("{base}/api/v1/accounts"))
            .bearer_auth(&app_token)
            .form(&[
                ("username", "logan"),
                ("email", "logan@mail.example"),
                ("password", password),
                ("agreement", "true"),
                ("locale", "en"),
            ])
            .send()
            .await,
    )
    .await["access_token"]
        .as_str()
        .expect("user token")
        .to_owned();
    json(
        client
            .post(format!("{base}/api/v1/statuses"))
            .bearer_auth(&user_token)
            .form(&[("status", "Hello, log")])
            .send()
            .await,
    )
    .await;
    // Refused: a wrong password, a forged token, a wrong client secret.
    let wrong_token = "forgedtoken0123456789forgedtoken0123456789";
    let refused = client
        .get(format!("{base}/api/v1/accounts/verify_credentials"))
        .bearer_auth(wrong_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 401);
    let wrong_password = "not the password 2";
    let refused = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", client_id.as_str()),
            ("client_secret", client_secret.as_str()),
            ("username", "logan@mail.example"),
            ("password", wrong_password),
        ])
        .send()
        .await
        .expect("sent");
    assert!(refused.status().is_client_error());
    let request_id = client
        .get(format!("{base}/api/v1/instance"))
        .send()
        .await
        .expect("sent")
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a request id")
        .to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let secret_key = served.secret_key.clone();
    let output = served.output().await;

    let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 10, "the server logged: {output}");
    let mut tagged = false;
    for line in &lines {
        let entry: Value = serde_json::from_str(line)
            .unwrap_or_else(|_| panic!("not one JSON object per line: {line}"));
        let spans = entry["spans"].as_array().cloned().unwrap_or_default();
        tagged |= spans
            .iter()
            .any(|span| span["name"] == "request" && span["request_id"] == request_id.as_str());
    }
    assert!(
        tagged,
        "no line of the /api/v1/instance request names its id {request_id}"
    );
    for (what, secret) in [
        ("the password", password),
        ("the wrong password", wrong_password),
        ("the client secret", client_secret.as_str()),
        ("the app token", app_token.as_str()),
        ("the user token", user_token.as_str()),
        ("the forged token", wrong_token),
        ("the secret key", secret_key.as_str()),
        ("a private key", "PRIVATE KEY"),
    ] {
        assert!(!output.contains(secret), "{what} is in the log");
    }
}

#[sqlx::test]
async fn text_logs_have_no_colour_codes_off_a_terminal_and_a_bad_format_is_refused(db: PgPool) {
    let served = serve(&db, &[("ROOST_LOG", "debug")]).await;
    reqwest::get(format!("{}/api/v1/instance", served.base))
        .await
        .expect("sent");
    let output = served.output().await;
    assert!(output.contains("request"), "{output}");
    assert!(
        !output.contains('\u{1b}'),
        "colour codes in a pipe: {output}"
    );

    let refused = Command::new(env!("CARGO_BIN_EXE_roost"))
        .arg("serve")
        .env("ROOST_LOG_FORMAT", "logfmt")
        .env("DATABASE_URL", test_database_url(&db))
        .output()
        .await
        .expect("runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("ROOST_LOG_FORMAT"), "{stderr}");
}
