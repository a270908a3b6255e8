//! `roost admin` moderation commands: the admin API's actions from the shell, for
//! when no admin app is at hand (or no admin account exists yet). Each calls the same
//! service function as the admin API (`services::moderation`, `services::domains`,
//! `services::reports`), as the operator, whom the role rule does not bind.

use clap::{Subcommand, ValueEnum};

use crate::db::{accounts, deliveries, domain_blocks, reports, rules, users};
use crate::error::ApiError;
use crate::services::domains::{self, BlockChanges, Blocked};
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
    /// Reject (delete) a sign-up waiting for approval.
    Reject {
        /// Username or e-mail address.
        #[arg(long)]
        username: String,
    },
    /// Block a remote domain (and its subdomains).
    DomainBlock {
        /// The domain, e.g. spam.example.
        domain: String,
        #[arg(long, value_enum, default_value = "suspend")]
        severity: Severity,
        /// Do not store media from it.
        #[arg(long)]
        reject_media: bool,
        /// Ignore reports from it.
        #[arg(long)]
        reject_reports: bool,
        /// A note only admins see.
        #[arg(long)]
        private_comment: Option<String>,
        /// The reason shown to the public.
        #[arg(long)]
        public_comment: Option<String>,
    },
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

/// Severity of a domain block.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Severity {
    Silence,
    Suspend,
    Noop,
}

/// Runs one moderation command, printing what it did.
pub async fn run(state: &AppState, command: ModerationCommand) -> anyhow::Result<()> {
    match command {
        ModerationCommand::AccountAction { account, action } => {
            account_action(state, &account, action).await
        }
        ModerationCommand::Reject { username } => {
            let user = users::find_by_login(&state.db, &username)
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
        ModerationCommand::DomainBlock {
            domain,
            severity,
            reject_media,
            reject_reports,
            private_comment,
            public_comment,
        } => {
            let changes = BlockChanges {
                severity: Some(format!("{severity:?}").to_lowercase()),
                reject_media: Some(reject_media),
                reject_reports: Some(reject_reports),
                private_comment,
                public_comment,
                obfuscate: Some(false),
            };
            match domains::block(state, Some(&domain), &changes).await? {
                Blocked::Created(block) => {
                    println!("{} is blocked ({})", block.domain, block.severity)
                }
                Blocked::Already { domain, .. } => anyhow::bail!("{domain} is already blocked"),
            }
            Ok(())
        }
        ModerationCommand::DomainUnblock { domain } => {
            let domain = domains::normalize_domain(Some(&domain))?;
            let block = domain_blocks::find_by_domain(&state.db, &domain)
                .await?
                .ok_or_else(|| anyhow::anyhow!("{domain} is not blocked"))?;
            domains::unblock(state, block.id).await?;
            println!("{domain} is no longer blocked");
            Ok(())
        }
        ModerationCommand::DomainBlocks => {
            let page = crate::db::Page {
                limit: 10_000,
                ..Default::default()
            };
            for block in domain_blocks::page(&state.db, &page).await? {
                println!("{}\t{}\t{}", block.id, block.domain, block.severity);
            }
            Ok(())
        }
        ModerationCommand::DomainAllow { domain } => {
            let allow = domains::allow(state, Some(&domain)).await?;
            println!("{} is allowed (id {})", allow.domain, allow.id);
            Ok(())
        }
        ModerationCommand::DomainDisallow { domain } => disallow(state, &domain).await,
        ModerationCommand::Deliveries { domain } => show_deliveries(state, domain).await,
        ModerationCommand::ReplayDeliveries { domain } => {
            let replayed = deliveries::replay_dead(&state.db, domain.as_deref()).await?;
            println!("{replayed} dead deliveries queued again");
            Ok(())
        }
        ModerationCommand::RuleAdd { text, hint } => {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > 1000 {
                anyhow::bail!("a rule has 1 to 1000 characters");
            }
            let rule = rules::add(&state.db, text, hint.trim()).await?;
            println!("rule {} added", rule.id);
            Ok(())
        }
        ModerationCommand::RuleRemove { id } => {
            if !rules::remove(&state.db, id).await? {
                anyhow::bail!("no rule {id}");
            }
            println!("rule {id} removed");
            Ok(())
        }
        ModerationCommand::Reports => list_reports(state).await,
        ModerationCommand::ResolveReport { id } => {
            match crate::services::reports::resolve(state, id, None).await {
                Ok(_) => println!("report {id} resolved"),
                Err(ApiError::NotFound) => anyhow::bail!("no report {id}"),
                Err(error) => return Err(error.into()),
            }
            Ok(())
        }
        ModerationCommand::Rules => {
            for rule in rules::all(&state.db).await? {
                println!("{}\t{}", rule.id, rule.text);
            }
            Ok(())
        }
    }
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
async fn find_account(state: &AppState, acct: &str) -> anyhow::Result<i64> {
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

async fn disallow(state: &AppState, domain: &str) -> anyhow::Result<()> {
    let domain = domains::normalize_domain(Some(domain))?;
    let page = crate::db::Page {
        limit: 10_000,
        ..Default::default()
    };
    let allows = domain_blocks::allows_page(&state.db, &page).await?;
    let allow = allows
        .iter()
        .find(|allow| allow.domain == domain)
        .ok_or_else(|| anyhow::anyhow!("{domain} is not on the allowlist"))?;
    domains::disallow(state, allow.id).await?;
    println!("{domain} is no longer allowed");
    Ok(())
}

async fn show_deliveries(state: &AppState, domain: Option<String>) -> anyhow::Result<()> {
    let domain = domain.map(|d| d.trim().to_lowercase());
    let mut conn = state.db.acquire().await?;
    let overview = deliveries::overview(&mut conn, domain.as_deref(), 200).await?;
    println!("pending {}, dead {}", overview.pending, overview.dead_total);
    for health in &overview.domains {
        println!(
            "domain {}\tfailures {}\tpending {}\tdead {}",
            health.domain, health.consecutive_failures, health.pending, health.dead
        );
    }
    for dead in &overview.dead {
        println!(
            "dead {}\t{}\t{}\t{}",
            dead.id,
            dead.inbox_url,
            dead.attempts,
            dead.last_error.as_deref().unwrap_or("")
        );
    }
    Ok(())
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
                .map_or_else(
                    || id.to_string(),
                    |a| match a.domain {
                        Some(domain) => format!("{}@{domain}", a.username),
                        None => a.username,
                    },
                )
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
