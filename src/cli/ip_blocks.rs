//! `roost admin` IP block commands, through `services::ip_blocks` as the admin API.
//! A running server sees a change within `services::ip_blocks::REFRESH` (its
//! `no_access` list is per process); sign-up sees it at once.

use clap::{Args, ValueEnum};

use crate::db::ip_blocks;
use crate::services::ip_blocks::{self as service, IpBlockInput};
use crate::state::AppState;

/// `roost admin ip-block-add`: the address or network and what it may not do.
#[derive(Debug, Args)]
pub struct IpBlockAddArgs {
    /// An address (192.0.2.7) or a network (192.0.2.0/24).
    ip: String,
    #[arg(long, value_enum, default_value = "sign-up-block")]
    severity: IpSeverity,
    /// A note only admins see.
    #[arg(long, default_value = "")]
    comment: String,
    /// Seconds until the block expires (default: never).
    #[arg(long)]
    expires_in: Option<u32>,
}

/// Severity of an IP block.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum IpSeverity {
    SignUpRequiresApproval,
    SignUpBlock,
    NoAccess,
}

impl IpSeverity {
    /// The name Mastodon (and the admin API) uses.
    fn as_str(self) -> &'static str {
        match self {
            IpSeverity::SignUpRequiresApproval => "sign_up_requires_approval",
            IpSeverity::SignUpBlock => "sign_up_block",
            IpSeverity::NoAccess => "no_access",
        }
    }
}

/// Blocks an address or network; fails when it is invalid or blocked already.
pub async fn add(state: &AppState, args: IpBlockAddArgs) -> anyhow::Result<()> {
    let input = IpBlockInput {
        ip: Some(args.ip),
        severity: Some(args.severity.as_str().to_owned()),
        comment: Some(args.comment),
        expires_in: args.expires_in.map(|seconds| seconds.to_string()),
    };
    let block = service::create(state, &input).await?;
    println!(
        "{} is blocked ({}, id {})",
        block.ip, block.severity, block.id
    );
    Ok(())
}

/// Deletes the IP block `id`.
pub async fn remove(state: &AppState, id: i64) -> anyhow::Result<()> {
    service::delete(state, id).await?;
    println!("IP block {id} removed");
    Ok(())
}

/// Every IP block: id, network, severity, expiry (or `never`).
pub async fn list(state: &AppState) -> anyhow::Result<()> {
    let page = crate::db::Page {
        limit: 10_000,
        ..Default::default()
    };
    for block in ip_blocks::page(&state.db, &page).await? {
        let expires = block
            .expires_at
            .map_or_else(|| "never".to_owned(), |at| at.to_rfc3339());
        println!(
            "{}\t{}\t{}\t{}",
            block.id, block.ip, block.severity, expires
        );
    }
    Ok(())
}
