//! Turning an uploaded file into what Roost stores: the type checked from the bytes,
//! still images decoded (within a pixel budget, so decompression bombs are refused
//! before any large allocation), turned upright, re-encoded without metadata (EXIF, GPS,
//! XMP), and given a preview of at most [`PREVIEW_SIZE`] px on the long side and a
//! BlurHash. GIFs and WebP files keep their frames but lose their metadata blocks
//! (see [`super::gif`] and [`super::webp`]). Video and audio leave here as sent once their
//! type is known, straight from the spooled upload (never read whole into memory), for
//! [`super::video`] to describe and convert; images are read into memory to be
//! decoded, bounded by the upload limit.
//!
//! CPU-heavy and doing blocking I/O: call it from `tokio::task::spawn_blocking`.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use serde::{Deserialize, Serialize};

use super::detect::{Format, Kind, HEAD_BYTES};
use super::spool::SpooledFile;

/// Longest side of a preview, in pixels.
pub const PREVIEW_SIZE: u32 = 640;
/// JPEG quality of re-encoded photos and previews.
const JPEG_QUALITY: u8 = 90;
/// BlurHash components (Mastodon uses 4×4).
const BLURHASH_COMPONENTS: u32 = 4;

/// Bounds on one upload.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Largest image, in pixels (width × height).
    pub max_pixels: u64,
}

/// Why an upload was refused. Every variant is the client's fault (422).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejected {
    #[error("File is larger than {0} bytes")]
    TooLarge(u64),
    #[error("File type is not supported")]
    Unsupported,
    #[error("Image is larger than {0} pixels")]
    TooManyPixels(u64),
    #[error("File could not be read: {0}")]
    Invalid(String),
}

/// An encoded image with its size.
#[derive(Debug)]
pub struct Encoded {
    pub format: Format,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The file to store as the original.
#[derive(Debug)]
pub enum Original {
    /// An image as re-encoded or cleaned of metadata.
    Bytes(Vec<u8>),
    /// Video or audio as sent, still in its spool file.
    Spooled(SpooledFile),
}

impl Original {
    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Original::Bytes(bytes) => bytes.len() as u64,
            Original::Spooled(file) => file.len(),
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What is known of how a video or audio file plays, stored in
/// `media_attachments.meta` and shown in the MediaAttachment's `meta.original`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Playback {
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Frames per second as a fraction, e.g. `30/1` or `30000/1001`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<String>,
    /// Bits per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitrate: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_codec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<String>,
}

/// The result of processing: the file to store and, for images, what describes it.
#[derive(Debug)]
pub struct Processed {
    pub kind: Kind,
    /// Format of the stored original (a rotated WebP becomes PNG).
    pub format: Format,
    pub original: Original,
    /// Width and height of the stored original (images only).
    pub dimensions: Option<(u32, u32)>,
    pub preview: Option<Encoded>,
    pub blurhash: Option<String>,
    /// What is known of a video or audio file's playback (see [`super::video`]).
    pub playback: Playback,
}

/// Checks and processes one uploaded file held in memory.
pub fn process(bytes: &[u8], limits: Limits) -> Result<Processed, Rejected> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Rejected::TooLarge(limits.max_bytes));
    }
    let format = Format::detect(bytes).ok_or(Rejected::Unsupported)?;
    match format.kind() {
        Kind::Image => process_image(bytes, format, limits),
        Kind::Video | Kind::Audio => Ok(stored_as_sent(format, Original::Bytes(bytes.to_vec()))),
    }
}

/// Checks and processes one spooled upload: only images are read into memory.
/// The outer error is a failure to read the spool file (not the client's fault).
pub fn process_spooled(
    mut upload: SpooledFile,
    limits: Limits,
) -> std::io::Result<Result<Processed, Rejected>> {
    if upload.len() > limits.max_bytes {
        return Ok(Err(Rejected::TooLarge(limits.max_bytes)));
    }
    let Some(format) = Format::detect(&upload.head(HEAD_BYTES)?) else {
        return Ok(Err(Rejected::Unsupported));
    };
    Ok(match format.kind() {
        Kind::Image => process_image(&upload.read_all()?, format, limits),
        Kind::Video | Kind::Audio => Ok(stored_as_sent(format, Original::Spooled(upload))),
    })
}

/// Video and audio: stored as sent, with nothing to describe them.
fn stored_as_sent(format: Format, original: Original) -> Processed {
    Processed {
        kind: format.kind(),
        format,
        original,
        dimensions: None,
        preview: None,
        blurhash: None,
        playback: Playback::default(),
    }
}

fn process_image(bytes: &[u8], format: Format, limits: Limits) -> Result<Processed, Rejected> {
    // The JPEG decoder fills a cut-off picture with grey instead of failing.
    if format == Format::Jpeg && !jpeg_is_complete(bytes) {
        return Err(Rejected::Invalid("the JPEG file is truncated".into()));
    }
    let (image, orientation) = decode(bytes, format, limits)?;
    let upright = {
        let mut image = image;
        image.apply_orientation(orientation);
        image
    };
    let (stored_format, original) = match format {
        Format::Gif => (
            Format::Gif,
            super::gif::strip_metadata(bytes)
                .ok_or_else(|| Rejected::Invalid("malformed or truncated GIF".into()))?,
        ),
        Format::Webp if orientation == Orientation::NoTransforms => (
            Format::Webp,
            super::webp::strip_metadata(bytes)
                .ok_or_else(|| Rejected::Invalid("malformed WebP container".into()))?,
        ),
        Format::Jpeg => (Format::Jpeg, encode(&upright, Format::Jpeg)?),
        _ => (Format::Png, encode(&upright, Format::Png)?),
    };
    let preview = preview_of(&upright)?;
    let blurhash = blurhash_of(&upright);
    Ok(Processed {
        kind: Kind::Image,
        format: stored_format,
        original: Original::Bytes(original),
        dimensions: Some((upright.width(), upright.height())),
        preview: Some(preview),
        blurhash,
        playback: Playback::default(),
    })
}

/// The preview and BlurHash of a video's poster frame (a still image ffmpeg wrote),
/// made as an uploaded image's are. Refuses what [`process`] refuses.
pub fn poster(bytes: &[u8], limits: Limits) -> Result<(Encoded, Option<String>), Rejected> {
    let format = Format::detect(bytes).ok_or(Rejected::Unsupported)?;
    if format.kind() != Kind::Image {
        return Err(Rejected::Unsupported);
    }
    let (image, _) = decode(bytes, format, limits)?;
    Ok((preview_of(&image)?, blurhash_of(&image)))
}

/// A still PNG of an image's first frame, at its full size and upright, without
/// metadata: what shows where an animated GIF or WebP must not move (Mastodon's
/// `static_url` of a custom emoji). Refuses what [`process`] refuses.
pub fn still_png(bytes: &[u8], limits: Limits) -> Result<Encoded, Rejected> {
    let format = Format::detect(bytes).ok_or(Rejected::Unsupported)?;
    if format.kind() != Kind::Image {
        return Err(Rejected::Unsupported);
    }
    let (mut image, orientation) = decode(bytes, format, limits)?;
    image.apply_orientation(orientation);
    Ok(Encoded {
        format: Format::Png,
        bytes: encode(&image, Format::Png)?,
        width: image.width(),
        height: image.height(),
    })
}

/// Whether a JPEG has its end-of-image marker after the first scan. The marker
/// segments before the scan are skipped by their lengths, so the end marker of an EXIF
/// thumbnail inside APP1 does not count.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut offset = 2;
    while let (Some(&0xFF), Some(&marker)) = (bytes.get(offset), bytes.get(offset + 1)) {
        if marker == 0xDA {
            return bytes[offset..].windows(2).any(|pair| pair == [0xFF, 0xD9]);
        }
        let Some(length) = bytes.get(offset + 2..offset + 4) else {
            return false;
        };
        offset += 2 + usize::from(u16::from_be_bytes([length[0], length[1]]));
    }
    false
}

/// Decodes the (first frame of the) image after checking its declared size against the
/// pixel budget; returns it with the orientation its metadata asks for.
fn decode(
    bytes: &[u8],
    format: Format,
    limits: Limits,
) -> Result<(DynamicImage, Orientation), Rejected> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Gif => ImageFormat::Gif,
        _ => ImageFormat::WebP,
    };
    let invalid = |error: image::ImageError| Rejected::Invalid(error.to_string());
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut decoder_limits = image::Limits::default();
    // Eight bytes per pixel covers 16-bit RGBA; a second copy is allowed for conversions.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(16).max(1 << 20));
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(invalid)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Rejected::TooManyPixels(limits.max_pixels));
    }
    if width == 0 || height == 0 {
        return Err(Rejected::Invalid("the image is empty".into()));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(invalid)?;
    Ok((image, orientation))
}

/// Encodes as JPEG (alpha dropped) or PNG; no metadata is written.
fn encode(image: &DynamicImage, format: Format) -> Result<Vec<u8>, Rejected> {
    let mut out = Vec::new();
    let result = match format {
        Format::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)),
        _ => image.write_with_encoder(PngEncoder::new(&mut out)),
    };
    result.map_err(|error| Rejected::Invalid(error.to_string()))?;
    Ok(out)
}

/// A preview at most [`PREVIEW_SIZE`] px on its long side: PNG when the image has
/// transparency, JPEG otherwise.
fn preview_of(image: &DynamicImage) -> Result<Encoded, Rejected> {
    let small = if image.width().max(image.height()) > PREVIEW_SIZE {
        image.thumbnail(PREVIEW_SIZE, PREVIEW_SIZE)
    } else {
        image.clone()
    };
    let format = if small.color().has_alpha() {
        Format::Png
    } else {
        Format::Jpeg
    };
    Ok(Encoded {
        format,
        bytes: encode(&small, format)?,
        width: small.width(),
        height: small.height(),
    })
}

/// The BlurHash of a small copy (the hash only keeps a few colours anyway).
fn blurhash_of(image: &DynamicImage) -> Option<String> {
    let tiny = image.thumbnail(64, 64).to_rgba8();
    blurhash::encode(
        BLURHASH_COMPONENTS,
        BLURHASH_COMPONENTS,
        tiny.width(),
        tiny.height(),
        tiny.as_raw(),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    const LIMITS: Limits = Limits {
        max_bytes: 10 << 20,
        max_pixels: 4_000_000,
    };

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| Rgb([x as u8, y as u8, 90]));
        encode(&DynamicImage::ImageRgb8(image), Format::Png).expect("encodes")
    }

    #[test]
    fn a_large_image_gets_a_bounded_preview_and_a_blurhash() {
        let processed = process(&png(1600, 900), LIMITS).expect("processes");
        assert_eq!(processed.dimensions, Some((1600, 900)));
        let preview = processed.preview.expect("preview");
        assert_eq!((preview.width, preview.height), (640, 360));
        assert_eq!(preview.format, Format::Jpeg);
        assert!(processed.blurhash.is_some_and(|hash| hash.len() > 6));
    }

    #[test]
    fn garbage_truncated_and_oversized_files_are_refused() {
        assert_eq!(
            process(b"hello", LIMITS).expect_err("refused"),
            Rejected::Unsupported
        );
        let mut truncated = png(100, 100);
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            process(&truncated, LIMITS),
            Err(Rejected::Invalid(_))
        ));
        let image =
            DynamicImage::ImageRgb8(RgbImage::from_fn(100, 100, |x, _| Rgb([x as u8, 0, 0])));
        let mut jpeg = encode(&image, Format::Jpeg).expect("encodes");
        assert!(process(&jpeg, LIMITS).is_ok());
        jpeg.truncate(jpeg.len() - 40);
        assert!(matches!(process(&jpeg, LIMITS), Err(Rejected::Invalid(_))));
        let small = Limits {
            max_bytes: 10,
            ..LIMITS
        };
        assert_eq!(
            process(&png(10, 10), small).expect_err("refused"),
            Rejected::TooLarge(10)
        );
        let tight = Limits {
            max_pixels: 100 * 100,
            ..LIMITS
        };
        assert_eq!(
            process(&png(101, 100), tight).expect_err("refused"),
            Rejected::TooManyPixels(10_000)
        );
    }
}
