//! `roost admin` commands for the instance's long texts: the extended description and
//! privacy policy (`text-set`), and versions of the terms of service (`terms-add`,
//! `terms-remove`, `terms-list`). Each calls `services::instance_info`.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;

use crate::services::instance_info::{self, TextKind, MAX_TEXT_CHARS};
use crate::state::AppState;

/// Instance text subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// Set the extended description or the privacy policy from a plain-text file
    /// (`-` reads standard input; an empty file removes the text). Blank lines separate
    /// paragraphs; `%{domain}` stands for the instance's domain.
    #[command(name = "text-set")]
    TextSet {
        #[arg(value_enum)]
        kind: TextKind,
        file: PathBuf,
    },
    /// Add the terms of service that take effect on a date (YYYY-MM-DD), from a
    /// plain-text file (`-` reads standard input); replaces that date's version.
    #[command(name = "terms-add")]
    TermsAdd {
        #[arg(long)]
        effective_date: NaiveDate,
        file: PathBuf,
    },
    /// Remove the version of the terms of service of a date.
    #[command(name = "terms-remove")]
    TermsRemove { effective_date: NaiveDate },
    /// List the versions of the terms of service: date and first line.
    #[command(name = "terms-list")]
    TermsList,
}

/// Runs one instance text command, printing what it did.
pub async fn run(state: &AppState, command: TextCommand) -> anyhow::Result<()> {
    match command {
        TextCommand::TextSet { kind, file } => {
            let text = read_text(&file)?;
            match instance_info::set_text(state, kind, &text).await? {
                Some(_) => println!("{kind:?} set"),
                None => println!("{kind:?} removed"),
            }
        }
        TextCommand::TermsAdd {
            effective_date,
            file,
        } => {
            let text = read_text(&file)?;
            let terms = instance_info::add_terms(state, effective_date, &text).await?;
            println!("terms of service of {} added", terms.effective_date);
        }
        TextCommand::TermsRemove { effective_date } => {
            match instance_info::remove_terms(state, effective_date).await {
                Ok(()) => println!("terms of service of {effective_date} removed"),
                Err(crate::error::ApiError::NotFound) => {
                    anyhow::bail!("no terms of service of {effective_date}")
                }
                Err(error) => return Err(error.into()),
            }
        }
        TextCommand::TermsList => {
            for terms in instance_info::all_terms(state).await? {
                let first_line = terms.text.lines().next().unwrap_or("");
                println!("{}\t{first_line}", terms.effective_date);
            }
        }
    }
    Ok(())
}

/// The file's text (or standard input's for `-`), reading at most one character's
/// worth more than the longest allowed text, so the service refuses a huge one.
fn read_text(path: &Path) -> anyhow::Result<String> {
    let limit = u64::try_from(MAX_TEXT_CHARS * 4 + 1).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().take(limit).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)
            .map_err(|error| anyhow::anyhow!("cannot open {}: {error}", path.display()))?
            .take(limit)
            .read_to_end(&mut bytes)?;
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))
}
