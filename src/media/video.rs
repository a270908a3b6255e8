//! Describing and converting uploaded video and audio. With ffprobe and ffmpeg on PATH
//! (and `ROOST_FFMPEG` not `off`): ffprobe reads the duration, size (as displayed,
//! rotation applied), frame rate, bitrate and codecs; ffmpeg makes a web-playable
//! rendition of a video (H.264 and AAC in MP4 with `+faststart`, at most
//! [`MAX_DIMENSION`] px on the long side, bitrate capped at [`MAX_VIDEO_BITRATE`], its
//! metadata such as a phone's location left out), which is stored instead of the file
//! as sent, and a poster frame, which becomes the preview and BlurHash as an image's
//! would. Audio is probed, not converted. Without them, an MP4 or M4A file is described
//! from its header ([`super::mp4`]) and stored as sent.
//!
//! Each run is a child process with a time limit (`ROOST_FFMPEG_TIMEOUT`; killed past
//! it), bounded output, at most [`CONCURRENT_RUNS`] at a time in this process, reading
//! only local files (`-protocol_whitelist file`) with the demuxer of the format the
//! bytes were recognised as, so a playlist cannot make it fetch URLs. A file the tools
//! cannot read, or a run that fails or times out, leaves the file stored as sent with
//! what the header says: a broken upload is never an error of the server.
//!
//! Runs asynchronously (the waiting is on child processes); the file and image work is
//! done on blocking threads.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::sync::Semaphore;

use super::detect::{Format, Kind};
use super::process::{Limits, Original, Processed};
use super::spool::{SpoolSettings, SpooledFile};
use crate::config::{Config, FfmpegMode};

/// Longest side of a rendition, in pixels.
pub const MAX_DIMENSION: u32 = 1280;
/// Largest video bitrate of a rendition, in bits per second.
pub const MAX_VIDEO_BITRATE: u32 = 4_000_000;
/// ffprobe and ffmpeg runs at a time in one process (each may take a core).
pub const CONCURRENT_RUNS: usize = 2;
/// Largest ffprobe report read.
const MAX_PROBE_OUTPUT: usize = 1024 * 1024;
/// Largest poster frame read (a PNG of at most [`MAX_DIMENSION`] px a side).
const MAX_POSTER_OUTPUT: usize = 16 * 1024 * 1024;

static RUNS: Semaphore = Semaphore::const_new(CONCURRENT_RUNS);

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

/// Where the tools are and how long they may run.
#[derive(Clone, Debug)]
pub struct VideoSettings {
    /// ffprobe and ffmpeg, when used.
    pub tools: Option<Tools>,
    /// Longest run.
    pub timeout: Duration,
    /// Directory for renditions being written.
    pub dir: PathBuf,
    /// Largest poster frame decoded, in pixels.
    pub max_pixels: u64,
}

/// The two executables.
#[derive(Clone, Debug)]
pub struct Tools {
    pub ffprobe: PathBuf,
    pub ffmpeg: PathBuf,
}

impl VideoSettings {
    /// `ROOST_FFMPEG` (looking the tools up on PATH), `ROOST_FFMPEG_TIMEOUT`, the spool
    /// directory and `ROOST_MAX_IMAGE_PIXELS`.
    pub fn from_config(config: &Config) -> VideoSettings {
        let tools = match config.ffmpeg {
            FfmpegMode::Off => None,
            FfmpegMode::Auto => find_tools(),
        };
        VideoSettings {
            tools,
            timeout: Duration::from_secs(config.ffmpeg_timeout_secs),
            dir: SpoolSettings::from_config(config).dir,
            max_pixels: config.max_image_pixels,
        }
    }
}

/// ffprobe and ffmpeg from PATH, when both are there.
pub fn find_tools() -> Option<Tools> {
    let path = std::env::var_os("PATH")?;
    let find = |name: &str| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    };
    Some(Tools {
        ffprobe: find("ffprobe")?,
        ffmpeg: find("ffmpeg")?,
    })
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
        Some(tools) => with_tools(settings, tools, kind, format, &file).await,
        None => None,
    };
    match converted {
        Some(converted) => converted,
        None => header_only(kind, format, file).await,
    }
}

/// What the tools made of `file`; `None` when ffprobe could not read it.
async fn with_tools(
    settings: &VideoSettings,
    tools: &Tools,
    kind: Kind,
    format: Format,
    file: &SpooledFile,
) -> Option<Processed> {
    let _slot = RUNS.acquire().await.ok()?;
    let input = Input::Spooled(file, format);
    let probed = probe(settings, tools, &input).await?;
    if kind == Kind::Audio || !probed.has_video {
        return Some(as_sent(kind, format, file_again(file)?, Some(probed)));
    }
    let Some(rendition) = transcode(settings, tools, &input).await else {
        let (preview, blurhash) = poster(settings, tools, &input, &probed).await.unzip();
        return Some(Processed {
            preview,
            blurhash: blurhash.flatten(),
            ..as_sent(kind, format, file_again(file)?, Some(probed))
        });
    };
    let made = Input::Named(rendition.path());
    let described = probe(settings, tools, &made).await.unwrap_or(probed);
    let (preview, blurhash) = poster(settings, tools, &made, &described).await.unzip();
    let stored = open_rendition(rendition).await?;
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

/// A file a tool reads: the upload (through `/dev/stdin`) or a rendition on disk.
enum Input<'a> {
    Spooled(&'a SpooledFile, Format),
    Named(&'a Path),
}

impl Input<'_> {
    /// The arguments naming the input (with its demuxer) and the child's stdin.
    fn arguments(&self) -> Option<(Vec<String>, Stdio)> {
        match self {
            Input::Spooled(file, format) => {
                let demuxer = match format {
                    Format::Mp4 | Format::M4a => "mp4",
                    Format::Webm => "matroska",
                    Format::Mp3 => "mp3",
                    Format::Ogg => "ogg",
                    _ => return None,
                };
                let handle = file.try_clone_file().ok()?;
                let arguments = ["-f", demuxer, "-i", "/dev/stdin"];
                Some((owned(&arguments), Stdio::from(handle)))
            }
            Input::Named(path) => {
                let arguments = vec![
                    "-f".to_owned(),
                    "mp4".to_owned(),
                    "-i".to_owned(),
                    path.display().to_string(),
                ];
                Some((arguments, Stdio::null()))
            }
        }
    }
}

fn owned(arguments: &[&str]) -> Vec<String> {
    arguments.iter().map(|a| (*a).to_owned()).collect()
}

/// What ffprobe (or the MP4 header) says.
#[derive(Clone, Debug, Default)]
struct Probed {
    dimensions: Option<(u32, u32)>,
    has_video: bool,
    playback: Playback,
}

async fn probe(settings: &VideoSettings, tools: &Tools, input: &Input<'_>) -> Option<Probed> {
    let (input_arguments, stdin) = input.arguments()?;
    let mut arguments = owned(&["-v", "error", "-protocol_whitelist", "file"]);
    arguments.extend(input_arguments);
    arguments.extend(owned(&[
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ]));
    let output = run(
        &tools.ffprobe,
        &arguments,
        stdin,
        settings.timeout,
        MAX_PROBE_OUTPUT,
    )
    .await?;
    parse_probe(&output)
}

/// ffprobe's JSON report: the first video stream's displayed size, frame rate and
/// codec, the first audio stream's codec, the container's duration and bitrate.
fn parse_probe(output: &[u8]) -> Option<Probed> {
    #[derive(Deserialize)]
    struct Report {
        #[serde(default)]
        streams: Vec<Stream>,
        format: Option<Container>,
    }
    #[derive(Deserialize)]
    struct Stream {
        codec_type: Option<String>,
        codec_name: Option<String>,
        width: Option<u32>,
        height: Option<u32>,
        avg_frame_rate: Option<String>,
        r_frame_rate: Option<String>,
        #[serde(default)]
        side_data_list: Vec<serde_json::Value>,
        #[serde(default)]
        tags: serde_json::Map<String, serde_json::Value>,
        #[serde(default)]
        disposition: serde_json::Map<String, serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct Container {
        duration: Option<String>,
        bit_rate: Option<String>,
    }
    let report: Report = serde_json::from_slice(output).ok()?;
    let of_type = |kind: &str| {
        report.streams.iter().find(|stream| {
            let cover = stream
                .disposition
                .get("attached_pic")
                .and_then(|v| v.as_i64())
                == Some(1);
            stream.codec_type.as_deref() == Some(kind) && !cover
        })
    };
    let video = of_type("video");
    let audio = of_type("audio");
    if video.is_none() && audio.is_none() {
        return None;
    }
    let dimensions = video.and_then(|stream| {
        let (width, height) = (stream.width?, stream.height?);
        let rotation = (stream.side_data_list.iter())
            .find_map(|data| data.get("rotation").and_then(|r| r.as_f64()))
            .or_else(|| stream.tags.get("rotate")?.as_str()?.parse().ok())
            .unwrap_or(0.0);
        let quarter = (rotation.abs() as i64 % 180) == 90;
        (width > 0 && height > 0).then_some(if quarter {
            (height, width)
        } else {
            (width, height)
        })
    });
    let frame_rate = video.and_then(|stream| {
        [&stream.avg_frame_rate, &stream.r_frame_rate]
            .into_iter()
            .flatten()
            .find(|rate| !rate.starts_with('0') && rate.len() <= 24)
            .cloned()
    });
    let container = report.format.as_ref();
    let duration = (container.and_then(|f| f.duration.as_deref()))
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0);
    let bitrate = (container.and_then(|f| f.bit_rate.as_deref())).and_then(|b| b.parse().ok());
    let codec = |stream: Option<&Stream>| {
        stream
            .and_then(|s| s.codec_name.clone())
            .filter(|name| name.len() <= 32)
    };
    Some(Probed {
        dimensions,
        has_video: video.is_some(),
        playback: Playback {
            duration,
            frame_rate,
            bitrate,
            video_codec: codec(video),
            audio_codec: codec(audio),
        },
    })
}

/// The web-playable rendition, in a named temporary file (removed when dropped).
async fn transcode(
    settings: &VideoSettings,
    tools: &Tools,
    input: &Input<'_>,
) -> Option<tempfile::NamedTempFile> {
    let dir = settings.dir.clone();
    let rendition = tokio::task::spawn_blocking(move || {
        tempfile::Builder::new()
            .prefix(".rendition-")
            .suffix(".mp4")
            .tempfile_in(dir)
    })
    .await
    .ok()?
    .ok()?;
    let (input_arguments, stdin) = input.arguments()?;
    let scale = format!(
        "scale=w='min({MAX_DIMENSION},iw)':h='min({MAX_DIMENSION},ih)':\
         force_original_aspect_ratio=decrease:force_divisible_by=2"
    );
    let mut arguments = owned(&["-v", "error", "-nostdin", "-protocol_whitelist", "file"]);
    arguments.extend(input_arguments);
    arguments.extend(owned(&[
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-map_metadata",
        "-1",
        "-sn",
        "-dn",
        "-vf",
    ]));
    arguments.push(scale);
    let maxrate = MAX_VIDEO_BITRATE.to_string();
    let bufsize = (2 * MAX_VIDEO_BITRATE).to_string();
    arguments.extend(owned(&[
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-maxrate",
        &maxrate,
        "-bufsize",
        &bufsize,
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-y",
    ]));
    arguments.push(rendition.path().display().to_string());
    run(&tools.ffmpeg, &arguments, stdin, settings.timeout, 0).await?;
    Some(rendition)
}

/// Opens a finished rendition as the file to store; its name goes with `rendition`.
async fn open_rendition(rendition: tempfile::NamedTempFile) -> Option<SpooledFile> {
    tokio::task::spawn_blocking(move || {
        let file = rendition.reopen().ok()?;
        let len = file.metadata().ok()?.len();
        drop(rendition);
        (len > 0).then(|| SpooledFile::from_file(file, len))
    })
    .await
    .ok()?
}

/// A frame a little into the video (at most one second in), as the preview image and
/// its BlurHash.
async fn poster(
    settings: &VideoSettings,
    tools: &Tools,
    input: &Input<'_>,
    probed: &Probed,
) -> Option<(super::process::Encoded, Option<String>)> {
    let (input_arguments, stdin) = input.arguments()?;
    let at = probed.playback.duration.map_or(0.0, |d| (d / 2.0).min(1.0));
    let mut arguments = owned(&["-v", "error", "-nostdin", "-protocol_whitelist", "file"]);
    arguments.extend(["-ss".to_owned(), format!("{at:.3}")]);
    arguments.extend(input_arguments);
    arguments.extend(owned(&["-frames:v", "1", "-an", "-vf"]));
    arguments.push(format!(
        "scale=w='min({MAX_DIMENSION},iw)':h='min({MAX_DIMENSION},ih)':force_original_aspect_ratio=decrease"
    ));
    arguments.extend(owned(&["-f", "image2pipe", "-c:v", "png", "pipe:1"]));
    let png = run(
        &tools.ffmpeg,
        &arguments,
        stdin,
        settings.timeout,
        MAX_POSTER_OUTPUT,
    )
    .await?;
    let limits = Limits {
        max_bytes: MAX_POSTER_OUTPUT as u64,
        max_pixels: settings.max_pixels,
    };
    tokio::task::spawn_blocking(move || super::process::poster(&png, limits).ok())
        .await
        .ok()?
}

/// Runs `program` with `arguments`, its stdin `stdin`, within `timeout`; returns its
/// output (at most `max_output` bytes) when it succeeds. Killed on timeout, on too much
/// output and when the caller goes away.
async fn run(
    program: &Path,
    arguments: &[String],
    stdin: Stdio,
    timeout: Duration,
    max_output: usize,
) -> Option<Vec<u8>> {
    let mut child = Command::new(program)
        .args(arguments)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| tracing::warn!(program = %program.display(), %error, "could not start"))
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let work = async {
        let mut output = Vec::new();
        (&mut stdout)
            .take(max_output as u64 + 1)
            .read_to_end(&mut output)
            .await?;
        if output.len() > max_output {
            return Ok((None, output));
        }
        let status = child.wait().await?;
        Ok::<_, std::io::Error>((Some(status), output))
    };
    let outcome = tokio::time::timeout(timeout, work).await;
    let program = program.display();
    match outcome {
        Ok(Ok((Some(status), output))) if status.success() => Some(output),
        Ok(Ok((Some(status), _))) => {
            tracing::info!(%program, %status, "could not process an uploaded file");
            None
        }
        Ok(Ok((None, _))) => {
            tracing::warn!(%program, max_output, "stopped: too much output");
            let _ = child.kill().await;
            None
        }
        Ok(Err(error)) => {
            tracing::warn!(%program, %error, "could not read its output");
            let _ = child.kill().await;
            None
        }
        Err(_) => {
            tracing::warn!(%program, ?timeout, "stopped: took too long");
            let _ = child.kill().await;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_report_gives_the_displayed_size_rate_and_codecs() {
        let report = br#"{"streams": [
            {"codec_type": "video", "codec_name": "mjpeg", "width": 10, "height": 10,
             "disposition": {"attached_pic": 1}},
            {"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080,
             "avg_frame_rate": "30000/1001", "side_data_list": [{"rotation": -90}]},
            {"codec_type": "audio", "codec_name": "aac", "avg_frame_rate": "0/0"}],
            "format": {"duration": "12.500000", "bit_rate": "1500000"}}"#;
        let probed = parse_probe(report).expect("readable");
        assert_eq!(probed.dimensions, Some((1080, 1920)));
        assert!(probed.has_video);
        assert_eq!(
            probed.playback,
            Playback {
                duration: Some(12.5),
                frame_rate: Some("30000/1001".into()),
                bitrate: Some(1_500_000),
                video_codec: Some("h264".into()),
                audio_codec: Some("aac".into()),
            }
        );
    }

    #[test]
    fn a_report_without_streams_or_json_is_unreadable() {
        assert!(parse_probe(br#"{"streams": [], "format": {}}"#).is_none());
        assert!(parse_probe(b"not json").is_none());
        let audio = parse_probe(
            br#"{"streams": [{"codec_type": "audio", "codec_name": "mp3"}],
            "format": {"duration": "3.0"}}"#,
        )
        .expect("audio");
        assert!(!audio.has_video);
        assert_eq!(audio.playback.duration, Some(3.0));
    }
}
