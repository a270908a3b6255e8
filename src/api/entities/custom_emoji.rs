//! The CustomEmoji entity (<https://docs.joinmastodon.org/entities/CustomEmoji/>): an
//! emoji of the picker (`GET /api/v1/custom_emojis`) or one a status or an account
//! uses (their `emojis`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::custom_emojis::CustomEmojiRow;

/// A custom emoji.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomEmoji {
    /// The name, without colons.
    pub shortcode: String,
    /// The image (animated if it is).
    pub url: String,
    /// A still copy of the image.
    pub static_url: String,
    /// Whether the picker shows it.
    pub visible_in_picker: bool,
    /// The picker's group for it, or null.
    pub category: Option<String>,
}

impl CustomEmoji {
    /// Builds the entity; `config` supplies the URLs of local emoji's files.
    pub fn from_row(row: &CustomEmojiRow, config: &Config) -> CustomEmoji {
        let (url, static_url) = crate::urls::custom_emoji_images(config, row);
        CustomEmoji {
            shortcode: row.shortcode.clone(),
            url,
            static_url,
            visible_in_picker: row.visible_in_picker,
            category: row.category.clone(),
        }
    }

    /// The entities of `rows`, in order.
    pub fn all(rows: &[CustomEmojiRow], config: &Config) -> Vec<CustomEmoji> {
        rows.iter()
            .map(|row| CustomEmoji::from_row(row, config))
            .collect()
    }
}
