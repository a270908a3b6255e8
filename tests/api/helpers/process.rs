//! `roost serve` run as an operator runs it: a child process on a free loopback
//! port, configured by environment, its output collected as it comes.

use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use sqlx::PgPool;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

use super::shell::test_database_url;

/// A free loopback port (free when asked; a test binds it soon after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A `roost serve` process on a free loopback port, its output read as it comes (a
/// full pipe would stop the server).
pub struct Served {
    child: Child,
    stdout: tokio::task::JoinHandle<String>,
    stderr: tokio::task::JoinHandle<String>,
    pub base: String,
    /// The secret key the process was given.
    pub secret_key: String,
    _files: tempfile::TempDir,
}

/// Reads `pipe` to its end in the background.
fn collect<R: tokio::io::AsyncRead + Unpin + Send + 'static>(
    pipe: Option<R>,
) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes).await;
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// Starts `roost serve` on `db` with `env` added; waits for `/health`.
pub async fn serve(db: &PgPool, env: &[(&str, &str)]) -> Served {
    let port = free_port();
    let files = tempfile::tempdir().expect("temp dir");
    let secret_key = roost::auth::secrets::random_token(48);
    let key_file = files.path().join("secret.key");
    std::fs::write(&key_file, &secret_key).expect("key written");
    let address = format!("127.0.0.1:{port}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_roost"));
    command
        .arg("serve")
        .env("DATABASE_URL", test_database_url(db))
        .env("ROOST_DOMAIN", &address)
        .env("ROOST_BIND", &address)
        .env("ROOST_INSECURE_HTTP", "true")
        .env("ROOST_RATE_LIMITS", "off")
        .env("ROOST_REGISTRATION", "open")
        .env("ROOST_SECRET_KEY_FILE", &key_file)
        .env("ROOST_MEDIA_DIR", files.path().join("media"))
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("roost serve starts");
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(answer) = client.get(format!("{base}/health")).send().await {
            if answer.status().is_success() {
                return Served {
                    child,
                    stdout,
                    stderr,
                    base,
                    secret_key,
                    _files: files,
                };
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("roost serve did not answer /health within 30 s");
}

impl Served {
    /// Stops the process; returns all it wrote (stdout, then stderr).
    pub async fn output(mut self) -> String {
        self.child.start_kill().expect("killed");
        self.child.wait().await.expect("exited");
        let stdout = self.stdout.await.expect("stdout read");
        let stderr = self.stderr.await.expect("stderr read");
        stdout + &stderr
    }
}
