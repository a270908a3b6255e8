//! A small web site on 127.0.0.1 for link preview tests: pages with OpenGraph and
//! oEmbed metadata, an image, and hostile pages (one that never answers, a 1 GB
//! stream, a non-HTML answer, a redirect loop). It counts the requests of each path.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

/// Title of `/og`.
pub const OG_TITLE: &str = "A page with OpenGraph";
/// Title the oEmbed document of `/oembed` gives.
pub const OEMBED_TITLE: &str = "Titled by oEmbed";

/// The running site.
pub struct Site {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Site {
    /// Starts the site on a free port.
    pub async fn start() -> Site {
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let router = Router::new()
            .route("/{page}", get(page))
            .with_state(hits.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Site { base, hits }
    }

    /// The URL of `path` (`/og`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        let hits = self.hits.lock().expect("lock");
        hits.get(path.trim_start_matches('/')).copied().unwrap_or(0)
    }
}

async fn page(
    State(hits): State<Arc<Mutex<HashMap<String, usize>>>>,
    Path(page): Path<String>,
) -> Response {
    *hits.lock().expect("lock").entry(page.clone()).or_default() += 1;
    match page.as_str() {
        "og" => html(format!(
            "<!doctype html><html lang=\"en\"><head><title>ignored</title>\
             <meta property=\"og:title\" content=\"{OG_TITLE}\">\
             <meta property=\"og:description\" content=\"What the page is about\">\
             <meta property=\"og:site_name\" content=\"Test site\">\
             <meta property=\"og:image\" content=\"/image.png\">\
             <meta property=\"og:image:alt\" content=\"A test picture\">\
             </head><body>hello</body></html>"
        )),
        "oembed" => html(
            "<html><head><title>Plain title</title>\
             <link rel=\"alternate\" type=\"application/json+oembed\" href=\"/oembed.json\">\
             </head></html>"
                .to_owned(),
        ),
        "oembed.json" => (
            [(header::CONTENT_TYPE, "application/json")],
            format!(
                "{{\"version\":\"1.0\",\"type\":\"rich\",\"title\":\"{OEMBED_TITLE}\",\
                 \"author_name\":\"Ann Author\",\"author_url\":\"https://ann.example\",\
                 \"provider_name\":\"Embedder\",\"html\":\"<script>alert(1)</script>\"}}"
            ),
        )
            .into_response(),
        "image.png" => (
            [(header::CONTENT_TYPE, "image/png")],
            super::media::png(400, 200),
        )
            .into_response(),
        "hang" => std::future::pending().await,
        "huge" => huge(),
        "plain" => (
            [(header::CONTENT_TYPE, "text/plain")],
            "<title>not html</title>",
        )
            .into_response(),
        "loop" => (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// 1 GiB of HTML without a title, streamed as it is read.
fn huge() -> Response {
    let chunk = Bytes::from(vec![b' '; 64 * 1024]);
    let stream = futures_util::stream::iter(
        std::iter::repeat_n(chunk, 16 * 1024).map(Ok::<Bytes, std::io::Error>),
    );
    (
        [(header::CONTENT_TYPE, "text/html")],
        Body::from_stream(stream),
    )
        .into_response()
}
