//! The bounds one GraphQL request must stay within, so that no request can take the
//! server down: its size, its nesting (checked on the text, before it is parsed), the
//! size of its selection with fragments written out (checked on the parsed document,
//! before validation), its depth and complexity (checked by async-graphql's
//! validation), and the persisted queries kept in memory.
//!
//! Not here: the checks themselves of depth and complexity (the schema's
//! `limit_depth`/`limit_complexity`, set in [`super::schema`]) and how each field counts
//! (the `complexity` of the list fields in [`super::query`] and [`super::types`]).
//! Spec: <https://spec.graphql.org/October2021/#sec-Language> (the lexical grammar that
//! [`nesting`] skims).

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::Positioned;

/// Largest request body `/api/graphql` reads, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest query text, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Deepest bracket nesting (`{`, `(`, `[` together) the text of a query may have,
/// checked before parsing (a query nested thousands deep costs a scan, not a parse),
/// and deepest nesting of selections and fragment spreads (the schema's
/// `limit_recursive_depth`).
pub const MAX_NESTING: usize = 20;
/// Deepest selection of fields (the schema's `limit_depth`).
pub const MAX_DEPTH: usize = 15;
/// Highest complexity (the schema's `limit_complexity`): each field counts 1, a list
/// field counts its children once per item it may return (`first`).
pub const MAX_COMPLEXITY: usize = 2_000;
/// What one mutation field counts towards [`MAX_COMPLEXITY`] (plus its selection), so
/// that one request makes at most about 20 changes.
pub const MUTATION_COST: usize = 100;
/// Persisted queries kept per process (least recently used ones go first).
pub const PERSISTED_QUERIES: usize = 1_000;
/// Items one connection page may hold (`first`), as the REST lists' `limit`.
pub const MAX_PAGE: i32 = 40;
/// Items a connection page holds when `first` is not given.
pub const DEFAULT_PAGE: i32 = 20;

/// Most fields a query may select once its fragments are written out. Fragments that
/// each spread the next one twice would otherwise double the work of validation at
/// every level.
pub const MAX_EXPANDED_FIELDS: usize = 5_000;

/// Why a query's text is refused before parsing.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Longer than [`MAX_QUERY_BYTES`].
    TooLong,
    /// Nested deeper than [`MAX_NESTING`].
    TooDeep,
}

impl Refusal {
    /// The message of the GraphQL error that refuses the query.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooLong => format!("The query is longer than {MAX_QUERY_BYTES} bytes"),
            Refusal::TooDeep => {
                format!("The query is nested deeper than {MAX_NESTING} levels")
            }
        }
    }
}

/// Checks the text of a query against [`MAX_QUERY_BYTES`] and [`MAX_NESTING`].
pub fn check_text(query: &str) -> Result<(), Refusal> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Refusal::TooLong);
    }
    if nesting(query) > MAX_NESTING {
        return Err(Refusal::TooDeep);
    }
    Ok(())
}

/// The deepest nesting of `{`, `(` and `[` in a GraphQL document, skipping strings,
/// block strings and comments. Unbalanced text is measured as written: the parser
/// refuses it afterwards.
pub fn nesting(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while at < bytes.len() {
        match bytes[at] {
            b'{' | b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'#' => at = end_of_comment(bytes, at),
            b'"' if bytes[at..].starts_with(b"\"\"\"") => at = end_of_block_string(bytes, at),
            b'"' => at = end_of_string(bytes, at),
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// The index of the line end closing the comment that starts at `start`.
fn end_of_comment(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|&at| bytes[at] == b'\n' || bytes[at] == b'\r')
        .unwrap_or(bytes.len())
}

/// The index of the quote closing the string that starts at `start` (`\"` escapes).
fn end_of_string(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 1,
            b'"' | b'\n' => return at,
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

/// The index of the last quote closing the block string that starts at `start`
/// (`\"""` escapes).
fn end_of_block_string(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 3;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"\\\"\"\"") {
            at += 4;
            continue;
        }
        if bytes[at..].starts_with(b"\"\"\"") {
            return at + 2;
        }
        at += 1;
    }
    bytes.len()
}

/// How many fields `document`'s largest operation selects with every fragment spread
/// written out (a fragment's size is counted once and reused, so this costs one pass
/// over the document; a fragment cycle counts as `usize::MAX`).
pub fn expanded_fields(document: &ExecutableDocument) -> usize {
    let mut sizes: HashMap<&str, Option<usize>> = HashMap::new();
    document
        .operations
        .iter()
        .map(|(_, operation)| selection_size(document, &operation.node.selection_set, &mut sizes))
        .max()
        .unwrap_or(0)
}

/// The written-out size of `set`; `sizes` holds each fragment's (`None` while it is
/// being measured).
fn selection_size<'a>(
    document: &'a ExecutableDocument,
    set: &'a Positioned<SelectionSet>,
    sizes: &mut HashMap<&'a str, Option<usize>>,
) -> usize {
    set.node.items.iter().fold(0usize, |total, selection| {
        let size = match &selection.node {
            Selection::Field(field) => {
                1usize.saturating_add(selection_size(document, &field.node.selection_set, sizes))
            }
            Selection::InlineFragment(inline) => {
                selection_size(document, &inline.node.selection_set, sizes)
            }
            Selection::FragmentSpread(spread) => {
                fragment_size(document, spread.node.fragment_name.node.as_str(), sizes)
            }
        };
        total.saturating_add(size)
    })
}

fn fragment_size<'a>(
    document: &'a ExecutableDocument,
    name: &'a str,
    sizes: &mut HashMap<&'a str, Option<usize>>,
) -> usize {
    match sizes.get(name) {
        Some(Some(size)) => return *size,
        // A cycle writes out without end (validation would refuse it, but the walks
        // before validation follow it).
        Some(None) => return usize::MAX,
        None => {}
    }
    let Some(fragment) = document.fragments.get(name) else {
        return 0;
    };
    sizes.insert(name, None);
    let size = selection_size(document, &fragment.node.selection_set, sizes);
    sizes.insert(name, Some(size));
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}{}", "{a".repeat(levels), "}".repeat(levels))
    }

    #[test]
    fn a_flat_query_has_the_nesting_of_its_selections() {
        assert_eq!(nesting("{ viewer { id username } }"), 2);
        assert_eq!(nesting("query($x: [ID!]) { a(ids: $x) { b } }"), 2);
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let query =
            "{ a(text: \"{{{{ [[[ \\\" (((\") # {{{{{{\n b(t: \"\"\"{{{ \\\"\"\" {{\"\"\") }";
        assert_eq!(nesting(query), 2);
    }

    #[test]
    fn a_query_fifty_deep_is_refused_before_parsing() {
        assert_eq!(check_text(&nested(50)), Err(Refusal::TooDeep));
        assert_eq!(check_text(&nested(MAX_NESTING)), Ok(()));
    }

    #[test]
    fn a_long_query_is_refused() {
        let long = format!("{{ a }}{}", " ".repeat(MAX_QUERY_BYTES));
        assert_eq!(check_text(&long), Err(Refusal::TooLong));
    }

    #[test]
    fn fragments_that_double_are_counted_written_out_in_one_pass() {
        let mut query = String::from("{ ...F0 }");
        for level in 0..40 {
            let next = level + 1;
            query.push_str(&format!(
                " fragment F{level} on Query {{ ...F{next} ...F{next} }}"
            ));
        }
        query.push_str(" fragment F40 on Query { a }");
        let document = async_graphql::parser::parse_query(&query).expect("parses");
        assert_eq!(expanded_fields(&document), 1 << 40);
        let small = async_graphql::parser::parse_query("{ a { b c } ...G } fragment G on Q { d }")
            .expect("parses");
        assert_eq!(expanded_fields(&small), 4);
        let cycle = async_graphql::parser::parse_query("{ ...A } fragment A on Q { x ...A }")
            .expect("parses");
        assert_eq!(expanded_fields(&cycle), usize::MAX);
    }

    #[test]
    fn unbalanced_text_never_panics() {
        assert_eq!(nesting("}}}{{\"unterminated"), 2);
        assert_eq!(nesting("\"\"\"open block"), 0);
        assert_eq!(nesting("# only a comment"), 0);
    }
}
