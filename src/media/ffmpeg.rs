//! Running ffprobe and ffmpeg on an uploaded file (see [`super::video`], which decides
//! when): reading what a file is (ffprobe's JSON report: the displayed size, rotation
//! applied, frame rate, bitrate, codecs, duration), writing a web-playable rendition
//! (H.264 and AAC in MP4 with `+faststart`, at most [`MAX_DIMENSION`] px on the long
//! side, video bitrate capped at [`MAX_VIDEO_BITRATE`], metadata left out) and taking a
//! poster frame (made into a preview and BlurHash by [`super::process::poster`]).
//!
//! Each run is a child process (`tokio::process`) with a time limit, killed past it,
//! on too much output and when its caller goes away; it reads only local files
//! (`-protocol_whitelist file`) with the demuxer of the format the bytes were
//! recognised as, so a playlist cannot make it fetch URLs. The upload is read through
//! `/dev/stdin`, which opens the anonymous spool file anew (Linux). Every function
//! answers `None` when a tool fails: the caller stores the file as sent.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

use super::detect::Format;
use super::process::{Encoded, Limits, Playback};
use super::spool::SpooledFile;

/// Longest side of a rendition, in pixels.
pub const MAX_DIMENSION: u32 = 1280;
/// Largest video bitrate of a rendition, in bits per second.
pub const MAX_VIDEO_BITRATE: u32 = 4_000_000;
/// Largest ffprobe report read.
const MAX_PROBE_OUTPUT: usize = 1024 * 1024;
/// Largest poster frame read (a PNG of at most [`MAX_DIMENSION`] px a side).
const MAX_POSTER_OUTPUT: usize = 16 * 1024 * 1024;

/// The two executables and the bounds of their runs.
#[derive(Clone, Debug)]
pub struct Tools {
    pub ffprobe: PathBuf,
    pub ffmpeg: PathBuf,
    /// Longest run.
    pub timeout: Duration,
    /// Directory for renditions being written.
    pub dir: PathBuf,
    /// Largest poster frame decoded, in pixels.
    pub max_pixels: u64,
}

/// ffprobe and ffmpeg from PATH, when both are there.
pub fn on_path() -> Option<(PathBuf, PathBuf)> {
    let path = std::env::var_os("PATH")?;
    let find = |name: &str| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    };
    Some((find("ffprobe")?, find("ffmpeg")?))
}

/// A file a tool reads: the upload (through `/dev/stdin`) or a rendition on disk.
pub(super) enum Input<'a> {
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
pub(super) struct Probed {
    pub(super) dimensions: Option<(u32, u32)>,
    pub(super) has_video: bool,
    pub(super) playback: Playback,
}

pub(super) async fn probe(tools: &Tools, input: &Input<'_>) -> Option<Probed> {
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
        tools.timeout,
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
pub(super) async fn transcode(tools: &Tools, input: &Input<'_>) -> Option<tempfile::NamedTempFile> {
    let dir = tools.dir.clone();
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
    run(&tools.ffmpeg, &arguments, stdin, tools.timeout, 0).await?;
    Some(rendition)
}

/// Opens a finished rendition as the file to store; its name goes with `rendition`.
pub(super) async fn open_rendition(rendition: tempfile::NamedTempFile) -> Option<SpooledFile> {
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
pub(super) async fn poster(
    tools: &Tools,
    input: &Input<'_>,
    probed: &Probed,
) -> Option<(Encoded, Option<String>)> {
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
        tools.timeout,
        MAX_POSTER_OUTPUT,
    )
    .await?;
    let limits = Limits {
        max_bytes: MAX_POSTER_OUTPUT as u64,
        max_pixels: tools.max_pixels,
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

    #[tokio::test]
    async fn a_run_past_its_time_or_with_too_much_output_is_stopped() {
        let started = std::time::Instant::now();
        let slow = run(
            Path::new("/bin/sleep"),
            &["30".to_owned()],
            Stdio::null(),
            Duration::from_millis(200),
            0,
        )
        .await;
        assert!(slow.is_none());
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not killed in time"
        );
        let endless = run(
            Path::new("/usr/bin/yes"),
            &[],
            Stdio::null(),
            Duration::from_secs(10),
            4096,
        )
        .await;
        assert!(endless.is_none());
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not stopped at its bound"
        );
        let fine = run(
            Path::new("/bin/echo"),
            &["hi".to_owned()],
            Stdio::null(),
            Duration::from_secs(10),
            16,
        )
        .await;
        assert_eq!(fine.as_deref(), Some(&b"hi\n"[..]));
    }

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
