//! Custom emoji received from other servers: the `Emoji` tags of a remote post or
//! actor turned into what Roost keeps of them — a reference (shortcode, image URL, id),
//! never a copy of the image. Only tags with a valid shortcode and an http(s) image
//! count, at most [`MAX_PER_OBJECT`] per object, with every string bounded; none from a
//! domain blocked with `reject_media` (as its attachments). They are recorded under the
//! sender's domain ([`store`]); the outbound tags are `builders::emojis`'.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Emoji>.

use sqlx::PgConnection;

use super::domain_policy::{self, Rejection};
use super::protocol::{Emoji, Tag};
use crate::db::custom_emojis::{self, CustomEmojiRow, RemoteEmoji};
use crate::domain::emoji::MAX_PER_OBJECT;

/// Longest image URL or emoji id kept.
const MAX_URL_BYTES: usize = 2048;
/// Longest media type kept.
const MAX_MEDIA_TYPE_BYTES: usize = 100;

/// Records the emoji `emojis` an account of `domain` sent (see [`remote_emojis`]) and
/// returns the enabled ones, by shortcode; none when the domain's media are rejected.
/// Runs on the caller's connection (inside its transaction).
pub async fn store(
    conn: &mut PgConnection,
    domain: &str,
    emojis: &[RemoteEmoji],
) -> sqlx::Result<Vec<CustomEmojiRow>> {
    if emojis.is_empty() || domain_policy::rejects(&mut *conn, domain, Rejection::Media).await? {
        return Ok(Vec::new());
    }
    custom_emojis::upsert_remote(conn, &domain.to_lowercase(), emojis).await
}

/// The usable emoji among `tags`, each shortcode once (the first tag wins), at most
/// [`MAX_PER_OBJECT`].
pub fn remote_emojis(tags: &[Tag]) -> Vec<RemoteEmoji> {
    let mut kept: Vec<RemoteEmoji> = Vec::new();
    for emoji in tags.iter().filter_map(Emoji::from_tag) {
        if kept.len() == MAX_PER_OBJECT {
            break;
        }
        let image_url = emoji.icon.url.to_string();
        if image_url.len() > MAX_URL_BYTES || kept.iter().any(|k| k.shortcode == emoji.shortcode) {
            continue;
        }
        let content_type = emoji
            .icon
            .media_type
            .filter(|kind| kind.starts_with("image/") && kind.len() <= MAX_MEDIA_TYPE_BYTES)
            .unwrap_or_else(|| "image/png".to_owned());
        kept.push(RemoteEmoji {
            shortcode: emoji.shortcode,
            image_url,
            uri: emoji
                .id
                .map(String::from)
                .filter(|id| id.len() <= MAX_URL_BYTES),
            content_type,
            updated_at: emoji.updated,
        });
    }
    kept
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tags(value: serde_json::Value) -> Vec<Tag> {
        serde_json::from_value(value).expect("tags parse")
    }

    #[test]
    fn emoji_tags_become_bounded_references() {
        let long = format!("https://x.example/{}.png", "a".repeat(MAX_URL_BYTES));
        let kept = remote_emojis(&tags(json!([
            {"type": "Hashtag", "name": "#cats", "href": "https://x.example/tags/cats"},
            {"type": "Emoji", "name": ":blobcat:", "id": "https://x.example/emojis/1",
             "icon": {"type": "Image", "mediaType": "image/gif", "url": "https://x.example/1.gif"}},
            {"type": "Emoji", "name": ":blobcat:",
             "icon": {"type": "Image", "url": "https://x.example/other.png"}},
            {"type": "Emoji", "name": ":long:", "icon": {"type": "Image", "url": long}},
            {"type": "Emoji", "name": ":odd:",
             "icon": {"type": "Image", "mediaType": "text/html", "url": "https://x.example/2"}},
        ])));
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].shortcode, "blobcat");
        assert_eq!(kept[0].image_url, "https://x.example/1.gif");
        assert_eq!(kept[0].content_type, "image/gif");
        assert_eq!(kept[0].uri.as_deref(), Some("https://x.example/emojis/1"));
        assert_eq!(kept[1].shortcode, "odd");
        assert_eq!(kept[1].content_type, "image/png");
    }

    #[test]
    fn a_flood_of_emoji_tags_is_cut() {
        let many: Vec<serde_json::Value> = (0..200)
            .map(|i| {
                json!({"type": "Emoji", "name": format!(":e{i}:"),
                       "icon": {"type": "Image", "url": format!("https://x.example/{i}.png")}})
            })
            .collect();
        assert_eq!(remote_emojis(&tags(json!(many))).len(), MAX_PER_OBJECT);
    }
}
