//! Recognising a media file by its first bytes ("magic numbers"). The file name and the
//! Content-Type the client sent are never trusted: a file is what its bytes say.
//!
//! Signatures: JPEG (ISO 10918-1 SOI marker), PNG (RFC 2083 §3.1), GIF87a/89a, WebP
//! (RIFF container), ISO-BMFF `ftyp` (MP4; AVIF and HEIF are recognised only to be
//! refused, since no decoder is built in), EBML with doctype `webm`, MP3 (ID3v2 tag or an
//! MPEG-1/2 layer III frame header), and Ogg (`OggS` capture pattern).

/// A file format Roost accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Mp4,
    M4a,
    Webm,
    Mp3,
    Ogg,
}

/// What Mastodon calls the attachment's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Image,
    Video,
    Audio,
}

impl Kind {
    /// The Mastodon name: `image`, `video` or `audio`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Video => "video",
            Kind::Audio => "audio",
        }
    }
}

/// Every accepted format, in the order the instance entity lists them.
pub const ALL: [Format; 9] = [
    Format::Jpeg,
    Format::Png,
    Format::Gif,
    Format::Webp,
    Format::Mp4,
    Format::M4a,
    Format::Webm,
    Format::Mp3,
    Format::Ogg,
];

/// [`Format::detect`] never looks past this many bytes of a file.
pub const HEAD_BYTES: usize = 64;

impl Format {
    /// The format of `bytes` (of which only the first [`HEAD_BYTES`] count), or `None`
    /// when it is none Roost accepts.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Format::Gif)
        } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Some(Format::Webp)
        } else if bytes.get(4..8) == Some(b"ftyp") {
            iso_media(bytes.get(8..12)?)
        } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
            let head = &bytes[..bytes.len().min(HEAD_BYTES)];
            head.windows(4)
                .any(|w| w == b"webm")
                .then_some(Format::Webm)
        } else if starts(b"OggS") {
            Some(Format::Ogg)
        } else if starts(b"ID3") || is_mp3_frame(bytes) {
            Some(Format::Mp3)
        } else {
            None
        }
    }

    /// The format stored under a file extension Roost chose (see [`Format::extension`]).
    pub fn from_extension(extension: &str) -> Option<Format> {
        ALL.into_iter().find(|f| f.extension() == extension)
    }

    /// The IANA media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Mp4 => "video/mp4",
            Format::M4a => "audio/mp4",
            Format::Webm => "video/webm",
            Format::Mp3 => "audio/mpeg",
            Format::Ogg => "audio/ogg",
        }
    }

    /// The extension of stored files of this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Mp4 => "mp4",
            Format::M4a => "m4a",
            Format::Webm => "webm",
            Format::Mp3 => "mp3",
            Format::Ogg => "ogg",
        }
    }

    /// Image, video or audio.
    pub fn kind(self) -> Kind {
        match self {
            Format::Jpeg | Format::Png | Format::Gif | Format::Webp => Kind::Image,
            Format::Mp4 | Format::Webm => Kind::Video,
            Format::M4a | Format::Mp3 | Format::Ogg => Kind::Audio,
        }
    }
}

/// An ISO base media file by its major brand: MP4 video or M4A audio. Still-image
/// brands (AVIF, HEIF) are refused: no decoder for them is built in.
fn iso_media(brand: &[u8]) -> Option<Format> {
    match brand {
        b"avif" | b"avis" | b"heic" | b"heix" | b"mif1" | b"msf1" => None,
        b"M4A " | b"M4B " => Some(Format::M4a),
        _ => Some(Format::Mp4),
    }
}

/// An MPEG audio frame header of layer III (frame sync, a valid version and bitrate).
fn is_mp3_frame(bytes: &[u8]) -> bool {
    let [a, b, c, ..] = bytes else {
        return false;
    };
    let sync = *a == 0xFF && b & 0xE0 == 0xE0;
    let version_valid = (b >> 3) & 0b11 != 0b01;
    let layer_three = (b >> 1) & 0b11 == 0b01;
    let bitrate_valid = c >> 4 != 0b1111;
    sync && version_valid && layer_three && bitrate_valid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_their_bytes_only() {
        assert_eq!(Format::detect(b"\xFF\xD8\xFF\xE0rest"), Some(Format::Jpeg));
        assert_eq!(Format::detect(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(Format::detect(b"GIF89a..."), Some(Format::Gif));
        assert_eq!(Format::detect(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::detect(b"\0\0\0\x18ftypisom"), Some(Format::Mp4));
        assert_eq!(Format::detect(b"\0\0\0\x18ftypM4A "), Some(Format::M4a));
        assert_eq!(Format::detect(b"\0\0\0\x18ftypavif"), None);
        assert_eq!(
            Format::detect(b"\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Some(Format::Webm)
        );
        assert_eq!(
            Format::detect(b"\x1A\x45\xDF\xA3\x42\x82\x88matroska"),
            None
        );
        assert_eq!(Format::detect(b"OggS\0\x02"), Some(Format::Ogg));
        assert_eq!(Format::detect(b"ID3\x04\0"), Some(Format::Mp3));
        assert_eq!(Format::detect(&[0xFF, 0xFB, 0x90, 0x64]), Some(Format::Mp3));
        assert_eq!(Format::detect(b"<svg xmlns="), None);
        assert_eq!(Format::detect(b""), None);
    }

    #[test]
    fn extensions_map_back_to_their_format() {
        for format in ALL {
            assert_eq!(Format::from_extension(format.extension()), Some(format));
        }
        assert_eq!(Format::from_extension("html"), None);
    }
}
