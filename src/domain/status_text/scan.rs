//! Finding links, mentions and hashtags in status text the way Mastodon's `Extractor`
//! does with its regular expressions, written as scanners over byte offsets. Rendering
//! and counting (the parent module) decide what the entities become.

use super::MentionRef;

/// Mentions of longer domains are ignored, as Mastodon does.
const MAX_MENTION_DOMAIN_CHARACTERS: usize = 253;

/// One link, mention or hashtag, by byte range in the text it was found in.
pub(super) struct Entity {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: EntityKind,
}

pub(super) enum EntityKind {
    Url,
    Mention(MentionRef),
    /// The name as written, without the `#`.
    Hashtag(String),
}

/// Whether hashtags take part in extraction: the length count ignores them, so (as in
/// Mastodon) a hashtag never hides an overlapping link or mention there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hashtags {
    Include,
    Ignore,
}

/// Links, mentions and (optionally) hashtags, in order; where two overlap the one
/// starting first wins (twitter-text's `remove_overlapping_entities`).
pub(super) fn extract_entities(text: &str, hashtags: Hashtags) -> Vec<Entity> {
    let mut entities = scan(text, &['h', 'H'], |start| {
        let end = url_end(text, start)?;
        Some((
            end,
            Some(Entity {
                start,
                end,
                kind: EntityKind::Url,
            }),
        ))
    });
    if hashtags == Hashtags::Include {
        entities.extend(scan(text, &['#', '＃'], |start| hashtag_at(text, start)));
    }
    entities.extend(scan(text, &['@'], |start| mention_at(text, start)));
    entities.sort_by_key(|entity| entity.start);
    let mut kept: Vec<Entity> = Vec::with_capacity(entities.len());
    for entity in entities {
        if kept
            .last()
            .is_none_or(|previous| entity.start >= previous.end)
        {
            kept.push(entity);
        }
    }
    kept
}

/// Ruby's `String#scan`: tries `matcher` at each `needle` from left to right. A match
/// (`Some((end, entity))`) resumes the search at its end even when it yields no entity
/// (a match rejected by what follows it), otherwise the search goes on after the needle.
fn scan(
    text: &str,
    needle: &[char],
    matcher: impl Fn(usize) -> Option<(usize, Option<Entity>)>,
) -> Vec<Entity> {
    let mut found = Vec::new();
    let mut position = 0;
    while let Some(offset) = text[position..].find(needle) {
        let start = position + offset;
        let after_needle = start + char_at(text, start).map_or(1, char::len_utf8);
        match matcher(start) {
            Some((end, entity)) => {
                found.extend(entity);
                position = end.max(after_needle);
            }
            None => position = after_needle,
        }
    }
    found
}

fn char_at(text: &str, index: usize) -> Option<char> {
    text.get(index..)?.chars().next()
}

fn char_before(text: &str, index: usize) -> Option<char> {
    text.get(..index)?.chars().next_back()
}

/// The end of the run of characters accepted by `accept` that starts at `start`.
fn run_end(text: &str, start: usize, accept: impl Fn(char) -> bool) -> usize {
    let run = text[start..].chars().take_while(|&c| accept(c));
    start + run.map(char::len_utf8).sum::<usize>()
}

/// `part+ ([.-]+ part+)*`, the shape of mention usernames and domains.
fn dotted_run_end(text: &str, start: usize, part: impl Fn(char) -> bool) -> Option<usize> {
    let mut end = run_end(text, start, &part);
    if end == start {
        return None;
    }
    loop {
        let separators = run_end(text, end, |c| c == '.' || c == '-');
        let next = run_end(text, separators, &part);
        if separators == end || next == separators {
            return Some(end);
        }
        end = next;
    }
}

/// `:1234` at `start`, if there is one: where the port ends.
fn port_end(text: &str, start: usize) -> Option<usize> {
    if !text[start..].starts_with(':') {
        return None;
    }
    let digits = run_end(text, start + 1, |c| c.is_ascii_digit());
    (digits > start + 1).then_some(digits)
}

/// twitter-text's `valid_url` with Mastodon's path and query rules, from `start`.
fn url_end(text: &str, start: usize) -> Option<usize> {
    let preceded_badly = char_before(text, start)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '＠' | '$' | '#' | '＃'));
    if preceded_badly {
        return None;
    }
    let bytes = &text.as_bytes()[start..];
    let scheme = ["https://", "http://"].into_iter().find(|scheme| {
        bytes.len() >= scheme.len() && bytes[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
    })?;
    let mut end = host_end(text, start + scheme.len())?;
    if matches!(char_at(text, end), Some('@' | '+' | '-' | '_')) {
        return None;
    }
    end = port_end(text, end).unwrap_or(end);
    if text[end..].starts_with('/') {
        end = path_end(text, end + 1);
    }
    if text[end..].starts_with('?') {
        let query = text[end + 1..]
            .char_indices()
            .take_while(|&(_, c)| is_query_char(c))
            .filter(|&(_, c)| is_query_ending_char(c))
            .last();
        if let Some((offset, c)) = query {
            end += 1 + offset + c.len_utf8();
        }
    }
    Some(end)
}

/// Dot-separated labels of letters and digits, with `-` and `_` inside labels. Unlike
/// twitter-text, no list of top-level domains: `localhost` and IP addresses are hosts.
fn host_end(text: &str, start: usize) -> Option<usize> {
    let label_end = |from: usize| {
        if !char_at(text, from).is_some_and(char::is_alphanumeric) {
            return None;
        }
        let run = run_end(text, from, |c| c.is_alphanumeric() || c == '-' || c == '_');
        Some(from + text[from..run].trim_end_matches(['-', '_']).len())
    };
    let mut end = label_end(start)?;
    while text[end..].starts_with('.') {
        match label_end(end + 1) {
            Some(next) => end = next,
            None => break,
        }
    }
    Some(end)
}

/// After the `/`: path characters and balanced parentheses, ending at the last
/// character a path may end with (so `/foo.` leaves the full stop out).
fn path_end(text: &str, start: usize) -> usize {
    let mut position = start;
    let mut end = start;
    while let Some(c) = char_at(text, position) {
        if c == '(' {
            match balanced_parens_end(text, position) {
                Some(after) => (position, end) = (after, after),
                None => break,
            }
        } else if is_path_char(c) {
            position += c.len_utf8();
            if is_path_ending_char(c) {
                end = position;
            }
        } else {
            break;
        }
    }
    end
}

/// `(chars)` or `(chars(chars)chars)`: one nested level, as in Wikipedia links.
fn balanced_parens_end(text: &str, open: usize) -> Option<usize> {
    let inner = run_end(text, open + 1, is_path_char);
    match char_at(text, inner)? {
        ')' if inner > open + 1 => Some(inner + 1),
        '(' => {
            let nested = run_end(text, inner + 1, is_path_char);
            if nested == inner + 1 || char_at(text, nested) != Some(')') {
                return None;
            }
            let after = run_end(text, nested + 1, is_path_char);
            (char_at(text, after) == Some(')')).then_some(after + 1)
        }
        _ => None,
    }
}

fn is_path_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '<' | '>' | '(' | ')' | '?')
}

fn is_path_ending_char(c: char) -> bool {
    is_path_char(c) && !"!*\"'「」;:=,.$%[]~&|@".contains(c)
}

fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'();:&=+$/%#[]-_.,~|@^".contains(c) || is_url_unicode(c)
}

fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_&=#/-".contains(c) || is_url_unicode(c)
}

/// RFC 3987's `ucschar` and `iprivate`, which Mastodon allows in queries.
fn is_url_unicode(c: char) -> bool {
    let code = u32::from(c);
    code >= 0xA0
        && !(0xFDD0..=0xFDEF).contains(&code)
        && !(0xFFF0..=0xFFFF).contains(&code)
        && !(0xE0000..=0xE0FFF).contains(&code)
        && code & 0xFFFE != 0xFFFE
}

/// `Account::MENTION_RE` at the `@` at `at`, plus an optional `:port` after a domain.
/// A match followed by what twitter-text's `end_mention_match` forbids, or with an
/// overlong domain, yields no entity.
fn mention_at(text: &str, at: usize) -> Option<(usize, Option<Entity>)> {
    if char_before(text, at).is_some_and(|c| c == '=' || c == '/' || is_word_char(c)) {
        return None;
    }
    let username_end = dotted_run_end(text, at + 1, |c| c.is_ascii_alphanumeric() || c == '_')?;
    let mut end = username_end;
    let mut domain = None;
    if text[end..].starts_with('@') {
        if let Some(domain_end) = dotted_run_end(text, end + 1, is_word_char) {
            let domain_end = port_end(text, domain_end).unwrap_or(domain_end);
            domain = Some(text[end + 1..domain_end].to_owned());
            end = domain_end;
        }
    }
    let too_long = domain
        .as_ref()
        .is_some_and(|domain| domain.chars().count() > MAX_MENTION_DOMAIN_CHARACTERS);
    if too_long || ends_mention_badly(&text[end..]) {
        return Some((end, None));
    }
    let username = text[at + 1..username_end].to_owned();
    let kind = EntityKind::Mention(MentionRef { username, domain });
    Some((
        end,
        Some(Entity {
            start: at,
            end,
            kind,
        }),
    ))
}

/// `@`, `＠`, an accented Latin letter or `://` right after a mention unmakes it.
fn ends_mention_badly(after: &str) -> bool {
    after.starts_with("://")
        || after.chars().next().is_some_and(|c| {
            matches!(c, '@' | '＠'
                | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}'
                | '\u{253}' | '\u{254}' | '\u{256}' | '\u{257}' | '\u{259}' | '\u{25B}'
                | '\u{263}' | '\u{268}' | '\u{26F}' | '\u{272}' | '\u{289}' | '\u{28B}'
                | '\u{2BB}' | '\u{300}'..='\u{36F}' | '\u{1E00}'..='\u{1EFF}')
        })
}

/// `Tag::HASHTAG_RE` at the `#` (or `＃`) at `hash`: not after a word character, `/`,
/// `)` or `=`. A tag glued to a link (`#taghttps://…`) loses the scheme, as in Mastodon.
fn hashtag_at(text: &str, hash: usize) -> Option<(usize, Option<Entity>)> {
    let preceded_badly =
        char_before(text, hash).is_some_and(|c| matches!(c, '=' | '/' | ')') || is_word_char(c));
    if preceded_badly {
        return None;
    }
    let name_start = hash + char_at(text, hash).map_or(1, char::len_utf8);
    let matched = hashtag_end(text, name_start)?;
    let mut end = matched;
    if text[end..].starts_with("://") {
        let name = &text[name_start..end];
        if let Some(scheme) = ["https", "http"].into_iter().find(|s| name.ends_with(s)) {
            if name.len() > scheme.len() {
                end -= scheme.len();
            }
        }
    }
    let kind = EntityKind::Hashtag(text[name_start..end].to_owned());
    Some((
        matched,
        Some(Entity {
            start: hash,
            end,
            kind,
        }),
    ))
}

/// `Tag::HASHTAG_NAME_PAT`: word characters with `·`, `・` or ZWNJ inside, not all
/// digits (a lone separator such as `_` in `#12_34` is enough, as in Mastodon).
fn hashtag_end(text: &str, start: usize) -> Option<usize> {
    let run: Vec<(usize, char)> = text[start..]
        .char_indices()
        .take_while(|&(_, c)| is_word_char(c) || is_hashtag_separator(c))
        .collect();
    let end_of = |index: usize| start + run[index].0 + run[index].1.len_utf8();
    if !is_word_char(run.first()?.1) {
        return None;
    }
    // Mastodon's first alternative: a letter or separator inside, ending on a word character.
    let last_word = run.iter().rposition(|&(_, c)| is_word_char(c))?;
    let inner = run.get(1..last_word).unwrap_or_default();
    if inner
        .iter()
        .any(|&(_, c)| c.is_alphabetic() || is_hashtag_separator(c))
    {
        return Some(end_of(last_word));
    }
    // The second: word characters only, at least one of them a letter.
    let words = run.iter().take_while(|&&(_, c)| is_word_char(c)).count();
    let has_letter = run[..words].iter().any(|&(_, c)| c.is_alphabetic());
    has_letter.then(|| end_of(words - 1))
}

fn is_hashtag_separator(c: char) -> bool {
    matches!(c, '_' | '\u{B7}' | '\u{30FB}' | '\u{200C}')
}

/// Ruby's `[[:word:]]`: letters, marks, digits, connector punctuation, joiners.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '_' | '\u{200C}' | '\u{200D}' | '\u{203F}' | '\u{2040}' | '\u{2054}'
            | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}'
            | '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}
