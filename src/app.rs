//! Assembling the server: the router with its layers, the bound listener, background
//! workers and graceful shutdown. `App::build` is what both `roost serve` and the tests
//! call, so tests run exactly the production stack on port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::{Config, SecretKey};
use crate::error::ApiError;
use crate::state::AppState;

pub mod paths;

/// A built server, bound and ready to run.
pub struct App {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl App {
    /// Binds `config.bind` and builds the router. Migrations are the caller's job
    /// (`roost serve` runs them first).
    pub async fn build(config: Config, db: PgPool, secret: &SecretKey) -> anyhow::Result<App> {
        let listener = TcpListener::bind(config.bind).await?;
        App::with_listener(config, db, secret, listener)
    }

    /// Builds the app on an already-bound listener (tests bind port 0 first, to know the
    /// port before choosing `ROOST_DOMAIN`).
    pub fn with_listener(
        config: Config,
        db: PgPool,
        secret: &SecretKey,
        listener: TcpListener,
    ) -> anyhow::Result<App> {
        let state = AppState::new(db, config, secret)?;
        let router = router(state.clone());
        Ok(App {
            listener,
            router,
            state,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state (tests use it to reach the database and configuration).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves (and runs the background workers) until `shutdown` resolves, then stops
    /// accepting, lets in-flight requests finish and stops the workers.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr()?, domain = %self.state.config.domain, "listening");
        let workers = self
            .state
            .config
            .workers
            .then(|| Workers::start(&self.state));
        let metrics = crate::metrics::server::start(&self.state).await?;
        let options = crate::serve::ServeOptions::from_config(&self.state.config);
        crate::serve::serve(self.listener, self.router, options, shutdown).await;
        if let Some(workers) = workers {
            workers.stop().await;
        }
        if let Some(metrics) = metrics {
            metrics.stop().await;
        }
        // The process-wide listeners (streaming, token checks, displayed accounts) end
        // with the server.
        self.state.stream.stop();
        self.state.token_checks.stop();
        self.state.displayed_accounts.stop();
        Ok(())
    }
}

/// The background workers of one process: delivery, inbox processing, maintenance.
pub struct Workers {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: tokio::task::JoinSet<()>,
}

impl Workers {
    /// Starts every worker on the shared state (on the workers' pool, see
    /// [`AppState::for_workers`]).
    pub fn start(state: &AppState) -> Workers {
        let state = &state.for_workers();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(crate::delivery::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::federation::inbox::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::push::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::mail::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::scheduled_statuses::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::cards::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::thread_backfill::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::profile_links::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::imports::worker::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::archives::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        tasks.spawn(crate::services::trends::run_forever(
            state.clone(),
            stopped.clone(),
        ));
        let polls_state = state.clone();
        let mut polls_stopped = stopped.clone();
        tasks.spawn(async move {
            tokio::select! {
                _ = crate::services::polls::closing::run_forever(polls_state) => {}
                _ = polls_stopped.changed() => {}
            }
        });
        let stories_state = state.clone();
        let mut stories_stopped = stopped.clone();
        tasks.spawn(async move {
            tokio::select! {
                _ = crate::services::stories::expiry::run_forever(stories_state) => {}
                _ = stories_stopped.changed() => {}
            }
        });
        let maintenance_state = state.clone();
        let mut maintenance_stopped = stopped;
        tasks.spawn(async move {
            tokio::select! {
                _ = crate::maintenance::run_forever(maintenance_state) => {}
                _ = maintenance_stopped.changed() => {}
            }
        });
        Workers { stop, tasks }
    }

    /// Asks every worker to stop and waits (at most 15 s) for in-flight work.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        let drained = tokio::time::timeout(Duration::from_secs(15), async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!("workers did not stop within 15 s; abandoning their leases");
            self.tasks.abort_all();
        }
    }
}

/// The complete router: every route with its layers, behind the path normalisation
/// (a trailing slash does not matter, as on Mastodon; see [`paths`]).
pub fn router(state: AppState) -> Router {
    paths::normalizing(routes(state))
}

/// Every route with its layers, routed by the path exactly as given.
fn routes(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(crate::api::router(&state))
        .merge(crate::federation::router())
        .merge(crate::web::router())
        .merge(crate::web::email_links::router())
        .route("/health", get(crate::api::health::health))
        .route("/avatars/original/missing.png", get(crate::web::missing_png))
        .route("/headers/original/missing.png", get(crate::web::missing_png))
        .route("/system/{*key}", get(crate::media::serve))
        .route_layer(axum::middleware::from_fn(crate::metrics::http::note_route))
        // A route layer runs after routing, so the span can name the matched route.
        .route_layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let matched = request
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map(|p| p.as_str().to_owned());
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %request.method(), path = matched.as_deref().unwrap_or("?"), request_id = id)
        }))
        .fallback(not_found)
        // Mastodon answers a wrong method on a known path like an unknown path.
        .method_not_allowed_fallback(not_found)
        // Browsers get the signed-out CSRF cookie when a page needs one, and every
        // HTML response its security headers (CSP and kin).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::session::csrf_cookie_layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::security::headers_layer,
        ))
        // Malformed URIs refused, and every refusal in Mastodon's JSON shape.
        .layer(axum::middleware::from_fn(crate::input::uniform_input))
        // Addresses under a `no_access` IP block get nothing, on every path.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::api::refuse_no_access,
        ))
        .layer(DefaultBodyLimit::max(crate::api::params::MAX_BODY_BYTES))
        // Every request counted, refusals of the layers above included.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::http::count,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // A bug must cost one request a 500, never the connection or the process.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .with_state(state)
}

/// Unknown paths: an HTML page for a browser navigating outside the APIs, Mastodon's
/// JSON error for everyone else.
async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let api = ["/api/", "/oauth/", "/.well-known/", "/nodeinfo/"]
        .iter()
        .any(|prefix| uri.path().starts_with(prefix));
    if !api && crate::web::wants_html(&headers) {
        crate::web::PageError::NotFound.into_response()
    } else {
        ApiError::NotFound.into_response()
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
