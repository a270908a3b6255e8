//! `roost admin` commands for announcements: publish one, list them, remove one. Each
//! calls `services::announcements`.

use chrono::{DateTime, Utc};
use clap::Subcommand;

use crate::services::announcements::{self, AnnouncementInput};
use crate::state::AppState;

/// Announcement subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum AnnouncementCommand {
    /// Publish an announcement to every user (plain text; blank lines separate
    /// paragraphs). Times are RFC 3339, e.g. 2027-01-01T18:00:00Z.
    #[command(name = "announcement-add")]
    Add {
        text: String,
        /// When the event it announces starts.
        #[arg(long)]
        starts_at: Option<DateTime<Utc>>,
        /// When it ends; past this time the announcement is no longer listed.
        #[arg(long)]
        ends_at: Option<DateTime<Utc>>,
        /// The event lasts whole days (apps show dates only).
        #[arg(long)]
        all_day: bool,
    },
    /// Remove an announcement by id (with its reactions).
    #[command(name = "announcement-remove")]
    Remove { id: i64 },
    /// List the announcements: id, ends_at (or -), first line.
    #[command(name = "announcement-list")]
    List,
}

/// Runs one announcement command, printing what it did.
pub async fn run(state: &AppState, command: AnnouncementCommand) -> anyhow::Result<()> {
    match command {
        AnnouncementCommand::Add {
            text,
            starts_at,
            ends_at,
            all_day,
        } => {
            let input = AnnouncementInput {
                text: &text,
                starts_at,
                ends_at,
                all_day,
            };
            let added = announcements::add(state, &input).await?;
            println!("announcement {} published", added.id);
        }
        AnnouncementCommand::Remove { id } => match announcements::remove(state, id).await {
            Ok(()) => println!("announcement {id} removed"),
            Err(crate::error::ApiError::NotFound) => anyhow::bail!("no announcement {id}"),
            Err(error) => return Err(error.into()),
        },
        AnnouncementCommand::List => {
            for row in announcements::all(state).await? {
                let ends = row.ends_at.map_or("-".to_owned(), |at| at.to_rfc3339());
                let first_line = row.text.lines().next().unwrap_or("");
                println!("{}\t{ends}\t{first_line}", row.id);
            }
        }
    }
    Ok(())
}
