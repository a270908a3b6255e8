use super::*;

const BASE: &str = "https://roost.example";

/// Local `alice`, and three remote accounts; everyone else is unknown.
fn resolve(username: &str, domain: Option<&str>) -> Option<MentionTarget> {
    let (url, acct) = match (username.to_lowercase().as_str(), domain) {
        ("alice", None | Some("roost.example")) => ("https://roost.example/@alice", "alice"),
        ("alice", Some("example.com")) => ("https://example.com/@alice", "alice@example.com"),
        ("bob", Some("host:8080")) => ("http://host:8080/@bob", "bob@host:8080"),
        ("first.last", Some("example.com")) => {
            ("https://example.com/@first.last", "first.last@example.com")
        }
        _ => return None,
    };
    Some(MentionTarget {
        url: url.to_owned(),
        acct: acct.to_owned(),
    })
}

fn html(text: &str) -> String {
    render(text, BASE, resolve).html
}

fn links(text: &str) -> Vec<String> {
    render(text, BASE, resolve).links
}

fn tags(text: &str) -> Vec<String> {
    render(text, BASE, resolve).tags
}

fn mention(username: &str, domain: Option<&str>) -> MentionRef {
    MentionRef {
        username: username.to_owned(),
        domain: domain.map(str::to_owned),
    }
}

fn link_html(url: &str, prefix: &str, visible: &str, hidden: &str) -> String {
    let class = if hidden.is_empty() { "" } else { "ellipsis" };
    format!(
        "<a href=\"{url}\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\"><span class=\"invisible\">{prefix}</span><span class=\"{class}\">{visible}</span><span class=\"invisible\">{hidden}</span></a>"
    )
}

fn mention_html(url: &str, shown: &str) -> String {
    format!(
        "<span class=\"h-card\" translate=\"no\"><a href=\"{url}\" class=\"u-url mention\">@<span>{shown}</span></a></span>"
    )
}

#[test]
fn blank_lines_separate_paragraphs_and_single_newlines_become_line_breaks() {
    assert_eq!(
        html("first line\nsecond line\n\n\n\nnew paragraph\n\nlast"),
        "<p>first line<br />second line</p><p>new paragraph</p><p>last</p>"
    );
    assert_eq!(html("a\r\nb\r\n\r\nc"), "<p>a<br />b</p><p>c</p>");
    assert_eq!(html("\n\n  hello  \n\n"), "<p>hello</p>");
}

#[test]
fn blank_text_renders_as_nothing() {
    assert_eq!(render(" \n\t ", BASE, resolve), ParsedText::default());
    assert_eq!(render("", BASE, resolve), ParsedText::default());
}

#[test]
fn markup_in_the_text_is_escaped_not_interpreted() {
    assert_eq!(
        html("<script>alert('x')</script> & \"quotes\""),
        "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;</p>"
    );
}

#[test]
fn short_links_are_shown_whole_without_their_scheme() {
    let expected = link_html("https://example.com/a", "https://", "example.com/a", "");
    assert_eq!(
        html("see https://example.com/a"),
        format!("<p>see {expected}</p>")
    );
    let www = link_html("http://www.example.com", "http://www.", "example.com", "");
    assert_eq!(html("http://www.example.com"), format!("<p>{www}</p>"));
}

#[test]
fn long_links_show_thirty_characters_and_an_ellipsis() {
    let url = "https://example.com/a/very/long/path/that/keeps/going?x=1";
    let expected = link_html(
        url,
        "https://",
        "example.com/a/very/long/path/t",
        "hat/keeps/going?x=1",
    );
    assert_eq!(html(url), format!("<p>{expected}</p>"));
    let exactly_thirty = "https://example.com/abcdefghijklmnopqr";
    assert!(html(exactly_thirty).contains("<span class=\"\">example.com/abcdefghijklmnopqr</span>"));
}

#[test]
fn trailing_punctuation_is_left_out_of_links() {
    for ending in [
        ".", ",", ")", "!", "?", ":", ";", "'", "\"", "]", "~", "&", "*",
    ] {
        let text = format!("Look at https://example.com/foo{ending}");
        assert_eq!(links(&text), ["https://example.com/foo"], "{text}");
    }
    assert_eq!(links("https://example.com."), ["https://example.com"]);
    assert_eq!(links("https://example.com/."), ["https://example.com/"]);
    assert_eq!(
        html("Go to https://example.com/foo."),
        format!(
            "<p>Go to {}.</p>",
            link_html("https://example.com/foo", "https://", "example.com/foo", "")
        )
    );
}

#[test]
fn query_strings_and_fragments_stay_in_links() {
    assert_eq!(
        links("https://example.com/search?q=rust&page=2#results."),
        ["https://example.com/search?q=rust&page=2#results"]
    );
    assert_eq!(
        links("https://example.com/page#section-2, then"),
        ["https://example.com/page#section-2"]
    );
    assert_eq!(
        links("https://example.com?q=a."),
        ["https://example.com?q=a"]
    );
    assert_eq!(
        links("is it https://example.com/x?"),
        ["https://example.com/x"]
    );
    assert_eq!(
        html("https://example.com/?a=1&b=\"2\""),
        format!(
            "<p>{}&quot;2&quot;</p>",
            link_html(
                "https://example.com/?a=1&amp;b=",
                "https://",
                "example.com/?a=1&amp;b=",
                ""
            )
        )
    );
}

#[test]
fn links_inside_parentheses_keep_only_balanced_parentheses() {
    assert_eq!(
        links("(see https://example.com/foo)"),
        ["https://example.com/foo"]
    );
    let wiki = "https://en.wikipedia.org/wiki/Rust_(programming_language)";
    assert_eq!(links(wiki), [wiki]);
    assert_eq!(links(&format!("(about {wiki})")), [wiki]);
    let nested = "https://example.com/a_(b_(c)_d)";
    assert_eq!(links(&format!("{nested}.")), [nested]);
    assert_eq!(links("https://example.com/a(b"), ["https://example.com/a"]);
}

#[test]
fn only_http_and_https_links_with_a_host_are_linked() {
    assert!(links("example.com ftp://example.com mailto:a@example.com https:// x").is_empty());
    assert!(links("xhttps://example.com $https://example.com").is_empty());
    assert_eq!(links("HTTPS://EXAMPLE.COM/A"), ["HTTPS://EXAMPLE.COM/A"]);
    assert_eq!(
        links("http://localhost:3000/@alice"),
        ["http://localhost:3000/@alice"]
    );
    assert_eq!(
        links("http://127.0.0.1:8080/x"),
        ["http://127.0.0.1:8080/x"]
    );
    assert_eq!(links("https://exämple.com/ü"), ["https://exämple.com/ü"]);
}

#[test]
fn links_the_url_crate_rejects_stay_text_and_are_not_listed() {
    let parsed = render("http://1.2.3.4.5/x", BASE, resolve);
    assert_eq!(parsed.html, "<p>http://1.2.3.4.5/x</p>");
    assert!(parsed.links.is_empty());
}

#[test]
fn links_are_listed_once_in_order() {
    assert_eq!(
        links("https://b.example https://a.example https://b.example"),
        ["https://b.example", "https://a.example"]
    );
}

#[test]
fn local_and_remote_mentions_link_to_the_profile_and_show_the_username() {
    let parsed = render("hi @alice and @bob@host:8080!", BASE, resolve);
    assert_eq!(
        parsed.html,
        format!(
            "<p>hi {} and {}!</p>",
            mention_html("https://roost.example/@alice", "alice"),
            mention_html("http://host:8080/@bob", "bob")
        )
    );
    assert_eq!(
        parsed.mentions,
        [mention("alice", None), mention("bob", Some("host:8080"))]
    );
}

#[test]
fn mentions_of_two_accounts_with_the_same_username_show_the_domain() {
    let parsed = render("@alice@example.com meet @alice", BASE, resolve);
    assert_eq!(
        parsed.html,
        format!(
            "<p>{} meet {}</p>",
            mention_html("https://example.com/@alice", "alice@example.com"),
            mention_html("https://roost.example/@alice", "alice")
        )
    );
    let alone = html("@alice@example.com.");
    assert_eq!(
        alone,
        format!(
            "<p>{}.</p>",
            mention_html("https://example.com/@alice", "alice")
        )
    );
}

#[test]
fn mentions_of_the_same_account_are_listed_once() {
    let parsed = render("@alice @ALICE @alice@roost.example", BASE, resolve);
    assert_eq!(parsed.mentions, [mention("alice", None)]);
    assert_eq!(parsed.html.matches("u-url mention").count(), 3);
}

#[test]
fn unknown_mentions_stay_escaped_text() {
    let parsed = render("@nobody <3 @ghost@nowhere.example", BASE, resolve);
    assert_eq!(parsed.html, "<p>@nobody &lt;3 @ghost@nowhere.example</p>");
    assert!(parsed.mentions.is_empty());
}

#[test]
fn mention_syntax_follows_mastodon() {
    let found = |text: &str| extract_mentions(text);
    assert_eq!(found("@alice"), [mention("alice", None)]);
    assert_eq!(
        found("(@alice@example.com)."),
        [mention("alice", Some("example.com"))]
    );
    assert_eq!(found("@bob@host:8080"), [mention("bob", Some("host:8080"))]);
    assert_eq!(found("@bob@host: hi"), [mention("bob", Some("host"))]);
    assert_eq!(
        found("@first.last@example.com"),
        [mention("first.last", Some("example.com"))]
    );
    assert_eq!(found("@a-b_c."), [mention("a-b_c", None)]);
    assert_eq!(
        found("@alice@münchen.example"),
        [mention("alice", Some("münchen.example"))]
    );
}

#[test]
fn email_addresses_and_links_are_not_mentions() {
    assert!(extract_mentions("write to alice@example.com").is_empty());
    assert!(extract_mentions("https://example.com/@alice").is_empty());
    assert!(extract_mentions("a=@alice /@alice").is_empty());
    assert_eq!(html("alice@example.com"), "<p>alice@example.com</p>");
}

#[test]
fn mentions_followed_by_another_at_sign_an_accent_or_a_scheme_are_not_mentions() {
    assert!(extract_mentions("@alice@bob@carol").is_empty());
    assert!(extract_mentions("@josé").is_empty());
    assert!(extract_mentions("@alice://x").is_empty());
    assert_eq!(extract_mentions("@ alone and @_"), [mention("_", None)]);
}

#[test]
fn extracted_mentions_are_distinct_ignoring_case_and_in_order() {
    assert_eq!(
        extract_mentions("@Bob@Host:8080 @alice @bob@host:8080 @ALICE"),
        [mention("Bob", Some("Host:8080")), mention("alice", None)]
    );
    assert_eq!(mention("bob", Some("host:8080")).acct(), "bob@host:8080");
    assert_eq!(mention("alice", None).acct(), "alice");
}

#[test]
fn hashtags_link_to_the_tag_page_and_are_listed_lowercased_once() {
    let parsed = render("#Rust is fun. #rust #café", BASE, resolve);
    assert_eq!(
        parsed.html,
        "<p><a href=\"https://roost.example/tags/Rust\" class=\"mention hashtag\" rel=\"tag\">#<span>Rust</span></a> is fun. \
         <a href=\"https://roost.example/tags/rust\" class=\"mention hashtag\" rel=\"tag\">#<span>rust</span></a> \
         <a href=\"https://roost.example/tags/caf%C3%A9\" class=\"mention hashtag\" rel=\"tag\">#<span>café</span></a></p>"
    );
    assert_eq!(parsed.tags, ["rust", "café"]);
    assert!(render("#a", "https://roost.example/", resolve)
        .html
        .contains("\"https://roost.example/tags/a\""));
}

#[test]
fn hashtags_need_a_letter_and_stop_at_punctuation() {
    assert!(tags("#123 and # and #_1").is_empty());
    assert_eq!(tags("#1a #a1 #Rust2024"), ["1a", "a1", "rust2024"]);
    assert_eq!(
        tags("(#rust), #go! #zig's #日本語 #привет"),
        ["rust", "go", "zig", "日本語", "привет"]
    );
    assert_eq!(
        tags("#snake_case #ａｂｃ ＃full"),
        ["snake_case", "ａｂｃ", "full"]
    );
    assert_eq!(tags("#12_34"), ["12_34"]);
}

#[test]
fn hashtags_inside_words_and_links_are_not_hashtags() {
    assert!(tags("C#sharp a/#b x=#y").is_empty());
    assert!(tags("https://example.com/#tag https://example.com/page#section").is_empty());
    assert_eq!(
        links("https://example.com/#tag"),
        ["https://example.com/#tag"]
    );
    assert_eq!(tags("#foohttps://example.com"), ["foo"]);
}

#[test]
fn everything_together_renders_like_mastodon() {
    let text = "Hi @alice, read https://example.com/post?id=1 #News\n\n@nobody: <b>ok</b>";
    let parsed = render(text, BASE, resolve);
    assert_eq!(
        parsed.html,
        format!(
            "<p>Hi {}, read {} <a href=\"https://roost.example/tags/News\" class=\"mention hashtag\" rel=\"tag\">#<span>News</span></a></p><p>@nobody: &lt;b&gt;ok&lt;/b&gt;</p>",
            mention_html("https://roost.example/@alice", "alice"),
            link_html("https://example.com/post?id=1", "https://", "example.com/post?id=1", "")
        )
    );
    assert_eq!(parsed.mentions, [mention("alice", None)]);
    assert_eq!(parsed.tags, ["news"]);
    assert_eq!(parsed.links, ["https://example.com/post?id=1"]);
}

#[test]
fn characters_are_counted_one_per_grapheme_after_trimming() {
    assert_eq!(DEFAULT_MAX_CHARACTERS, 500);
    assert_eq!(character_count("hello"), 5);
    assert_eq!(character_count("  hello \n\n"), 5);
    assert_eq!(character_count(" \n "), 0);
    assert_eq!(character_count("a\r\nb"), 3);
    assert_eq!(character_count("héllo wörld"), 11);
    assert_eq!(character_count("🦀🦀"), 2);
    // Mastodon counts grapheme clusters: a skin-toned thumb (two code points) is one,
    // and so is a family emoji joined from several.
    assert_eq!(character_count("👍🏽"), 1);
    assert_eq!(character_count("👨‍👩‍👧"), 1);
    assert_eq!(character_count("e\u{301}"), 1);
    assert_eq!(character_count(&"x".repeat(DEFAULT_MAX_CHARACTERS)), 500);
}

#[test]
fn every_link_counts_as_twenty_three_characters() {
    let long = format!("https://example.com/{}", "a".repeat(200));
    assert_eq!(character_count(&format!("see {long}")), 4 + URL_CHARACTERS);
    assert_eq!(character_count("https://a.io"), 23);
    assert_eq!(character_count("https://a.io."), 24);
    assert_eq!(character_count("https://a.io https://b.io"), 23 + 1 + 23);
}

#[test]
fn remote_mentions_count_only_the_username() {
    assert_eq!(character_count("@alice@example.com hi"), "@alice hi".len());
    assert_eq!(character_count("@bob@host:8080"), "@bob".len());
    assert_eq!(character_count("@alice"), 6);
    assert_eq!(character_count("alice@example.com"), 17);
    assert_eq!(character_count("#hashtag"), 8);
}

#[test]
fn any_mix_of_tricky_fragments_renders_and_counts_without_panicking() {
    let fragments = [
        "https://",
        "http://x.y",
        "@",
        "@a",
        "@b@c",
        ":",
        ":8",
        "#",
        "＃",
        "é",
        "(",
        ")",
        "?",
        ".",
        "/",
        "\n",
        "\n\n",
        "🦀",
        "www.",
        "a",
        "_",
        "·",
        "=",
        "://",
        "&",
        "\r",
        " ",
    ];
    for first in fragments {
        for second in fragments {
            for third in fragments {
                let text = format!("{first}{second}{third}");
                let parsed = render(&text, BASE, resolve);
                assert!(
                    parsed.html.is_empty() || parsed.html.starts_with("<p>"),
                    "{text:?}"
                );
                assert!(character_count(&text) <= text.chars().count() + 3 * URL_CHARACTERS);
                extract_mentions(&text);
            }
        }
    }
}
