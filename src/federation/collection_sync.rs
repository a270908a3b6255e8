//! The `Collection-Synchronization` header of follower synchronisation (FEP-8fcf, as
//! Mastodon sends it): its three parameters, written and read, and the digest of a
//! partial followers collection it carries. Pure: no database, no I/O.
//!
//! A server delivering an activity addressed to an actor's followers adds
//! `collectionId="<followers>", url="<partial collection>", digest="<hex>"`, where the
//! digest covers only the followers on the receiving server. The receiver computes the
//! same digest over the follows it knows of; when they differ it fetches `url` (a
//! signed GET answered with the followers on the signer's server) and reconciles.
//!
//! Spec: <https://w3id.org/fep/8fcf>,
//! <https://docs.joinmastodon.org/spec/activitypub/#follower-synchronization-mechanism>.

use sha2::{Digest as _, Sha256};
use url::Url;

/// The header's name (lowercase, as signed).
pub const HEADER: &str = "collection-synchronization";

/// Longest header value read (three URLs and 64 hex digits fit many times over).
const MAX_HEADER_BYTES: usize = 2048;

/// The parameters of one `Collection-Synchronization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSynchronization {
    /// The followers collection the digest is about (the sender's `followers`).
    pub collection_id: Url,
    /// Where the partial collection (followers on the receiver's server) is served.
    pub url: Url,
    /// [`digest`] of the partial collection: 64 lowercase hex digits.
    pub digest: String,
}

impl CollectionSynchronization {
    /// The header value: `collectionId="…", digest="…", url="…"` (Mastodon's order).
    pub fn to_header(&self) -> String {
        format!(
            "collectionId=\"{}\", digest=\"{}\", url=\"{}\"",
            self.collection_id, self.digest, self.url
        )
    }

    /// Reads a header value; `None` when it is too long, malformed, lacks a parameter,
    /// names something that is not an http(s) URL, or the digest is not 64 hex digits.
    /// Unknown parameters are ignored.
    pub fn parse(value: &str) -> Option<Self> {
        if value.len() > MAX_HEADER_BYTES {
            return None;
        }
        let params = crate::federation::signatures::parse_parameters(value).ok()?;
        let url = |name: &str| {
            let url = Url::parse(params.get(name)?).ok()?;
            matches!(url.scheme(), "https" | "http").then_some(url)
        };
        let digest = params.get("digest")?.to_ascii_lowercase();
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(CollectionSynchronization {
            collection_id: url("collectionId")?,
            url: url("url")?,
            digest,
        })
    }
}

/// The partial followers collection digest: the bytewise XOR of the SHA-256 of each
/// (distinct) follower id, as 64 lowercase hex digits; 64 zeros for no follower. XOR
/// makes it independent of order, so both sides agree whatever order they list in.
pub fn digest<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut result = [0u8; 32];
    for id in ids {
        if !seen.insert(id) {
            continue;
        }
        for (byte, hashed) in result.iter_mut().zip(Sha256::digest(id.as_bytes())) {
            *byte ^= hashed;
        }
    }
    hex(&result)
}

/// The digest PostgreSQL computed as a `bit(256)` written in binary (`bit_xor` of the
/// ids' `sha256`, see `db::follower_sync`), as 64 hex digits; `None` (no follower)
/// is 64 zeros. `None` for text that is not 256 binary digits.
pub fn digest_from_bits(bits: Option<&str>) -> Option<String> {
    let Some(bits) = bits else {
        return Some("0".repeat(64));
    };
    if bits.len() != 256 || !bits.bytes().all(|b| b == b'0' || b == b'1') {
        return None;
    }
    let bytes: Vec<u8> = bits
        .as_bytes()
        .chunks(8)
        .map(|octet| {
            octet
                .iter()
                .fold(0u8, |byte, bit| (byte << 1) | (bit - b'0'))
        })
        .collect();
    Some(hex(&bytes))
}

/// The origin prefix ids of accounts on `url`'s server start with:
/// `scheme://host[:port]/` (Mastodon's `URL_PREFIX_RE` plus the slash).
pub fn origin_prefix(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{}://{host}:{port}/", url.scheme()),
        None => format!("{}://{host}/", url.scheme()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "https://a.example/users/alice";
    const B: &str = "https://a.example/users/bob";

    #[test]
    fn the_digest_of_one_id_is_its_sha256_and_of_none_is_zero() {
        // sha256("https://a.example/users/alice"), computed independently
        // (`printf %s https://a.example/users/alice | sha256sum`).
        assert_eq!(
            digest([A]),
            "2824c343b9958641c39441220d07197a41ffe0c22bc82ab7ccc19fa90d9671a3"
        );
        assert_eq!(digest([]), "0".repeat(64));
    }

    #[test]
    fn the_digest_ignores_order_and_repeats_and_two_equal_ids_do_not_cancel() {
        assert_eq!(digest([A, B]), digest([B, A]));
        assert_eq!(digest([A, B, A]), digest([A, B]));
        assert_ne!(digest([A, B]), digest([A]));
    }

    #[test]
    fn postgres_bits_read_as_the_same_hex() {
        // sha256('a') and sha256('b') XORed, as `bit_xor(...)::text` prints it.
        let bits = "1111010010110100011010010000010011001010001000101110010010000000\
                    1100100101001011011111101101011011111110110000100110110101111001\
                    0010110000111011100101011111100010011100101010000110001000111000\
                    0111001011110011100110010010101101111010011100100100100000100110";
        assert_eq!(digest_from_bits(Some(bits)), Some(digest(["a", "b"])));
        assert_eq!(digest_from_bits(None), Some("0".repeat(64)));
        assert_eq!(digest_from_bits(Some("0101")), None);
    }

    #[test]
    fn a_header_reads_back_what_was_written() {
        let header = CollectionSynchronization {
            collection_id: Url::parse("https://a.example/users/alice/followers").expect("url"),
            url: Url::parse("https://a.example/users/alice/followers_synchronization")
                .expect("url"),
            digest: digest([B]),
        };
        assert_eq!(
            CollectionSynchronization::parse(&header.to_header()),
            Some(header)
        );
    }

    #[test]
    fn mastodons_header_is_read_and_bad_ones_are_not() {
        let mastodon = "collectionId=\"https://m.example/users/x/followers\", \
                        digest=\"B08AB6A9AE9B0B5FEF1B5E5D2B6D5E2A9B8E1C9A5F4D3C2B1A0F9E8D7C6B5A49\", \
                        url=\"https://m.example/users/x/followers_synchronization\"";
        let read = CollectionSynchronization::parse(mastodon).expect("Mastodon's header");
        assert!(read.digest.starts_with("b08ab6"));
        assert_eq!(read.url.path(), "/users/x/followers_synchronization");
        for bad in [
            "collectionId=\"https://m.example/f\", url=\"https://m.example/s\"",
            "collectionId=\"https://m.example/f\", url=\"https://m.example/s\", digest=\"abc\"",
            "collectionId=\"ftp://m.example/f\", url=\"https://m.example/s\", digest=\"00\"",
            "not a header",
        ] {
            assert_eq!(CollectionSynchronization::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_origin_prefix_keeps_a_port() {
        let url = |text: &str| Url::parse(text).expect("url");
        assert_eq!(
            origin_prefix(&url("https://m.example/inbox")).as_deref(),
            Some("https://m.example/")
        );
        assert_eq!(
            origin_prefix(&url("http://127.0.0.1:4000/users/a/inbox")).as_deref(),
            Some("http://127.0.0.1:4000/")
        );
    }
}
