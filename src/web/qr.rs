//! QR codes as inline SVG, for the two-factor setup page (the `otpauth://` URI of
//! `services::two_factor::begin_setup`, read by the user's authenticator app). Inline
//! SVG needs no image request and no script, so it fits the strict
//! Content-Security-Policy; it holds no text, so the page shows the secret in words
//! beside it for people who cannot scan it.
//!
//! Does not: decide what is encoded. Built with the `qrcode` crate (ISO/IEC 18004).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Smallest side of the drawing, in SVG user units (CSS pixels when unstyled).
const MIN_SIDE: u32 = 200;

/// The QR code of `uri` as an `<svg>` element (no XML declaration), black on white
/// with the quiet zone the standard asks for, scaled by its `viewBox`. Medium error
/// correction (15 %), enough for a screen. An empty string for text too long for any
/// QR code (thousands of characters; an `otpauth` URI is about 150).
pub fn qr_svg(uri: &str) -> String {
    let code = match QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M) {
        Ok(code) => code,
        Err(error) => {
            tracing::warn!(%error, length = uri.len(), "text too long for a QR code");
            return String::new();
        }
    };
    let drawing = code
        .render::<svg::Color<'_>>()
        .min_dimensions(MIN_SIDE, MIN_SIDE)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    let element = match drawing.find("<svg") {
        Some(start) => &drawing[start..],
        None => drawing.as_str(),
    };
    element.replacen("<svg ", "<svg role=\"img\" class=\"qr-code\" ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_otpauth_uri_becomes_an_inline_svg_element() {
        let svg = qr_svg("otpauth://totp/roost.example:alice@roost.example?secret=ABC234");
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains("<path"), "has dark modules");
        assert_ne!(qr_svg("a"), qr_svg("b"), "the drawing depends on the text");
    }

    #[test]
    fn text_too_long_for_a_qr_code_gives_nothing() {
        assert_eq!(qr_svg(&"x".repeat(10_000)), "");
    }
}
