//! The CSV exports of Mastodon's "Import and export" settings: follows, followers,
//! lists, blocks, mutes, domain blocks and bookmarks, byte for byte as Mastodon writes
//! them (`app/models/export.rb`: its headers where it has them, Ruby's CSV quoting,
//! `true`/`false`, local accounts as `user@domain`), read a page at a time and handed
//! out as a stream so an export of any size holds one page in memory.
//!
//! Not here: the archive (`services::archives`), reading imports (`services::imports`).
//!
//! Reference: <https://docs.joinmastodon.org/user/moving/#export>.

use bytes::Bytes;
use futures_util::Stream;

use crate::config::Config;
use crate::db::exports::{self as rows, Summary, FIRST};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::urls;

/// Rows read per query.
const PAGE: i64 = 500;

/// One of the CSV files of the export page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFile {
    Follows,
    Followers,
    Lists,
    Blocks,
    Mutes,
    DomainBlocks,
    Bookmarks,
}

impl ExportFile {
    /// The file named by the last segment of its URL (`follows.csv`, as Mastodon's
    /// `/settings/exports/follows.csv`).
    pub fn from_path(name: &str) -> Option<ExportFile> {
        Some(match name {
            "follows.csv" => ExportFile::Follows,
            "followers.csv" => ExportFile::Followers,
            "lists.csv" => ExportFile::Lists,
            "blocks.csv" => ExportFile::Blocks,
            "mutes.csv" => ExportFile::Mutes,
            "domain_blocks.csv" => ExportFile::DomainBlocks,
            "bookmarks.csv" => ExportFile::Bookmarks,
            _ => return None,
        })
    }

    /// The name a browser saves it under (Mastodon's: its controller's name).
    pub fn download_name(self) -> &'static str {
        match self {
            ExportFile::Follows => "following_accounts.csv",
            ExportFile::Followers => "follower_accounts.csv",
            ExportFile::Lists => "lists.csv",
            ExportFile::Blocks => "blocked_accounts.csv",
            ExportFile::Mutes => "muted_accounts.csv",
            ExportFile::DomainBlocks => "blocked_domains.csv",
            ExportFile::Bookmarks => "bookmarks.csv",
        }
    }

    /// The header line, for the files Mastodon writes one for.
    fn header(self) -> Option<&'static str> {
        match self {
            ExportFile::Follows => {
                Some("Account address,Show boosts,Notify on new posts,Languages\n")
            }
            ExportFile::Mutes => Some("Account address,Hide notifications\n"),
            _ => None,
        }
    }
}

/// The counts the export page shows.
pub async fn summary(state: &AppState, account_id: i64) -> ApiResult<Summary> {
    Ok(rows::summary(&state.db, account_id).await?)
}

/// Where the next page of an export starts.
#[derive(Clone, Copy, Debug)]
enum Cursor {
    /// Below this row id (newest first).
    Before(i64),
    /// After this `(list, member)` pair.
    After(i64, i64),
}

/// The export `file` of `account_id` as a stream of CSV chunks (a page each). A
/// database failure ends the stream with an error, which cuts the download short.
pub fn stream(
    state: &AppState,
    account_id: i64,
    file: ExportFile,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let start = match file {
        ExportFile::Lists => Cursor::After(0, 0),
        _ => Cursor::Before(FIRST),
    };
    let header = file
        .header()
        .map(|line| Bytes::from_static(line.as_bytes()));
    let pages = futures_util::stream::try_unfold(
        (state.clone(), Some(start)),
        move |(state, cursor)| async move {
            let Some(cursor) = cursor else {
                return Ok(None);
            };
            let (csv, next) = page(&state, account_id, file, cursor)
                .await
                .map_err(std::io::Error::other)?;
            Ok(Some((Bytes::from(csv), (state, next))))
        },
    );
    futures_util::StreamExt::chain(futures_util::stream::iter(header.map(Ok)), pages)
}

/// One page of the export as CSV lines, and where the next page starts (`None`
/// after the last).
async fn page(
    state: &AppState,
    account_id: i64,
    file: ExportFile,
    cursor: Cursor,
) -> sqlx::Result<(String, Option<Cursor>)> {
    let db = &state.db;
    let config = &state.config;
    let before = match cursor {
        Cursor::Before(id) => id,
        Cursor::After(..) => FIRST,
    };
    let mut out = String::new();
    let (count, last) = match file {
        ExportFile::Follows => {
            let found = rows::follows(db, account_id, before, PAGE).await?;
            for row in &found {
                let languages = row.languages.as_ref().map(|list| list.join(", "));
                write_record(
                    &mut out,
                    &[
                        Some(acct(config, &row.username, row.domain.as_deref()).as_str()),
                        Some(bool_text(row.show_reblogs)),
                        Some(bool_text(row.notify)),
                        languages.as_deref(),
                    ],
                );
            }
            (found.len(), found.last().map(|row| row.cursor))
        }
        ExportFile::Followers | ExportFile::Blocks => {
            let found = match file {
                ExportFile::Followers => rows::followers(db, account_id, before, PAGE).await?,
                _ => rows::blocks(db, account_id, before, PAGE).await?,
            };
            for row in &found {
                let address = acct(config, &row.username, row.domain.as_deref());
                write_record(&mut out, &[Some(address.as_str())]);
            }
            (found.len(), found.last().map(|row| row.cursor))
        }
        ExportFile::Mutes => {
            let found = rows::mutes(db, account_id, before, PAGE).await?;
            for row in &found {
                let address = acct(config, &row.username, row.domain.as_deref());
                write_record(
                    &mut out,
                    &[Some(address.as_str()), Some(bool_text(row.notifications))],
                );
            }
            (found.len(), found.last().map(|row| row.cursor))
        }
        ExportFile::DomainBlocks => {
            let found = rows::domain_blocks(db, account_id, before, PAGE).await?;
            for row in &found {
                write_record(&mut out, &[Some(row.domain.as_str())]);
            }
            (found.len(), found.last().map(|row| row.cursor))
        }
        ExportFile::Bookmarks => {
            let found = rows::bookmarks(db, account_id, before, PAGE).await?;
            for row in &found {
                write_record(&mut out, &[Some(status_uri(config, row).as_str())]);
            }
            (found.len(), found.last().map(|row| row.cursor))
        }
        ExportFile::Lists => return lists_page(state, account_id, cursor, out).await,
    };
    let next = last.filter(|_| count as i64 == PAGE).map(Cursor::Before);
    Ok((out, next))
}

/// A page of the lists file: `list title,account address` lines, list by list.
async fn lists_page(
    state: &AppState,
    account_id: i64,
    cursor: Cursor,
    mut out: String,
) -> sqlx::Result<(String, Option<Cursor>)> {
    let after = match cursor {
        Cursor::After(list, member) => (list, member),
        Cursor::Before(_) => (0, 0),
    };
    let found = rows::list_members(&state.db, account_id, after, PAGE).await?;
    for row in &found {
        let address = acct(&state.config, &row.username, row.domain.as_deref());
        write_record(
            &mut out,
            &[Some(row.title.as_str()), Some(address.as_str())],
        );
    }
    let next = found
        .last()
        .filter(|_| found.len() as i64 == PAGE)
        .map(|row| Cursor::After(row.list_id, row.member_id));
    Ok((out, next))
}

/// An account's address as Mastodon exports it: `user@domain`, local ones under this
/// instance's domain.
pub fn acct(config: &Config, username: &str, domain: Option<&str>) -> String {
    format!("{username}@{}", domain.unwrap_or(&config.domain))
}

/// The ActivityPub id of an exported status.
pub fn status_uri(config: &Config, row: &rows::StatusEntry) -> String {
    match &row.ap_id {
        Some(uri) => uri.clone(),
        None => urls::status(config, &row.username, row.status_id),
    }
}

fn bool_text(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

/// Appends one CSV line as Ruby's `CSV.generate` writes it: fields joined by commas,
/// `nil` empty, an empty string and any field with a comma, quote, CR or LF quoted
/// (quotes doubled), and `\n` at the end.
pub fn write_record(out: &mut String, fields: &[Option<&str>]) {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let Some(field) = field else { continue };
        if field.is_empty() || field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fields: &[Option<&str>]) -> String {
        let mut out = String::new();
        write_record(&mut out, fields);
        out
    }

    #[test]
    fn fields_are_quoted_as_ruby_csv_quotes_them() {
        assert_eq!(
            line(&[Some("a@b.example"), Some("true")]),
            "a@b.example,true\n"
        );
        assert_eq!(line(&[Some("x"), None]), "x,\n");
        assert_eq!(line(&[Some("x"), Some("")]), "x,\"\"\n");
        assert_eq!(line(&[Some("en, fr")]), "\"en, fr\"\n");
        assert_eq!(line(&[Some("say \"hi\"")]), "\"say \"\"hi\"\"\"\n");
        assert_eq!(line(&[Some("two\nlines")]), "\"two\nlines\"\n");
    }

    #[test]
    fn every_export_url_names_one_file() {
        for name in [
            "follows.csv",
            "followers.csv",
            "lists.csv",
            "blocks.csv",
            "mutes.csv",
            "domain_blocks.csv",
            "bookmarks.csv",
        ] {
            assert!(ExportFile::from_path(name).is_some(), "{name}");
        }
        assert_eq!(ExportFile::from_path("follows.json"), None);
    }
}
