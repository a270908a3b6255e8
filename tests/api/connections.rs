//! Slow and idle clients: a connection that never finishes its request headers, or
//! sits idle between requests, is closed after `ROOST_HEADER_READ_TIMEOUT` instead of
//! holding a socket and a task for ever.

use std::time::Duration;

use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// Reads until the server closes the connection (EOF or reset), returning what it
/// sent; panics if it is still open after `deadline`.
async fn read_until_closed(stream: &mut TcpStream, deadline: Duration) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = tokio::time::timeout(deadline, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server kept the connection open; it sent {:?}",
        String::from_utf8_lossy(&received)
    );
    String::from_utf8_lossy(&received).into_owned()
}

#[sqlx::test]
async fn a_client_that_stops_in_the_middle_of_its_headers_is_disconnected(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--header-read-timeout", "1"]).await;
    let mut stream = TcpStream::connect(&app.domain).await.expect("connects");
    stream
        .write_all(b"GET /api/v1/instance HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("writes");
    read_until_closed(&mut stream, Duration::from_secs(20)).await;
}

#[sqlx::test]
async fn a_connection_idle_after_its_request_is_closed(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--header-read-timeout", "1"]).await;
    let mut stream = TcpStream::connect(&app.domain).await.expect("connects");
    stream
        .write_all(b"GET /api/v1/streaming/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    let answer = read_until_closed(&mut stream, Duration::from_secs(20)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("OK"), "{answer}");
}
