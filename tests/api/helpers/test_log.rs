//! The log of a whole test run: when `ROOST_TEST_LOG_FILE` names a file, every
//! instance the tests start logs there (JSON lines; Roost's own events and every
//! request's lines down to debug level), and `scripts/test` searches the file for tokens, keys and the tests'
//! passwords once the run is over (`scripts/check-test-log`). Unset, tests log
//! nothing, as before.

use std::sync::{Mutex, Once};

static STARTED: Once = Once::new();

/// Starts the run's log on first call (every later call does nothing).
pub fn start() {
    STARTED.call_once(|| {
        let Ok(path) = std::env::var("ROOST_TEST_LOG_FILE") else {
            return;
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|error| panic!("ROOST_TEST_LOG_FILE={path}: {error}"));
        let filter =
            tracing_subscriber::EnvFilter::new("info,sqlx=warn,roost=debug,tower_http=debug");
        let installed = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(Mutex::new(file))
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init();
        if let Err(error) = installed {
            panic!("the test log could not start: {error}");
        }
    });
}
