//! What the header of an MP4 (ISO base media, ISO/IEC 14496-12) file says about it,
//! read without decoding anything: its duration (`moov/mvhd`), the display size of its
//! video track (`moov/trak/tkhd`, turned by the track's matrix, so a phone's portrait
//! video recorded as 1920×1080 with a quarter turn reads 1080×1920) and whether it has
//! a video track at all (`mdia/hdlr` of type `vide`). What Roost knows of a video when
//! ffprobe is not available (see [`super::video`]).
//!
//! Bounded: at most [`MAX_TOP_LEVEL_BOXES`] boxes are skipped to find `moov` (by
//! seeking, never reading their content), and a `moov` larger than [`MAX_MOOV_BYTES`]
//! is not read. Anything malformed yields `None` or leaves a fact unknown, never a
//! panic.

use std::io::{Read, Seek, SeekFrom};

/// Largest `moov` box read into memory (its sample tables grow with the duration:
/// about 1 MB per hour of video).
pub const MAX_MOOV_BYTES: u64 = 16 * 1024 * 1024;
/// Top-level boxes looked at before giving up on finding `moov`.
pub const MAX_TOP_LEVEL_BOXES: usize = 64;
/// Deepest box nesting followed inside `moov`.
const MAX_DEPTH: usize = 4;

/// What an MP4 header says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    /// The presentation's duration in seconds (`mvhd`).
    pub duration: Option<f64>,
    /// Width and height as displayed, of the first video track.
    pub dimensions: Option<(u32, u32)>,
    /// Whether a video track was found.
    pub has_video: bool,
}

/// Reads the header of the MP4 file `file` (of `len` bytes). `None` when it has no
/// readable `moov` box (not an MP4 file, truncated, or `moov` too large).
pub fn read_header(file: &mut (impl Read + Seek), len: u64) -> Option<Header> {
    let moov = find_moov(file, len)?;
    let mut header = Header::default();
    for (kind, body) in children(&moov) {
        match kind {
            b"mvhd" => header.duration = movie_duration(body),
            b"trak" if !header.has_video => {
                if let Some(track) = video_track(body) {
                    header.has_video = true;
                    header.dimensions = track;
                }
            }
            _ => {}
        }
    }
    Some(header)
}

/// The content of the top-level `moov` box.
fn find_moov(file: &mut (impl Read + Seek), len: u64) -> Option<Vec<u8>> {
    let mut offset = 0u64;
    for _ in 0..MAX_TOP_LEVEL_BOXES {
        if offset.checked_add(8)? > len {
            return None;
        }
        file.seek(SeekFrom::Start(offset)).ok()?;
        let mut head = [0u8; 8];
        file.read_exact(&mut head).ok()?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let (size, header_len) = match size32 {
            0 => (len - offset, 8),
            1 => {
                let mut large = [0u8; 8];
                file.read_exact(&mut large).ok()?;
                (u64::from_be_bytes(large), 16)
            }
            size => (u64::from(size), 8),
        };
        if size < header_len || offset.checked_add(size)? > len {
            return None;
        }
        if &head[4..8] == b"moov" {
            let body_len = size - header_len;
            if body_len > MAX_MOOV_BYTES {
                return None;
            }
            let mut body = vec![0u8; usize::try_from(body_len).ok()?];
            file.read_exact(&mut body).ok()?;
            return Some(body);
        }
        offset += size;
    }
    None
}

/// The boxes directly inside `data`, as (type, content); stops at the first malformed one.
fn children(data: &[u8]) -> Vec<(&[u8; 4], &[u8])> {
    let mut boxes = Vec::new();
    let mut rest = data;
    while rest.len() >= 8 {
        let size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let Ok(kind) = <&[u8; 4]>::try_from(&rest[4..8]) else {
            break;
        };
        let (size, header_len) = match size {
            0 => (rest.len(), 8),
            1 => match rest.get(8..16) {
                Some(large) => {
                    let mut bytes = [0u8; 8];
                    bytes.copy_from_slice(large);
                    (
                        usize::try_from(u64::from_be_bytes(bytes)).unwrap_or(usize::MAX),
                        16,
                    )
                }
                None => break,
            },
            size => (size, 8),
        };
        if size < header_len || size > rest.len() {
            break;
        }
        boxes.push((kind, &rest[header_len..size]));
        rest = &rest[size..];
    }
    boxes
}

/// The first child of type `kind` found `path` levels down (`path` names each level).
fn descend<'a>(data: &'a [u8], path: &[&[u8; 4]]) -> Option<&'a [u8]> {
    if path.len() > MAX_DEPTH {
        return None;
    }
    let (first, rest) = path.split_first()?;
    let (_, body) = children(data).into_iter().find(|(kind, _)| kind == first)?;
    if rest.is_empty() {
        Some(body)
    } else {
        descend(body, rest)
    }
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(be_u32(data, at)?) << 32 | u64::from(be_u32(data, at + 4)?))
}

/// `mvhd`: duration / timescale, in seconds.
fn movie_duration(mvhd: &[u8]) -> Option<f64> {
    let version = *mvhd.first()?;
    let (timescale, duration) = if version == 1 {
        (be_u32(mvhd, 20)?, be_u64(mvhd, 24)?)
    } else {
        (be_u32(mvhd, 12)?, u64::from(be_u32(mvhd, 16)?))
    };
    // All ones: "unknown" (a fragmented file's empty `moov`).
    if timescale == 0 || duration == u64::MAX || duration == u64::from(u32::MAX) {
        return None;
    }
    Some(duration as f64 / f64::from(timescale))
}

/// A `trak` of a video track: `Some(dimensions)` (unknown when `tkhd` is unreadable or
/// says 0×0); `None` for other tracks.
fn video_track(trak: &[u8]) -> Option<Option<(u32, u32)>> {
    let handler = descend(trak, &[b"mdia", b"hdlr"])?;
    if handler.get(8..12)? != b"vide" {
        return None;
    }
    Some(descend(trak, &[b"tkhd"]).and_then(display_size))
}

/// `tkhd`: width and height (16.16 fixed point) turned by the matrix when it is a
/// quarter turn.
fn display_size(tkhd: &[u8]) -> Option<(u32, u32)> {
    let version = *tkhd.first()?;
    // After version/flags: times and ids (20 or 32 bytes), 8 reserved, layer, group,
    // volume and reserved (8), then the 3×3 matrix (36) and the size.
    let matrix_at = if version == 1 {
        4 + 32 + 16
    } else {
        4 + 20 + 16
    };
    let a = be_u32(tkhd, matrix_at)? as i32;
    let b = be_u32(tkhd, matrix_at + 4)? as i32;
    let width = be_u32(tkhd, matrix_at + 36)? >> 16;
    let height = be_u32(tkhd, matrix_at + 40)? >> 16;
    if width == 0 || height == 0 {
        return None;
    }
    let quarter_turn = a == 0 && b.unsigned_abs() == 1 << 16;
    Some(if quarter_turn {
        (height, width)
    } else {
        (width, height)
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn mvhd(timescale: u32, duration: u32) -> Vec<u8> {
        let mut body = vec![0u8; 12];
        body.extend(timescale.to_be_bytes());
        body.extend(duration.to_be_bytes());
        body.resize(100, 0);
        boxed(b"mvhd", &body)
    }

    fn tkhd(width: u32, height: u32, quarter_turn: bool) -> Vec<u8> {
        let mut body = vec![0u8; 4 + 20 + 16];
        let (a, b, c, d) = if quarter_turn {
            (0i32, 1 << 16, -(1 << 16), 0)
        } else {
            (1 << 16, 0, 0, 1 << 16)
        };
        for value in [a, b, 0, c, d, 0, 0, 0, 1 << 30] {
            body.extend(value.to_be_bytes());
        }
        body.extend((width << 16).to_be_bytes());
        body.extend((height << 16).to_be_bytes());
        boxed(b"tkhd", &body)
    }

    fn trak(handler: &[u8; 4], tkhd: Vec<u8>) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.resize(24, 0);
        let mdia = boxed(b"mdia", &boxed(b"hdlr", &hdlr));
        boxed(b"trak", &[tkhd, mdia].concat())
    }

    fn file(moov_children: &[Vec<u8>]) -> Vec<u8> {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2");
        let mdat = boxed(b"mdat", &[7u8; 300]);
        let moov = boxed(b"moov", &moov_children.concat());
        [ftyp, mdat, moov].concat()
    }

    fn read(bytes: &[u8]) -> Option<Header> {
        read_header(&mut Cursor::new(bytes), bytes.len() as u64)
    }

    #[test]
    fn duration_and_size_come_from_the_movie_and_its_video_track() {
        let bytes = file(&[
            mvhd(1000, 12_500),
            trak(b"soun", tkhd(0, 0, false)),
            trak(b"vide", tkhd(640, 360, false)),
        ]);
        let header = read(&bytes).expect("a header");
        assert_eq!(header.duration, Some(12.5));
        assert_eq!(header.dimensions, Some((640, 360)));
        assert!(header.has_video);
    }

    #[test]
    fn a_quarter_turned_track_reads_as_displayed() {
        let bytes = file(&[mvhd(600, 600), trak(b"vide", tkhd(1920, 1080, true))]);
        assert_eq!(
            read(&bytes).expect("a header").dimensions,
            Some((1080, 1920))
        );
    }

    #[test]
    fn audio_only_files_have_a_duration_and_no_video() {
        let bytes = file(&[mvhd(44_100, 441_000), trak(b"soun", tkhd(0, 0, false))]);
        let header = read(&bytes).expect("a header");
        assert_eq!(header.duration, Some(10.0));
        assert!(!header.has_video);
        assert_eq!(header.dimensions, None);
    }

    #[test]
    fn truncated_or_foreign_files_have_no_header_and_never_panic() {
        let bytes = file(&[mvhd(1000, 1000), trak(b"vide", tkhd(10, 20, false))]);
        for cut in 0..bytes.len() {
            let _ = read(&bytes[..cut]);
        }
        assert_eq!(read(&bytes[..bytes.len() - 1]), None);
        assert_eq!(read(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"), None);
        let mut huge = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
        huge.extend(u32::MAX.to_be_bytes());
        huge.extend(b"moov");
        assert_eq!(read(&huge), None);
    }
}
