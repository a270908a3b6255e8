//! The status search syntax: words, `"phrases"`, `prefix*`, `-excluded` words and
//! Mastodon's operators (`from:`, `has:`, `is:`, `language:`, `before:`, `after:`,
//! `during:`, `in:`; each may be negated with `-`), parsed into a [`StatusQuery`].
//! Spec: <https://docs.joinmastodon.org/client/search/> and the behaviour of
//! Mastodon's `SearchQueryTransformer`.
//!
//! Words never reach PostgreSQL's `to_tsquery` as typed: each is reduced to letters,
//! digits and inner punctuation other than quotes and backslashes, then written as a
//! quoted lexeme, so no input can form tsquery syntax ([`StatusQuery::tsquery`]).

use chrono::NaiveDate;

/// Most operators in one query.
pub const MAX_OPERATORS: usize = 10;
/// Most words and phrases in one query.
pub const MAX_TERMS: usize = 30;

/// An operator's value and whether it was negated (`-has:media`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter<T> {
    pub value: T,
    pub negated: bool,
}

/// Whose statuses `from:` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// `from:me`: the viewer.
    Me,
    /// `from:user` (local) or `from:user@domain`.
    Acct {
        username: String,
        domain: Option<String>,
    },
}

/// Which statuses `in:` searches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Both of the others (the default).
    #[default]
    All,
    /// Only statuses the viewer wrote or interacted with.
    Library,
    /// Only public statuses of authors who opted in to search.
    Public,
}

/// A parsed search query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusQuery {
    /// The words and phrases, in the order typed: (words, prefix, negated).
    pub terms: Vec<Term>,
    pub from: Vec<Filter<Author>>,
    /// `has:` values, lowercased (`media`, `poll`, `link`, `image`, `video`, `audio`).
    pub has: Vec<Filter<String>>,
    /// `is:` values, lowercased (`reply`, `sensitive`).
    pub is: Vec<Filter<String>>,
    /// `language:` codes, lowercased.
    pub languages: Vec<Filter<String>>,
    pub before: Option<NaiveDate>,
    pub after: Option<NaiveDate>,
    pub during: Option<NaiveDate>,
    pub scope: Scope,
}

/// A word or phrase of the query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The words of a phrase (one for a word), reduced to safe characters.
    pub words: Vec<String>,
    /// `word*`: any word starting so.
    pub prefix: bool,
    pub negated: bool,
}

/// Why a query was refused (rendered as `422`).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Too many search operators (at most {MAX_OPERATORS})")]
    TooManyOperators,
    #[error("Invalid date in search query: {0}")]
    InvalidDate(String),
    #[error("Unknown value for in: {0}")]
    InvalidScope(String),
}

/// The operators Mastodon knows; any other `word:` is searched as text.
const OPERATORS: [&str; 8] = [
    "from", "has", "is", "language", "before", "after", "during", "in",
];

/// Parses a query (the caller bounds its length).
pub fn parse(query: &str) -> Result<StatusQuery, QueryError> {
    let mut parsed = StatusQuery::default();
    let mut operators = 0;
    for (token, negated, quoted) in tokens(query) {
        if !quoted {
            if let Some((name, value)) = operator(&token) {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(QueryError::TooManyOperators);
                }
                parsed.add_operator(name, value, negated)?;
                continue;
            }
        }
        parsed.add_term(&token, negated, quoted);
    }
    Ok(parsed)
}

/// `name:value` when `name` is one of [`OPERATORS`] and `value` is not empty.
fn operator(token: &str) -> Option<(String, &str)> {
    let (name, value) = token.split_once(':')?;
    let name = name.to_ascii_lowercase();
    (OPERATORS.contains(&name.as_str()) && !value.is_empty()).then_some((name, value))
}

/// The query's tokens: (text, negated with `-`, was a `"phrase"`). `+` (required) is
/// the default and dropped.
fn tokens(query: &str) -> Vec<(String, bool, bool)> {
    let mut found = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' || c == '+' {
            negated = c == '-';
            chars.next();
        }
        let mut text = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            text.extend(chars.by_ref().take_while(|&c| c != '"'));
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                text.push(c);
            }
        }
        if !text.is_empty() {
            found.push((text, negated, quoted));
        }
    }
    found
}

impl StatusQuery {
    fn add_operator(&mut self, name: String, value: &str, negated: bool) -> Result<(), QueryError> {
        let lower = value.to_lowercase();
        match name.as_str() {
            "from" => self.from.push(Filter {
                value: author(value),
                negated,
            }),
            "has" => self.has.push(Filter {
                value: lower,
                negated,
            }),
            "is" => self.is.push(Filter {
                value: lower,
                negated,
            }),
            "language" => self.languages.push(Filter {
                value: lower,
                negated,
            }),
            "before" => self.before = Some(date(value)?),
            "after" => self.after = Some(date(value)?),
            "during" => self.during = Some(date(value)?),
            _ => {
                self.scope = match lower.as_str() {
                    "library" => Scope::Library,
                    "public" => Scope::Public,
                    "all" => Scope::All,
                    _ => return Err(QueryError::InvalidScope(value.to_owned())),
                }
            }
        }
        Ok(())
    }

    fn add_term(&mut self, text: &str, negated: bool, quoted: bool) {
        if self.terms.len() >= MAX_TERMS {
            return;
        }
        let prefix = !quoted && text.ends_with('*');
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace())
            .map(safe_word)
            .filter(|w| !w.is_empty())
            .collect();
        if !words.is_empty() {
            self.terms.push(Term {
                words,
                prefix,
                negated,
            });
        }
    }

    /// The words and phrases as the text of a `to_tsquery`, every word a quoted lexeme
    /// (`'word' & 'a' <-> 'phrase' & 'pre':* & !'not'`); `None` without any.
    pub fn tsquery(&self) -> Option<String> {
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|term| {
                let quoted: Vec<String> = term.words.iter().map(|w| format!("'{w}'")).collect();
                let mut part = quoted.join(" <-> ");
                if term.prefix {
                    part.push_str(":*");
                }
                match (term.negated, term.words.len() > 1) {
                    (true, true) => format!("!({part})"),
                    (true, false) => format!("!{part}"),
                    (false, _) => part,
                }
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(" & "))
    }

    /// Whether the query asks for nothing at all (no words, no operators).
    pub fn is_empty(&self) -> bool {
        *self == StatusQuery::default()
    }
}

/// `me`, `user`, `@user` or `user@domain`.
fn author(value: &str) -> Author {
    let handle = value.trim_start_matches('@');
    if handle.eq_ignore_ascii_case("me") {
        return Author::Me;
    }
    match handle.split_once('@') {
        Some((username, domain)) => Author::Acct {
            username: username.to_owned(),
            domain: Some(domain.to_lowercase()),
        },
        None => Author::Acct {
            username: handle.to_owned(),
            domain: None,
        },
    }
}

/// A `YYYY-MM-DD` date.
fn date(value: &str) -> Result<NaiveDate, QueryError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| QueryError::InvalidDate(value.chars().take(40).collect()))
}

/// `word` reduced to what may stand inside a quoted tsquery lexeme: letters, digits
/// and punctuation other than `'` and `\` (PostgreSQL's parser splits and normalises
/// the rest); empty when no letter or digit is left. A trailing `*` is dropped.
fn safe_word(word: &str) -> String {
    let kept: String = word
        .trim_end_matches('*')
        .chars()
        .filter(|c| !matches!(c, '\'' | '\\') && !c.is_control())
        .collect();
    match kept.chars().any(char::is_alphanumeric) {
        true => kept,
        false => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_prefixes_and_exclusions_become_quoted_lexemes() {
        let query = parse(r#"cats "big dogs" mang* -rain +sun -"grey sky""#).expect("parsed");
        assert_eq!(
            query.tsquery().as_deref(),
            Some("'cats' & 'big' <-> 'dogs' & 'mang':* & !'rain' & 'sun' & !('grey' <-> 'sky')")
        );
    }

    #[test]
    fn quotes_and_backslashes_cannot_form_tsquery_syntax() {
        let query = parse(r#"it's a\':* ''' \\ & | ! ( ) <->"#).expect("parsed");
        assert_eq!(query.tsquery().as_deref(), Some("'its' & 'a:':*"));
        assert_eq!(parse("*** -- \"\"").expect("parsed").tsquery(), None);
    }

    #[test]
    fn operators_are_read_and_may_be_negated() {
        let query = parse(
            "from:me from:@bob@Other.Example -has:media is:reply language:FR \
             before:2026-01-02 after:2025-12-31 during:2026-01-01 in:library http://x.example",
        )
        .expect("parsed");
        assert_eq!(
            query.from,
            vec![
                Filter {
                    value: Author::Me,
                    negated: false
                },
                Filter {
                    value: Author::Acct {
                        username: "bob".into(),
                        domain: Some("other.example".into())
                    },
                    negated: false
                },
            ]
        );
        assert_eq!(
            query.has,
            vec![Filter {
                value: "media".into(),
                negated: true
            }]
        );
        assert_eq!(
            query.is,
            vec![Filter {
                value: "reply".into(),
                negated: false
            }]
        );
        assert_eq!(
            query.languages,
            vec![Filter {
                value: "fr".into(),
                negated: false
            }]
        );
        assert_eq!(query.before, NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(query.after, NaiveDate::from_ymd_opt(2025, 12, 31));
        assert_eq!(query.during, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(query.scope, Scope::Library);
        // An unknown `word:` is text.
        assert_eq!(query.tsquery().as_deref(), Some("'http://x.example'"));
    }

    #[test]
    fn bad_operators_are_refused() {
        assert_eq!(
            parse("before:yesterday"),
            Err(QueryError::InvalidDate("yesterday".into()))
        );
        assert_eq!(
            parse("in:everywhere"),
            Err(QueryError::InvalidScope("everywhere".into()))
        );
        let many = "is:reply ".repeat(MAX_OPERATORS + 1);
        assert_eq!(parse(&many), Err(QueryError::TooManyOperators));
        assert!(parse(&"is:reply ".repeat(MAX_OPERATORS)).is_ok());
    }

    #[test]
    fn terms_are_bounded() {
        let query = parse(&"word ".repeat(100)).expect("parsed");
        assert_eq!(query.terms.len(), MAX_TERMS);
        assert!(parse("  ").expect("parsed").is_empty());
    }
}
