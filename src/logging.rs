// SPDX-License-Identifier: AGPL-3.0-or-later
//! The process's log: what is logged (`ROOST_LOG`, an `EnvFilter` directive, default
//! `info,sqlx=warn`), in which shape (`ROOST_LOG_FORMAT`: `text`, the default, or
//! `json`, one object per line with the fields of the event and of the spans it is in)
//! and with colours only when standard output is a terminal (never with `NO_COLOR`),
//! so files and journald get plain text. Requests log in a `request` span carrying
//! their `request_id` (the `X-Request-Id` answered), queue attempts in a `job` span
//! naming the queue and the row (`queue::Queue::job_id`).
//!
//! Secrets stay out of the log by construction: tokens, passwords, keys and codes are
//! never fields of an event or a span; `tests/api/logs.rs` checks a running server's
//! whole output for them.

use std::io::IsTerminal;

/// The default filter when `ROOST_LOG` is unset or unreadable.
const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// The shape of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (`tracing`'s default format).
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// `ROOST_LOG_FORMAT` as set (`None`: unset). Errors: a sentence naming the
    /// accepted values.
    pub fn parse(value: Option<&str>) -> Result<LogFormat, String> {
        match value.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!(
                "ROOST_LOG_FORMAT is {other:?}; it must be text or json"
            )),
        }
    }
}

/// Whether text lines may carry colour codes: only on a terminal, and not when
/// `NO_COLOR` is set (<https://no-color.org>).
fn colours(no_color: Option<&str>, terminal: bool) -> bool {
    terminal && no_color.is_none_or(str::is_empty)
}

/// Starts logging to standard output as the environment says. Errors: an unknown
/// `ROOST_LOG_FORMAT`.
pub fn init() -> Result<(), String> {
    let format = LogFormat::parse(std::env::var("ROOST_LOG_FORMAT").ok().as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
        LogFormat::Text => {
            let no_color = std::env::var("NO_COLOR").ok();
            let ansi = colours(no_color.as_deref(), std::io::stdout().is_terminal());
            builder.with_ansi(ansi).init();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_text_unless_json_is_asked_and_nothing_else_is_taken() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("TEXT")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" json ")), Ok(LogFormat::Json));
        let refused = LogFormat::parse(Some("logfmt")).expect_err("refused");
        assert!(refused.contains("text or json"), "{refused}");
    }

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(colours(None, true));
        assert!(colours(Some(""), true));
        assert!(!colours(Some("1"), true));
        assert!(!colours(None, false));
    }
}
