//! The bounds one GraphQL request must stay within, so that no request can take the
//! server down: its size, its nesting (checked on the text, before it is parsed), its
//! depth and complexity (checked by async-graphql's validation on the parsed document),
//! and the persisted queries kept in memory.
//!
//! Not here: the checks themselves of depth and complexity (the schema's
//! `limit_depth`/`limit_complexity`, set in [`super::schema`]) and how each field counts
//! (the `complexity` of the list fields in [`super::query`] and [`super::types`]).
//! Spec: <https://spec.graphql.org/October2021/#sec-Language> (the lexical grammar that
//! [`nesting`] skims).

/// Largest request body `/api/graphql` reads, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest query text, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Deepest bracket nesting (`{`, `(`, `[` together) the text of a query may have. Checked
/// before parsing, so a query nested thousands deep costs a scan, not a parse.
pub const MAX_NESTING: usize = 30;
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
    fn unbalanced_text_never_panics() {
        assert_eq!(nesting("}}}{{\"unterminated"), 2);
        assert_eq!(nesting("\"\"\"open block"), 0);
        assert_eq!(nesting("# only a comment"), 0);
    }
}
