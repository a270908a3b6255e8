//! Removing metadata from a WebP file without re-encoding it: the `EXIF` and `XMP `
//! chunks are dropped and the extended header's flags updated. Re-encoding would turn
//! lossy photos into much larger lossless files (the only WebP encoder built in), and
//! would lose animation.
//!
//! Container format: <https://developers.google.com/speed/webp/docs/riff_container>.

/// Flags of the `VP8X` chunk announcing EXIF and XMP metadata.
const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;

/// The WebP file without its EXIF and XMP chunks; `None` when the container is malformed.
pub fn strip_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WEBP" {
        return None;
    }
    let declared = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
    let end = declared.checked_add(8)?.min(bytes.len());
    let mut body = b"WEBP".to_vec();
    let mut offset = 12;
    while offset + 8 <= end {
        let fourcc = &bytes[offset..offset + 4];
        let size = u32::from_le_bytes(bytes[offset + 4..offset + 8].try_into().ok()?) as usize;
        let padded = size.checked_add(size & 1)?;
        let chunk_end = offset.checked_add(8)?.checked_add(padded)?;
        let chunk = bytes.get(offset..chunk_end.min(end))?;
        if chunk.len() < 8 + size {
            return None;
        }
        match fourcc {
            b"EXIF" | b"XMP " => {}
            b"VP8X" if size >= 1 => {
                let mut header = chunk.to_vec();
                header[8] &= !(EXIF_FLAG | XMP_FLAG);
                body.extend_from_slice(&header);
            }
            _ => body.extend_from_slice(chunk),
        }
        offset = chunk_end;
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(fourcc: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = fourcc.to_vec();
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn exif_and_xmp_chunks_and_their_flags_are_removed() {
        let file = riff(&[
            chunk(
                b"VP8X",
                &[EXIF_FLAG | XMP_FLAG | 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            ),
            chunk(b"VP8L", b"pixels!"),
            chunk(b"EXIF", b"GPS secret"),
            chunk(b"XMP ", b"<x/>"),
        ]);
        let stripped = strip_metadata(&file).expect("well-formed");
        let expected = riff(&[
            chunk(b"VP8X", &[0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            chunk(b"VP8L", b"pixels!"),
        ]);
        assert_eq!(stripped, expected);
    }

    #[test]
    fn a_truncated_chunk_is_malformed() {
        let mut file = riff(&[chunk(b"VP8L", b"pixels!!")]);
        file.truncate(file.len() - 3);
        assert_eq!(strip_metadata(&file), None);
        assert_eq!(strip_metadata(b"RIFF"), None);
    }
}
