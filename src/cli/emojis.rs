//! `roost admin` commands for custom emoji: add one from an image file, remove one,
//! list them. Each calls `services::custom_emojis`, the same rules as any other way in.

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;

use crate::services::custom_emojis::{self, NewEmoji, MAX_IMAGE_BYTES};
use crate::state::AppState;

/// Custom emoji subcommands of `roost admin`.
#[derive(Debug, Subcommand)]
pub enum EmojiCommand {
    /// Add a custom emoji from a PNG, GIF or WebP file (at most 256 KiB).
    #[command(name = "emoji-add")]
    Add {
        /// The name used as `:shortcode:` (2 to 64 letters, digits or underscores).
        shortcode: String,
        /// The image file.
        file: PathBuf,
        /// The picker's group for it.
        #[arg(long)]
        category: Option<String>,
        /// Keep it out of the picker (it still renders where it is used).
        #[arg(long)]
        hidden: bool,
    },
    /// Remove a custom emoji (texts using it show `:shortcode:` again).
    #[command(name = "emoji-remove")]
    Remove { shortcode: String },
    /// List the custom emoji: shortcode, category, picker visibility, image URL.
    #[command(name = "emoji-list")]
    List,
}

/// Runs one custom emoji command, printing what it did.
pub async fn run(state: &AppState, command: EmojiCommand) -> anyhow::Result<()> {
    match command {
        EmojiCommand::Add {
            shortcode,
            file,
            category,
            hidden,
        } => {
            let image = read_bounded(&file)?;
            let new = NewEmoji {
                shortcode: &shortcode,
                image,
                category: category.as_deref(),
                visible_in_picker: !hidden,
            };
            let added = custom_emojis::add(state, new).await?;
            println!(":{}: added (id {})", added.shortcode, added.id);
        }
        EmojiCommand::Remove { shortcode } => {
            let shortcode = shortcode.trim_matches(':');
            match custom_emojis::remove(state, shortcode).await {
                Ok(removed) => println!(":{}: removed", removed.shortcode),
                Err(crate::error::ApiError::NotFound) => {
                    anyhow::bail!("no custom emoji :{shortcode}:")
                }
                Err(error) => return Err(error.into()),
            }
        }
        EmojiCommand::List => {
            for emoji in custom_emojis::all_local(state).await? {
                let (url, _) = crate::urls::custom_emoji_images(&state.config, &emoji);
                let shown = if emoji.visible_in_picker {
                    "visible"
                } else {
                    "hidden"
                };
                let category = emoji.category.as_deref().unwrap_or("-");
                println!("{}\t{category}\t{shown}\t{url}", emoji.shortcode);
            }
        }
    }
    Ok(())
}

/// The file's bytes, reading at most one byte more than an emoji may have (the service
/// refuses the file then, without reading a huge one whole).
fn read_bounded(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|error| anyhow::anyhow!("cannot open {}: {error}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}
