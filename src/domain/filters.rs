//! Content filters as values, and the matcher that applies a user's filters to a
//! status: Mastodon's rules (`CustomFilter.apply_cached_filters`,
//! `CustomFilterKeyword#to_regex`, `Status#searchable_text`) in pure Rust, free of
//! HTTP and SQL, and without compiling patterns (a user's filters cost a scan per
//! keyword, never a compilation).
//!
//! - A keyword matches case-insensitively anywhere in the status's searchable text
//!   (its content warning, its text without markup, its media descriptions), or, when
//!   `whole_word`, only where it is not part of a longer word: a word boundary is
//!   required before it if it starts with a word character, and after it if it ends
//!   with one (so `#tag` and `c++` still match as whole words).
//! - A filter matches a status by one of its keywords (reporting the text matched,
//!   the first match in the text as Mastodon does) or by naming the status or the
//!   status it boosts.
//! - Only filters listing the context being read apply; the caller passes only
//!   filters that have not expired.
//!
//! Not here: loading the filters (`services::filters`), validating what users send
//! (`services::filters`), rendering the results (`api::entities::filter`).
//! Spec: <https://docs.joinmastodon.org/entities/Filter/>,
//! <https://docs.joinmastodon.org/entities/FilterResult/>.

/// Where a filter applies (Mastodon's `VALID_CONTEXTS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterContext {
    /// The home timeline and lists.
    Home,
    /// Notifications.
    Notifications,
    /// The public and hashtag timelines.
    Public,
    /// A thread (a status's context).
    Thread,
    /// An account's statuses.
    Account,
}

impl FilterContext {
    /// Every context, in Mastodon's order.
    pub const ALL: [FilterContext; 5] = [
        FilterContext::Home,
        FilterContext::Notifications,
        FilterContext::Public,
        FilterContext::Thread,
        FilterContext::Account,
    ];

    /// Mastodon's name of the context.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterContext::Home => "home",
            FilterContext::Notifications => "notifications",
            FilterContext::Public => "public",
            FilterContext::Thread => "thread",
            FilterContext::Account => "account",
        }
    }

    /// The context named `name`, if it is one.
    pub fn parse(name: &str) -> Option<FilterContext> {
        Self::ALL
            .into_iter()
            .find(|context| context.as_str() == name)
    }
}

/// What a client does with a status a filter matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterAction {
    /// Shown behind a warning naming the filter.
    Warn,
    /// Not shown at all (Roost leaves it out of the lists it answers).
    Hide,
    /// Shown with its media hidden behind a warning (Mastodon 4.4).
    Blur,
}

impl FilterAction {
    /// Mastodon's name of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterAction::Warn => "warn",
            FilterAction::Hide => "hide",
            FilterAction::Blur => "blur",
        }
    }

    /// The action named `name`, if it is one.
    pub fn parse(name: &str) -> Option<FilterAction> {
        [FilterAction::Warn, FilterAction::Hide, FilterAction::Blur]
            .into_iter()
            .find(|action| action.as_str() == name)
    }
}

/// One keyword of a filter, as stored.
#[derive(Clone, Debug)]
pub struct KeywordRule {
    /// The text to look for.
    pub keyword: String,
    /// Only between word boundaries.
    pub whole_word: bool,
}

/// One active filter of a user, with its rules.
#[derive(Clone, Debug)]
pub struct FilterRules {
    /// The filter's id.
    pub id: i64,
    /// Where it applies.
    pub contexts: Vec<FilterContext>,
    /// What it asks of a client.
    pub action: FilterAction,
    /// Its keywords.
    pub keywords: Vec<KeywordRule>,
    /// The statuses it names.
    pub status_ids: Vec<i64>,
}

/// Whether `c` is a word character (`[[:word:]]`: letters, digits, marks, `_`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A keyword ready to look for: lowercase, with whether a word boundary is needed
/// before and after it (Mastodon's `to_regex`: only beside an end that is a word
/// character, and only for a whole-word keyword).
#[derive(Clone, Debug)]
struct Needle {
    lowercase: String,
    boundary_before: bool,
    boundary_after: bool,
}

impl Needle {
    fn of(rule: &KeywordRule) -> Needle {
        let lowercase = rule.keyword.to_lowercase();
        let first = lowercase.chars().next();
        let last = lowercase.chars().last();
        Needle {
            boundary_before: rule.whole_word && first.is_some_and(is_word),
            boundary_after: rule.whole_word && last.is_some_and(is_word),
            lowercase,
        }
    }

    /// The byte range of its first occurrence in `text` (lowercase) that has the
    /// boundaries it needs.
    fn find_in(&self, text: &str) -> Option<(usize, usize)> {
        if self.lowercase.is_empty() {
            return None;
        }
        let mut from = 0;
        while let Some(offset) = text[from..].find(&self.lowercase) {
            let start = from + offset;
            let end = start + self.lowercase.len();
            let before_ok =
                !self.boundary_before || !text[..start].chars().last().is_some_and(is_word);
            let after_ok = !self.boundary_after || !text[end..].chars().next().is_some_and(is_word);
            if before_ok && after_ok {
                return Some((start, end));
            }
            // Next candidate: one character further.
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
        None
    }
}

/// A text in lowercase, with where each of its bytes came from in the original, so a
/// match found without regard to case is reported as the original text.
struct Lowered<'a> {
    original: &'a str,
    text: String,
    /// For each byte of `text`, the range of the original character it comes from.
    origin: Vec<(usize, usize)>,
}

impl<'a> Lowered<'a> {
    fn of(original: &'a str) -> Lowered<'a> {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (index, c) in original.char_indices() {
            let span = (index, index + c.len_utf8());
            for lower in c.to_lowercase() {
                text.push(lower);
                origin.extend(std::iter::repeat_n(span, lower.len_utf8()));
            }
        }
        Lowered {
            original,
            text,
            origin,
        }
    }

    /// The original text of the lowercase byte range `start..end`.
    fn original_of(&self, (start, end): (usize, usize)) -> String {
        let from = self.origin.get(start).map_or(0, |span| span.0);
        let to = end
            .checked_sub(1)
            .and_then(|last| self.origin.get(last))
            .map_or(from, |span| span.1);
        self.original.get(from..to).unwrap_or_default().to_owned()
    }
}

/// The text a filter's keywords are matched against (Mastodon's
/// `Status#searchable_text`): the content warning, the text without markup, and the
/// media descriptions, apart by blank lines.
pub fn searchable_text(spoiler_text: &str, plain_text: &str, media: &[&str]) -> String {
    [
        spoiler_text.to_owned(),
        plain_text.to_owned(),
        media.join("\n\n"),
    ]
    .join("\n\n")
}

/// A filter ready to match: its keywords in lowercase.
#[derive(Debug)]
struct Compiled {
    rules: FilterRules,
    needles: Vec<Needle>,
}

/// The status a matcher looks at.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The status (a boost's own id for a boost).
    pub id: i64,
    /// The status it boosts, if it is a boost.
    pub reblog_of_id: Option<i64>,
    /// The searchable text of the status shown (the boosted one for a boost).
    pub text: &'a str,
}

/// One filter that matched a status (Mastodon's FilterResult, by filter id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterHit {
    /// The filter that matched.
    pub filter_id: i64,
    /// Its action.
    pub action: FilterAction,
    /// The text its keywords matched, if they did.
    pub keyword_matches: Option<Vec<String>>,
    /// The ids it named that are the status or the status it boosts, if any.
    pub status_matches: Option<Vec<i64>>,
}

/// A user's active filters, compiled once and applied to any number of statuses.
#[derive(Debug, Default)]
pub struct Matcher {
    filters: Vec<Compiled>,
}

impl Matcher {
    /// Prepares `filters` (a user's filters that have not expired): no compilation,
    /// so a page of statuses costs a scan of its text per keyword, whatever the
    /// keywords are.
    pub fn new(filters: Vec<FilterRules>) -> Matcher {
        let compiled = filters.into_iter().map(|rules| Compiled {
            needles: rules.keywords.iter().map(Needle::of).collect(),
            rules,
        });
        Matcher {
            filters: compiled.collect(),
        }
    }

    /// Whether no filter could apply.
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// The filters of `context` that match `status`, in the order they were given.
    pub fn hits(&self, context: FilterContext, status: Candidate<'_>) -> Vec<FilterHit> {
        let mut applying = self
            .filters
            .iter()
            .filter(|filter| filter.rules.contexts.contains(&context))
            .peekable();
        if applying.peek().is_none() {
            return Vec::new();
        }
        let text = Lowered::of(status.text);
        applying
            .filter_map(|filter| filter.hit(status, &text))
            .collect()
    }
}

impl Compiled {
    fn hit(&self, status: Candidate<'_>, text: &Lowered<'_>) -> Option<FilterHit> {
        // The leftmost match of any keyword (the first keyword on a tie), as the union
        // of Mastodon's keyword patterns finds it.
        let found = self
            .needles
            .iter()
            .filter_map(|needle| needle.find_in(&text.text))
            .min_by_key(|(start, _)| *start);
        let keyword_matches = found.map(|range| vec![text.original_of(range)]);
        let named: Vec<i64> = [Some(status.id), status.reblog_of_id]
            .into_iter()
            .flatten()
            .filter(|id| self.rules.status_ids.contains(id))
            .collect();
        let status_matches = (!named.is_empty()).then_some(named);
        if keyword_matches.is_none() && status_matches.is_none() {
            return None;
        }
        Some(FilterHit {
            filter_id: self.rules.id,
            action: self.rules.action,
            keyword_matches,
            status_matches,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(id: i64, keywords: &[(&str, bool)], statuses: &[i64]) -> FilterRules {
        FilterRules {
            id,
            contexts: vec![FilterContext::Home],
            action: FilterAction::Warn,
            keywords: keywords
                .iter()
                .map(|(keyword, whole_word)| KeywordRule {
                    keyword: (*keyword).to_owned(),
                    whole_word: *whole_word,
                })
                .collect(),
            status_ids: statuses.to_vec(),
        }
    }

    fn matched(matcher: &Matcher, text: &str) -> Option<Vec<String>> {
        let status = Candidate {
            id: 1,
            reblog_of_id: None,
            text,
        };
        let hits = matcher.hits(FilterContext::Home, status);
        hits.first().and_then(|hit| hit.keyword_matches.clone())
    }

    #[test]
    fn a_whole_word_keyword_matches_only_whole_words_without_case() {
        let matcher = Matcher::new(vec![filter(1, &[("cat", true)], &[])]);
        assert_eq!(matched(&matcher, "A CAT sat"), Some(vec!["CAT".to_owned()]));
        assert_eq!(matched(&matcher, "cat."), Some(vec!["cat".to_owned()]));
        assert_eq!(matched(&matcher, "concatenate"), None);
        assert_eq!(matched(&matcher, "cats"), None);
    }

    #[test]
    fn a_substring_keyword_matches_inside_words() {
        let matcher = Matcher::new(vec![filter(1, &[("cat", false)], &[])]);
        assert_eq!(
            matched(&matcher, "Concatenate"),
            Some(vec!["cat".to_owned()])
        );
    }

    #[test]
    fn boundaries_are_required_only_beside_word_characters() {
        let matcher = Matcher::new(vec![filter(1, &[("#rust", true), ("c++", true)], &[])]);
        assert_eq!(
            matched(&matcher, "I like#rust"),
            Some(vec!["#rust".to_owned()])
        );
        assert_eq!(matched(&matcher, "#rustacean"), None);
        assert_eq!(matched(&matcher, "in c++!"), Some(vec!["c++".to_owned()]));
    }

    #[test]
    fn keywords_are_literal_text_and_unicode_aware() {
        let matcher = Matcher::new(vec![filter(1, &[("a.b", true), ("ÉTÉ", true)], &[])]);
        assert_eq!(matched(&matcher, "axb"), None);
        assert_eq!(
            matched(&matcher, "see a.b now"),
            Some(vec!["a.b".to_owned()])
        );
        assert_eq!(
            matched(&matcher, "un été chaud"),
            Some(vec!["été".to_owned()])
        );
        assert_eq!(matched(&matcher, "étéx"), None);
    }

    #[test]
    fn a_filter_matches_the_statuses_it_names_and_what_boosts_them() {
        let matcher = Matcher::new(vec![filter(7, &[], &[42])]);
        let boost = Candidate {
            id: 50,
            reblog_of_id: Some(42),
            text: "",
        };
        let hits = matcher.hits(FilterContext::Home, boost);
        assert_eq!(
            hits,
            vec![FilterHit {
                filter_id: 7,
                action: FilterAction::Warn,
                keyword_matches: None,
                status_matches: Some(vec![42]),
            }]
        );
        let other = Candidate {
            id: 51,
            reblog_of_id: None,
            text: "",
        };
        assert!(matcher.hits(FilterContext::Home, other).is_empty());
    }

    #[test]
    fn only_filters_of_the_context_apply() {
        let matcher = Matcher::new(vec![filter(1, &[("cat", true)], &[])]);
        let status = Candidate {
            id: 1,
            reblog_of_id: None,
            text: "cat",
        };
        assert_eq!(matcher.hits(FilterContext::Home, status).len(), 1);
        assert!(matcher.hits(FilterContext::Public, status).is_empty());
    }

    #[test]
    fn the_searchable_text_has_the_warning_the_text_and_the_descriptions() {
        let text = searchable_text("cw", "body", &["a dog", "a cat"]);
        assert_eq!(text, "cw\n\nbody\n\na dog\n\na cat");
        let matcher = Matcher::new(vec![filter(1, &[("dog", true)], &[])]);
        assert!(matched(&matcher, &text).is_some());
    }

    #[test]
    fn contexts_and_actions_round_trip_their_names() {
        for context in FilterContext::ALL {
            assert_eq!(FilterContext::parse(context.as_str()), Some(context));
        }
        assert_eq!(FilterContext::parse("everywhere"), None);
        assert_eq!(FilterAction::parse("blur"), Some(FilterAction::Blur));
        assert_eq!(FilterAction::parse("delete"), None);
    }
}
