//! Turning what people type into the HTML Mastodon clients expect. This is the small
//! part needed for profiles (bios and field values); status text grows from here.

/// Escapes text for safe inclusion in HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text → paragraphs: blank lines separate `<p>`s, single newlines become `<br />`.
/// Empty input gives empty output (Mastodon sends `""` for an empty bio).
pub fn plain_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.lines().map(escape_html).collect();
            format!("<p>{}</p>", lines.join("<br />"))
        })
        .collect()
}

/// A profile field value: a bare http(s) URL becomes a link (as Mastodon renders it),
/// anything else is escaped text.
pub fn field_value_to_html(value: &str) -> String {
    let value = value.trim();
    let is_url = (value.starts_with("https://") || value.starts_with("http://"))
        && !value.contains(char::is_whitespace)
        && url::Url::parse(value).is_ok();
    if is_url {
        let shown = value
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let escaped = escape_html(value);
        format!(
            "<a href=\"{escaped}\" target=\"_blank\" rel=\"nofollow noopener noreferrer me\" translate=\"no\">{}</a>",
            escape_html(shown)
        )
    } else {
        escape_html(value)
    }
}

/// HTML → plain text, for places that cannot render markup (push notifications):
/// paragraphs and line breaks become newlines, other tags vanish, the common entities
/// are decoded.
pub fn html_to_plain(html: &str) -> String {
    let spaced = html
        .replace("</p><p>", "\n\n")
        .replace("<br />", "\n")
        .replace("<br/>", "\n")
        .replace("<br>", "\n");
    let mut text = String::with_capacity(spaced.len());
    let mut in_tag = false;
    for c in spaced.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

/// Cleans HTML from other servers (posts, bios, profile field values) down to what
/// Mastodon clients render: paragraphs, line breaks, links, spans with Mastodon's
/// mention/hashtag classes, and simple inline formatting. Scripts, styles, event
/// handlers and every other tag or attribute are removed.
///
/// A link keeps its `href` only if it is an absolute `http`/`https` URL (the rule of
/// [`crate::domain::HttpUrl`]; Mastodon's own list adds a few rare schemes, never
/// `javascript:` or `data:`); relative ones are dropped too, since they would point
/// into Roost itself. The link's text stays. Every link gets
/// `rel="nofollow noopener noreferrer"`.
pub fn sanitize_html(html: &str) -> String {
    use std::collections::HashSet;
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut builder = ammonia::Builder::empty();
            builder
                .tags(HashSet::from([
                    "p",
                    "br",
                    "a",
                    "span",
                    "strong",
                    "b",
                    "em",
                    "i",
                    "u",
                    "del",
                    "s",
                    "pre",
                    "code",
                    "blockquote",
                    "ul",
                    "ol",
                    "li",
                ]))
                .tag_attributes(std::collections::HashMap::from([(
                    "a",
                    HashSet::from(["href"]),
                )]))
                .allowed_classes(std::collections::HashMap::from([
                    (
                        "a",
                        HashSet::from([
                            "mention",
                            "hashtag",
                            "u-url",
                            "status-link",
                            "unhandled-link",
                        ]),
                    ),
                    (
                        "span",
                        HashSet::from(["h-card", "invisible", "ellipsis", "tag"]),
                    ),
                ]))
                .url_schemes(HashSet::from(["http", "https"]))
                .url_relative(ammonia::UrlRelative::Deny)
                .link_rel(Some("nofollow noopener noreferrer"));
            builder
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn remote_html_keeps_links_and_paragraphs_and_loses_scripts() {
        let dirty = "<p>Hi <a href=\"https://a.example/@b\" class=\"u-url mention evil\" onclick=\"x()\">@b</a></p><script>alert(1)</script><img src=x onerror=y><a href=\"javascript:alert(1)\">j</a>";
        let clean = super::sanitize_html(dirty);
        assert!(clean.contains("<p>Hi <a href=\"https://a.example/@b\" class=\"u-url mention\" rel=\"nofollow noopener noreferrer\">@b</a></p>"), "{clean}");
        assert!(
            !clean.contains("script")
                && !clean.contains("onerror")
                && !clean.contains("javascript")
                && !clean.contains("onclick"),
            "{clean}"
        );
    }

    use super::*;

    #[test]
    fn remote_links_keep_only_absolute_http_targets() {
        let hostile = [
            "<a href=\"javascript:alert(1)\">a</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">a</a>",
            "<a href=\"&#106;avascript:alert(1)\">a</a>",
            "<a href=\"java\tscript:alert(1)\">a</a>",
            "<a href=\" javascript:alert(1)\">a</a>",
            "<a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">a</a>",
            "<a href=\"vbscript:msgbox(1)\">a</a>",
            "<a href=\"file:///etc/passwd\">a</a>",
            "<a href=\"/oauth/authorize?client_id=x\">a</a>",
            "<a href=\"//evil.example/\">a</a>",
            "<img src=\"data:image/png;base64,AAAA\">",
        ];
        for html in hostile {
            let clean = sanitize_html(html);
            assert!(
                !clean.contains("href") && !clean.contains("src"),
                "{html} → {clean}"
            );
        }
        let kept = sanitize_html("<a href=\"https://a.example/x\">a</a>");
        assert!(kept.contains("href=\"https://a.example/x\""), "{kept}");
    }

    #[test]
    fn text_is_escaped_and_split_into_paragraphs() {
        assert_eq!(
            plain_to_html("a <b>\nc\n\nd & e"),
            "<p>a &lt;b&gt;<br />c</p><p>d &amp; e</p>"
        );
        assert_eq!(plain_to_html("  "), "");
    }

    #[test]
    fn url_field_values_become_links_and_others_stay_text() {
        let html = field_value_to_html("https://example.org/a?b=\"c\"");
        assert!(html.starts_with("<a href=\"https://example.org/a?b=&quot;c&quot;\""));
        assert!(html.contains(">example.org/a?b=&quot;c&quot;</a>"));
        assert_eq!(field_value_to_html("they/them <3"), "they/them &lt;3");
        assert_eq!(
            field_value_to_html("javascript:alert(1)"),
            "javascript:alert(1)"
        );
    }

    #[test]
    fn html_becomes_plain_text_with_line_breaks_and_decoded_entities() {
        let html = "<p>Hi <a href=\"https://x\">@bob</a> &amp; you</p><p>a<br />b &lt;3</p>";
        assert_eq!(html_to_plain(html), "Hi @bob & you\n\na\nb <3");
        assert_eq!(html_to_plain(""), "");
    }
}
