//! The two chromedriver commands outside the W3C WebDriver standard that the browser
//! tests need: reading the browser console (`POST /session/:id/se/log`, the Selenium
//! log endpoint chromedriver keeps) and calling the Chrome DevTools Protocol
//! (`POST /session/:id/goog/cdp/execute`), used to set the page area's exact size.
//!
//! Spec: <https://developer.chrome.com/docs/chromedriver/capabilities> (loggingPrefs),
//! <https://chromedevtools.github.io/devtools-protocol/tot/Emulation/>.

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Value};

use super::console::ConsoleEntry;

/// A POST of `body` to `session/<id>/<path>`.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(self.body.to_string()))
    }
}

/// Calls the DevTools command `method` with `params`; panics when Chromium refuses.
pub async fn chrome_devtools(client: &Client, method: &str, params: Value) {
    let command = SessionPost {
        path: "goog/cdp/execute",
        body: json!({ "cmd": method, "params": params }),
    };
    if let Err(error) = client.issue_cmd(command).await {
        panic!("Chromium refuses {method}: {error}");
    }
}

/// The browser console entries logged since the last call (chromedriver hands each
/// entry out once).
pub async fn browser_log(client: &Client) -> Vec<ConsoleEntry> {
    let command = SessionPost {
        path: "se/log",
        body: json!({ "type": "browser" }),
    };
    let entries = client
        .issue_cmd(command)
        .await
        .unwrap_or_else(|error| panic!("chromedriver does not give the console log: {error}"));
    serde_json::from_value(entries)
        .unwrap_or_else(|error| panic!("chromedriver's console log is unreadable: {error}"))
}
