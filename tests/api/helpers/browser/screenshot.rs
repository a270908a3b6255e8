//! Checks that a screenshot is a real rendering of the page: a PNG of exactly the
//! page area's size (device pixel ratio 1), showing more than one flat colour. A blank
//! page, a crashed renderer's grey, or a screenshot of the wrong window size fail.

use image::GenericImageView;

/// How many pixels must differ from the most common colour: a little text is
/// hundreds; a blank or flat page is none.
const MIN_DRAWN_PIXELS: usize = 100;

/// `Ok` when `png` decodes, is `width`×`height` and has at least
/// [`MIN_DRAWN_PIXELS`] pixels unlike its most common colour; otherwise why not.
pub fn check_rendering(png: &[u8], width: u32, height: u32) -> Result<(), String> {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|error| format!("not a PNG: {error}"))?;
    if image.dimensions() != (width, height) {
        let (actual_width, actual_height) = image.dimensions();
        return Err(format!(
            "{actual_width}×{actual_height} instead of the viewport's {width}×{height}"
        ));
    }
    let pixels = image.to_rgba8();
    let mut counts = std::collections::HashMap::<[u8; 4], usize>::new();
    for pixel in pixels.pixels() {
        *counts.entry(pixel.0).or_default() += 1;
    }
    let most_common = counts.values().copied().max().unwrap_or(0);
    let drawn = pixels.pixels().len() - most_common;
    if drawn < MIN_DRAWN_PIXELS {
        return Err(format!(
            "a flat colour: only {drawn} of {} pixels differ from the most common one",
            pixels.pixels().len()
        ));
    }
    Ok(())
}

/// `name` made safe as a file name: letters, digits, `-` and `_` kept, the rest `-`.
pub fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
