//! A phone number in E.164 form (`+` and 8 to 15 digits, the first not 0), read from
//! what people type: spaces, dots, dashes, slashes and parentheses are dropped, and a
//! leading international `00` becomes `+`. Roost does not know numbering plans, so a
//! number without its country code is refused rather than guessed.
//!
//! Spec: ITU-T E.164.

use super::user::Invalid;

/// Longest input read (formatting characters included).
const MAX_INPUT: usize = 40;

/// A phone number in E.164 form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads `input` as a phone number with its country code.
    ///
    /// # Errors
    /// [`Invalid`] (`ERR_INVALID`) for anything else.
    pub fn parse(input: &str) -> Result<PhoneNumber, Invalid> {
        let invalid = || Invalid {
            code: "ERR_INVALID",
            reason: "Phone number must be in international form, e.g. +14155550123".into(),
        };
        let trimmed = input.trim();
        if trimmed.len() > MAX_INPUT {
            return Err(invalid());
        }
        let compact: String = (trimmed.chars())
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}'))
            .collect();
        let digits = match (compact.strip_prefix('+'), compact.strip_prefix("00")) {
            (Some(rest), _) | (None, Some(rest)) => rest,
            (None, None) => return Err(invalid()),
        };
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !valid {
            return Err(invalid());
        }
        Ok(PhoneNumber(format!("+{digits}")))
    }

    /// The E.164 form, `+14155550123`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its first two and last two digits hidden
    /// (`+14•••••••23`), to show where a code went without showing the number.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// [`PhoneNumber::masked`] of a stored E.164 number.
pub fn mask(e164: &str) -> String {
    let digits: Vec<char> = e164.trim_start_matches('+').chars().collect();
    let shown = |range: std::ops::Range<usize>| digits[range].iter().collect::<String>();
    let hidden = digits.len().saturating_sub(4);
    if hidden == 0 {
        return "+••••".into();
    }
    format!(
        "+{}{}{}",
        shown(0..2),
        "•".repeat(hidden),
        shown(digits.len() - 2..digits.len())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_become_e164() {
        for typed in ["+1 (415) 555-0123", "001 415 555 0123", "+1.415.555.0123"] {
            let number = PhoneNumber::parse(typed).expect(typed);
            assert_eq!(number.as_str(), "+14155550123");
        }
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").expect("UK").as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn numbers_without_a_country_code_or_of_the_wrong_size_are_refused() {
        for bad in [
            "415 555 0123",
            "+0 415 555 0123",
            "+1234567",
            "+1234567890123456",
            "+1 415 555 012a",
            "",
            "+",
            &"1".repeat(50),
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_masked_number_shows_two_digits_at_each_end() {
        let number = PhoneNumber::parse("+14155550123").expect("valid");
        assert_eq!(number.masked(), "+14•••••••23");
    }
}
