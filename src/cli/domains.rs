//! `roost admin` commands about other servers: domain blocks and allows (through
//! `services::domains`, as the admin API) and the delivery view and replay (through
//! `db::deliveries`, as the admin API).

use clap::{Args, ValueEnum};

use crate::db::{deliveries, domain_blocks};
use crate::services::domains::{self as service, BlockChanges, Blocked};
use crate::state::AppState;

/// `roost admin domain-block`: the domain and how to block it.
#[derive(Debug, Args)]
pub struct DomainBlockArgs {
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
}

/// Severity of a domain block.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Severity {
    Silence,
    Suspend,
    Noop,
}

/// Blocks a domain; fails when it is blocked already.
pub async fn block(state: &AppState, args: DomainBlockArgs) -> anyhow::Result<()> {
    let changes = BlockChanges {
        severity: Some(format!("{:?}", args.severity).to_lowercase()),
        reject_media: Some(args.reject_media),
        reject_reports: Some(args.reject_reports),
        private_comment: args.private_comment,
        public_comment: args.public_comment,
        obfuscate: Some(false),
    };
    match service::block(state, Some(&args.domain), &changes).await? {
        Blocked::Created(block) => println!("{} is blocked ({})", block.domain, block.severity),
        Blocked::Already { domain, .. } => anyhow::bail!("{domain} is already blocked"),
    }
    Ok(())
}

/// Lifts the block of a domain, named as typed.
pub async fn unblock(state: &AppState, domain: &str) -> anyhow::Result<()> {
    let domain = service::normalize_domain(Some(domain))?;
    let block = domain_blocks::find_by_domain(&state.db, &domain)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{domain} is not blocked"))?;
    service::unblock(state, block.id).await?;
    println!("{domain} is no longer blocked");
    Ok(())
}

/// Every domain block: id, domain, severity.
pub async fn list_blocks(state: &AppState) -> anyhow::Result<()> {
    let page = crate::db::Page {
        limit: 10_000,
        ..Default::default()
    };
    for block in domain_blocks::page(&state.db, &page).await? {
        println!("{}\t{}\t{}", block.id, block.domain, block.severity);
    }
    Ok(())
}

/// Puts a domain on the allowlist.
pub async fn allow(state: &AppState, domain: &str) -> anyhow::Result<()> {
    let allow = service::allow(state, Some(domain)).await?;
    println!("{} is allowed (id {})", allow.domain, allow.id);
    Ok(())
}

/// Takes a domain, named as typed, off the allowlist.
pub async fn disallow(state: &AppState, domain: &str) -> anyhow::Result<()> {
    let domain = service::normalize_domain(Some(domain))?;
    let page = crate::db::Page {
        limit: 10_000,
        ..Default::default()
    };
    let allows = domain_blocks::allows_page(&state.db, &page).await?;
    let allow = allows
        .iter()
        .find(|allow| allow.domain == domain)
        .ok_or_else(|| anyhow::anyhow!("{domain} is not on the allowlist"))?;
    service::disallow(state, allow.id).await?;
    println!("{domain} is no longer allowed");
    Ok(())
}

/// Prints the outbox counts, per-domain health and dead deliveries (all, or one
/// domain's).
pub async fn show_deliveries(state: &AppState, domain: Option<String>) -> anyhow::Result<()> {
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

/// Queues dead deliveries again (all, or one domain's).
pub async fn replay_deliveries(state: &AppState, domain: Option<String>) -> anyhow::Result<()> {
    let replayed = deliveries::replay_dead(&state.db, domain.as_deref()).await?;
    println!("{replayed} dead deliveries queued again");
    Ok(())
}
