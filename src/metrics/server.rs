//! The metrics listener: `GET /metrics` on `ROOST_METRICS_BIND`, apart from the public
//! listener so that only who can reach that address (Prometheus on the same host or
//! network) reads the figures.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use crate::state::AppState;

/// The metrics listener's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let text = super::scrape::scrape(&state).await;
    ([(header::CONTENT_TYPE, super::scrape::CONTENT_TYPE)], text)
}

/// Serves the metrics on `listener` until `stopped` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    stopped: impl std::future::Future<Output = ()> + Send + 'static,
) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving metrics");
    }
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(stopped)
        .await;
    if let Err(error) = served {
        tracing::warn!(%error, "the metrics listener stopped");
    }
}

/// The metrics listener of a process, serving in the background until stopped.
pub struct Running {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops the listener and waits until it has.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Binds `ROOST_METRICS_BIND` when it is set and serves the metrics there in the
/// background (`None` when it is unset).
pub async fn start(state: &AppState) -> anyhow::Result<Option<Running>> {
    let Some(bind) = state.config.metrics_bind else {
        return Ok(None);
    };
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen for metrics on {bind}: {error}"))?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let stopped = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let task = tokio::spawn(serve(listener, state.clone(), stopped));
    Ok(Some(Running { stop, task }))
}
