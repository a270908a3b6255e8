//! Reading a fetched page's preview metadata: OpenGraph (`og:*`), Twitter (`twitter:*`)
//! and plain `<meta>` tags, the `<title>`, the `<html lang>`, and oEmbed discovery
//! (`<link rel="alternate" type="application/json+oembed">`). Pure: the bytes come from
//! `fetch`, bounded there. Tokenised with html5ever (the parser ammonia uses), so
//! entities, comments and scripts are read as a browser reads them.
//!
//! Spec: <https://ogp.me/>, <https://oembed.com/#section4> (discovery).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Longest `<title>` text kept while reading.
const MAX_TITLE_CHARS: usize = 500;
/// Most `<meta>` values kept (a page has a few dozen; the bound keeps a hostile one cheap).
const MAX_META: usize = 200;

/// What a page says about itself.
#[derive(Debug, Default, PartialEq)]
pub struct PageMeta {
    /// `<meta property|name="…" content="…">`, lowercased key, first value of each.
    pub meta: HashMap<String, String>,
    /// The `<title>` text.
    pub title: String,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// The first oEmbed JSON discovery link (as written, not yet resolved).
    pub oembed: Option<String>,
}

impl PageMeta {
    /// The first non-blank value among `keys`.
    pub fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .filter_map(|key| self.meta.get(*key))
            .map(|value| value.trim())
            .find(|value| !value.is_empty())
    }
}

/// Reads the metadata of an HTML document.
pub fn read(html: &str) -> PageMeta {
    let sink = Sink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    let mut page = sink.page.into_inner();
    page.title = collapse(&sink.title.into_inner());
    page
}

/// Whitespace runs made one space, ends trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Sink {
    page: RefCell<PageMeta>,
    title: RefCell<String>,
    in_title: Cell<bool>,
    seen_title: Cell<bool>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => self.tag(&tag),
            Token::CharacterTokens(text) if self.in_title.get() => {
                let mut title = self.title.borrow_mut();
                if title.chars().count() < MAX_TITLE_CHARS {
                    title.push_str(&text);
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

impl Sink {
    fn tag(&self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if tag.kind == TagKind::EndTag {
            if name == "title" {
                self.in_title.set(false);
            }
            return TokenSinkResult::Continue;
        }
        match name {
            "meta" => self.meta(tag),
            "link" => self.link(tag),
            "html" => self.page.borrow_mut().lang = attribute(tag, "lang").map(str::to_owned),
            // Only the first title counts (an SVG's `<title>` may follow in the body).
            "title" if !self.seen_title.get() => {
                self.seen_title.set(true);
                self.in_title.set(true);
                return TokenSinkResult::RawData(RawKind::Rcdata);
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

    fn meta(&self, tag: &Tag) {
        let Some(key) = attribute(tag, "property").or_else(|| attribute(tag, "name")) else {
            return;
        };
        let Some(content) = attribute(tag, "content") else {
            return;
        };
        let mut page = self.page.borrow_mut();
        if page.meta.len() < MAX_META {
            page.meta
                .entry(key.trim().to_ascii_lowercase())
                .or_insert_with(|| content.to_owned());
        }
    }

    fn link(&self, tag: &Tag) {
        let alternate = attribute(tag, "rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|word| word.eq_ignore_ascii_case("alternate"))
        });
        let oembed = attribute(tag, "type")
            .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json+oembed"));
        let mut page = self.page.borrow_mut();
        if alternate && oembed && page.oembed.is_none() {
            page.oembed = attribute(tag, "href").map(str::to_owned);
        }
    }
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

    #[test]
    fn opengraph_twitter_title_and_oembed_are_read() {
        let page = read(
            r#"<!doctype html><html lang="en-GB"><head>
            <title> A  &amp; B </title>
            <meta property="og:title" content="Open &quot;Graph&quot;">
            <meta property="og:title" content="second">
            <meta name="Twitter:Description" content="From twitter">
            <script>var x = '<meta property="og:image" content="https://evil.example/">';</script>
            <!-- <meta property="og:site_name" content="comment"> -->
            <link rel="Alternate" type="application/json+oembed" href="/oembed?url=x&amp;y=1">
            </head><body><svg><title>not this</title></svg></body></html>"#,
        );
        assert_eq!(page.title, "A & B");
        assert_eq!(page.lang.as_deref(), Some("en-GB"));
        assert_eq!(page.first(&["og:title"]), Some("Open \"Graph\""));
        assert_eq!(
            page.first(&["og:description", "twitter:description"]),
            Some("From twitter")
        );
        assert_eq!(
            page.first(&["og:image"]),
            None,
            "scripts are not read as tags"
        );
        assert_eq!(page.first(&["og:site_name"]), None, "comments are not read");
        assert_eq!(page.oembed.as_deref(), Some("/oembed?url=x&y=1"));
    }

    #[test]
    fn a_page_without_metadata_reads_empty() {
        let page = read("just text, no tags");
        assert_eq!(page, PageMeta::default());
    }
}
