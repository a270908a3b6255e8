//! The oEmbed document of a status (<https://docs.joinmastodon.org/methods/oembed/>,
//! <https://oembed.com/#section2.3>): a `rich` embed whose `html` is Mastodon 4.3's
//! `<blockquote class="mastodon-embed">` form, without its script: the status's text
//! (or only its content warning), escaped, and a link to the status's page.

use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::domain::text::escape_html;
use crate::services::oembed::Embeddable;
use crate::urls::{self, Address};

/// Width when the consumer asks for none (Mastodon's default).
pub const DEFAULT_WIDTH: u32 = 400;
/// Widest width and tallest height given back.
pub const MAX_SIZE: u32 = 4096;
/// How long consumers may cache the answer, in seconds (Mastodon's).
const CACHE_AGE: u32 = 86_400;

/// An oEmbed `rich` response.
#[derive(Debug, Serialize, ToSchema)]
pub struct OEmbed {
    /// Always `rich`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Always `1.0`.
    pub version: &'static str,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub cache_age: u32,
    pub html: String,
    pub width: u32,
    pub height: Option<u32>,
}

impl OEmbed {
    /// The embed of `embeddable` at `width` (default [`DEFAULT_WIDTH`]) and `height`
    /// (none by default), each at most [`MAX_SIZE`].
    pub fn new(
        config: &Config,
        embeddable: &Embeddable,
        width: Option<u32>,
        height: Option<u32>,
    ) -> OEmbed {
        let author = &embeddable.author;
        let name = if author.display_name.trim().is_empty() {
            author.username.clone()
        } else {
            author.display_name.clone()
        };
        OEmbed {
            kind: "rich",
            version: "1.0",
            author_name: name,
            author_url: urls::profile(config, &author.username),
            provider_name: config.domain.clone(),
            provider_url: format!("{}/", config.base_url()),
            cache_age: CACHE_AGE,
            html: html(config, embeddable),
            width: width
                .filter(|w| *w > 0)
                .unwrap_or(DEFAULT_WIDTH)
                .min(MAX_SIZE),
            height: height.filter(|h| *h > 0).map(|h| h.min(MAX_SIZE)),
        }
    }
}

/// The blockquote: the text (the content warning alone when there is one, so the
/// embed never shows what the author put behind it), who posted it, and a link.
fn html(config: &Config, embeddable: &Embeddable) -> String {
    let status = &embeddable.status;
    let author = &embeddable.author;
    let page = urls::status_page(config, &author.username, status.id);
    let shown = if status.spoiler_text.is_empty() {
        status.text.as_str()
    } else {
        status.spoiler_text.as_str()
    };
    let text = if shown.trim().is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>", escape_html(shown).replace('\n', "<br>"))
    };
    let acct = Address::of(author, config).acct;
    format!(
        "<blockquote class=\"mastodon-embed\" style=\"max-width: 540px; min-width: 270px; \
         margin: 0; padding: 16px; border: 1px solid #C9C4DA; border-radius: 8px;\">{text}\
         <a href=\"{}\" target=\"_blank\">Post by @{}@{}</a></blockquote>",
        escape_html(&page),
        escape_html(&acct),
        escape_html(&config.domain),
    )
}
