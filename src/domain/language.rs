//! Language codes: the ISO 639-1 two-letter codes a user may choose as the default
//! language of their posts (`source[language]`). Statuses themselves keep any code of
//! plausible length a client sends (see `services::statuses`), as Mastodon does for
//! remote posts.
//!
//! Spec: <https://www.loc.gov/standards/iso639-2/php/code_list.php> (the 184 codes of
//! ISO 639-1), <https://docs.joinmastodon.org/methods/accounts/#update_credentials>.

/// Every ISO 639-1 code, sorted (for a binary search).
const ISO_639_1: [&str; 184] = [
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// An ISO 639-1 language code, lowercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LanguageCode(&'static str);

impl LanguageCode {
    /// `text` as an ISO 639-1 code (any case); `None` for anything else.
    pub fn parse(text: &str) -> Option<LanguageCode> {
        let lower = text.trim().to_ascii_lowercase();
        let at = ISO_639_1.binary_search(&lower.as_str()).ok()?;
        Some(LanguageCode(ISO_639_1[at]))
    }

    /// The code, e.g. `en`.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_the_search_finds_every_code() {
        assert!(ISO_639_1.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(ISO_639_1
            .iter()
            .all(|code| LanguageCode::parse(code).is_some()));
    }

    #[test]
    fn only_two_letter_iso_codes_are_languages() {
        assert_eq!(
            LanguageCode::parse("DE").map(LanguageCode::as_str),
            Some("de")
        );
        for other in ["", "x", "xx", "eng", "en-GB", "zz", "1"] {
            assert!(LanguageCode::parse(other).is_none(), "{other}");
        }
    }
}
