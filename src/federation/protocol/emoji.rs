//! Custom emoji on the wire: the `Emoji` tag Mastodon puts on a post or an actor for
//! every `:shortcode:` its text uses,
//! `{"type": "Emoji", "id": "https://host/emojis/1", "name": ":blobcat:",
//!   "icon": {"type": "Image", "mediaType": "image/png", "url": "…"}, "updated": "…"}`.
//!
//! Tags travel as [`Tag`] (a post's or actor's `tag` array mixes emoji, hashtags and
//! mentions); [`Emoji`] is the typed view: built into a tag for Roost's own documents,
//! read out of a received one (where a tag without a valid shortcode or an http(s)
//! image is not an emoji Roost can show). Storing them is not here.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Emoji>.

use chrono::{DateTime, Utc};
use url::Url;

use super::{Image, Tag};
use crate::domain::emoji::is_valid_shortcode;

/// The `type` of an emoji tag.
pub const EMOJI_TYPE: &str = "Emoji";

/// A custom emoji as an `Emoji` tag describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emoji {
    /// The emoji's own id (Mastodon serves the tag there), if it has one.
    pub id: Option<Url>,
    /// The name, without colons (valid: see `domain::emoji`).
    pub shortcode: String,
    /// The image (an http or https URL, checked while parsing).
    pub icon: Image,
    /// When the image last changed, if stated.
    pub updated: Option<DateTime<Utc>>,
}

impl Emoji {
    /// The emoji `tag` describes: an `Emoji` tag named `:shortcode:` (colons optional)
    /// with a valid shortcode and an image. `None` for any other tag.
    pub fn from_tag(tag: &Tag) -> Option<Emoji> {
        if tag.kind != EMOJI_TYPE {
            return None;
        }
        let name = tag.name.as_deref()?.trim();
        let shortcode = name.strip_prefix(':').unwrap_or(name);
        let shortcode = shortcode.strip_suffix(':').unwrap_or(shortcode);
        if !is_valid_shortcode(shortcode) {
            return None;
        }
        Some(Emoji {
            id: tag.id.clone(),
            shortcode: shortcode.to_owned(),
            icon: tag.icon.clone()?,
            updated: tag.updated,
        })
    }

    /// The tag carrying this emoji, named `:shortcode:`.
    pub fn into_tag(self) -> Tag {
        Tag {
            kind: EMOJI_TYPE.to_owned(),
            name: Some(format!(":{}:", self.shortcode)),
            href: None,
            id: self.id,
            icon: Some(self.icon),
            updated: self.updated,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_mastodon_emoji_tag_reads_and_writes_back_the_same() {
        let sent = json!({
            "id": "https://mastodon.example/emojis/7",
            "type": "Emoji",
            "name": ":blobcat:",
            "updated": "2024-01-02T03:04:05Z",
            "icon": {"type": "Image", "mediaType": "image/png",
                     "url": "https://files.mastodon.example/custom_emojis/7/original.png"}
        });
        let tag: Tag = serde_json::from_value(sent.clone()).expect("parses");
        let emoji = Emoji::from_tag(&tag).expect("an emoji");
        assert_eq!(emoji.shortcode, "blobcat");
        assert_eq!(emoji.icon.media_type.as_deref(), Some("image/png"));
        assert!(emoji.updated.is_some());
        let written = serde_json::to_value(emoji.into_tag()).expect("serializes");
        assert_eq!(written, sent);
    }

    #[test]
    fn tags_that_are_not_usable_emoji_are_none() {
        let read = |value: serde_json::Value| {
            let tag: Tag = serde_json::from_value(value).expect("parses");
            Emoji::from_tag(&tag)
        };
        let icon = json!({"type": "Image", "url": "https://x.example/a.png"});
        assert!(read(json!({"type": "Hashtag", "name": ":tag:", "icon": icon})).is_none());
        assert!(read(json!({"type": "Emoji", "name": ":blob-cat:", "icon": icon})).is_none());
        assert!(read(json!({"type": "Emoji", "name": ":blobcat:"})).is_none());
        let script = json!({"type": "Image", "url": "javascript:alert(1)"});
        assert!(read(json!({"type": "Emoji", "name": ":blobcat:", "icon": script})).is_none());
        assert!(read(json!({"type": "Emoji", "name": "blobcat", "icon": icon})).is_some());
    }
}
