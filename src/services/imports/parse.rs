//! Reading an uploaded CSV file as Mastodon's `Form::Import` reads it: a first line
//! that starts with a known header (`Account address`, `#domain`, `#uri`, `List name`)
//! names the columns, otherwise the type's default columns apply (the one-column
//! files of older Mastodon versions and of the lists export); blank lines are
//! skipped; booleans are Rails' (`false`, `f`, `0`, `off` are false); addresses lose a
//! leading `@` and get this instance's domain when they have none; domains are
//! lowercased. Each row becomes Mastodon's attribute map (`acct`, `show_reblogs`,
//! `notify`, `languages`, `hide_notifications`, `domain`, `uri`, `list_name`).
//!
//! Pure: no I/O but the reader it is handed.

use serde_json::{json, Map, Value};

use super::ImportKind;

/// Most rows one file may have (Mastodon's `ROWS_PROCESSING_LIMIT`).
pub const MAX_ROWS: usize = 20_000;

/// Why a file was refused, in Mastodon's words (`imports.errors`).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("Empty CSV file")]
    Empty,
    #[error("Incompatible with the selected import type")]
    IncompatibleType,
    #[error("Invalid CSV file. Error: {0}")]
    Invalid(String),
    #[error("contains more than {MAX_ROWS} rows")]
    TooManyRows,
}

/// The first headers Mastodon recognises as a header line.
const KNOWN_FIRST_HEADERS: [&str; 4] = ["Account address", "#domain", "#uri", "List name"];

/// The columns of a file without a header line, and those a file must have.
fn default_headers(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Following | ImportKind::Blocking | ImportKind::Muting => &["Account address"],
        ImportKind::DomainBlocking => &["#domain"],
        ImportKind::Bookmarks => &["#uri"],
        ImportKind::Lists => &["List name", "Account address"],
    }
}

/// The headers a type reads (others are ignored).
fn expected_headers(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Following => &[
            "Account address",
            "Show boosts",
            "Notify on new posts",
            "Languages",
        ],
        ImportKind::Muting => &["Account address", "Hide notifications"],
        other => default_headers(other),
    }
}

/// Reads `input` as an import of `kind`: the rows as attribute maps, in file order.
pub fn rows(
    kind: ImportKind,
    input: impl std::io::Read,
    local_domain: &str,
) -> Result<Vec<Value>, ParseError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut records = reader
        .records()
        .filter(|record| !record.as_ref().is_ok_and(|r| r.iter().all(str::is_empty)));
    let first = match records.next() {
        None => return Err(ParseError::Empty),
        Some(record) => record.map_err(invalid)?,
    };
    let first: Vec<String> = first.iter().map(str::to_owned).collect();
    let has_header = first
        .first()
        .is_some_and(|cell| KNOWN_FIRST_HEADERS.contains(&cell.as_str()));
    let headers: Vec<String> = if has_header {
        first.clone()
    } else {
        default_headers(kind)
            .iter()
            .map(|h| (*h).to_owned())
            .collect()
    };
    if !default_headers(kind)
        .iter()
        .all(|wanted| headers.iter().any(|h| h == wanted))
    {
        return Err(ParseError::IncompatibleType);
    }
    let mut out = Vec::new();
    if !has_header {
        out.push(row(kind, &headers, &first, local_domain));
    }
    for record in records {
        let record = record.map_err(invalid)?;
        if out.len() >= MAX_ROWS {
            return Err(ParseError::TooManyRows);
        }
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        out.push(row(kind, &headers, &cells, local_domain));
    }
    Ok(out)
}

fn invalid(error: csv::Error) -> ParseError {
    ParseError::Invalid(error.to_string())
}

/// One line as Mastodon's attribute map (only the type's columns).
fn row(kind: ImportKind, headers: &[String], cells: &[String], local_domain: &str) -> Value {
    let mut map = Map::new();
    for header in expected_headers(kind) {
        let Some(index) = headers.iter().position(|h| h == header) else {
            continue;
        };
        let cell = cells.get(index).map(String::as_str);
        let (name, value) = convert(header, cell, local_domain);
        map.insert(name.to_owned(), value);
    }
    Value::Object(map)
}

/// A cell under `header` as its attribute name and value (Mastodon's converters).
fn convert(header: &str, cell: Option<&str>, local_domain: &str) -> (&'static str, Value) {
    match header {
        "Account address" => (
            "acct",
            json!(address(cell.unwrap_or_default(), local_domain)),
        ),
        "Show boosts" => ("show_reblogs", boolean(cell)),
        "Notify on new posts" => ("notify", boolean(cell)),
        "Hide notifications" => ("hide_notifications", boolean(cell)),
        "Languages" => ("languages", languages(cell)),
        "#domain" => (
            "domain",
            json!(cell.unwrap_or_default().trim().to_lowercase()),
        ),
        "#uri" => ("uri", json!(cell.unwrap_or_default().trim())),
        _ => ("list_name", json!(cell.unwrap_or_default().trim())),
    }
}

/// `user@domain` with the leading `@` gone and the domain lowercased; a bare username
/// is a local account's.
pub fn address(cell: &str, local_domain: &str) -> String {
    let cell = cell.trim().trim_start_matches('@');
    match cell.split_once('@') {
        Some((user, domain)) => format!("{user}@{}", domain.to_lowercase()),
        None => format!("{cell}@{}", local_domain.to_lowercase()),
    }
}

/// Rails' boolean cast: blank is nil; `0`, `f`, `false`, `off` (any case) are false.
fn boolean(cell: Option<&str>) -> Value {
    match cell.map(|c| c.trim().to_lowercase()) {
        None => Value::Null,
        Some(c) if c.is_empty() => Value::Null,
        Some(c) => json!(!matches!(c.as_str(), "0" | "f" | "false" | "off")),
    }
}

/// `en, fr` as `["en", "fr"]`; none as nil.
fn languages(cell: Option<&str>) -> Value {
    let list: Vec<&str> = cell
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .collect();
    if list.is_empty() {
        Value::Null
    } else {
        json!(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: ImportKind, text: &str) -> Result<Vec<Value>, ParseError> {
        rows(kind, text.as_bytes(), "here.example")
    }

    #[test]
    fn a_following_export_reads_with_its_options() {
        let text = "Account address,Show boosts,Notify on new posts,Languages\n\
                    ann@there.example,true,false,\"en, fr\"\n@bob,false,true,\n";
        let found = parse(ImportKind::Following, text).expect("parses");
        assert_eq!(
            found,
            vec![
                json!({"acct": "ann@there.example", "show_reblogs": true, "notify": false,
                       "languages": ["en", "fr"]}),
                json!({"acct": "bob@here.example", "show_reblogs": false, "notify": true,
                       "languages": null}),
            ]
        );
    }

    #[test]
    fn a_file_without_header_uses_the_first_column() {
        let found = parse(
            ImportKind::Blocking,
            "ann@there.example\n\nbob@Else.Example\n",
        )
        .expect("parses");
        assert_eq!(
            found,
            vec![
                json!({"acct": "ann@there.example"}),
                json!({"acct": "bob@else.example"})
            ]
        );
        let lists = parse(ImportKind::Lists, "Friends,ann@there.example\n").expect("parses");
        assert_eq!(
            lists,
            vec![json!({"list_name": "Friends", "acct": "ann@there.example"})]
        );
    }

    #[test]
    fn wrong_empty_and_huge_files_are_refused() {
        assert_eq!(parse(ImportKind::Following, ""), Err(ParseError::Empty));
        assert_eq!(
            parse(ImportKind::Muting, "#domain\nthere.example\n"),
            Err(ParseError::IncompatibleType)
        );
        let huge = "a@b.example\n".repeat(MAX_ROWS + 1);
        assert_eq!(
            parse(ImportKind::Blocking, &huge),
            Err(ParseError::TooManyRows)
        );
        assert!(matches!(
            rows(ImportKind::Blocking, &b"\xff\xfe\n"[..], "x"),
            Err(ParseError::Invalid(_))
        ));
    }
}
