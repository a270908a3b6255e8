//! Tests of the wire types: real-world documents from `tests/fixtures/` (sources in
//! `tests/fixtures/README.md`) must parse into the fields Roost relies on, and Roost's
//! own documents must serialize with the exact ActivityStreams key names and read back.

mod activities;
mod actors;
mod collections;
mod common;
mod discovery;
mod groups;
mod hostile;
mod moves;
mod notes;
mod polls;
mod quotes;
mod replies;
mod reply_requests;

use url::Url;

/// The text of a fixture under the repository's `tests/fixtures/`.
macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!("../../../../tests/fixtures/", $path))
    };
}
use fixture;

/// Parses a URL the test spells out.
fn url(text: &str) -> Url {
    Url::parse(text).expect("test URLs are valid")
}

/// Parses a web URL the test spells out.
fn http(text: &str) -> crate::domain::HttpUrl {
    crate::domain::HttpUrl::parse(text).expect("test web URLs are http(s)")
}

/// The base URL of the Roost instance in these tests.
fn base() -> Url {
    url("https://roost.example/")
}

/// Parses a fixture or test document, naming it in the failure message.
fn parse<T: serde::de::DeserializeOwned>(name: &str, json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("{name} should parse: {error}"))
}

/// The top-level keys of a serialized document, in order.
fn keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}
