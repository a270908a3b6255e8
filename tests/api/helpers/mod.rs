//! `TestApp`: a running Roost on 127.0.0.1 with a fresh database, plus shortcuts for
//! the steps most tests share (register an app, sign up a user).
//!
//! Everything more than one test file uses lives under this module, never in a
//! feature's test file:
//! - [`client`]: the typed client (`app.as_(&alice).post_status("hi")`) with the
//!   test-side entities; new tests use it.
//! - [`requests`]: the older untyped shortcuts (`call`, `read`).
//! - [`staff`]: moderators and admins with admin-scoped tokens.
//! - [`peers`]: two or more federating instances and their queues.
//! - [`signed_remote`]: a fake remote server and requests signed by another implementation.
//! - [`media`]: images made in the test and upload helpers.
//! - [`pages`]: a small web site for link preview tests, counting its requests.
//! - [`shell`]: the `roost` binary run as `roost admin …`.
//! - [`sse`]: a reader of Server-Sent Events streams.
//! - [`browser`]: a real headless Chromium (WebDriver) at phone and desktop sizes.
//! - [`smtp`]: an SMTP server on loopback that keeps the mail Roost sends; [`mail`]:
//!   the steps of the account e-mail stories.

// Each test file uses its own part of these helpers.
#![allow(dead_code)]

pub mod browser;
pub mod client;
pub mod fake_lemmy;
pub mod fedify;
pub mod mail;
pub mod media;
pub mod pages;
pub mod peers;
pub mod process;
pub mod relay;
pub mod requests;
pub mod shell;
pub mod signed_remote;
pub mod sms_gateway;
pub mod smtp;
pub mod sse;
pub mod staff;
pub mod test_log;
pub mod web;

// The typed client's types, at hand for every test file (not every one is named yet).
#[allow(unused_imports)]
pub use client::entities::{Account, Notification, Relationship, Status};
#[allow(unused_imports)]
pub use client::{ApiError, ApiResult};

use reqwest::{Client, RequestBuilder, Response, StatusCode};
use roost::app::App;
use roost::config::{self, Config, SecretKey};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// `127.0.0.1:PORT`, also the instance's ROOST_DOMAIN.
    pub domain: String,
    pub db: PgPool,
    pub client: Client,
    /// The server's state, for draining its queues (`run_once`) in federation tests.
    pub state: roost::state::AppState,
    /// The instance's media directory, removed when the app is dropped.
    _media_dir: Option<tempfile::TempDir>,
    _shutdown: oneshot::Sender<()>,
    stopped: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// An app's OAuth credentials.
#[derive(Clone, Debug)]
pub struct OAuthApp {
    pub id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// A signed-up user and the tokens registration returned.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub username: String,
    pub account_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub app: OAuthApp,
}

/// Test settings: `extra` flags override the defaults (loopback over http, no rate
/// limits, open registration).
pub fn test_config(domain: &str, extra: &[&str]) -> Config {
    let defaults = [
        ("--domain", domain),
        ("--insecure-http", "true"),
        ("--rate-limits", "off"),
        ("--registration", "open"),
        ("--preview-cards", "false"),
    ];
    let mut args: Vec<String> = vec![
        "roost".into(),
        "--database-url".into(),
        "postgres://unused".into(),
    ];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            args.extend([flag.to_owned(), value.to_owned()]);
        }
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    config::parse_from(args).expect("test config parses")
}

/// One secret for all test instances of a run, so two processes on one database
/// accept each other's tokens as a real multi-process deployment does.
pub fn test_secret() -> SecretKey {
    SecretKey(b"roost-test-secret-0123456789abcdef0123456789".to_vec())
}

impl TestApp {
    /// Starts Roost with default test settings.
    pub async fn spawn(db: PgPool) -> TestApp {
        TestApp::spawn_with(db, &[]).await
    }

    /// Starts Roost with extra `roost serve` flags, e.g. `["--registration", "closed"]`.
    pub async fn spawn_with(db: PgPool, extra: &[&str]) -> TestApp {
        TestApp::spawn_at(db, 0, extra).await
    }

    /// Starts Roost on a given port (0: any free port), e.g. to restart an instance
    /// where its peers know it.
    pub async fn spawn_at(db: PgPool, port: u16, extra: &[&str]) -> TestApp {
        test_log::start();
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("binds");
        let port = listener.local_addr().expect("has address").port();
        let domain = format!("127.0.0.1:{port}");
        let media_dir = (!extra.contains(&"--media-dir"))
            .then(|| tempfile::tempdir().expect("creates a media directory"));
        let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        if let Some(dir) = &media_dir {
            args.extend(["--media-dir".to_owned(), dir.path().display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let config = test_config(&domain, &args);
        let app = App::with_listener(config, db.clone(), &test_secret(), listener).expect("builds");
        let state = app.state().clone();
        let (shutdown, shutdown_received) = oneshot::channel::<()>();
        let stopped = tokio::spawn(app.run_until(async {
            let _ = shutdown_received.await;
        }));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .expect("client builds");
        TestApp {
            base: format!("http://{domain}"),
            domain,
            db,
            client,
            state,
            _media_dir: media_dir,
            _shutdown: shutdown,
            stopped,
        }
    }

    /// Shuts the server down (as SIGTERM would) and waits until it has stopped, so its
    /// port is free for a restart.
    pub async fn stop(self) {
        drop(self._shutdown);
        let _ = self.stopped.await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.client.put(self.url(path))
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.client.patch(self.url(path))
    }

    /// Registers an app with the given scopes and the out-of-band redirect URI plus
    /// `https://app.example/callback`.
    pub async fn create_app(&self, scopes: &str) -> OAuthApp {
        let body = json!({
            "client_name": "Test app",
            "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob", "https://app.example/callback"],
            "scopes": scopes,
            "website": "https://app.example",
        });
        let app: Value = expect_json(self.post("/api/v1/apps").json(&body).send().await, 200).await;
        OAuthApp {
            id: app["id"].as_str().expect("id").to_owned(),
            client_id: app["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: app["client_secret"]
                .as_str()
                .expect("client_secret")
                .to_owned(),
        }
    }

    /// A client_credentials token for `app`.
    pub async fn app_token(&self, app: &OAuthApp, scope: &str) -> String {
        let token = self
            .token_request(
                app,
                &[("grant_type", "client_credentials"), ("scope", scope)],
            )
            .await;
        let token: Value = expect_json(Ok(token), 200).await;
        token["access_token"].as_str().expect("token").to_owned()
    }

    /// POST /oauth/token with the app's credentials in the form body.
    pub async fn token_request(&self, app: &OAuthApp, params: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
        ];
        form.extend_from_slice(params);
        self.post("/oauth/token")
            .form(&form)
            .send()
            .await
            .expect("request sent")
    }

    /// Registers `username` through the API (app with `read write follow push`).
    pub async fn sign_up(&self, username: &str) -> TestUser {
        let app = self.create_app("read write follow push").await;
        self.sign_up_with(&app, username).await
    }

    /// Registers `username` through the API with an existing app.
    pub async fn sign_up_with(&self, app: &OAuthApp, username: &str) -> TestUser {
        let app_token = self.app_token(app, "read write follow push").await;
        let response = self
            .post("/api/v1/accounts")
            .bearer_auth(&app_token)
            .form(&[
                ("username", username),
                ("email", &format!("{username}@mail.example")),
                ("password", PASSWORD),
                ("agreement", "true"),
                ("locale", "en"),
            ])
            .send()
            .await;
        let token: Value = expect_json(response, 200).await;
        let access_token = token["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        let me: Value = expect_json(
            self.get("/api/v1/accounts/verify_credentials")
                .bearer_auth(&access_token)
                .send()
                .await,
            200,
        )
        .await;
        TestUser {
            username: username.to_owned(),
            account_id: me["id"].as_str().expect("id").to_owned(),
            access_token,
            refresh_token: token["refresh_token"]
                .as_str()
                .expect("refresh token")
                .to_owned(),
            app: app.clone(),
        }
    }

    /// Posts a status as `user` (form parameters) and returns its id.
    pub async fn post_status(&self, user: &TestUser, form: &[(&str, &str)]) -> String {
        let response = self
            .post("/api/v1/statuses")
            .bearer_auth(&user.access_token)
            .form(form)
            .send()
            .await;
        expect_json(response, 200).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// The status code of GET verify_credentials with `token`.
    pub async fn verify_status(&self, token: &str) -> StatusCode {
        self.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
            .status()
    }
}

/// Asserts the status and returns the JSON body, printing the body on mismatch.
pub async fn expect_json(response: reqwest::Result<Response>, status: u16) -> Value {
    let response = response.expect("request sent");
    let actual = response.status().as_u16();
    let text = response.text().await.expect("body read");
    assert_eq!(actual, status, "unexpected status {actual}; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("body is not JSON: {text}"))
}

/// Asserts a Mastodon-shaped error: the status and a non-empty `error` string.
pub async fn expect_error(response: reqwest::Result<Response>, status: u16) -> Value {
    let body = expect_json(response, status).await;
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "error body lacks `error`: {body}"
    );
    body
}

impl TestApp {
    /// A password-grant access token for `login` limited to `scope`; asserts that the
    /// token endpoint grants exactly that scope.
    pub async fn password_token(
        &self,
        app: &OAuthApp,
        login: &str,
        password: &str,
        scope: &str,
    ) -> String {
        let params = [
            ("grant_type", "password"),
            ("username", login),
            ("password", password),
            ("scope", scope),
        ];
        let token = expect_json(Ok(self.token_request(app, &params).await), 200).await;
        assert_eq!(token["scope"], scope, "granted scope: {token}");
        token["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }
}

/// The URL of a metrics listener for an in-process instance, as `ROOST_METRICS_BIND`
/// would serve it.
pub async fn metrics_listener(app: &TestApp) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}/metrics", listener.local_addr().expect("address"));
    tokio::spawn(roost::metrics::server::serve(
        listener,
        app.state.clone(),
        std::future::pending(),
    ));
    url
}

/// The value of the sample `series` (`name{labels}`, as printed) at `metrics_url`; 0
/// when absent (a counter not yet moved).
pub async fn metric_value(metrics_url: &str, series: &str) -> f64 {
    let text = reqwest::get(metrics_url)
        .await
        .expect("scraped")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().expect("a number"))
}

/// Tells this test process's instances that auth state (a role, a suspension…) was
/// changed by hand in the database, as Roost's own writes do, so that a token check
/// kept from before is not used for the next request; without it only the database's
/// `NOTIFY roost_auth` would, a little later (see `auth::token_cache`).
pub fn auth_changed_by_hand() {
    roost::db::oauth::wrote_auth_state();
}

/// The single value of `sql` (a `SELECT count(*)`, a column of one row).
pub async fn scalar(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db)
        .await
        .expect("query runs")
}

/// The `node_modules` folder holding masto.js for the Node.js test clients:
/// `ROOST_TEST_NODE_MODULES`, or the project's `.node/` that `scripts/test` fills.
pub fn test_node_modules() -> String {
    if let Ok(modules) = std::env::var("ROOST_TEST_NODE_MODULES") {
        return modules;
    }
    let modules = concat!(env!("CARGO_MANIFEST_DIR"), "/.node/node_modules");
    assert!(
        std::path::Path::new(modules).join("masto").exists(),
        "masto.js is missing: run scripts/test (it fills .node/), or set ROOST_TEST_NODE_MODULES"
    );
    modules.to_owned()
}

/// The Python interpreter of the test clients (Mastodon.py, `cryptography`):
/// `ROOST_TEST_PYTHON`, or the project venv that `scripts/test` creates.
pub fn test_python() -> String {
    if let Ok(python) = std::env::var("ROOST_TEST_PYTHON") {
        return python;
    }
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    assert!(
        std::path::Path::new(venv).exists(),
        "the test venv is missing: run scripts/test (it creates .venv/), or set ROOST_TEST_PYTHON"
    );
    venv.to_owned()
}
