//! Test images made in the test: each format, a JPEG carrying EXIF (GPS and an
//! orientation), and multipart helpers for uploads.

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use super::{expect_json, TestApp, TestUser};

/// A marker stored in the GPS IFD of [`jpeg_with_gps`]: it must not survive processing.
pub const GPS_MARKER: &[u8] = b"ROOSTGPS";

fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    })
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(gradient(width, height))
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))
        .expect("encodes");
    out
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(gradient(width, height))
        .write_with_encoder(PngEncoder::new(&mut out))
        .expect("encodes");
    out
}

/// One colour: a few KiB however large, the shape of a decompression bomb.
pub fn solid_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([9, 9, 9])))
        .write_with_encoder(PngEncoder::new(&mut out))
        .expect("encodes");
    out
}

pub fn gif(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let image = RgbaImage::from_fn(width, height, |x, _| Rgba([(x % 256) as u8, 50, 200, 255]));
    GifEncoder::new(&mut out)
        .encode(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgba8,
        )
        .expect("encodes");
    out
}

pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(gradient(width, height))
        .write_with_encoder(WebPEncoder::new_lossless(&mut out))
        .expect("encodes");
    out
}

/// EXIF data (a TIFF structure): `orientation`, and a GPS IFD with GPSLatitudeRef "N"
/// and GPSMapDatum [`GPS_MARKER`].
fn exif_tiff(orientation: u8) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: Orientation and the GPS IFD pointer (38).
    tiff.extend([0, 2]);
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]);
    tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
    tiff.extend([0, 0, 0, 0]);
    // GPS IFD at 38: GPSLatitudeRef "N", GPSMapDatum at offset 68.
    tiff.extend([0, 2]);
    tiff.extend([0x00, 0x01, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend([0x00, 0x12, 0, 2, 0, 0, 0, 9, 0, 0, 0, 68]);
    tiff.extend([0, 0, 0, 0]);
    assert_eq!(tiff.len(), 68);
    tiff.extend(GPS_MARKER);
    tiff.push(0);
    tiff
}

/// A `width`×`height` JPEG with an EXIF APP1 segment: Orientation 6 (rotate 90° to
/// display) and GPS data (see [`exif_tiff`]).
pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let tiff = exif_tiff(6);
    let mut segment = vec![0xFF, 0xE1];
    let length = (2 + 6 + tiff.len()) as u16;
    segment.extend(length.to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(tiff);
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec();
    out.extend(segment);
    out.extend(&plain[2..]);
    out
}

/// A lossless WebP in the extended format, with an `EXIF` chunk holding GPS data
/// (orientation 1, upright).
pub fn webp_with_gps(width: u32, height: u32) -> Vec<u8> {
    let simple = webp(width, height);
    let chunk = |fourcc: &[u8], data: &[u8]| {
        let mut out = fourcc.to_vec();
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    };
    let mut header = vec![0x08, 0, 0, 0];
    header.extend(&(width - 1).to_le_bytes()[..3]);
    header.extend(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &header));
    body.extend(&simple[12..]);
    body.extend(chunk(b"EXIF", &exif_tiff(1)));
    let mut out = b"RIFF".to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A GIF with an XMP application extension holding [`GPS_MARKER`].
pub fn gif_with_xmp(width: u32, height: u32) -> Vec<u8> {
    let mut out = gif(width, height);
    let trailer = out.pop();
    assert_eq!(trailer, Some(0x3B), "a GIF ends with its trailer");
    out.extend(b"\x21\xFF\x0BXMP DataXMP");
    out.push(GPS_MARKER.len() as u8);
    out.extend(GPS_MARKER);
    out.extend([0, 0x3B]);
    out
}

/// Whether `haystack` contains `needle`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A multipart form with `file` (named misleadingly, to show names are not trusted).
pub fn upload_form(bytes: Vec<u8>, fields: &[(&str, &str)]) -> Form {
    let part = Part::bytes(bytes)
        .file_name("upload.txt")
        .mime_str("text/plain")
        .expect("mime");
    fields
        .iter()
        .fold(Form::new().part("file", part), |form, (name, value)| {
            form.text(name.to_string(), value.to_string())
        })
}

/// Uploads through `POST /api/v2/media` and returns the response.
pub async fn upload(
    app: &TestApp,
    user: &TestUser,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    app.post("/api/v2/media")
        .bearer_auth(&user.access_token)
        .multipart(upload_form(bytes, fields))
        .send()
        .await
}

/// Uploads and expects 200; returns the MediaAttachment.
pub async fn upload_ok(
    app: &TestApp,
    user: &TestUser,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> Value {
    expect_json(upload(app, user, bytes, fields).await, 200).await
}

/// Downloads `url` and returns its bytes with the response headers.
pub async fn download(app: &TestApp, url: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.client.get(url).send().await.expect("request sent");
    assert_eq!(response.status(), 200, "GET {url}");
    let headers = response.headers().clone();
    (headers, response.bytes().await.expect("body").to_vec())
}

/// Width and height of an encoded image.
pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).expect("decodes");
    (image.width(), image.height())
}

/// A vertical 90×160 MP4 (H.264 and AAC, 2 s), made once with ffmpeg and kept in
/// tests/fixtures/media: the video of tests that run without ffmpeg.
pub fn fixture_reel() -> Vec<u8> {
    include_bytes!("../../fixtures/media/reel-90x160.mp4").to_vec()
}

/// Whether ffmpeg and ffprobe are on PATH (scripts/test installs them).
pub fn ffmpeg_available() -> bool {
    roost::media::ffmpeg::on_path().is_some()
}

/// Runs ffmpeg with `arguments` writing to a temporary `extension` file; returns it.
fn ffmpeg_output(arguments: &[&str], extension: &str) -> Vec<u8> {
    assert!(
        ffmpeg_available(),
        "these tests need ffmpeg and ffprobe on PATH (scripts/test installs them: apt-get install ffmpeg)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join(format!("out.{extension}"));
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin"])
        .args(arguments)
        .arg("-y")
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg failed: {arguments:?}");
    std::fs::read(&out).expect("reads ffmpeg's output")
}

/// A `width`×`height` test-pattern video of `seconds` with a tone, as a phone might
/// send it: H.264 and AAC in MP4, with a title in its metadata.
pub fn video(width: u32, height: u32, seconds: u32) -> Vec<u8> {
    let pattern = format!("testsrc=size={width}x{height}:rate=10:duration={seconds}");
    let tone = format!("sine=frequency=440:duration={seconds}");
    ffmpeg_output(
        &[
            "-f",
            "lavfi",
            "-i",
            &pattern,
            "-f",
            "lavfi",
            "-i",
            &tone,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            "-metadata",
            "title=ROOSTSECRETTITLE",
        ],
        "mp4",
    )
}

/// A video stored as `width`×`height` with a quarter turn in its track header, as
/// phones record portrait video: shown `height`×`width`.
pub fn turned_video(width: u32, height: u32, seconds: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain.mp4");
    std::fs::write(&plain, video(width, height, seconds)).expect("writes");
    let plain = plain.display().to_string();
    ffmpeg_output(
        &["-i", &plain, "-c", "copy", "-metadata:s:v:0", "rotate=90"],
        "mp4",
    )
}

/// A `width`×`height` test-pattern WebM (VP8, no sound) of `seconds`.
pub fn webm_video(width: u32, height: u32, seconds: u32) -> Vec<u8> {
    let pattern = format!("testsrc=size={width}x{height}:rate=10:duration={seconds}");
    ffmpeg_output(
        &[
            "-f", "lavfi", "-i", &pattern, "-c:v", "libvpx", "-b:v", "200k",
        ],
        "webm",
    )
}

/// A tone of `seconds` as an M4A (AAC) file.
pub fn audio_clip(seconds: u32) -> Vec<u8> {
    let tone = format!("sine=frequency=440:duration={seconds}");
    ffmpeg_output(
        &[
            "-f", "lavfi", "-i", &tone, "-c:a", "aac", "-b:a", "32k", "-f", "ipod",
        ],
        "m4a",
    )
}
