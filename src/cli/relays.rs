//! `roost admin` relay commands (`relay-add`, `relay-list`, `relay-enable`,
//! `relay-disable`, `relay-remove`), through `services::relays` as the admin API, so
//! the rules (https only, at most 50 relays) are the same. A relay is named by its id
//! or by the URL it was added with.

use clap::Subcommand;

use crate::db::relays::RelayRow;
use crate::error::ApiError;
use crate::services::relays as service;
use crate::state::AppState;

/// Relay subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Add a relay and subscribe to it: a Mastodon-style relay's inbox
    /// (https://relay.example/inbox) or a LitePub relay's actor
    /// (https://relay.example/actor).
    #[command(name = "relay-add")]
    Add {
        /// The relay's inbox or actor URL.
        url: String,
    },
    /// List the relays: id, state, kind, inbox.
    #[command(name = "relay-list")]
    List,
    /// Subscribe to a relay again (a new Follow).
    #[command(name = "relay-enable")]
    Enable {
        /// The relay's id or URL.
        relay: String,
    },
    /// End the subscription to a relay (an Undo of its Follow); it stays listed.
    #[command(name = "relay-disable")]
    Disable {
        /// The relay's id or URL.
        relay: String,
    },
    /// End the subscription to a relay and remove it.
    #[command(name = "relay-remove")]
    Remove {
        /// The relay's id or URL.
        relay: String,
    },
}

/// Runs one relay command, printing what it did. Deliveries are queued: a running
/// server's workers send them.
pub async fn run(state: &AppState, command: RelayCommand) -> anyhow::Result<()> {
    match command {
        RelayCommand::Add { url } => {
            let relay = service::add(state, &url)
                .await
                .map_err(|error| refused(&url, error))?;
            println!(
                "relay {} added ({}): Follow queued",
                relay.id, relay.inbox_url
            );
        }
        RelayCommand::List => {
            for relay in service::list(state).await? {
                print_relay(&relay);
            }
        }
        RelayCommand::Enable { relay } => {
            let found = found(state, &relay).await?;
            let relay = service::enable(state, found.id).await?;
            println!("relay {} is {}: Follow queued", relay.id, relay.state);
        }
        RelayCommand::Disable { relay } => {
            let found = found(state, &relay).await?;
            let relay = service::disable(state, found.id).await?;
            println!("relay {} is {}: Undo queued", relay.id, relay.state);
        }
        RelayCommand::Remove { relay } => {
            let found = found(state, &relay).await?;
            service::remove(state, found.id).await?;
            println!("relay {} removed", found.id);
        }
    }
    Ok(())
}

fn print_relay(relay: &RelayRow) {
    println!(
        "{}\t{}\t{}\t{}",
        relay.id, relay.state, relay.kind, relay.inbox_url
    );
}

/// The relay an admin named, or an error that says so.
async fn found(state: &AppState, reference: &str) -> anyhow::Result<RelayRow> {
    service::find_by_reference(state, reference)
        .await
        .map_err(|error| refused(reference, error))
}

/// A refusal as the shell shows it.
fn refused(input: &str, error: ApiError) -> anyhow::Error {
    match error {
        ApiError::NotFound => anyhow::anyhow!("no relay {input}"),
        ApiError::Validation(problems) => {
            let reasons: Vec<String> = problems
                .iter()
                .map(|problem| problem.reason.clone())
                .collect();
            anyhow::anyhow!("{input}: {}", reasons.join(", "))
        }
        other => anyhow::anyhow!("{input}: {other}"),
    }
}
