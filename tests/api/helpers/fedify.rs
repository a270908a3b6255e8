//! Fedify (npm `@fedify/fedify`) as an independent peer for the RFC 9421 tests: a
//! signer (`tests/clients/fedify_sign.mjs`) and an inbox that verifies with Fedify
//! (`tests/clients/fedify_inbox.mjs`), both on loopback.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use super::test_node_modules;

const SIGN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/fedify_sign.mjs");
const INBOX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/clients/fedify_inbox.mjs"
);

/// The headers Fedify produces to sign a POST of `body` to `url` with the RSA key in
/// `key_pem` named `key_id`, with `spec` (`rfc9421` or
/// `draft-cavage-http-signatures-12`).
pub async fn sign_post(
    url: &str,
    body: &str,
    key_pem: &Path,
    key_id: &str,
    spec: &str,
) -> BTreeMap<String, String> {
    let body_file = tempfile::NamedTempFile::new().expect("temporary file");
    std::fs::write(body_file.path(), body).expect("writes the body");
    let output = Command::new("node")
        .arg(SIGN)
        .args(["--url", url, "--key-id", key_id, "--spec", spec])
        .arg("--key")
        .arg(key_pem)
        .arg("--body")
        .arg(body_file.path())
        .env("ROOST_TEST_NODE_MODULES", test_node_modules())
        .output()
        .await
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "fedify_sign.mjs failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("fedify_sign.mjs prints JSON")
}

/// A running Fedify inbox; stops when dropped.
pub struct FedifyInbox {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

/// What the Fedify inbox saw of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knock {
    pub scheme: String,
    pub key_id: String,
    pub verified: bool,
}

impl FedifyInbox {
    pub async fn start() -> FedifyInbox {
        let mut child = Command::new("node")
            .arg(INBOX)
            .env("ROOST_TEST_NODE_MODULES", test_node_modules())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = next_line(&mut lines).await;
        let port = first["port"].as_u64().expect("the inbox prints its port");
        FedifyInbox {
            base: format!("http://127.0.0.1:{port}"),
            _child: child,
            lines,
        }
    }

    /// The next request the inbox judged (waits up to 30 seconds).
    pub async fn next_knock(&mut self) -> Knock {
        let line = next_line(&mut self.lines).await;
        Knock {
            scheme: line["scheme"].as_str().expect("scheme").to_owned(),
            key_id: line["keyId"].as_str().unwrap_or_default().to_owned(),
            verified: line["verified"].as_bool().expect("verified"),
        }
    }
}

async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the Fedify inbox answers within 30 s")
        .expect("reads stdout")
        .expect("the Fedify inbox is running");
    serde_json::from_str(&line).expect("a JSON line")
}
