//! `roost admin` commands for follow suggestions: the accounts staff feature (the
//! `featured` source of `/api/v2/suggestions`). Each calls `services::suggestions`.

use clap::Subcommand;

use super::moderation::find_account;
use crate::error::ApiError;
use crate::services::suggestions;
use crate::state::AppState;

/// Suggestion subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum SuggestionCommand {
    /// Suggest an account to every user, before any other suggestion (a local
    /// username or e-mail, or name@domain of a known remote account).
    #[command(name = "suggestion-feature")]
    Feature { acct: String },
    /// Stop featuring an account.
    #[command(name = "suggestion-unfeature")]
    Unfeature { acct: String },
    /// List the featured accounts: id and acct, oldest pick first.
    #[command(name = "suggestion-featured")]
    List,
}

/// Runs one suggestion command, printing what it did.
pub async fn run(state: &AppState, command: SuggestionCommand) -> anyhow::Result<()> {
    match command {
        SuggestionCommand::Feature { acct } => {
            let id = find_account(state, &acct).await?;
            suggestions::set_featured(state, id, true).await?;
            println!("{acct} is featured");
        }
        SuggestionCommand::Unfeature { acct } => {
            let id = find_account(state, &acct).await?;
            match suggestions::set_featured(state, id, false).await {
                Ok(()) => println!("{acct} is no longer featured"),
                Err(ApiError::NotFound) => anyhow::bail!("{acct} was not featured"),
                Err(error) => return Err(error.into()),
            }
        }
        SuggestionCommand::List => {
            for account in suggestions::featured(state).await? {
                println!("{}\t{}", account.id, account.acct());
            }
        }
    }
    Ok(())
}
