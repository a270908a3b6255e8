//! `roost admin` commands for moving accounts: a local account's aliases
//! (`alias-add`, `alias-remove`, `alias-list`), moving it to another account
//! (`move-account`, without the password the web page asks for) and clearing a move's
//! redirect (`move-clear`). Each calls `services::account_moves`, so the rules (the
//! target must list the account as an alias, the 30-day cooldown) are the same.

use clap::Subcommand;

use crate::db::users;
use crate::error::ApiError;
use crate::services::account_moves;
use crate::state::AppState;

/// Account move subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum MoveCommand {
    /// Add an alias to a local account: another account (user@domain, resolved through
    /// WebFinger, or a local username) that may then move to it.
    #[command(name = "alias-add")]
    AliasAdd {
        /// The local account (username or e-mail).
        #[arg(long)]
        account: String,
        /// The other account.
        #[arg(long)]
        alias: String,
    },
    /// Remove an alias (by the address `alias-list` shows).
    #[command(name = "alias-remove")]
    AliasRemove {
        #[arg(long)]
        account: String,
        #[arg(long)]
        alias: String,
    },
    /// List the aliases of a local account: address and actor id.
    #[command(name = "alias-list")]
    AliasList {
        #[arg(long)]
        account: String,
    },
    /// Move a local account to another that lists it as an alias: followers here
    /// follow the new account, other servers are sent a Move.
    #[command(name = "move-account")]
    MoveAccount {
        #[arg(long)]
        account: String,
        /// The new account (user@domain, or a local username).
        #[arg(long)]
        to: String,
    },
    /// Clear the redirect of a moved local account (it may post and be followed again).
    #[command(name = "move-clear")]
    MoveClear {
        #[arg(long)]
        account: String,
    },
}

/// Runs one move command, printing what it did.
pub async fn run(state: &AppState, command: MoveCommand) -> anyhow::Result<()> {
    match command {
        MoveCommand::AliasAdd { account, alias } => {
            let id = local_account(state, &account).await?;
            let added = account_moves::add_alias(state, id, &alias)
                .await
                .map_err(|error| refused(&alias, error))?;
            println!("{account} is also {} ({})", added.acct, added.uri);
        }
        MoveCommand::AliasRemove { account, alias } => {
            let id = local_account(state, &account).await?;
            let wanted = alias.trim_start_matches('@');
            // A local alias is stored as `name@this.domain`; `name` alone names it too.
            let local = format!("{wanted}@{}", state.config.domain);
            let found = account_moves::aliases(state, id)
                .await?
                .into_iter()
                .find(|row| {
                    row.acct.eq_ignore_ascii_case(wanted)
                        || row.acct.eq_ignore_ascii_case(&local)
                        || row.uri == wanted
                })
                .ok_or_else(|| anyhow::anyhow!("{account} has no alias {alias}"))?;
            account_moves::remove_alias(state, id, found.id).await?;
            println!("alias {} of {account} removed", found.acct);
        }
        MoveCommand::AliasList { account } => {
            let id = local_account(state, &account).await?;
            for alias in account_moves::aliases(state, id).await? {
                println!("{}\t{}", alias.acct, alias.uri);
            }
        }
        MoveCommand::MoveAccount { account, to } => {
            let id = local_account(state, &account).await?;
            let moved = account_moves::move_out(state, id, &to)
                .await
                .map_err(|error| refused(&to, error))?;
            println!(
                "{account} moved to {to}; {} local followers carried over",
                moved.followers_carried
            );
        }
        MoveCommand::MoveClear { account } => {
            let id = local_account(state, &account).await?;
            match account_moves::clear_move(state, id).await? {
                true => println!("{account} no longer redirects"),
                false => println!("{account} had not moved"),
            }
        }
    }
    Ok(())
}

/// The account id of a local user (username or e-mail).
async fn local_account(state: &AppState, login: &str) -> anyhow::Result<i64> {
    let user = users::find_by_login(&state.db, login.trim_start_matches('@'))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no local user {login}"))?;
    Ok(user.account_id)
}

/// A refusal as the shell says it: `acct: reason`.
fn refused(acct: &str, error: ApiError) -> anyhow::Error {
    match error {
        ApiError::Validation(problems) => {
            let reasons: Vec<String> = problems
                .iter()
                .map(|problem| format!("{}: {}", problem.field, problem.reason))
                .collect();
            anyhow::anyhow!("{acct}: {}", reasons.join(", "))
        }
        other => anyhow::anyhow!("{acct}: {other}"),
    }
}
