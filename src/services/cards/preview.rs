//! Making a card from a linked page: the page's HTML (only `text/html`, its first
//! [`fetch::MAX_HTML_BYTES`]), its oEmbed document when it announces one (preferred
//! where it says something, as Mastodon does), else its OpenGraph and Twitter tags and
//! title; the image downloaded and processed like an uploaded picture (decoded within
//! the pixel budget, re-encoded small without metadata, with a BlurHash) and stored
//! under `cards/`. A page without a title gives no card.
//!
//! oEmbed HTML (embedded players) is never kept: cards are `link`, or `photo` when the
//! oEmbed document says so, and `html` is always empty, so no third-party markup
//! reaches clients.

use serde::Deserialize;
use url::Url;

use super::fetch::{self, FetchError};
use super::page::{self, PageMeta};
use crate::db::cards::NewCard;
use crate::media::process::{self, Limits};
use crate::media::Kind;
use crate::state::AppState;

/// Longest title kept (Mastodon's column is 255).
const MAX_TITLE_CHARS: usize = 255;
/// Longest description kept.
const MAX_DESCRIPTION_CHARS: usize = 1000;
/// Longest name, provider or URL field kept.
const MAX_FIELD_CHARS: usize = 500;

/// The part of an oEmbed document a card uses (<https://oembed.com/#section2.3>).
#[derive(Debug, Default, Deserialize)]
struct Oembed {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    title: Option<String>,
    author_name: Option<String>,
    author_url: Option<String>,
    provider_name: Option<String>,
    provider_url: Option<String>,
    thumbnail_url: Option<String>,
    /// The picture itself, for `photo`.
    url: Option<String>,
}

/// Fetches the page at `url` and makes its card (`None`: nothing to show), stored
/// under `key` (the URL as the statuses' `status_links` name it).
pub async fn fetch_card(
    state: &AppState,
    key: &str,
    url: &Url,
) -> Result<Option<NewCard>, FetchError> {
    let page = fetch::get(
        state,
        url,
        "text/html",
        |media_type| media_type == "text/html",
        fetch::MAX_HTML_BYTES,
        true,
    )
    .await?;
    let meta = page::read(&String::from_utf8_lossy(&page.body));
    let oembed = match meta
        .oembed
        .as_deref()
        .and_then(|href| page.url.join(href).ok())
    {
        Some(href) => oembed(state, &href).await,
        None => Oembed::default(),
    };
    let Some(mut card) = card_of(key, &meta, &oembed) else {
        return Ok(None);
    };
    let image = oembed
        .thumbnail_url
        .as_deref()
        .or(oembed.url.as_deref().filter(|_| card.card_type == "photo"))
        .or_else(|| {
            meta.first(&[
                "og:image",
                "og:image:url",
                "og:image:secure_url",
                "twitter:image",
            ])
        })
        .and_then(|image| page.url.join(image).ok());
    if let Some(image) = image {
        store_image(state, &image, &mut card).await;
    }
    Ok(Some(card))
}

/// The oEmbed document at `href`, or nothing when it cannot be had.
async fn oembed(state: &AppState, href: &Url) -> Oembed {
    let accepts = |media_type: &str| media_type.ends_with("json");
    match fetch::get(
        state,
        href,
        "application/json",
        accepts,
        fetch::MAX_OEMBED_BYTES,
        false,
    )
    .await
    {
        Ok(fetched) => serde_json::from_slice(&fetched.body).unwrap_or_default(),
        Err(error) => {
            tracing::debug!(%href, %error, "no oEmbed document");
            Oembed::default()
        }
    }
}

/// The card the metadata describes (without its image), under `key`: the URL linked,
/// not the page it redirected to (the statuses name the former).
fn card_of(key: &str, meta: &PageMeta, oembed: &Oembed) -> Option<NewCard> {
    let title = oembed
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| meta.first(&["og:title", "twitter:title"]))
        .or(Some(meta.title.as_str()).filter(|t| !t.is_empty()))?;
    let description = meta.first(&["og:description", "twitter:description", "description"]);
    let photo = oembed.kind.as_deref() == Some("photo") && oembed.url.is_some();
    Some(NewCard {
        url: key.to_owned(),
        origin: String::new(),
        title: cut(title, MAX_TITLE_CHARS),
        description: cut(description.unwrap_or_default(), MAX_DESCRIPTION_CHARS),
        card_type: if photo { "photo" } else { "link" }.to_owned(),
        author_name: field(oembed.author_name.as_deref().or(meta.first(&["author"]))),
        author_url: field(oembed.author_url.as_deref()),
        provider_name: field(
            oembed
                .provider_name
                .as_deref()
                .or(meta.first(&["og:site_name"])),
        ),
        provider_url: field(oembed.provider_url.as_deref()),
        language: meta
            .first(&["og:locale"])
            .or(meta.lang.as_deref())
            .and_then(language),
        published_at: meta
            .first(&["article:published_time"])
            .and_then(|time| chrono::DateTime::parse_from_rfc3339(time).ok())
            .map(|time| time.to_utc()),
        image_description: field(meta.first(&["og:image:alt", "twitter:image:alt"])),
        ..NewCard::default()
    })
}

/// A two-letter language code from `en`, `en-GB` or `en_GB`.
fn language(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() == 2 && primary.chars().all(|c| c.is_ascii_lowercase())).then_some(primary)
}

fn field(value: Option<&str>) -> String {
    cut(value.unwrap_or_default(), MAX_FIELD_CHARS)
}

fn cut(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// Downloads, processes and stores the card's image; a card keeps no image when any
/// step fails (the card itself is still worth showing).
async fn store_image(state: &AppState, image: &Url, card: &mut NewCard) {
    let accepts = |media_type: &str| media_type.starts_with("image/");
    let fetched = match fetch::get(
        state,
        image,
        "image/*",
        accepts,
        fetch::MAX_IMAGE_BYTES,
        false,
    )
    .await
    {
        Ok(fetched) => fetched,
        Err(error) => {
            tracing::debug!(%image, %error, "card image not fetched");
            return;
        }
    };
    let limits = Limits {
        max_bytes: fetch::MAX_IMAGE_BYTES as u64,
        max_pixels: state.config.max_image_pixels,
    };
    let processed =
        tokio::task::spawn_blocking(move || process::process(&fetched.body, limits)).await;
    let Ok(Ok(processed)) = processed else {
        return;
    };
    let (Kind::Image, Some(preview)) = (processed.kind, processed.preview) else {
        return;
    };
    let key = format!(
        "cards/{}.{}",
        crate::auth::random_token(12),
        preview.format.extension()
    );
    let (width, height) = (preview.width, preview.height);
    if let Err(error) = state.media.put(&key, preview.format, preview.bytes).await {
        tracing::warn!(error = %format!("{error:#}"), "card image not stored");
        return;
    }
    card.image_key = Some(key);
    card.width = i32::try_from(width).unwrap_or(0);
    card.height = i32::try_from(height).unwrap_or(0);
    card.blurhash = processed.blurhash;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opengraph_makes_a_link_card_and_oembed_wins_where_it_speaks() {
        let meta = page::read(
            r#"<html lang="fr"><title>Plain</title>
            <meta property="og:title" content="OG title">
            <meta property="og:description" content="OG text">
            <meta property="og:site_name" content="Site">"#,
        );
        let card = card_of("https://a.example/post", &meta, &Oembed::default()).expect("card");
        assert_eq!(card.url, "https://a.example/post");
        assert_eq!(
            (card.title.as_str(), card.description.as_str()),
            ("OG title", "OG text")
        );
        assert_eq!(card.provider_name, "Site");
        assert_eq!(card.language.as_deref(), Some("fr"));
        let oembed = Oembed {
            kind: Some("photo".into()),
            title: Some("oEmbed title".into()),
            url: Some("https://a.example/p.jpg".into()),
            ..Oembed::default()
        };
        let card = card_of("https://a.example/post", &meta, &oembed).expect("card");
        assert_eq!(
            (card.title.as_str(), card.card_type.as_str()),
            ("oEmbed title", "photo")
        );
    }

    #[test]
    fn a_page_without_any_title_gives_no_card() {
        let meta = page::read("<p>nothing here</p>");
        assert!(card_of("https://a.example", &meta, &Oembed::default()).is_none());
    }
}
