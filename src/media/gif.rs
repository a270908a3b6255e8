//! Removing metadata from a GIF without re-encoding it (which would cost its
//! animation or its palette): comment extensions and application extensions other
//! than the looping ones (`NETSCAPE2.0`, `ANIMEXTS1.0`) are dropped, so XMP packets
//! (`XMP DataXMP`) and other embedded data do not survive. Frames are copied as sent.
//!
//! Format: <https://www.w3.org/Graphics/GIF/spec-gif89a.txt>.

const EXTENSION: u8 = 0x21;
const IMAGE: u8 = 0x2C;
const TRAILER: u8 = 0x3B;
const COMMENT: u8 = 0xFE;
const APPLICATION: u8 = 0xFF;

/// The GIF without comments and foreign application data; `None` when malformed or
/// truncated.
pub fn strip_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = Reader { bytes, offset: 0 };
    let mut out = Vec::with_capacity(bytes.len());
    let header = reader.take(13)?;
    out.extend_from_slice(header);
    out.extend_from_slice(reader.take(color_table_size(header[10]))?);
    loop {
        match *reader.take(1)?.first()? {
            TRAILER => {
                out.push(TRAILER);
                return Some(out);
            }
            IMAGE => {
                let descriptor = reader.take(9)?;
                out.push(IMAGE);
                out.extend_from_slice(descriptor);
                out.extend_from_slice(reader.take(color_table_size(descriptor[8]))?);
                out.extend_from_slice(reader.take(1)?);
                out.extend_from_slice(reader.sub_blocks()?);
            }
            EXTENSION => {
                let label = *reader.take(1)?.first()?;
                let blocks = reader.sub_blocks()?;
                if keeps(label, blocks) {
                    out.extend_from_slice(&[EXTENSION, label]);
                    out.extend_from_slice(blocks);
                }
            }
            _ => return None,
        }
    }
}

/// Size of the colour table a packed field announces.
fn color_table_size(packed: u8) -> usize {
    if packed & 0x80 == 0 {
        0
    } else {
        3 << ((packed & 0x07) + 1)
    }
}

/// Whether an extension is kept: everything but comments and application data that
/// is not about looping.
fn keeps(label: u8, blocks: &[u8]) -> bool {
    match label {
        COMMENT => false,
        APPLICATION => {
            let identifier = blocks.get(1..12).unwrap_or_default();
            identifier == b"NETSCAPE2.0" || identifier == b"ANIMEXTS1.0"
        }
        _ => true,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        let slice = self
            .bytes
            .get(self.offset..self.offset.checked_add(count)?)?;
        self.offset += count;
        Some(slice)
    }

    /// A run of data sub-blocks up to and including the zero-length terminator.
    fn sub_blocks(&mut self) -> Option<&'a [u8]> {
        let start = self.offset;
        loop {
            let size = usize::from(*self.take(1)?.first()?);
            if size == 0 {
                return self.bytes.get(start..self.offset);
            }
            self.take(size)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 GIF with a global palette, the given extensions, one frame and a trailer.
    fn gif(extensions: &[&[u8]]) -> Vec<u8> {
        let mut out = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
        out.extend([0, 0, 0, 255, 255, 255]);
        for extension in extensions {
            out.extend_from_slice(extension);
        }
        out.extend(b"\x2C\0\0\0\0\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00");
        out.push(TRAILER);
        out
    }

    const LOOP: &[u8] = b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00";
    const XMP: &[u8] = b"\x21\xFF\x0BXMP DataXMP\x05GPS!!\x00";
    const COMMENT_BLOCK: &[u8] = b"\x21\xFE\x06secret\x00";

    #[test]
    fn comments_and_xmp_go_and_looping_stays() {
        let stripped = strip_metadata(&gif(&[LOOP, XMP, COMMENT_BLOCK])).expect("well-formed");
        assert_eq!(stripped, gif(&[LOOP]));
    }

    #[test]
    fn a_truncated_gif_is_malformed() {
        let mut file = gif(&[]);
        file.truncate(file.len() - 4);
        assert_eq!(strip_metadata(&file), None);
    }
}
