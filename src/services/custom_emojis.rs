//! Custom emoji: the local ones an admin adds and removes (`roost admin emoji-add`,
//! `emoji-remove`), the picker's list (`GET /api/v1/custom_emojis`), and which emoji a
//! text uses — local ones by `:shortcode:` in what a local user typed, remote ones by
//! the `Emoji` tags of what another server sent (stored by reference under the
//! sender's domain, never downloaded).
//!
//! Where the used emoji are recorded, and why: the status or account they belong to is
//! linked to them (`status_emojis`, `account_emojis`) when it is written — a post, an
//! edit, a profile change, a received Note or actor — so reading a timeline page needs
//! no text scanning and no query per status (the links come with the page's mentions
//! and tags, an account's with its row). An emoji added later does not reach texts
//! written before; a removed one disappears from them at once (the links cascade), a
//! disabled one is left out when read.
//!
//! Limits (Mastodon's): shortcodes `[a-zA-Z0-9_]{2,}` (here at most 64), images PNG, GIF
//! or WebP of at most [`MAX_IMAGE_BYTES`] (`MAX_EMOJI_SIZE`) and [`MAX_PIXELS`].
//! Spec: <https://docs.joinmastodon.org/methods/custom_emojis/>,
//! <https://docs.joinmastodon.org/entities/CustomEmoji/>.

use sqlx::{PgConnection, PgExecutor};

use crate::db::accounts::AccountRow;
use crate::db::custom_emojis::{self, CustomEmojiRow, NewLocalEmoji};
use crate::domain::emoji::{is_valid_shortcode, shortcodes_in, MAX_SHORTCODE};
use crate::error::{check_length, ApiError, ApiResult};
use crate::federation::emojis::{self, remote_emojis};
use crate::federation::protocol::Tag;
use crate::media::process::{self, Limits, Original, Processed, Rejected};
use crate::media::{upload, Format};
use crate::state::AppState;

/// Largest emoji image accepted, in bytes (Mastodon's `MAX_EMOJI_SIZE`, 256 KB).
pub const MAX_IMAGE_BYTES: u64 = 256 * 1024;
/// Largest emoji image accepted, in pixels (Mastodon's `MAX_PIXELS`, 1500×500).
pub const MAX_PIXELS: u64 = 750_000;
/// Longest category name.
const MAX_CATEGORY: usize = 64;

/// A local emoji to add, as the admin gave it.
#[derive(Debug)]
pub struct NewEmoji<'a> {
    /// The name, without colons.
    pub shortcode: &'a str,
    /// The image file's bytes (at most [`MAX_IMAGE_BYTES`] are accepted).
    pub image: Vec<u8>,
    /// The picker's group for it; blank means none.
    pub category: Option<&'a str>,
    /// Whether the picker lists it (a hidden emoji still renders in texts).
    pub visible_in_picker: bool,
}

/// Adds a local emoji: checks the shortcode and category, cleans the image (metadata
/// removed, frames kept), makes a still PNG of an animated format, stores both and
/// records the emoji. Errors: `Validation` for a bad or taken shortcode, a too long
/// category, or an image that is too large, not PNG/GIF/WebP, or unreadable.
pub async fn add(state: &AppState, new: NewEmoji<'_>) -> ApiResult<CustomEmojiRow> {
    if !is_valid_shortcode(new.shortcode) {
        return Err(ApiError::validation(
            "shortcode",
            "ERR_INVALID",
            format!("Shortcode must be 2 to {MAX_SHORTCODE} letters, digits or underscores"),
        ));
    }
    let category = new.category.map(str::trim).filter(|c| !c.is_empty());
    check_length("category", category, MAX_CATEGORY)?;
    if custom_emojis::all_local(&state.db)
        .await?
        .iter()
        .any(|emoji| emoji.shortcode == new.shortcode)
    {
        return Err(taken());
    }
    let (processed, still) = tokio::task::spawn_blocking(move || prepare(&new.image))
        .await
        .map_err(|error| anyhow::anyhow!("emoji processing stopped: {error}"))?
        .map_err(|rejected| upload::refusal("image", rejected))?;
    let stored = store_files(state, processed, still).await?;
    let inserted = custom_emojis::insert_local(
        &state.db,
        &NewLocalEmoji {
            shortcode: new.shortcode,
            image_key: &stored.image_key,
            static_key: &stored.static_key,
            content_type: stored.format.content_type(),
            category,
            visible_in_picker: new.visible_in_picker,
        },
    )
    .await;
    match inserted {
        Ok(row) => Ok(row),
        Err(error) => {
            upload::remove_files(state, &stored.keys()).await;
            match crate::db::violated_constraint(&error) {
                Some("custom_emojis_local_shortcode_key") => Err(taken()),
                _ => Err(error.into()),
            }
        }
    }
}

fn taken() -> ApiError {
    ApiError::validation("shortcode", "ERR_TAKEN", "Shortcode has already been taken")
}

/// Checks and cleans an emoji image; returns it with a still PNG when its format may
/// move (GIF, WebP). Blocking: run it off the async runtime.
fn prepare(bytes: &[u8]) -> Result<(Processed, Option<Vec<u8>>), Rejected> {
    let limits = Limits {
        max_bytes: MAX_IMAGE_BYTES,
        max_pixels: MAX_PIXELS,
    };
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(Rejected::TooLarge(MAX_IMAGE_BYTES));
    }
    if !matches!(
        Format::detect(bytes),
        Some(Format::Png | Format::Gif | Format::Webp)
    ) {
        return Err(Rejected::Unsupported);
    }
    let processed = process::process(bytes, limits)?;
    let still = match processed.format {
        Format::Png => None,
        _ => Some(process::still_png(bytes, limits)?.bytes),
    };
    Ok((processed, still))
}

/// The stored files of a new local emoji.
struct StoredFiles {
    image_key: String,
    static_key: String,
    format: Format,
}

impl StoredFiles {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![self.image_key.clone()];
        if self.static_key != self.image_key {
            keys.push(self.static_key.clone());
        }
        keys
    }
}

/// Stores the image (and its still copy, or the image again as its own still).
async fn store_files(
    state: &AppState,
    processed: Processed,
    still: Option<Vec<u8>>,
) -> ApiResult<StoredFiles> {
    let folder = format!("custom_emojis/{}", crate::auth::random_token(12));
    let format = processed.format;
    let image_key = format!("{folder}/original.{}", format.extension());
    state
        .media
        .put_original(&image_key, format, processed.original)
        .await?;
    let static_key = match still {
        None => image_key.clone(),
        Some(png) => {
            let key = format!("{folder}/static.png");
            let put = state
                .media
                .put_original(&key, Format::Png, Original::Bytes(png));
            if let Err(error) = put.await {
                upload::remove_files(state, std::slice::from_ref(&image_key)).await;
                return Err(error.into());
            }
            key
        }
    };
    Ok(StoredFiles {
        image_key,
        static_key,
        format,
    })
}

/// Removes the local emoji `shortcode`: texts that used it show the plain
/// `:shortcode:` again, and its files are deleted. Errors: `NotFound`.
pub async fn remove(state: &AppState, shortcode: &str) -> ApiResult<CustomEmojiRow> {
    let row = custom_emojis::delete_local(&state.db, shortcode)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut keys: Vec<String> = [row.image_key.clone(), row.static_key.clone()]
        .into_iter()
        .flatten()
        .collect();
    keys.dedup();
    upload::remove_files(state, &keys).await;
    Ok(row)
}

/// Every local emoji (enabled or not, listed or hidden), by category and shortcode.
pub async fn all_local(state: &AppState) -> ApiResult<Vec<CustomEmojiRow>> {
    Ok(custom_emojis::all_local(&state.db).await?)
}

/// The emoji the picker lists (`GET /api/v1/custom_emojis`): local, enabled, visible.
pub async fn listed(state: &AppState) -> ApiResult<Vec<CustomEmojiRow>> {
    Ok(custom_emojis::listed(&state.db).await?)
}

/// The enabled local emoji `texts` use as `:shortcode:` (unknown ones are plain text),
/// in order of first use, at most `domain::emoji::MAX_PER_OBJECT`.
pub async fn local_used_in<'a>(
    db: impl PgExecutor<'_>,
    texts: impl IntoIterator<Item = &'a str>,
) -> sqlx::Result<Vec<CustomEmojiRow>> {
    custom_emojis::local_enabled(db, &shortcodes_in(texts)).await
}

/// Links the local account `account` to the emoji its display name, bio and fields
/// use (as typed), and puts them on the row; run it in the profile change's
/// transaction.
pub async fn link_local_profile(
    conn: &mut PgConnection,
    account: &mut AccountRow,
) -> sqlx::Result<()> {
    let mut texts = vec![account.display_name.as_str(), account.note_source.as_str()];
    for field in account.fields.iter() {
        texts.push(&field.name);
        texts.push(field.source.as_deref().unwrap_or(&field.value));
    }
    let emojis = local_used_in(&mut *conn, texts).await?;
    let ids: Vec<i64> = emojis.iter().map(|emoji| emoji.id).collect();
    custom_emojis::set_account_emojis(conn, account.id, &ids).await?;
    account.emojis = sqlx::types::Json(emojis);
    Ok(())
}

/// Records the emoji of the `Emoji` tags `tags` that the remote account `author` sent
/// (under its domain) and returns the enabled ones; nothing for a local author or a
/// domain whose media are rejected.
pub async fn remote_used(
    conn: &mut PgConnection,
    author: &AccountRow,
    tags: &[Tag],
) -> sqlx::Result<Vec<CustomEmojiRow>> {
    let Some(domain) = author.domain.as_deref() else {
        return Ok(Vec::new());
    };
    emojis::store(conn, domain, &remote_emojis(tags)).await
}
