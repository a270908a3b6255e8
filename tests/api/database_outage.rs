//! PostgreSQL going away and coming back. The app reaches the database through a TCP
//! proxy on loopback that the test cuts (closing every connection and refusing new
//! ones) and restores: meanwhile requests answer 503 with `Retry-After` promptly, and
//! afterwards everything works again without a restart.

use std::time::Duration;

use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::helpers::TestApp;

/// A TCP proxy on 127.0.0.1 in front of the test's PostgreSQL.
struct DatabaseProxy {
    port: u16,
    upstream: String,
    running: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl DatabaseProxy {
    /// Starts forwarding on a free port to the server `db` connects to.
    async fn start(db: &PgPool) -> DatabaseProxy {
        let options = db.connect_options();
        let upstream = format!("{}:{}", options.get_host(), options.get_port());
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("binds");
        let port = listener.local_addr().expect("has address").port();
        let mut proxy = DatabaseProxy {
            port,
            upstream,
            running: None,
        };
        proxy.serve(listener);
        proxy
    }

    /// A pool of the app's own kind (roost's pool settings, 2 s acquire timeout) that
    /// reaches the test database through the proxy.
    async fn pool(&self, db: &PgPool) -> PgPool {
        let options = (*db.connect_options())
            .clone()
            .host("127.0.0.1")
            .port(self.port);
        roost::db::connect_with(options, 5, Duration::from_secs(2))
            .await
            .expect("connects through the proxy")
    }

    fn serve(&mut self, listener: TcpListener) {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(forward(listener, self.upstream.clone(), stopped));
        self.running = Some((stop, task));
    }

    /// The database becomes unreachable: open connections are closed, new ones refused.
    async fn cut(&mut self) {
        let (stop, task) = self.running.take().expect("the proxy is running");
        let _ = stop.send(true);
        task.await.expect("the proxy stops");
    }

    /// The database is reachable again, on the same port.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("binds the proxy's port again");
        self.serve(listener);
    }
}

/// Accepts and forwards connections until `stop`, then closes all of them.
async fn forward(listener: TcpListener, upstream: String, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((mut client, _)) = accepted else { continue };
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        }
    }
    drop(listener);
    connections.shutdown().await;
}

/// GET `path` with `token`, bounded well below the old 10 s wait for a connection.
async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.get(path)
        .bearer_auth(token)
        .timeout(Duration::from_secs(8))
        .send()
        .await
        .expect("the server answers while the database is away")
}

#[sqlx::test]
async fn while_the_database_is_unreachable_requests_answer_503_and_then_recover_by_themselves(
    db: PgPool,
) {
    let mut proxy = DatabaseProxy::start(&db).await;
    let app = TestApp::spawn(proxy.pool(&db).await).await;
    let alice = app.sign_up("alice").await;

    proxy.cut().await;
    // The first requests meet the pool's broken idle connections, the later ones find
    // no connection at all (refused until the acquire timeout): both are a 503.
    for _ in 0..3 {
        let response = get(
            &app,
            "/api/v1/accounts/verify_credentials",
            &alice.access_token,
        )
        .await;
        assert_eq!(response.status(), 503);
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        assert!(
            retry_after.is_some_and(|secs| secs > 0),
            "Retry-After in seconds"
        );
        let body: serde_json::Value = response.json().await.expect("JSON body");
        let error = body["error"].as_str().expect("a Mastodon-shaped error");
        assert!(
            !error.to_lowercase().contains("pool"),
            "nothing internal: {error}"
        );
    }
    // A peer's signed activity meets the same outage: 503, so it retries soon.
    let delivered = app
        .post("/inbox")
        .header(
            "signature",
            "keyId=\"https://peer.example/users/bob#main-key\",headers=\"(request-target) date digest\",signature=\"AAAA\"",
        )
        .json(&serde_json::json!({
            "id": "https://peer.example/activities/1",
            "type": "Like",
            "actor": "https://peer.example/users/bob",
            "object": "https://peer.example/notes/1",
        }))
        .timeout(Duration::from_secs(8))
        .send()
        .await
        .expect("the inbox answers while the database is away");
    assert_eq!(delivered.status(), 503);
    assert!(delivered.headers().contains_key("retry-after"));
    let health = get(&app, "/health", "").await;
    assert_eq!(health.status(), 503);
    assert!(health.headers().contains_key("retry-after"));

    proxy.restore().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let response = get(
            &app,
            "/api/v1/accounts/verify_credentials",
            &alice.access_token,
        )
        .await;
        if response.status() == 200 {
            break;
        }
        assert_eq!(response.status(), 503, "only 503 while reconnecting");
        assert!(
            tokio::time::Instant::now() < deadline,
            "requests did not recover within 30 s of the database's return"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(get(&app, "/health", "").await.status(), 200);
    // Writes work again too.
    let posted = app
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .json(&serde_json::json!({ "status": "back again" }))
        .send()
        .await
        .expect("answers");
    assert_eq!(posted.status(), 200);
}
