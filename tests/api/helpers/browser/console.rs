//! What the browser console said, as chromedriver reports it (`goog:loggingPrefs`
//! `browser: ALL`), and which entries a page must never produce.
//!
//! Chromium files a Content-Security-Policy violation under source `security`
//! ("Executing inline script violates the following Content Security Policy
//! directive …"), an uncaught exception under `javascript` at level `SEVERE`, and a
//! script's own `console.error` under `console-api` at `SEVERE`. Failed loads (a
//! missing favicon) are source `network` and are not counted as script errors.

use serde::Deserialize;

/// One console entry.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ConsoleEntry {
    /// `SEVERE`, `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    /// `javascript`, `console-api`, `security`, `network`, …; may be absent.
    #[serde(default)]
    pub source: String,
    /// The text, prefixed with the page URL and position.
    pub message: String,
}

impl ConsoleEntry {
    /// Whether this is a Content-Security-Policy violation (blocked or report-only).
    pub fn is_csp_violation(&self) -> bool {
        self.source == "security" || self.message.contains("Content Security Policy")
    }

    /// Whether this is an uncaught script error or a script's `console.error`.
    pub fn is_script_error(&self) -> bool {
        self.level == "SEVERE" && matches!(self.source.as_str(), "javascript" | "console-api")
    }
}

/// The entries one per line, for failure messages.
pub fn listing(entries: &[ConsoleEntry]) -> String {
    entries
        .iter()
        .map(|entry| format!("  [{} {}] {}", entry.level, entry.source, entry.message))
        .collect::<Vec<_>>()
        .join("\n")
}
