//! Link preview cards on the wire: a local post's card travels inside its Note as one
//! more `attachment`, so followers' servers never fetch the page:
//!
//! ```json
//! {"type": "Link", "mediaType": "text/html", "href": "https://site.example/article",
//!  "name": "Title", "summary": "Description",
//!  "image": {"type": "Image", "mediaType": "image/jpeg", "url": "https://roost.example/system/cards/….jpeg",
//!            "width": 640, "height": 360, "blurhash": "…", "name": "alt text"}}
//! ```
//!
//! A `Link` with `href` and no `url` is not media to Mastodon (its attachment parser
//! needs a `url`) nor to Roost (`federation::attachments` keeps only `Document`,
//! `Image`, `Video`, `Audio`), so servers that do not know the convention ignore it.
//! Inbound, a `Link` with an `href` and a non-blank `name` is read as the card of that
//! post (a bare `Link`, as Lemmy sends for link posts, is not: the page is fetched).
//! Documented in docs/federation.md ("Preview cards").

use crate::config::Config;
use crate::db::cards::{CardRow, NewCard};
use crate::domain::HttpUrl;
use crate::federation::protocol::note::{Attachment, Note};
use crate::federation::protocol::UrlOrLink;

/// Longest title kept from a peer.
const MAX_TITLE_CHARS: usize = 255;
/// Longest description or alt text kept from a peer.
const MAX_TEXT_CHARS: usize = 1000;

/// The Note attachment of a card Roost fetched.
pub fn attachment(config: &Config, card: &CardRow) -> anyhow::Result<Attachment> {
    let image = match card.image_url(config) {
        Some(url) => Some(Box::new(Attachment {
            kind: "Image".to_owned(),
            media_type: image_type(&url).map(str::to_owned),
            url: Some(UrlOrLink::Url(HttpUrl::parse(&url)?)),
            name: Some(card.image_description.clone()).filter(|d| !d.is_empty()),
            blurhash: card.blurhash.clone(),
            width: u32::try_from(card.width).ok().filter(|w| *w > 0),
            height: u32::try_from(card.height).ok().filter(|h| *h > 0),
            ..empty("Image")
        })),
        None => None,
    };
    Ok(Attachment {
        media_type: Some("text/html".to_owned()),
        href: Some(HttpUrl::parse(&card.url)?),
        name: Some(card.title.clone()),
        summary: Some(card.description.clone()).filter(|d| !d.is_empty()),
        image,
        ..empty("Link")
    })
}

/// Adds the card of local status `status_id`, if it has one yet, to its `note` (the
/// Note served at the status's id; the `Create` gets it from `services::cards`).
pub async fn add_to(
    config: &Config,
    conn: &mut sqlx::PgConnection,
    status_id: i64,
    note: &mut Note,
) -> anyhow::Result<()> {
    if let Some((_, card)) = crate::db::cards::for_statuses(conn, &[status_id])
        .await?
        .pop()
    {
        note.attachment.push(attachment(config, &card)?);
    }
    Ok(())
}

/// The card a peer's Note carries in `attachment`, kept under `origin` (the author's
/// domain), or `None` when it is not one.
pub fn inbound(attachment: &Attachment, origin: &str) -> Option<NewCard> {
    if attachment.kind != "Link" || attachment.url.is_some() {
        return None;
    }
    let href = attachment.href.as_ref()?;
    let title = attachment
        .name
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())?;
    let image = attachment.image.as_deref();
    let size = |value: Option<u32>| {
        value
            .and_then(|v| i32::try_from(v).ok())
            .filter(|v| (1..=100_000).contains(v))
    };
    Some(NewCard {
        url: href.as_str().trim_end_matches('/').to_owned(),
        origin: origin.to_owned(),
        title: cut(title, MAX_TITLE_CHARS),
        description: cut(
            attachment.summary.as_deref().unwrap_or_default(),
            MAX_TEXT_CHARS,
        ),
        card_type: "link".to_owned(),
        image_remote_url: image
            .and_then(Attachment::target)
            .map(|url| url.as_str().to_owned()),
        image_description: cut(
            image.and_then(Attachment::description).unwrap_or_default(),
            MAX_TEXT_CHARS,
        ),
        width: size(image.and_then(|i| i.width)).unwrap_or(0),
        height: size(image.and_then(|i| i.height)).unwrap_or(0),
        blurhash: image
            .and_then(|i| i.blurhash.clone())
            .filter(|hash| hash.len() <= 100 && hash.is_ascii()),
        ..NewCard::default()
    })
}

fn cut(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// The media type of a stored card image, from the extension Roost gave it.
fn image_type(url: &str) -> Option<&'static str> {
    let extension = url.rsplit_once('.')?.1;
    crate::media::Format::from_extension(extension).map(crate::media::Format::content_type)
}

fn empty(kind: &str) -> Attachment {
    Attachment::empty(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_card_link_is_read_and_a_bare_lemmy_link_is_not() {
        let card: Attachment = serde_json::from_value(json!({
            "type": "Link", "mediaType": "text/html", "href": "https://site.example/a/",
            "name": " Title ", "summary": "Text",
            "image": {"type": "Image", "url": "https://peer.example/c.jpeg", "width": 640,
                      "height": 360, "blurhash": "LEHV6nWB2yk8", "name": "alt"}
        }))
        .expect("parses");
        let read = inbound(&card, "peer.example").expect("a card");
        assert_eq!(read.url, "https://site.example/a");
        assert_eq!(
            (read.title.as_str(), read.description.as_str()),
            ("Title", "Text")
        );
        assert_eq!(
            read.image_remote_url.as_deref(),
            Some("https://peer.example/c.jpeg")
        );
        assert_eq!(
            (read.width, read.height, read.image_description.as_str()),
            (640, 360, "alt")
        );
        let lemmy: Attachment =
            serde_json::from_value(json!({"type": "Link", "href": "https://site.example/b"}))
                .expect("parses");
        assert!(inbound(&lemmy, "lemmy.example").is_none());
    }
}
