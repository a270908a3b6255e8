//! `roost admin` moderation commands: the admin API's actions from the shell, for
//! when no admin app is at hand (or no admin account exists yet). Each calls the same
//! service function as the admin API (`services::moderation`, `services::domains`,
//! `services::reports`, `services::ip_blocks`), as the operator, whom the role rule
//! does not bind.

use clap::{Subcommand, ValueEnum};

use super::{domains, ip_blocks};
use crate::db::{accounts, reports, rules, users};
use crate::error::ApiError;
use crate::services::account_deletion;
use crate::services::moderation::{self, AccountAction, ModerationError, Moderator, Reversal};
use crate::state::AppState;

/// Moderation subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum ModerationCommand {
    /// Act on an account (local `name` or remote `name@domain`), or undo an action.
    AccountAction {
        #[arg(long)]
        account: String,
        #[arg(long, value_enum)]
        action: ShellAction,
    },
    /// Delete the data of a suspended account for good (its statuses, media, follows
    /// and credentials; the username stays reserved). A user who deleted their own
    /// account is purged this way without waiting for the grace period.
    PurgeAccount {
        /// Local `name` or remote `name@domain`.
        #[arg(long)]
        account: String,
    },
    /// Reject (delete) a sign-up waiting for approval.
    Reject {
        /// Username or e-mail address.
        #[arg(long)]
        username: String,
    },
    /// Block a remote domain (and its subdomains).
    DomainBlock(domains::DomainBlockArgs),
    /// Lift the block of a domain.
    DomainUnblock { domain: String },
    /// List the domain blocks.
    DomainBlocks,
    /// Put a domain on the allowlist (for ROOST_ALLOWLIST_MODE).
    DomainAllow { domain: String },
    /// Take a domain off the allowlist.
    DomainDisallow { domain: String },
    /// Show dead deliveries and per-domain delivery health.
    Deliveries {
        /// Only this domain.
        domain: Option<String>,
    },
    /// Queue dead deliveries again (all, or one domain's).
    ReplayDeliveries {
        /// Only this domain.
        domain: Option<String>,
    },
    /// Add an instance rule.
    RuleAdd {
        text: String,
        #[arg(long, default_value = "")]
        hint: String,
    },
    /// Remove an instance rule by id.
    RuleRemove { id: i64 },
    /// List the instance rules.
    Rules,
    /// List the open reports.
    Reports,
    /// Mark a report resolved.
    ResolveReport { id: i64 },
    /// Block an IP address or network (sign-up or all access).
    IpBlockAdd(ip_blocks::IpBlockAddArgs),
    /// Remove an IP block by id.
    IpBlockRemove { id: i64 },
    /// List the IP blocks.
    IpBlocks,
}

/// An action or its undoing, as the shell names it.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ShellAction {
    Sensitive,
    Disable,
    Silence,
    Suspend,
    Unsensitive,
    Enable,
    Unsilence,
    Unsuspend,
}

/// Runs one moderation command, printing what it did.
pub async fn run(state: &AppState, command: ModerationCommand) -> anyhow::Result<()> {
    match command {
        ModerationCommand::AccountAction { account, action } => {
            account_action(state, &account, action).await
        }
        ModerationCommand::PurgeAccount { account } => purge(state, &account).await,
        ModerationCommand::Reject { username } => reject(state, &username).await,
        ModerationCommand::DomainBlock(block) => domains::block(state, block).await,
        ModerationCommand::DomainUnblock { domain } => domains::unblock(state, &domain).await,
        ModerationCommand::DomainBlocks => domains::list_blocks(state).await,
        ModerationCommand::DomainAllow { domain } => domains::allow(state, &domain).await,
        ModerationCommand::DomainDisallow { domain } => domains::disallow(state, &domain).await,
        ModerationCommand::Deliveries { domain } => domains::show_deliveries(state, domain).await,
        ModerationCommand::ReplayDeliveries { domain } => {
            domains::replay_deliveries(state, domain).await
        }
        ModerationCommand::RuleAdd { text, hint } => add_rule(state, &text, &hint).await,
        ModerationCommand::RuleRemove { id } => {
            if !rules::remove(&state.db, id).await? {
                anyhow::bail!("no rule {id}");
            }
            println!("rule {id} removed");
            Ok(())
        }
        ModerationCommand::Rules => {
            for rule in rules::all(&state.db).await? {
                println!("{}\t{}", rule.id, rule.text);
            }
            Ok(())
        }
        ModerationCommand::Reports => list_reports(state).await,
        ModerationCommand::ResolveReport { id } => resolve_report(state, id).await,
        ModerationCommand::IpBlockAdd(args) => ip_blocks::add(state, args).await,
        ModerationCommand::IpBlockRemove { id } => ip_blocks::remove(state, id).await,
        ModerationCommand::IpBlocks => ip_blocks::list(state).await,
    }
}

/// Purges a suspended account's data, as the operator.
async fn purge(state: &AppState, acct: &str) -> anyhow::Result<()> {
    let account_id = find_account(state, acct).await?;
    match account_deletion::delete_data(state, Moderator::Operator, account_id).await {
        Ok(_) => println!("{acct}: data deleted; the username stays reserved"),
        Err(ModerationError::NotSuspended) => {
            anyhow::bail!("{acct} is not suspended: suspend it first")
        }
        Err(error) => anyhow::bail!("{acct}: {error}"),
    }
    Ok(())
}

/// Rejects (deletes) a sign-up waiting for approval, as the operator.
async fn reject(state: &AppState, username: &str) -> anyhow::Result<()> {
    let user = users::find_by_login(&state.db, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no local user {username}"))?;
    match moderation::reject(state, Moderator::Operator, user.account_id).await {
        Ok(_) => println!("{username} was rejected and deleted"),
        Err(ModerationError::NotPending) => {
            anyhow::bail!("{username} is not waiting for approval")
        }
        Err(error) => anyhow::bail!("{username}: {error}"),
    }
    Ok(())
}

/// Adds an instance rule of 1 to 1000 characters.
async fn add_rule(state: &AppState, text: &str, hint: &str) -> anyhow::Result<()> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        anyhow::bail!("a rule has 1 to 1000 characters");
    }
    let rule = rules::add(&state.db, text, hint.trim()).await?;
    println!("rule {} added", rule.id);
    Ok(())
}

/// Resolves a report as the operator (no moderator is recorded).
async fn resolve_report(state: &AppState, id: i64) -> anyhow::Result<()> {
    match crate::services::reports::resolve(state, id, None).await {
        Ok(_) => println!("report {id} resolved"),
        Err(ApiError::NotFound) => anyhow::bail!("no report {id}"),
        Err(error) => return Err(error.into()),
    }
    Ok(())
}

/// Acts on an account as the operator: the role rule does not apply to the shell.
async fn account_action(state: &AppState, acct: &str, action: ShellAction) -> anyhow::Result<()> {
    let account_id = find_account(state, acct).await?;
    let operator = Moderator::Operator;
    let act = |action| moderation::act(state, operator, account_id, action, None);
    let reverse = |reversal| moderation::reverse(state, operator, account_id, reversal);
    let result = match action {
        ShellAction::Sensitive => act(AccountAction::Sensitive).await,
        ShellAction::Disable => act(AccountAction::Disable).await,
        ShellAction::Silence => act(AccountAction::Silence).await,
        ShellAction::Suspend => act(AccountAction::Suspend).await,
        ShellAction::Unsensitive => reverse(Reversal::Unsensitive).await,
        ShellAction::Enable => reverse(Reversal::Enable).await,
        ShellAction::Unsilence => reverse(Reversal::Unsilence).await,
        ShellAction::Unsuspend => reverse(Reversal::Unsuspend).await,
    };
    result.map_err(|error| anyhow::anyhow!("{acct}: {error}"))?;
    println!("{acct}: {action:?} done");
    Ok(())
}

/// A local account by username or e-mail (approved or not), or a remote one by
/// `name@domain`.
pub(super) async fn find_account(state: &AppState, acct: &str) -> anyhow::Result<i64> {
    let acct = acct.trim_start_matches('@');
    if let Some((name, domain)) = acct.split_once('@') {
        let account = accounts::find_visible_by_acct(&state.db, name, Some(domain))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no known account {acct}"))?;
        return Ok(account.id);
    }
    let user = users::find_by_login(&state.db, acct)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no local user {acct}"))?;
    Ok(user.account_id)
}

async fn list_reports(state: &AppState) -> anyhow::Result<()> {
    let filter = reports::Filter {
        resolved: Some(false),
        ..Default::default()
    };
    let page = crate::db::Page {
        limit: 1_000,
        ..Default::default()
    };
    for report in reports::list(&state.db, &filter, &page).await? {
        let name = |id: i64| async move {
            accounts::find_by_id(&state.db, id)
                .await
                .ok()
                .flatten()
                .map_or_else(|| id.to_string(), |a| a.acct())
        };
        println!(
            "{}\t{} reported {}\t{}\t{}",
            report.id,
            name(report.account_id).await,
            name(report.target_account_id).await,
            report.category,
            report.comment.replace('\n', " ")
        );
    }
    Ok(())
}
