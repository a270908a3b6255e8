//! Static files of the web pages, compiled into the binary: the stylesheet, the small
//! script that enhances forms, and the placeholder image every Mastodon client expects
//! (`missing.png`). Stylesheet and script are served under a name carrying a digest of
//! their bytes (`/assets/app-1a2b3c4d5e.css`), so browsers may cache them for a year
//! and a new build is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A 1×1 grey PNG, the placeholder for accounts without an avatar or header.
const MISSING_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// One embedded file: its bytes, type, and the fingerprinted name it is served under.
struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    name: String,
}

impl Asset {
    fn new(stem: &str, extension: &str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
        let digest = Sha256::digest(bytes);
        let short: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
        Asset {
            bytes,
            content_type,
            name: format!("{stem}-{short}.{extension}"),
        }
    }
}

static STYLESHEET: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("static/app.css"),
    )
});

static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/app.js"),
    )
});

/// The path of the stylesheet, fingerprinted.
pub fn stylesheet_path() -> String {
    format!("/assets/{}", STYLESHEET.name)
}

/// The path of the script, fingerprinted.
pub fn script_path() -> String {
    format!("/assets/{}", SCRIPT.name)
}

/// `GET /assets/:name`: an embedded file by its fingerprinted name, cached for a year.
/// A name of an older build is not found (its digest no longer matches).
pub async fn serve(Path(name): Path<String>) -> Response {
    let asset = [&*STYLESHEET, &*SCRIPT]
        .into_iter()
        .find(|asset| asset.name == name);
    match asset {
        Some(asset) => (
            [
                (CONTENT_TYPE, asset.content_type),
                (CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /avatars/original/missing.png` and `/headers/original/missing.png`.
pub async fn missing_png() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "image/png"),
            (CACHE_CONTROL, "public, max-age=604800, immutable"),
        ],
        MISSING_PNG,
    )
}
