//! Serving connections on the bound listener: HTTP/1.1 (with upgrades, for the
//! streaming WebSocket), the client's address as `ConnectInfo<SocketAddr>`, a
//! header-read timeout, and graceful shutdown. It replaces `axum::serve`, which offers
//! no timeout, so a client that opened connections and sent nothing (or half a
//! request) held each one for ever.
//!
//! The timeout (`ROOST_HEADER_READ_TIMEOUT`) is hyper's: it runs whenever the server
//! waits for a request's headers — from the connection's start, and again each time a
//! keep-alive connection waits for its next request — so it bounds both slow header
//! senders and idle keep-alive connections. It does not touch a response being sent
//! (a long Server-Sent Events stream) nor an upgraded WebSocket.
//!
//! Only HTTP/1.1 is spoken (HTTP/2 was never enabled in Roost's axum build): reverse
//! proxies reach their upstreams over HTTP/1.1, and no protocol sniffing means no
//! second unbounded wait before the first byte.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// How connections are served.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// Longest wait for a request's headers (see the module documentation).
    pub header_read_timeout: Duration,
}

impl ServeOptions {
    /// The options configured for this process.
    pub fn from_config(config: &crate::config::Config) -> ServeOptions {
        ServeOptions {
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, asks
/// every connection to finish its current request and waits for them.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    // `stop` tells connections to finish; each holds a `running` receiver, so
    // `running_sender.closed()` resolves when the last one ended.
    let (stop_sender, stop) = watch::channel(false);
    let (running_sender, running) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, remote)) => {
                tokio::spawn(serve_connection(
                    stream,
                    remote,
                    router.clone(),
                    options,
                    stop.clone(),
                    running.clone(),
                ));
            }
            Err(error) => accept_failed(error).await,
        }
    }
    drop(listener);
    let _ = stop_sender.send(true);
    drop(running);
    running_sender.closed().await;
}

/// A failed accept: a connection that went away before it was accepted is nothing;
/// anything else (e.g. out of file descriptors) is logged and retried after a pause
/// rather than spinning (as axum does).
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

async fn serve_connection(
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    options: ServeOptions,
    mut stop: watch::Receiver<bool>,
    _running: watch::Receiver<()>,
) {
    let service = router.map_request(move |request: Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(remote));
        request
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let connection = builder
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let stopping = async move {
        // The watch guard is dropped here, before the connection is awaited further.
        let _ = stop.wait_for(|stopping| *stopping).await;
    };
    let finished = tokio::select! {
        finished = connection.as_mut() => finished,
        () = stopping => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = finished {
        tracing::debug!(%error, %remote, "connection ended with an error");
    }
}
