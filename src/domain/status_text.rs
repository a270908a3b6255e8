//! Status text as Mastodon processes it for `POST /api/v1/statuses`: finding links,
//! mentions and hashtags, rendering the HTML clients display, and counting characters
//! against the length limit.
//!
//! Everything here is pure. Resolving a mention to an account (database, WebFinger) is
//! the caller's job: [`extract_mentions`] lists what to resolve, [`render`] takes the
//! answers as a closure. Remote HTML is not handled here (see `text::sanitize_html`).
//!
//! Follows Mastodon's `TextFormatter`, `Extractor`, `Account::MENTION_RE`,
//! `Tag::HASHTAG_RE`, its twitter-text URL overrides (`config/initializers/twitter_regex.rb`)
//! and `StatusLengthValidator` (<https://github.com/mastodon/mastodon>). Deliberate
//! differences: links need `http(s)://` but no known top-level domain (so `localhost` and
//! IP addresses link); a mention's domain may carry a port (`@bob@host:8080`, for test
//! instances); Unicode classes are approximated with `char`'s methods. Characters are
//! counted as grapheme clusters, as Mastodon's validator does.

mod scan;

use super::text::escape_html;
use scan::{extract_entities, Entity, EntityKind, Hashtags};

/// The status length limit clients are told about when none is configured.
pub const DEFAULT_MAX_CHARACTERS: usize = 500;

/// What every link counts for in [`character_count`], however long it is.
pub const URL_CHARACTERS: usize = 23;

/// How many characters of a link (after `https://` or `https://www.`) stay visible.
const URL_VISIBLE_CHARACTERS: usize = 30;

const LINK_REL: &str = "nofollow noopener noreferrer";

/// The result of [`render`]: the HTML to store and show, and what it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedText {
    /// `<p>` paragraphs with every piece of the text escaped; links, resolved mentions
    /// and hashtags as Mastodon marks them up. Empty for blank text.
    pub html: String,
    /// Resolved mentions, one per distinct profile URL, as first written.
    pub mentions: Vec<MentionRef>,
    /// Hashtag names, lowercased, each once, in order of first appearance.
    pub tags: Vec<String>,
    /// Linked URLs, each once, in order of first appearance (for link previews).
    pub links: Vec<String>,
}

/// A mention as written: `@username` or `@username@domain` (the domain may end in `:port`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MentionRef {
    pub username: String,
    pub domain: Option<String>,
}

impl MentionRef {
    /// `username` or `username@domain`, the form WebFinger resolves (after `acct:`).
    pub fn acct(&self) -> String {
        match &self.domain {
            Some(domain) => format!("{}@{domain}", self.username),
            None => self.username.clone(),
        }
    }
}

/// The account a mention resolved to, as far as rendering needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionTarget {
    /// The profile page the mention links to.
    pub url: String,
    /// `user` for a local account, `user@domain` for a remote one.
    pub acct: String,
}

/// Every syntactically valid mention in `text`, each once (compared case-insensitively),
/// in order of first appearance and as written. Mentions inside links, in e-mail
/// addresses (`alice@example.com`) or followed by `@`, an accented Latin letter or `://`
/// are not mentions. Includes mentions of local accounts (with or without our domain):
/// the caller decides which are local and resolves the rest before calling [`render`].
pub fn extract_mentions(text: &str) -> Vec<MentionRef> {
    let text = normalize(text);
    let mut mentions: Vec<MentionRef> = Vec::new();
    for entity in extract_entities(&text, Hashtags::Ignore) {
        if let EntityKind::Mention(mention) = entity.kind {
            if !mentions.iter().any(|known| same_mention(known, &mention)) {
                mentions.push(mention);
            }
        }
    }
    mentions
}

/// Renders status text to Mastodon's HTML. `base_url` (like `https://roost.example`)
/// prefixes hashtag links (`BASE/tags/name`). `resolve_mention(username, domain)` is
/// called for each mention; `None` leaves the mention as plain (escaped) text, out of
/// [`ParsedText::mentions`]. A mention shows only the username unless another account
/// mentioned in the same text has the same username, as in Mastodon. The text is
/// trimmed first (Mastodon stores it trimmed); blank text gives empty HTML.
pub fn render(
    text: &str,
    base_url: &str,
    resolve_mention: impl Fn(&str, Option<&str>) -> Option<MentionTarget>,
) -> ParsedText {
    let text = normalize(text);
    let mut parsed = ParsedText::default();
    if text.chars().all(char::is_whitespace) {
        return parsed;
    }
    let entities = extract_entities(&text, Hashtags::Include);
    let targets: Vec<Option<MentionTarget>> = entities
        .iter()
        .map(|entity| match &entity.kind {
            EntityKind::Mention(mention) => {
                resolve_mention(&mention.username, mention.domain.as_deref())
            }
            _ => None,
        })
        .collect();
    let mut html = String::with_capacity(text.len() * 2);
    let mut last = 0;
    for (entity, target) in entities.iter().zip(&targets) {
        html.push_str(&escape_html(&text[last..entity.start]));
        let source = &text[entity.start..entity.end];
        html.push_str(&render_entity(
            &mut parsed,
            entity,
            source,
            target,
            &targets,
            base_url,
        ));
        last = entity.end;
    }
    html.push_str(&escape_html(&text[last..]));
    parsed.html = paragraphs(&html);
    let mut mentioned_urls: Vec<&str> = Vec::new();
    for (entity, target) in entities.iter().zip(&targets) {
        if let (EntityKind::Mention(mention), Some(target)) = (&entity.kind, target) {
            if !mentioned_urls.contains(&target.url.as_str()) {
                mentioned_urls.push(&target.url);
                parsed.mentions.push(mention.clone());
            }
        }
    }
    parsed
}

/// Counts `text` against the length limit as Mastodon does: every link counts as
/// [`URL_CHARACTERS`], a mention `@user@domain` counts as `@user`, everything else one
/// per grapheme cluster (what a reader sees as one character: "👍🏽" is one), after
/// trimming. (Mastodon adds the content warning to the same count; Roost limits it
/// separately.)
pub fn character_count(text: &str) -> usize {
    let text = normalize(text);
    if text.chars().all(char::is_whitespace) {
        return 0;
    }
    let mut count = 0;
    let mut last = 0;
    for entity in extract_entities(&text, Hashtags::Ignore) {
        count += graphemes(&text[last..entity.start]);
        count += match &entity.kind {
            EntityKind::Url => URL_CHARACTERS,
            EntityKind::Mention(mention) => 1 + graphemes(&mention.username),
            EntityKind::Hashtag(_) => graphemes(&text[entity.start..entity.end]),
        };
        last = entity.end;
    }
    count + graphemes(&text[last..])
}

/// Grapheme clusters in `text`, Mastodon's unit of length.
pub fn graphemes(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    text.graphemes(true).count()
}

/// CRLF and lone CR become LF; leading and trailing whitespace (Ruby's `strip`) goes.
fn normalize(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\0'))
        .to_owned()
}

fn render_entity(
    parsed: &mut ParsedText,
    entity: &Entity,
    source: &str,
    target: &Option<MentionTarget>,
    all_targets: &[Option<MentionTarget>],
    base_url: &str,
) -> String {
    match (&entity.kind, target) {
        (EntityKind::Url, _) => match url::Url::parse(source) {
            Ok(_) => {
                push_unique(&mut parsed.links, source.to_owned());
                link_to_url(source)
            }
            // Mastodon leaves a link it cannot parse as text.
            Err(_) => escape_html(source),
        },
        (EntityKind::Hashtag(name), _) => {
            push_unique(&mut parsed.tags, name.to_lowercase());
            link_to_hashtag(base_url, name)
        }
        (EntityKind::Mention(_), Some(target)) => link_to_mention(target, all_targets),
        (EntityKind::Mention(_), None) => escape_html(source),
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn same_mention(a: &MentionRef, b: &MentionRef) -> bool {
    a.username.eq_ignore_ascii_case(&b.username)
        && a.domain.as_deref().map(str::to_lowercase) == b.domain.as_deref().map(str::to_lowercase)
}

/// Mastodon's shortened link: scheme (and `www.`) hidden, 30 characters shown, the rest
/// hidden behind an ellipsis.
fn link_to_url(url: &str) -> String {
    let prefix_len = ["https://www.", "http://www.", "https://", "http://"]
        .iter()
        .find(|prefix| url.starts_with(*prefix))
        .map_or(0, |prefix| prefix.len());
    let (prefix, rest) = url.split_at(prefix_len);
    let visible_len: usize = rest
        .chars()
        .take(URL_VISIBLE_CHARACTERS)
        .map(char::len_utf8)
        .sum();
    let (visible, hidden) = rest.split_at(visible_len);
    let class = if hidden.is_empty() { "" } else { "ellipsis" };
    format!(
        "<a href=\"{}\" target=\"_blank\" rel=\"{LINK_REL}\" translate=\"no\"><span class=\"invisible\">{}</span><span class=\"{class}\">{}</span><span class=\"invisible\">{}</span></a>",
        escape_html(url),
        escape_html(prefix),
        escape_html(visible),
        escape_html(hidden)
    )
}

fn link_to_mention(target: &MentionTarget, all_targets: &[Option<MentionTarget>]) -> String {
    let username = |acct: &str| acct.split('@').next().unwrap_or_default().to_lowercase();
    let own = username(&target.acct);
    let ambiguous = all_targets
        .iter()
        .flatten()
        .any(|other| other.url != target.url && username(&other.acct) == own);
    let shown = if ambiguous {
        target.acct.as_str()
    } else {
        target.acct.split('@').next().unwrap_or_default()
    };
    format!(
        "<span class=\"h-card\" translate=\"no\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>",
        escape_html(&target.url),
        escape_html(shown)
    )
}

fn link_to_hashtag(base_url: &str, name: &str) -> String {
    let mut href = format!("{}/tags/", base_url.trim_end_matches('/'));
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            href.push(char::from(byte));
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    format!(
        "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
        escape_html(&href),
        escape_html(name)
    )
}

/// Rails' `simple_format` as Mastodon uses it: runs of blank lines separate `<p>`s,
/// single newlines become `<br />`.
fn paragraphs(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    loop {
        let (paragraph, next) = match rest.find("\n\n") {
            Some(index) => (&rest[..index], Some(rest[index..].trim_start_matches('\n'))),
            None => (rest, None),
        };
        out.push_str("<p>");
        out.push_str(&paragraph.replace('\n', "<br />"));
        out.push_str("</p>");
        match next {
            Some(next) => rest = next,
            None => return out,
        }
    }
}

#[cfg(test)]
mod tests;
