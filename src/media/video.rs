//! Describing and converting uploaded video and audio. With ffprobe and ffmpeg on PATH
//! (and `ROOST_FFMPEG` not `off`), see [`super::ffmpeg`]: ffprobe reads the duration,
//! size (as displayed), frame rate, bitrate and codecs; ffmpeg makes a web-playable
//! rendition of a video, which is stored instead of the file as sent, and a poster
//! frame, which becomes the preview and BlurHash as an image's would. Audio is probed,
//! not converted. Without them, an MP4 or M4A file is described from its header
//! ([`super::mp4`]) and stored as sent.
//!
//! At most [`CONCURRENT_RUNS`] uploads are worked on at a time in this process, each
//! run within `ROOST_FFMPEG_TIMEOUT`. A file the tools cannot read, or a run that fails
//! or times out, leaves the file stored as sent with what the header says: a broken
//! upload is never an error of the server.
//!
//! Runs asynchronously (the waiting is on child processes); the file and image work is
//! done on blocking threads.

use std::time::Duration;

use tokio::sync::Semaphore;

use super::detect::{Format, Kind};
use super::ffmpeg::{self, Input, Probed, Tools};
use super::process::{Original, Playback, Processed};
use super::spool::{SpoolSettings, SpooledFile};
use crate::config::{Config, FfmpegMode};

/// Uploads worked on by ffprobe and ffmpeg at a time in one process (each run may
/// take a core).
pub const CONCURRENT_RUNS: usize = 2;

static RUNS: Semaphore = Semaphore::const_new(CONCURRENT_RUNS);

/// Whether and how the tools are used.
#[derive(Clone, Debug)]
pub struct VideoSettings {
    /// ffprobe and ffmpeg with the bounds of their runs, when used.
    pub tools: Option<Tools>,
}

impl VideoSettings {
    /// `ROOST_FFMPEG` (looking the tools up on PATH), `ROOST_FFMPEG_TIMEOUT`, the spool
    /// directory and `ROOST_MAX_IMAGE_PIXELS`.
    pub fn from_config(config: &Config) -> VideoSettings {
        let found = match config.ffmpeg {
            FfmpegMode::Off => None,
            FfmpegMode::Auto => ffmpeg::on_path(),
        };
        let tools = found.map(|(ffprobe, ffmpeg)| Tools {
            ffprobe,
            ffmpeg,
            timeout: Duration::from_secs(config.ffmpeg_timeout_secs),
            dir: SpoolSettings::from_config(config).dir,
            max_pixels: config.max_image_pixels,
        });
        VideoSettings { tools }
    }
}

/// Describes (and for a video, converts) a processed video or audio upload; images and
/// files not spooled come back unchanged. Never fails: what cannot be read stays as sent.
pub async fn describe(settings: &VideoSettings, processed: Processed) -> Processed {
    if processed.kind == Kind::Image {
        return processed;
    }
    let (kind, format) = (processed.kind, processed.format);
    let file = match processed.original {
        Original::Spooled(file) => file,
        original => {
            return Processed {
                original,
                ..processed
            }
        }
    };
    let converted = match &settings.tools {
        Some(tools) => with_tools(tools, kind, format, &file).await,
        None => None,
    };
    match converted {
        Some(converted) => converted,
        None => header_only(kind, format, file).await,
    }
}

/// What the tools made of `file`; `None` when ffprobe could not read it.
async fn with_tools(
    tools: &Tools,
    kind: Kind,
    format: Format,
    file: &SpooledFile,
) -> Option<Processed> {
    // Waiting for a slot counts as a run: past the limit the file is stored as sent.
    let slot = tokio::time::timeout(tools.timeout, RUNS.acquire()).await;
    let _slot = slot.ok()?.ok()?;
    let input = Input::Spooled(file, format);
    let probed = ffmpeg::probe(tools, &input).await?;
    if kind == Kind::Audio || !probed.has_video {
        return Some(as_sent(kind, format, file_again(file)?, Some(probed)));
    }
    let Some(rendition) = ffmpeg::transcode(tools, &input).await else {
        let (preview, blurhash) = ffmpeg::poster(tools, &input, &probed).await.unzip();
        return Some(Processed {
            preview,
            blurhash: blurhash.flatten(),
            ..as_sent(kind, format, file_again(file)?, Some(probed))
        });
    };
    let made = Input::Named(rendition.path());
    let described = ffmpeg::probe(tools, &made).await.unwrap_or(probed);
    let (preview, blurhash) = ffmpeg::poster(tools, &made, &described).await.unzip();
    let stored = ffmpeg::open_rendition(rendition).await?;
    Some(Processed {
        preview,
        blurhash: blurhash.flatten(),
        ..as_sent(kind, Format::Mp4, stored, Some(described))
    })
}

/// A second handle on the upload (the one `describe` was given is borrowed).
fn file_again(file: &SpooledFile) -> Option<SpooledFile> {
    let handle = file.try_clone_file().ok()?;
    Some(SpooledFile::from_file(handle, file.len()))
}

/// Stored as sent, with what is known.
fn as_sent(kind: Kind, format: Format, file: SpooledFile, header: Option<Probed>) -> Processed {
    let header = header.unwrap_or_default();
    Processed {
        kind,
        format,
        original: Original::Spooled(file),
        dimensions: header.dimensions,
        preview: None,
        blurhash: None,
        playback: header.playback,
    }
}

/// Without the tools (or when they could not read it): the MP4 header's facts.
async fn header_only(kind: Kind, format: Format, file: SpooledFile) -> Processed {
    if !matches!(format, Format::Mp4 | Format::M4a) {
        return as_sent(kind, format, file, None);
    }
    let len = file.len();
    let header = match file.try_clone_file() {
        Ok(mut handle) => {
            tokio::task::spawn_blocking(move || super::mp4::read_header(&mut handle, len))
                .await
                .ok()
                .flatten()
        }
        Err(_) => None,
    };
    let probed = header.map(|header| Probed {
        dimensions: header.dimensions,
        has_video: header.has_video,
        playback: Playback {
            duration: header.duration,
            ..Playback::default()
        },
    });
    as_sent(kind, format, file, probed)
}
