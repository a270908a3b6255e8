//! The `Emoji` tags of a local status's Note and of a local actor, built from the
//! custom emoji rows the status or profile uses. Pure: rows in, tags out. Only local
//! emoji are sent (a local text can only use those); each tag's id is the emoji's
//! `/emojis/ID` URL and its icon the stored image, as Mastodon sends them.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Emoji>.

use url::Url;

use crate::config::Config;
use crate::db::custom_emojis::CustomEmojiRow;
use crate::domain::HttpUrl;
use crate::federation::protocol::{Emoji, Image, Tag};
use crate::urls;

/// The `Emoji` tags of `emojis` (their local ones), in order. Fails only on a URL that
/// does not parse (a misconfigured base URL).
pub fn tags(config: &Config, emojis: &[CustomEmojiRow]) -> anyhow::Result<Vec<Tag>> {
    emojis
        .iter()
        .filter(|emoji| emoji.is_local())
        .map(|emoji| Ok(emoji_of(config, emoji)?.into_tag()))
        .collect()
}

/// The [`Emoji`] of a local emoji row.
pub fn emoji_of(config: &Config, emoji: &CustomEmojiRow) -> anyhow::Result<Emoji> {
    let (image, _) = urls::custom_emoji_images(config, emoji);
    Ok(Emoji {
        id: Some(Url::parse(&urls::custom_emoji(config, emoji.id))?),
        shortcode: emoji.shortcode.clone(),
        icon: Image::new(HttpUrl::parse(&image)?, Some(emoji.content_type.clone())),
        updated: Some(emoji.updated_at),
    })
}
