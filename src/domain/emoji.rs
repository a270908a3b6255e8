//! Custom emoji shortcodes: which names are valid and where text uses them.
//!
//! A shortcode is 2 to [`MAX_SHORTCODE`] ASCII letters, digits or underscores
//! (Mastodon's `[a-zA-Z0-9_]{2,}`, bounded here), case-sensitive. Text uses one as
//! `:shortcode:` where the colons are not touching a letter, a digit or another colon,
//! as Mastodon's `CustomEmoji::SCAN_RE` reads it, so `12:30:45` and `a::b::c` use none.
//!
//! Spec: <https://docs.joinmastodon.org/entities/CustomEmoji/>; the scan rule:
//! Mastodon's `app/models/custom_emoji.rb`.

/// Longest shortcode accepted (Mastodon sets none; 64 keeps names and tags bounded).
pub const MAX_SHORTCODE: usize = 64;

/// Most distinct emoji one status or one profile uses (the rest stay plain text).
pub const MAX_PER_OBJECT: usize = 50;

/// Whether `shortcode` (without colons) is a valid name.
pub fn is_valid_shortcode(shortcode: &str) -> bool {
    (2..=MAX_SHORTCODE).contains(&shortcode.len()) && shortcode.bytes().all(is_shortcode_byte)
}

fn is_shortcode_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whether a character next to a colon stops it from delimiting a shortcode.
fn blocks(character: Option<char>) -> bool {
    character.is_some_and(|c| c.is_alphanumeric() || c == ':')
}

/// The distinct shortcodes `texts` use, in order of first use, at most
/// [`MAX_PER_OBJECT`].
pub fn shortcodes_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for text in texts {
        for shortcode in scan(text) {
            if found.len() == MAX_PER_OBJECT {
                return found;
            }
            if !found.iter().any(|known| known == shortcode) {
                found.push(shortcode.to_owned());
            }
        }
    }
    found
}

/// Every `:shortcode:` use in `text`, in order (repeats included).
fn scan(text: &str) -> Vec<&str> {
    let mut uses = Vec::new();
    let mut start = 0;
    while let Some(offset) = text[start..].find(':') {
        let open = start + offset;
        start = open + 1;
        if blocks(text[..open].chars().next_back()) {
            continue;
        }
        let name_len = text[open + 1..]
            .bytes()
            .take_while(|byte| is_shortcode_byte(*byte))
            .count();
        let close = open + 1 + name_len;
        if text.as_bytes().get(close) != Some(&b':') {
            continue;
        }
        let name = &text[open + 1..close];
        if is_valid_shortcode(name) && !blocks(text[close + 1..].chars().next()) {
            uses.push(name);
            start = close + 1;
        }
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_are_found_where_colons_stand_apart() {
        assert_eq!(
            shortcodes_in(["Hi :blobcat: and :Blob_2:!"]),
            ["blobcat", "Blob_2"]
        );
        assert_eq!(shortcodes_in([":blobcat:"]), ["blobcat"]);
        assert_eq!(shortcodes_in(["(:a1:)\n:b2:"]), ["a1", "b2"]);
        assert_eq!(
            shortcodes_in([":x: :blob::cat: 12:30:45 a:bc:d"]),
            Vec::<String>::new()
        );
        assert_eq!(
            shortcodes_in([":blobcat: :blobcat:", "cw :blobcat: :ok:"]),
            ["blobcat", "ok"]
        );
        assert_eq!(shortcodes_in(["é:blobcat:"]), Vec::<String>::new());
    }

    #[test]
    fn a_text_uses_a_bounded_number_of_emoji() {
        let text: String = (0..80).map(|i| format!(":emoji{i}: ")).collect();
        assert_eq!(shortcodes_in([text.as_str()]).len(), MAX_PER_OBJECT);
    }

    #[test]
    fn shortcodes_are_ascii_words_of_bounded_length() {
        assert!(is_valid_shortcode("blobcat"));
        assert!(is_valid_shortcode("a_1"));
        assert!(!is_valid_shortcode("a"));
        assert!(!is_valid_shortcode("blob-cat"));
        assert!(!is_valid_shortcode("blöb"));
        assert!(!is_valid_shortcode(&"a".repeat(MAX_SHORTCODE + 1)));
    }
}
