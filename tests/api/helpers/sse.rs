//! Server-Sent Events from Roost's streaming API, read as a client does, for the
//! streaming tests.

use std::time::Duration;

use serde_json::Value;

use super::{TestApp, TestUser};

/// Reads Server-Sent Events from a streaming response.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    pub async fn open(app: &TestApp, path: &str, user: &TestUser) -> SseReader {
        SseReader::open_as(app, path, Some(user)).await
    }

    /// Opens a stream without a token.
    pub async fn open_anonymous(app: &TestApp, path: &str) -> SseReader {
        SseReader::open_as(app, path, None).await
    }

    pub async fn open_as(app: &TestApp, path: &str, user: Option<&TestUser>) -> SseReader {
        let mut request = app.get(path);
        if let Some(user) = user {
            request = request.bearer_auth(&user.access_token);
        }
        let response = request.send().await.expect("connects");
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/event-stream"));
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    /// The next event other than keep-alive comments, or `None` after 10 seconds.
    pub async fn next(&mut self) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = Some(name.trim().to_owned());
                    } else if let Some(part) = line.strip_prefix("data:") {
                        data.push_str(part.trim_start());
                    }
                }
                if let Some(event) = event {
                    return Some((event, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Every event up to and including the first named `event` whose data mentions
    /// `id`; panics when none arrives in time.
    pub async fn until(&mut self, event: &str, id: &str) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        while let Some((name, data)) = self.next().await {
            let last = name == event && data.contains(id);
            seen.push((name, data));
            if last {
                return seen;
            }
        }
        panic!("no `{event}` event about {id} arrived in time; saw {seen:?}");
    }

    /// Skips events until one named `event` whose data satisfies `matches`.
    pub async fn expect(&mut self, event: &str, matches: impl Fn(&Value) -> bool) -> Value {
        while let Some((name, data)) = self.next().await {
            if name == event {
                let value: Value = serde_json::from_str(&data).unwrap_or(Value::String(data));
                if matches(&value) {
                    return value;
                }
            }
        }
        panic!("no `{event}` event arrived in time");
    }
}

/// Posts public statuses as `author` until `reader` streams one: the process's
/// listener connects asynchronously after the first subscriber.
pub async fn warm_up(app: &TestApp, author: &TestUser, reader: &mut SseReader) {
    for _ in 0..20 {
        let id = app.post_status(author, &[("status", "warming up")]).await;
        let arrived = tokio::time::timeout(Duration::from_millis(500), reader.next()).await;
        if let Ok(Some((event, data))) = arrived {
            if event == "update" && data.contains(&id) {
                return;
            }
        }
    }
    panic!("the stream never delivered a post");
}
