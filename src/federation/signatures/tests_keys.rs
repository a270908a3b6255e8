//! Ed25519 keys, Multikey (FEP-521a) and how both schemes treat key types.

use axum::http::{HeaderMap, HeaderValue, Method};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use url::Url;

use super::multikey::{base58_decode, base58_encode};
use super::*;

/// RFC 9421 Appendix B.1.4, test-key-ed25519 (PKCS#8 v1, as `openssl genpkey` writes).
pub(super) const RFC_ED25519_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
";
pub(super) const RFC_ED25519_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----
";

/// RFC 9421 Appendix B.1.1, test-key-rsa (PKCS#1 both ways).
pub(super) const RFC_RSA_PUBLIC: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----
";
pub(super) const RFC_RSA_PRIVATE: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEqAIBAAKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsP
BRrwWEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsd
JKFqMGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75
jfZgkne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKI
lE0PuKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZ
SFlQPSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQABAoIBAG/JZuSWdoVHbi56
vjgCgkjg3lkO1KrO3nrdm6nrgA9P9qaPjxuKoWaKO1cBQlE1pSWp/cKncYgD5WxE
CpAnRUXG2pG4zdkzCYzAh1i+c34L6oZoHsirK6oNcEnHveydfzJL5934egm6p8DW
+m1RQ70yUt4uRc0YSor+q1LGJvGQHReF0WmJBZHrhz5e63Pq7lE0gIwuBqL8SMaA
yRXtK+JGxZpImTq+NHvEWWCu09SCq0r838ceQI55SvzmTkwqtC+8AT2zFviMZkKR
Qo6SPsrqItxZWRty2izawTF0Bf5S2VAx7O+6t3wBsQ1sLptoSgX3QblELY5asI0J
YFz7LJECgYkAsqeUJmqXE3LP8tYoIjMIAKiTm9o6psPlc8CrLI9CH0UbuaA2JCOM
cCNq8SyYbTqgnWlB9ZfcAm/cFpA8tYci9m5vYK8HNxQr+8FS3Qo8N9RJ8d0U5Csw
DzMYfRghAfUGwmlWj5hp1pQzAuhwbOXFtxKHVsMPhz1IBtF9Y8jvgqgYHLbmyiu1
mwJ5AL0pYF0G7x81prlARURwHo0Yf52kEw1dxpx+JXER7hQRWQki5/NsUEtv+8RT
qn2m6qte5DXLyn83b1qRscSdnCCwKtKWUug5q2ZbwVOCJCtmRwmnP131lWRYfj67
B/xJ1ZA6X3GEf4sNReNAtaucPEelgR2nsN0gKQKBiGoqHWbK1qYvBxX2X3kbPDkv
9C+celgZd2PW7aGYLCHq7nPbmfDV0yHcWjOhXZ8jRMjmANVR/eLQ2EfsRLdW69bn
f3ZD7JS1fwGnO3exGmHO3HZG+6AvberKYVYNHahNFEw5TsAcQWDLRpkGybBcxqZo
81YCqlqidwfeO5YtlO7etx1xLyqa2NsCeG9A86UjG+aeNnXEIDk1PDK+EuiThIUa
/2IxKzJKWl1BKr2d4xAfR0ZnEYuRrbeDQYgTImOlfW6/GuYIxKYgEKCFHFqJATAG
IxHrq1PDOiSwXd2GmVVYyEmhZnbcp8CxaEMQoevxAta0ssMK3w6UsDtvUvYvF22m
qQKBiD5GwESzsFPy3Ga0MvZpn3D6EJQLgsnrtUPZx+z2Ep2x0xc5orneB5fGyF1P
WtP+fG5Q6Dpdz3LRfm+KwBCWFKQjg7uTxcjerhBWEYPmEMKYwTJF5PBG9/ddvHLQ
EQeNC8fHGg4UXU8mhHnSBt3EA10qQJfRDs15M38eG2cYwB1PZpDHScDnDA0=
-----END RSA PRIVATE KEY-----
";

/// The base64 body of a one-block PEM, decoded.
pub(super) fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD.decode(body).expect("PEM body is base64")
}

#[test]
fn generated_ed25519_key_pairs_round_trip_through_pem_and_sign() {
    let pair = generate_ed25519_keypair().expect("generates");
    assert!(pair
        .private_pem
        .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let signing = SigningKey::from_pem(&pair.private_pem).expect("parses our private key");
    let verifying = VerifyingKey::from_pem(&pair.public_pem).expect("parses our public key");
    assert_eq!(signing.key_type(), KeyType::Ed25519);
    assert_eq!(verifying.key_type(), KeyType::Ed25519);
    assert_eq!(signing.public_key_pem().expect("exports"), pair.public_pem);
    let signature = signing.sign_bytes(b"message").expect("signs");
    assert_eq!(signature.len(), 64);
    assert!(verifying.verify_bytes(b"message", &signature));
    assert!(!verifying.verify_bytes(b"massage", &signature));
    let other = generate_ed25519_keypair().expect("generates");
    assert_ne!(other.private_pem, pair.private_pem);
}

#[test]
fn the_rfc_ed25519_test_key_reads_from_pkcs8_v1_and_spki() {
    let signing = SigningKey::from_pem(RFC_ED25519_PRIVATE).expect("PKCS#8 v1 Ed25519");
    assert_eq!(signing.key_type(), KeyType::Ed25519);
    assert_eq!(
        signing.public_key_pem().expect("exports"),
        RFC_ED25519_PUBLIC
    );
    let verifying = VerifyingKey::from_pem(RFC_ED25519_PUBLIC).expect("SPKI Ed25519");
    let signature = signing.sign_bytes(b"hello").expect("signs");
    assert!(verifying.verify_bytes(b"hello", &signature));
    // An Ed25519 public key in an `RSA PUBLIC KEY` block is refused.
    let mislabelled = RFC_ED25519_PUBLIC.replace("PUBLIC KEY", "RSA PUBLIC KEY");
    assert_eq!(
        VerifyingKey::from_pem(&mislabelled).err(),
        Some(KeyError::Rejected)
    );
}

#[test]
fn rsa_keys_still_say_rsa_and_the_rfc_rsa_key_reads() {
    let signing = SigningKey::from_pem(RFC_RSA_PRIVATE).expect("PKCS#1 RSA");
    assert_eq!(signing.key_type(), KeyType::Rsa);
    let verifying = VerifyingKey::from_pem(RFC_RSA_PUBLIC).expect("PKCS#1 RSA public");
    assert_eq!(verifying.key_type(), KeyType::Rsa);
    assert_eq!(verifying.public_key_multibase(), None);
    assert_eq!(KeyType::Rsa.rfc9421_algorithm(), "rsa-v1_5-sha256");
    assert_eq!(KeyType::Ed25519.rfc9421_algorithm(), "ed25519");
}

#[test]
fn ed25519_debug_output_shows_only_the_key_type() {
    let pair = generate_ed25519_keypair().expect("generates");
    let signing = SigningKey::from_pem(&pair.private_pem).expect("parses");
    let verifying = VerifyingKey::from_pem(&pair.public_pem).expect("parses");
    assert_eq!(
        format!("{signing:?}"),
        "SigningKey { type: \"ed25519\", .. }"
    );
    assert_eq!(
        format!("{verifying:?}"),
        "VerifyingKey { type: \"ed25519\", .. }"
    );
    assert_eq!(format!("{pair:?}"), "KeyPair { .. }");
}

#[test]
fn base58btc_matches_the_drafts_examples() {
    let cases: [(&[u8], &str); 4] = [
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (
            b"The quick brown fox jumps over the lazy dog.",
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
        ),
        (&[0x00, 0x00, 0x28, 0x7f, 0xb4, 0xcd], "11233QC4"),
        (&[], ""),
    ];
    for (bytes, text) in cases {
        assert_eq!(base58_encode(bytes), text);
        assert_eq!(base58_decode(text).as_deref(), Some(bytes));
    }
    assert_eq!(base58_decode("0OIl"), None);
}

#[test]
fn the_rfc_ed25519_key_is_published_as_a_z6mk_multikey_and_read_back() {
    let key = VerifyingKey::from_pem(RFC_ED25519_PUBLIC).expect("parses");
    let multibase = key.public_key_multibase().expect("Ed25519 has a Multikey");
    // Computed independently: "z" + base58btc(0xed 0x01 ‖ the key's 32 bytes).
    assert_eq!(
        multibase,
        "z6Mkh4LmfP1ev9MNPGr7JbEbtD6BD4fsu1duEj83PMCs3xHG"
    );
    let read = VerifyingKey::from_multibase(&multibase).expect("reads back");
    assert_eq!(read.key_type(), KeyType::Ed25519);
    let signing = SigningKey::from_pem(RFC_ED25519_PRIVATE).expect("parses");
    let signature = signing.sign_bytes(b"hello").expect("signs");
    assert!(read.verify_bytes(b"hello", &signature));
    // FEP-521a's example key decodes as Ed25519 too.
    let example = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    let example = VerifyingKey::from_multibase(example).expect("FEP-521a example");
    assert_eq!(
        example.public_key_multibase().as_deref(),
        Some("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
    );
}

#[test]
fn an_rsa_multikey_reads_as_the_rsa_key() {
    let mut bytes = vec![0x85, 0x24];
    bytes.extend(pem_der(RFC_RSA_PUBLIC));
    let multibase = format!("z{}", base58_encode(&bytes));
    let key = VerifyingKey::from_multibase(&multibase).expect("RSA Multikey");
    assert_eq!(key.key_type(), KeyType::Rsa);
    assert_eq!(format!("{key:?}"), "VerifyingKey { bits: 2048, .. }");
    let signing = SigningKey::from_pem(RFC_RSA_PRIVATE).expect("parses");
    let signature = signing.sign_bytes(b"hello").expect("signs");
    assert!(key.verify_bytes(b"hello", &signature));
}

#[test]
fn malformed_multikeys_are_refused_with_reasons() {
    let invalid = |value: &str| VerifyingKey::from_multibase(value).err();
    let ed25519 = |raw: &[u8]| {
        let mut bytes = vec![0xed, 0x01];
        bytes.extend_from_slice(raw);
        format!("z{}", base58_encode(&bytes))
    };
    assert!(matches!(
        invalid("u7QE"),
        Some(KeyError::InvalidMultikey(_))
    ));
    assert!(matches!(
        invalid("z0OIl"),
        Some(KeyError::InvalidMultikey(_))
    ));
    assert!(matches!(invalid("z"), Some(KeyError::InvalidMultikey(_))));
    assert!(matches!(
        invalid(&ed25519(&[7; 31])),
        Some(KeyError::InvalidMultikey(_))
    ));
    let secp256k1 = format!("z{}", base58_encode(&[0xe7, 0x01, 2, 3, 4]));
    assert_eq!(
        invalid(&secp256k1),
        Some(KeyError::InvalidMultikey("unsupported key type"))
    );
    let huge = format!("z{}", "2".repeat(5000));
    assert_eq!(invalid(&huge), Some(KeyError::InvalidMultikey("too long")));
    let rsa_garbage = format!("z{}", base58_encode(&[0x85, 0x24, 1, 2, 3]));
    assert_eq!(invalid(&rsa_garbage), Some(KeyError::Rejected));
}

#[test]
fn draft_cavage_signs_with_rsa_only_and_refuses_rsa_sha256_for_ed25519_keys() {
    let ed25519 = SigningKey::from_pem(RFC_ED25519_PRIVATE).expect("parses");
    let url = Url::parse("https://roost.example/inbox").expect("url");
    let now = Utc
        .with_ymd_and_hms(2026, 3, 14, 15, 9, 26)
        .single()
        .expect("date");
    let key_id = "https://origin.example/users/alice#ed25519-key";
    assert_eq!(
        sign(&Method::GET, &url, None, key_id, &ed25519, now),
        Err(SigningError::KeyNotRsa)
    );
    // A cavage signature made with the Ed25519 key: accepted as hs2019, refused as rsa-sha256.
    let date = "Sat, 14 Mar 2026 15:09:26 GMT";
    let string = format!("(request-target): get /a\nhost: roost.example\ndate: {date}");
    let signature = STANDARD.encode(ed25519.sign_bytes(string.as_bytes()).expect("signs"));
    let public = VerifyingKey::from_pem(RFC_ED25519_PUBLIC).expect("parses");
    for (algorithm, expected) in [
        ("hs2019", Ok(())),
        (
            "rsa-sha256",
            Err(SignatureError::KeyAlgorithmMismatch("rsa-sha256".into())),
        ),
    ] {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("roost.example"));
        headers.insert("date", HeaderValue::from_static(date));
        let value = format!(
            "keyId=\"{key_id}\",algorithm=\"{algorithm}\",headers=\"(request-target) host date\",signature=\"{signature}\""
        );
        headers.insert("signature", HeaderValue::from_str(&value).expect("value"));
        let result = verify(
            &Method::GET,
            "/a",
            &headers,
            b"",
            &public,
            now,
            &Policy::default(),
        );
        assert_eq!(result, expected, "{algorithm}");
    }
}

#[test]
fn a_cavage_expires_at_the_end_of_time_does_not_panic() {
    let key = SigningKey::from_pem(RFC_RSA_PRIVATE).expect("parses");
    let public = VerifyingKey::from_pem(RFC_RSA_PUBLIC).expect("parses");
    let now = Utc
        .with_ymd_and_hms(2026, 3, 14, 15, 9, 26)
        .single()
        .expect("date");
    let created = now.timestamp();
    // The last second chrono can represent: adding the skew to it overflows.
    let expires = chrono::DateTime::<Utc>::MAX_UTC.timestamp();
    let string = format!(
        "(request-target): get /a\nhost: roost.example\n(created): {created}\n(expires): {expires}"
    );
    let signature = STANDARD.encode(key.sign_bytes(string.as_bytes()).expect("signs"));
    let value = format!(
        "keyId=\"k\",algorithm=\"hs2019\",created={created},expires={expires},headers=\"(request-target) host (created) (expires)\",signature=\"{signature}\""
    );
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("roost.example"));
    headers.insert("signature", HeaderValue::from_str(&value).expect("value"));
    let result = verify(
        &Method::GET,
        "/a",
        &headers,
        b"",
        &public,
        now,
        &Policy::default(),
    );
    assert_eq!(result, Ok(()));
}
