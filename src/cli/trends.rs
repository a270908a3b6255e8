//! `roost admin` commands for trends: recompute them now, list the candidates with
//! their review, and approve or reject one. Each calls `services::trends`.

use clap::{Subcommand, ValueEnum};

use crate::error::ApiError;
use crate::services::trends::{self, TrendsPage};
use crate::state::AppState;

/// What a trend is about, on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TrendKind {
    Tag,
    Status,
    Link,
}

/// Trends subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum TrendsCommand {
    /// Recompute every trend now (the server does it every five minutes).
    #[command(name = "trends-refresh")]
    Refresh,
    /// List the candidates of one kind, best first: id, review (approved, rejected,
    /// pending), and the hashtag name, the status URI or the link URL.
    #[command(name = "trends-list")]
    List {
        #[arg(value_enum)]
        kind: TrendKind,
    },
    /// Let a hashtag, status or link trend (`id` as `trends-list` shows it).
    #[command(name = "trends-approve")]
    Approve {
        #[arg(value_enum)]
        kind: TrendKind,
        id: i64,
    },
    /// Keep a hashtag, status or link from trending.
    #[command(name = "trends-reject")]
    Reject {
        #[arg(value_enum)]
        kind: TrendKind,
        id: i64,
    },
}

/// The most candidates `trends-list` prints.
const LISTED: TrendsPage = TrendsPage {
    offset: 0,
    limit: 100,
};

/// Runs one trends command, printing what it did.
pub async fn run(state: &AppState, command: TrendsCommand) -> anyhow::Result<()> {
    match command {
        TrendsCommand::Refresh => match trends::refresh(state).await? {
            Some([tags, statuses, links]) => {
                println!("trending: {tags} hashtags, {statuses} statuses, {links} links")
            }
            None => println!("another process is refreshing trends right now"),
        },
        TrendsCommand::List { kind } => list(state, kind).await?,
        TrendsCommand::Approve { kind, id } => review(state, kind, id, true).await?,
        TrendsCommand::Reject { kind, id } => review(state, kind, id, false).await?,
    }
    Ok(())
}

async fn list(state: &AppState, kind: TrendKind) -> anyhow::Result<()> {
    match kind {
        TrendKind::Tag => {
            for view in trends::admin_tags(state, LISTED).await? {
                let tag = &view.tag;
                let review = label(tag.reviewed_at.map(|_| tag.trendable));
                println!("{}\t{review}\t#{}", tag.id, tag.name);
            }
        }
        TrendKind::Status => {
            for reviewed in trends::admin_statuses(state, LISTED).await? {
                let status = &reviewed.trend;
                let review = label(reviewed.trendable);
                let uri = status.ap_id.as_deref().unwrap_or("(local)");
                println!("{}\t{review}\t{uri}", status.id);
            }
        }
        TrendKind::Link => {
            for reviewed in trends::admin_links(state, LISTED).await? {
                let review = label(reviewed.trendable);
                let card = &reviewed.trend.card;
                println!("{}\t{review}\t{}", card.id, card.url);
            }
        }
    }
    Ok(())
}

fn label(trendable: Option<bool>) -> &'static str {
    match trendable {
        None => "pending",
        Some(true) => "approved",
        Some(false) => "rejected",
    }
}

async fn review(state: &AppState, kind: TrendKind, id: i64, trendable: bool) -> anyhow::Result<()> {
    let done = match kind {
        TrendKind::Tag => trends::review_tag(state, id, trendable).await.map(|_| ()),
        TrendKind::Status => trends::review_status(state, id, trendable)
            .await
            .map(|_| ()),
        TrendKind::Link => trends::review_link(state, id, trendable).await.map(|_| ()),
    };
    match done {
        Ok(()) => {
            let verb = if trendable { "approved" } else { "rejected" };
            println!("{kind:?} {id} {verb}");
            Ok(())
        }
        Err(ApiError::NotFound) => anyhow::bail!("no {kind:?} {id}"),
        Err(error) => Err(error.into()),
    }
}
