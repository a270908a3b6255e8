//! Time-based one-time passwords (TOTP, RFC 6238) as authenticator apps compute them:
//! HMAC-SHA1 over the 30-second time step, dynamically truncated (RFC 4226 §5.3) to a
//! number of decimal digits (6 for sign-in; the RFC's test vectors use 8). Also the
//! secret's text form (RFC 4648 base32, upper case, no padding) and the `otpauth://`
//! URI an app reads from a QR code (Google Authenticator's key-URI format).
//!
//! Pure: no clock, no storage. Which steps are accepted, replay and rate limits belong to
//! `services::two_factor`; encrypting the stored secret to `auth::two_factor_keys`.
//!
//! Specs: <https://www.rfc-editor.org/rfc/rfc6238>, <https://www.rfc-editor.org/rfc/rfc4226>,
//! <https://www.rfc-editor.org/rfc/rfc4648#section-6>,
//! <https://github.com/google/google-authenticator/wiki/Key-Uri-Format>.

use aws_lc_rs::hmac;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use subtle::ConstantTimeEq;

/// Seconds in one time step (RFC 6238's default, what every authenticator app uses).
pub const STEP_SECS: i64 = 30;
/// Digits of a sign-in code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret: 160 bits, the HMAC-SHA1 key length RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Steps either side of the current one that are still accepted (clock drift and the
/// time it takes to type a code).
pub const DRIFT_STEPS: i64 = 1;

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random secret of [`SECRET_BYTES`] bytes.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    secret
}

/// The time step containing Unix time `unix_secs` (RFC 6238 §4.2, T0 = 0).
pub fn time_step(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of `secret` for time step `step`, zero-padded to `digits` digits (1 to 9).
pub fn code_at(secret: &[u8], step: i64, digits: u32) -> String {
    let digits = digits.clamp(1, 9);
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let mac = tag.as_ref();
    // Dynamic truncation, RFC 4226 §5.3: four bytes at the offset the last nibble names.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The step within [`DRIFT_STEPS`] of `now_step` whose code is `code`, newest first, or
/// `None`. Codes are compared in constant time; anything but `digits` ASCII digits
/// (spaces allowed, as apps show `123 456`) matches nothing.
pub fn matching_step(secret: &[u8], code: &str, now_step: i64, digits: u32) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (-DRIFT_STEPS..=DRIFT_STEPS)
        .rev()
        .map(|delta| now_step + delta)
        .find(|&step| {
            bool::from(
                code_at(secret, step, digits)
                    .as_bytes()
                    .ct_eq(code.as_bytes()),
            )
        })
}

/// RFC 4648 base32 (upper case), without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                BASE32_ALPHABET[((buffer >> bits) & 31) as usize],
            ));
        }
    }
    if bits > 0 {
        out.push(char::from(
            BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize],
        ));
    }
    out
}

/// Decodes RFC 4648 base32, case-insensitive, ignoring padding, spaces and hyphens;
/// `None` for any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !matches!(c, '=' | ' ' | '-')) {
        let upper = c.to_ascii_uppercase();
        let value = BASE32_ALPHABET
            .iter()
            .position(|&a| char::from(a) == upper)?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// Characters left as they are in the URI's label and parameters.
const URI_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// The `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…` URI of a secret (given in
/// base32), for SHA-1, [`DIGITS`] digits and [`STEP_SECS`]-second steps, the defaults
/// every app assumes. Issuer and account name are percent-encoded (a `:` in a domain
/// with a port included).
pub fn otpauth_uri(issuer: &str, account_name: &str, secret_base32: &str) -> String {
    let issuer = utf8_percent_encode(issuer, URI_KEEP).to_string();
    let account_name = utf8_percent_encode(account_name, URI_KEEP);
    format!(
        "otpauth://totp/{issuer}:{account_name}?secret={secret_base32}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 seed and rows (time, 8-digit code).
    const RFC_SEED: &[u8] = b"12345678901234567890";
    const RFC_ROWS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn codes_match_the_rfc_6238_sha1_test_vectors() {
        for (time, expected) in RFC_ROWS {
            assert_eq!(
                code_at(RFC_SEED, time_step(time), 8),
                expected,
                "T = {time}"
            );
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_eight() {
        for (time, expected) in RFC_ROWS {
            assert_eq!(code_at(RFC_SEED, time_step(time), 6), expected[2..]);
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let secret = new_secret();
        let now = time_step(1_700_000_000);
        for delta in -1..=1 {
            let code = code_at(&secret, now + delta, DIGITS);
            assert_eq!(
                matching_step(&secret, &code, now, DIGITS),
                Some(now + delta)
            );
        }
        for delta in [-2, 2] {
            let code = code_at(&secret, now + delta, DIGITS);
            let matched = matching_step(&secret, &code, now, DIGITS);
            // A far step's code may collide with a near one by chance (1 in 10^6).
            assert!(matched.is_none() || matched.is_some_and(|s| (s - now).abs() <= 1));
        }
    }

    #[test]
    fn malformed_codes_match_nothing() {
        let secret = new_secret();
        let now = time_step(1_700_000_000);
        let code = code_at(&secret, now, DIGITS);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&secret, &spaced, now, DIGITS), Some(now));
        for bad in ["", "12345", "1234567", "abcdef", "１２３４５６"] {
            assert_eq!(matching_step(&secret, bad, now, DIGITS), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_follows_the_rfc_4648_test_vectors_without_padding() {
        let vectors = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(
            base32_decode("mzxw6ytboi======").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(base32_decode("MZXW1"), None, "1 is not in the alphabet");
        let secret = new_secret();
        assert_eq!(base32_encode(&secret).len(), 32);
        assert_eq!(base32_decode(&base32_encode(&secret)), Some(secret));
    }

    #[test]
    fn the_otpauth_uri_names_issuer_account_and_secret() {
        let uri = otpauth_uri("roost.example:8080", "alice@roost.example:8080", "ABC234");
        assert_eq!(
            uri,
            "otpauth://totp/roost.example%3A8080:alice@roost.example%3A8080?secret=ABC234\
             &issuer=roost.example%3A8080&algorithm=SHA1&digits=6&period=30"
        );
    }
}
