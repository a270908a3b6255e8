//! CSV imports of Mastodon's "Import and export" settings: follows, blocks, mutes,
//! domain blocks, bookmarks and lists, from Mastodon's export files (with or without
//! their header line, and the older one-column files). An upload is read and checked
//! at once (size, rows, columns: [`parse`]) and stored as an import with one row per
//! line (`bulk_imports`, `bulk_import_rows`); the worker ([`worker`]) then applies the
//! rows one by one through the same service functions as a manual action, so every
//! rule, notification and federation delivery happens as if the user had clicked.
//!
//! Overwrite mode, as Mastodon's: what the account has that the file lacks is removed
//! — rows of `remove` added at upload (unfollow, unblock, unmute, domain unblock,
//! bookmark removal); lists not in the file are deleted and the others emptied at
//! upload, before the file's members are added.
//!
//! Reference: Mastodon's `Form::Import`, `BulkImportService`, `BulkImportRowService`;
//! <https://docs.joinmastodon.org/user/moving/#export>.

pub mod parse;
pub mod worker;

use std::collections::HashSet;

use serde_json::Value;

use crate::db::accounts::AccountRow;
use crate::db::exports as export_rows;
use crate::db::imports::{self as rows, AccountRelation, ImportRow};
use crate::db::lists as list_rows;
use crate::error::{ApiError, ApiResult};
use crate::media::spool::SpooledFile;
use crate::services::{exports, lists};
use crate::state::AppState;

pub use parse::{ParseError, MAX_ROWS};

/// Largest file accepted, in bytes (Mastodon's `FILE_SIZE_LIMIT`, 20 MB).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Imports the settings page lists.
pub const RECENT: i64 = 10;

/// What a file imports (Mastodon's import types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Following,
    Blocking,
    Muting,
    DomainBlocking,
    Bookmarks,
    Lists,
}

impl ImportKind {
    /// Every kind, in the order the form offers them.
    pub const ALL: [ImportKind; 6] = [
        ImportKind::Following,
        ImportKind::Bookmarks,
        ImportKind::Lists,
        ImportKind::Muting,
        ImportKind::Blocking,
        ImportKind::DomainBlocking,
    ];

    /// Mastodon's name (`following`, `domain_blocking`, …), as stored and as the form
    /// sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Following => "following",
            ImportKind::Blocking => "blocking",
            ImportKind::Muting => "muting",
            ImportKind::DomainBlocking => "domain_blocking",
            ImportKind::Bookmarks => "bookmarks",
            ImportKind::Lists => "lists",
        }
    }

    /// The kind Mastodon's name names.
    pub fn parse(name: &str) -> Option<ImportKind> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// Whether an import adds to what the account has or replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    Merge,
    Overwrite,
}

/// Reads the uploaded `file` as an import of `kind` by `account` and queues its rows.
/// Errors: `Validation` on `data` with Mastodon's message for a file too large,
/// empty, of another type, malformed or longer than [`MAX_ROWS`] rows (nothing is
/// changed then); `Validation` on `data` when the lists it names cannot be created.
pub async fn create(
    state: &AppState,
    account: &AccountRow,
    kind: ImportKind,
    mode: ImportMode,
    file: SpooledFile,
) -> ApiResult<ImportRow> {
    if file.len() > MAX_FILE_BYTES {
        return Err(refused("File is too large"));
    }
    let data = read(state, kind, file).await?;
    let overwrite = mode == ImportMode::Overwrite;
    if kind == ImportKind::Lists {
        prepare_lists(state, account.id, &data, overwrite).await?;
    }
    let mut transaction = state.db.begin().await?;
    let import_id = rows::insert(&mut transaction, account.id, kind.as_str(), overwrite).await?;
    rows::add_rows(&mut transaction, import_id, &data).await?;
    if overwrite {
        remove_unlisted(state, &mut transaction, account.id, import_id, kind, &data).await?;
    }
    rows::set_total(&mut transaction, import_id).await?;
    transaction.commit().await?;
    rows::find_owned(&state.db, account.id, import_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The account's latest imports with their progress, newest first.
pub async fn recent(state: &AppState, account_id: i64) -> ApiResult<Vec<ImportRow>> {
    Ok(rows::recent(&state.db, account_id, RECENT).await?)
}

/// The failed rows of the account's import `import_id` as a CSV file of its kind
/// (Mastodon's failures download). Errors: `NotFound` for another account's import.
pub async fn failures_csv(state: &AppState, account_id: i64, import_id: i64) -> ApiResult<String> {
    let import = rows::find_owned(&state.db, account_id, import_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut out = String::new();
    for data in rows::failures(&state.db, import.id).await? {
        let text = |name: &str| data.0.get(name).and_then(Value::as_str).map(str::to_owned);
        let fields: Vec<Option<String>> = match ImportKind::parse(&import.kind) {
            Some(ImportKind::DomainBlocking) => vec![text("domain")],
            Some(ImportKind::Bookmarks) => vec![text("uri")],
            Some(ImportKind::Lists) => vec![text("list_name"), text("acct")],
            _ => vec![text("acct")],
        };
        let fields: Vec<Option<&str>> = fields.iter().map(Option::as_deref).collect();
        exports::write_record(&mut out, &fields);
    }
    Ok(out)
}

fn refused(reason: impl Into<String>) -> ApiError {
    ApiError::validation("data", "ERR_INVALID", reason)
}

/// Parses the spooled file off the async threads (it may be 20 MB).
async fn read(state: &AppState, kind: ImportKind, file: SpooledFile) -> ApiResult<Vec<Value>> {
    let local_domain = state.config.domain.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        let reader = file.into_reader()?;
        Ok::<_, std::io::Error>(parse::rows(
            kind,
            std::io::BufReader::new(reader),
            &local_domain,
        ))
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    parsed.map_err(|error| refused(error.to_string()))
}

/// Lists of a lists import: when overwriting, those the file does not name are
/// deleted and the others emptied (as Mastodon); then those it names are created
/// when missing, so the rows find them.
async fn prepare_lists(
    state: &AppState,
    owner: i64,
    data: &[Value],
    overwrite: bool,
) -> ApiResult<()> {
    let mut titles: Vec<&str> = Vec::new();
    for title in data.iter().filter_map(|row| row["list_name"].as_str()) {
        if !titles.contains(&title) {
            titles.push(title);
        }
    }
    if overwrite {
        let keep: Vec<String> = titles.iter().map(|t| (*t).to_owned()).collect();
        rows::replace_lists(&state.db, owner, &keep).await?;
    }
    let existing = list_rows::of_owner(&state.db, owner).await?;
    for title in titles {
        if existing.iter().any(|list| list.title == title) {
            continue;
        }
        let input = lists::ListInput {
            title: Some(title.to_owned()),
            ..lists::ListInput::default()
        };
        if let Err(error) = lists::create(state, owner, &input).await {
            return Err(match error {
                ApiError::Validation(problems) => refused(
                    problems
                        .into_iter()
                        .map(|p| p.reason)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                other => other,
            });
        }
    }
    Ok(())
}

/// `remove` rows for what the account has that an overwriting file lacks.
async fn remove_unlisted(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    account_id: i64,
    import_id: i64,
    kind: ImportKind,
    data: &[Value],
) -> ApiResult<()> {
    let domain = &state.config.domain;
    let relation = match kind {
        ImportKind::Following => AccountRelation::Follows,
        ImportKind::Blocking => AccountRelation::Blocks,
        ImportKind::Muting => AccountRelation::Mutes,
        ImportKind::DomainBlocking => {
            rows::remove_domains_not_listed(conn, import_id, account_id).await?;
            return Ok(());
        }
        ImportKind::Bookmarks => {
            return remove_bookmarks(state, conn, account_id, import_id, data).await
        }
        ImportKind::Lists => return Ok(()),
    };
    rows::remove_accounts_not_listed(conn, import_id, account_id, relation, domain).await?;
    Ok(())
}

/// `remove` rows for the bookmarks whose URI the file does not name, read a page at a
/// time.
async fn remove_bookmarks(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    account_id: i64,
    import_id: i64,
    data: &[Value],
) -> ApiResult<()> {
    let listed: HashSet<&str> = data.iter().filter_map(|row| row["uri"].as_str()).collect();
    let mut before = export_rows::FIRST;
    loop {
        let page = export_rows::bookmarks(&mut *conn, account_id, before, 500).await?;
        let unlisted: Vec<(i64, String)> = page
            .iter()
            .map(|row| (row.status_id, exports::status_uri(&state.config, row)))
            .filter(|(_, uri)| !listed.contains(uri.as_str()))
            .collect();
        rows::remove_statuses(conn, import_id, &unlisted).await?;
        match page.last() {
            Some(last) if page.len() == 500 => before = last.cursor,
            _ => return Ok(()),
        }
    }
}
