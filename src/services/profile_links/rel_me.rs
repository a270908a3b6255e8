//! Reading HTML for profile link verification, pure (the bytes come bounded from the
//! card fetcher): the `rel="me"` links of a page, and the one link a remote account's
//! field value consists of. Tokenised with html5ever (the parser ammonia uses), so
//! entities, comments and scripts are read as a browser reads them.
//!
//! Spec: <https://microformats.org/wiki/rel-me>; Mastodon's rules:
//! <https://docs.joinmastodon.org/user/profile/#verification>.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Most `rel="me"` links kept from one page (a hostile page cannot make this costly).
const MAX_LINKS: usize = 100;

/// Whether `html` has an `<a>` or `<link>` whose `rel` includes `me` (any case) and
/// whose `href` is one of `targets` (compared case-insensitively, as Mastodon does).
pub fn links_back(html: &str, targets: &[String]) -> bool {
    rel_me_hrefs(html).iter().any(|href| {
        let href = href.trim();
        targets
            .iter()
            .any(|target| target.eq_ignore_ascii_case(href))
    })
}

/// The `href`s of the `rel="me"` links of `html`, in document order.
pub fn rel_me_hrefs(html: &str) -> Vec<String> {
    let sink = Sink::default();
    feed(sink, html).links.into_inner()
}

/// The URL a remote field value links to when the value is just that link: one `<a>`
/// and no other text, its `href` an http(s) URL whose text (scheme optional, as
/// Mastodon and Roost shorten it) is the same URL. `None` otherwise, so a field whose
/// visible text says one thing and links to another is never verified.
pub fn sole_link(value_html: &str) -> Option<String> {
    let sink = FragmentSink::default();
    let sink = feed(sink, value_html);
    let anchors = sink.anchors.into_inner();
    let [href] = anchors.as_slice() else {
        return None;
    };
    let href = href.as_ref()?;
    let inside = sink.inside.into_inner();
    let outside = sink.outside.into_inner();
    let text = inside.trim();
    let bare = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))?;
    let matches =
        text == href || text == bare || text.trim_end_matches('/') == bare.trim_end_matches('/');
    (outside.trim().is_empty() && matches).then(|| href.clone())
}

fn feed<S: TokenSink>(sink: S, html: &str) -> S {
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}

#[derive(Default)]
struct Sink {
    links: RefCell<Vec<String>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind == TagKind::EndTag {
            return TokenSinkResult::Continue;
        }
        match &*tag.name {
            "a" | "link" if is_rel_me(&tag) => {
                let mut links = self.links.borrow_mut();
                if let Some(href) = attribute(&tag, "href").filter(|_| links.len() < MAX_LINKS) {
                    links.push(href.to_owned());
                }
            }
            "title" | "textarea" => return TokenSinkResult::RawData(RawKind::Rcdata),
            "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "noscript" | "iframe" | "xmp" | "noembed" | "noframes" => {
                return TokenSinkResult::RawData(RawKind::Rawtext)
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Reads a field value: each `<a>`'s `href`, and the text inside and outside links.
#[derive(Default)]
struct FragmentSink {
    anchors: RefCell<Vec<Option<String>>>,
    depth: RefCell<usize>,
    inside: RefCell<String>,
    outside: RefCell<String>,
}

impl TokenSink for FragmentSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if &*tag.name == "a" => {
                let mut depth = self.depth.borrow_mut();
                if tag.kind == TagKind::StartTag {
                    *depth += 1;
                    let href = attribute(&tag, "href").map(|h| h.trim().to_owned());
                    self.anchors.borrow_mut().push(href);
                } else {
                    *depth = depth.saturating_sub(1);
                }
            }
            Token::CharacterTokens(text) if *self.depth.borrow() > 0 => {
                self.inside.borrow_mut().push_str(&text);
            }
            Token::CharacterTokens(text) => self.outside.borrow_mut().push_str(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn is_rel_me(tag: &Tag) -> bool {
    attribute(tag, "rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|word| word.eq_ignore_ascii_case("me"))
    })
}

/// The value of attribute `name` (no namespace) of `tag`.
fn attribute<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|attribute| attribute.name.ns.is_empty() && &*attribute.name.local == name)
        .map(|attribute| &*attribute.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "https://roost.example/@alice";

    #[test]
    fn an_a_or_link_with_rel_me_pointing_back_is_found() {
        let targets = [
            ME.to_owned(),
            "https://roost.example/users/alice".to_owned(),
        ];
        let anchor =
            r#"<p>Find me <a rel="nofollow Me" href="HTTPS://roost.example/@alice">here</a></p>"#;
        assert!(links_back(anchor, &targets));
        let link = r#"<head><link href="https://roost.example/users/alice" rel="me"></head>"#;
        assert!(links_back(link, &targets));
    }

    #[test]
    fn links_without_rel_me_or_elsewhere_do_not_count() {
        let targets = [ME.to_owned()];
        for page in [
            r#"<a href="https://roost.example/@alice">no rel</a>"#,
            r#"<a rel="meh" href="https://roost.example/@alice">other rel</a>"#,
            r#"<a rel="me" href="https://roost.example/@alicia">someone else</a>"#,
            r#"<!-- <a rel="me" href="https://roost.example/@alice"> -->"#,
            r#"<script>'<a rel="me" href="https://roost.example/@alice">'</script>"#,
            "",
        ] {
            assert!(!links_back(page, &targets), "{page}");
        }
    }

    #[test]
    fn a_field_value_that_is_one_link_gives_its_url() {
        let mastodon = r#"<a href="https://example.com/me" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">example.com/me</span><span class="invisible"></span></a>"#;
        assert_eq!(
            sole_link(mastodon).as_deref(),
            Some("https://example.com/me")
        );
        let roost = r#"<a href="https://example.com/me" rel="me">example.com/me</a>"#;
        assert_eq!(sole_link(roost).as_deref(), Some("https://example.com/me"));
    }

    #[test]
    fn a_field_value_whose_text_differs_from_its_link_gives_nothing() {
        for value in [
            r#"<a href="https://evil.example/">https://example.com/me</a>"#,
            r#"see <a href="https://example.com/me">example.com/me</a>"#,
            r#"<a href="https://a.example/">a.example</a><a href="https://b.example/">b.example</a>"#,
            r#"<a href="javascript:alert(1)">javascript:alert(1)</a>"#,
            "plain text",
        ] {
            assert_eq!(sole_link(value), None, "{value}");
        }
    }
}
