//! RFC 9421 as federation uses it: signing and verifying round trips with RSA and
//! Ed25519, tampering, the required components, the time window and hostile input.

use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use url::Url;

use super::rfc9421::signature_base;
use super::structured::{parse_dictionary, Member};
use super::tests_keys::{RFC_ED25519_PRIVATE, RFC_ED25519_PUBLIC, RFC_RSA_PRIVATE, RFC_RSA_PUBLIC};
use super::*;

const KEY_ID: &str = "https://origin.example/users/alice#main-key";
const INBOX: &str = "https://roost.example/users/bob/inbox";
const BODY: &[u8] = br#"{"type":"Follow","actor":"https://origin.example/users/alice"}"#;
const DATE: &str = "Sat, 14 Mar 2026 15:09:26 GMT";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 15, 9, 26)
        .single()
        .expect("valid date")
}

/// The RFC's RSA and Ed25519 test keys, parsed once.
fn keys() -> &'static [(SigningKey, VerifyingKey); 2] {
    static KEYS: OnceLock<[(SigningKey, VerifyingKey); 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let pair = |private: &str, public: &str| {
            (
                SigningKey::from_pem(private).expect("private key"),
                VerifyingKey::from_pem(public).expect("public key"),
            )
        };
        [
            pair(RFC_RSA_PRIVATE, RFC_RSA_PUBLIC),
            pair(RFC_ED25519_PRIVATE, RFC_ED25519_PUBLIC),
        ]
    })
}

fn header_map<'n, 'v>(pairs: impl IntoIterator<Item = (&'n str, &'v str)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("header name");
        map.append(name, HeaderValue::from_str(value).expect("header value"));
    }
    map
}

/// A request to `url` signed with `key` at `created`, as a receiver sees its headers.
fn signed(
    method: &Method,
    url: &str,
    body: Option<&[u8]>,
    key: &SigningKey,
    created: DateTime<Utc>,
) -> HeaderMap {
    let url = Url::parse(url).expect("url");
    let signed =
        sign_message(method, &url, &[("date", DATE)], body, KEY_ID, key, created).expect("signs");
    let mut headers = header_map(signed.iter());
    headers.insert("host", HeaderValue::from_static("roost.example"));
    headers.insert("date", HeaderValue::from_static(DATE));
    headers
}

/// Verifies `headers` as received at `method` + `path_and_query` on roost.example.
fn check(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    key: &VerifyingKey,
) -> Result<VerifiedSignature, SignatureError> {
    check_at(method, path_and_query, headers, body, key, now())
}

fn check_at(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    key: &VerifyingKey,
    now: DateTime<Utc>,
) -> Result<VerifiedSignature, SignatureError> {
    let target = RequestTarget::from_parts("https", "roost.example", path_and_query);
    let request = MessageRequest {
        method,
        target: &target,
        headers,
        body,
    };
    let signatures = parse_message_signatures(headers)?;
    verify_message_signatures(
        &request,
        &signatures,
        |_| Some(key),
        now,
        &Policy::default(),
    )
}

fn verified() -> Result<VerifiedSignature, SignatureError> {
    Ok(VerifiedSignature {
        label: "sig1".into(),
        key_id: KEY_ID.into(),
    })
}

/// A request to `/inbox?x=1` on roost.example with a hand-made `Signature-Input`
/// member value (`("@method" …);created=…`), correctly signed by the RSA test key, for
/// cases `sign_message` never produces.
fn hand_signed(method: &Method, input: &str, extra: &[(&str, &str)]) -> HeaderMap {
    let mut headers = header_map(extra.iter().copied());
    headers.insert("host", HeaderValue::from_static("roost.example"));
    let dictionary = parse_dictionary(&format!("sig1={input}")).expect("parses");
    let Some((_, Member::InnerList(list))) = dictionary.into_iter().next() else {
        panic!("not an inner list");
    };
    let target = RequestTarget::from_parts("https", "roost.example", "/inbox?x=1");
    let base = signature_base(method, &target, &headers, &list).expect("base");
    let signature = keys()[0].0.sign_bytes(&base).expect("signs");
    headers.insert(
        "signature-input",
        HeaderValue::from_str(&format!("sig1={input}")).expect("value"),
    );
    let signature = format!("sig1=:{}:", STANDARD.encode(signature));
    headers.insert(
        "signature",
        HeaderValue::from_str(&signature).expect("value"),
    );
    headers
}

fn check_hand_signed(
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<VerifiedSignature, SignatureError> {
    check(method, "/inbox?x=1", headers, body, &keys()[0].1)
}

#[test]
fn a_post_signed_with_each_key_type_verifies() {
    for (signing, verifying) in keys() {
        let headers = signed(&Method::POST, INBOX, Some(BODY), signing, now());
        assert_eq!(
            check(&Method::POST, "/users/bob/inbox", &headers, BODY, verifying),
            verified()
        );
        let algorithm = signing.key_type().rfc9421_algorithm();
        let created = now().timestamp();
        assert_eq!(
            headers["signature-input"],
            format!(r#"sig1=("@method" "@target-uri" "@authority" "date" "content-digest");created={created};keyid="{KEY_ID}";alg="{algorithm}""#).as_str()
        );
        assert_eq!(headers["content-digest"], content_digest(BODY).as_str());
        let signature = headers["signature"].to_str().expect("ascii");
        assert!(
            signature.starts_with("sig1=:") && signature.ends_with(':'),
            "{signature}"
        );
    }
}

#[test]
fn signing_is_deterministic_for_both_key_types() {
    for (signing, _) in keys() {
        let first = signed(&Method::POST, INBOX, Some(BODY), signing, now());
        let second = signed(&Method::POST, INBOX, Some(BODY), signing, now());
        assert_eq!(first["signature"], second["signature"]);
    }
}

#[test]
fn a_get_with_a_query_and_a_port_verifies_without_a_digest() {
    let (signing, verifying) = &keys()[1];
    let url = Url::parse("https://roost.example:8443/users/bob/outbox?page=2").expect("url");
    let signed =
        sign_message(&Method::GET, &url, &[], None, KEY_ID, signing, now()).expect("signs");
    assert_eq!(signed.content_digest, None);
    assert!(signed
        .signature_input
        .starts_with(r#"sig1=("@method" "@target-uri" "@authority");"#));
    let headers = header_map(signed.iter());
    let target =
        RequestTarget::from_parts("https", "roost.example:8443", "/users/bob/outbox?page=2");
    let request = MessageRequest {
        method: &Method::GET,
        target: &target,
        headers: &headers,
        body: b"",
    };
    let signatures = parse_message_signatures(&headers).expect("parses");
    assert_eq!(
        verify_message(
            &request,
            &signatures[0],
            verifying,
            now(),
            &Policy::default()
        ),
        Ok(())
    );
}

#[test]
fn tampering_with_method_path_query_authority_header_or_body_fails() {
    for (signing, verifying) in keys() {
        let headers = signed(
            &Method::POST,
            "https://roost.example/inbox?x=1",
            Some(BODY),
            signing,
            now(),
        );
        let check = |method: &Method, target: &str, headers: &HeaderMap, body: &[u8]| {
            check(method, target, headers, body, verifying)
        };
        assert_eq!(
            check(&Method::POST, "/inbox?x=1", &headers, BODY),
            verified()
        );
        let bad = Err(SignatureError::BadSignature);
        assert_eq!(check(&Method::PUT, "/inbox?x=1", &headers, BODY), bad);
        assert_eq!(check(&Method::POST, "/other?x=1", &headers, BODY), bad);
        assert_eq!(check(&Method::POST, "/inbox?x=2", &headers, BODY), bad);
        assert_eq!(check(&Method::POST, "/inbox", &headers, BODY), bad);
        assert_eq!(
            check(&Method::POST, "/inbox?x=1", &headers, b"{}"),
            Err(SignatureError::DigestMismatch)
        );
        let mut other_host = headers.clone();
        other_host.insert("host", HeaderValue::from_static("evil.example"));
        let target = RequestTarget::from_parts("https", "evil.example", "/inbox?x=1");
        let request = MessageRequest {
            method: &Method::POST,
            target: &target,
            headers: &other_host,
            body: BODY,
        };
        let signatures = parse_message_signatures(&other_host).expect("parses");
        let result = verify_message(
            &request,
            &signatures[0],
            verifying,
            now(),
            &Policy::default(),
        );
        assert_eq!(result, Err(SignatureError::BadSignature));
        let mut other_date = headers.clone();
        other_date.insert(
            "date",
            HeaderValue::from_static("Sun, 15 Mar 2026 15:09:26 GMT"),
        );
        assert_eq!(check(&Method::POST, "/inbox?x=1", &other_date, BODY), bad);
        // A new body with its own, matching digest: the digest is signed.
        let mut new_digest = headers.clone();
        new_digest.insert(
            "content-digest",
            HeaderValue::from_str(&content_digest(b"{}")).expect("value"),
        );
        assert_eq!(check(&Method::POST, "/inbox?x=1", &new_digest, b"{}"), bad);
        let value = headers["signature"].to_str().expect("ascii");
        let encoded = value.trim_start_matches("sig1=:").trim_end_matches(':');
        let mut bytes = STANDARD.decode(encoded).expect("base64");
        bytes[0] ^= 1;
        let mut flipped = headers.clone();
        let value = format!("sig1=:{}:", STANDARD.encode(bytes));
        flipped.insert("signature", HeaderValue::from_str(&value).expect("value"));
        assert_eq!(check(&Method::POST, "/inbox?x=1", &flipped, BODY), bad);
    }
}

#[test]
fn a_signature_from_the_other_key_type_or_a_mismatched_alg_fails() {
    let [(rsa, _), (_, ed25519_public)] = keys();
    let headers = signed(&Method::POST, INBOX, Some(BODY), rsa, now());
    assert_eq!(
        check(
            &Method::POST,
            "/users/bob/inbox",
            &headers,
            BODY,
            ed25519_public
        ),
        Err(SignatureError::KeyAlgorithmMismatch(
            "rsa-v1_5-sha256".into()
        ))
    );
    let other_rsa = generate_rsa_keypair().expect("generates");
    let other_rsa = VerifyingKey::from_pem(&other_rsa.public_pem).expect("parses");
    assert_eq!(
        check(
            &Method::POST,
            "/users/bob/inbox",
            &headers,
            BODY,
            &other_rsa
        ),
        Err(SignatureError::BadSignature)
    );
    let created = now().timestamp();
    let pss = hand_signed(
        &Method::GET,
        &format!(r#"("@method" "@target-uri");created={created};keyid="k";alg="rsa-pss-sha512""#),
        &[],
    );
    assert_eq!(
        check_hand_signed(&Method::GET, &pss, b""),
        Err(SignatureError::UnsupportedAlgorithm(
            "rsa-pss-sha512".into()
        ))
    );
    let no_alg = hand_signed(
        &Method::GET,
        &format!(r#"("@method" "@target-uri");created={created};keyid="k""#),
        &[],
    );
    assert!(check_hand_signed(&Method::GET, &no_alg, b"").is_ok());
}

#[test]
fn the_method_the_target_and_the_digest_must_be_covered() {
    let created = now().timestamp();
    let missing = |input: &str, method: &Method, body: &[u8], extra: &[(&str, &str)]| {
        let headers = hand_signed(
            method,
            &format!("{input};created={created};keyid=\"k\""),
            extra,
        );
        check_hand_signed(method, &headers, body)
    };
    let required = SignatureError::RequiredHeaderNotSigned;
    assert_eq!(
        missing(r#"("@target-uri")"#, &Method::GET, b"", &[]),
        Err(required("@method"))
    );
    assert_eq!(
        missing(r#"("@method")"#, &Method::GET, b"", &[]),
        Err(required("@target-uri or @authority"))
    );
    assert_eq!(
        missing(r#"("@method" "@authority")"#, &Method::GET, b"", &[]),
        Err(required("@target-uri or @path"))
    );
    assert_eq!(
        missing(
            r#"("@method" "@authority" "@path")"#,
            &Method::GET,
            b"",
            &[]
        ),
        Err(required("@query"))
    );
    assert!(missing(
        r#"("@method" "@authority" "@path" "@query")"#,
        &Method::GET,
        b"",
        &[]
    )
    .is_ok());
    assert!(missing(
        r#"("@method" "@authority" "@request-target")"#,
        &Method::GET,
        b"",
        &[]
    )
    .is_ok());
    let digest = content_digest(BODY);
    assert_eq!(
        missing(r#"("@method" "@target-uri")"#, &Method::POST, BODY, &[]),
        Err(required("content-digest"))
    );
    assert_eq!(
        missing(r#"("@method" "@target-uri")"#, &Method::POST, b"", &[]),
        Err(required("content-digest"))
    );
    let with_digest = [("content-digest", digest.as_str())];
    assert!(missing(
        r#"("@method" "@target-uri" "content-digest")"#,
        &Method::POST,
        BODY,
        &with_digest
    )
    .is_ok());
}

#[test]
fn created_must_be_present_and_fresh_and_expires_not_passed() {
    let (signing, verifying) = &keys()[1];
    let at = |delta: TimeDelta| signed(&Method::GET, INBOX, None, signing, now() + delta);
    let check =
        |headers: &HeaderMap| check(&Method::GET, "/users/bob/inbox", headers, b"", verifying);
    let stale = check(&at(-DEFAULT_MAX_AGE - TimeDelta::seconds(1)));
    assert!(
        matches!(stale, Err(SignatureError::Expired { .. })),
        "{stale:?}"
    );
    let future = check(&at(TimeDelta::hours(1) + TimeDelta::seconds(1)));
    assert!(
        matches!(future, Err(SignatureError::FromTheFuture { .. })),
        "{future:?}"
    );
    assert_eq!(check(&at(-DEFAULT_MAX_AGE)), verified());
    assert_eq!(check(&at(TimeDelta::hours(1))), verified());
    let strict = Policy {
        max_age: TimeDelta::minutes(5),
        ..Policy::default()
    };
    let headers = at(-TimeDelta::minutes(6));
    let target = RequestTarget::from_parts("https", "roost.example", "/users/bob/inbox");
    let request = MessageRequest {
        method: &Method::GET,
        target: &target,
        headers: &headers,
        body: b"",
    };
    let signatures = parse_message_signatures(&headers).expect("parses");
    let result = verify_message(&request, &signatures[0], verifying, now(), &strict);
    assert!(
        matches!(result, Err(SignatureError::Expired { .. })),
        "{result:?}"
    );

    let input = |params: &str| {
        hand_signed(
            &Method::GET,
            &format!(r#"("@method" "@target-uri"){params};keyid="k""#),
            &[],
        )
    };
    let created = now().timestamp();
    assert_eq!(
        check_hand_signed(&Method::GET, &input(""), b""),
        Err(SignatureError::MissingParameter("created"))
    );
    let expired = (now() - TimeDelta::hours(1) - TimeDelta::seconds(1)).timestamp();
    let result = check_hand_signed(
        &Method::GET,
        &input(&format!(";created={created};expires={expired}")),
        b"",
    );
    assert!(
        matches!(result, Err(SignatureError::Expired { .. })),
        "{result:?}"
    );
    let later = (now() + TimeDelta::minutes(5)).timestamp();
    assert!(check_hand_signed(
        &Method::GET,
        &input(&format!(";created={created};expires={later}")),
        b""
    )
    .is_ok());
    // The end of time neither panics nor passes for stale.
    let end = DateTime::<Utc>::MAX_UTC.timestamp();
    assert!(check_hand_signed(
        &Method::GET,
        &input(&format!(";created={created};expires={end}")),
        b""
    )
    .is_ok());
    assert_eq!(
        check_hand_signed(&Method::GET, &input(";created=999999999999999"), b""),
        Err(SignatureError::InvalidParameter("created"))
    );
}

#[test]
fn the_first_signature_with_a_known_key_that_verifies_is_reported() {
    let (signing, verifying) = &keys()[1];
    let headers = signed(&Method::GET, INBOX, None, signing, now());
    let input = headers["signature-input"]
        .to_str()
        .expect("ascii")
        .replacen("sig1=", "sig2=", 1);
    let signature = headers["signature"]
        .to_str()
        .expect("ascii")
        .replacen("sig1=", "sig2=", 1);
    let unknown = r#"sig1=("@method" "@target-uri");created=1;keyid="https://unknown.example/key""#;
    let two = header_map([
        ("host", "roost.example"),
        ("date", DATE),
        ("signature-input", unknown),
        ("signature-input", input.as_str()),
        ("signature", "sig1=:AAAA:"),
        ("signature", signature.as_str()),
    ]);
    let target = RequestTarget::from_parts("https", "roost.example", "/users/bob/inbox");
    let request = MessageRequest {
        method: &Method::GET,
        target: &target,
        headers: &two,
        body: b"",
    };
    let signatures = parse_message_signatures(&two).expect("parses");
    assert_eq!(signatures.len(), 2);
    let known = |signature: &MessageSignature| (signature.key_id == KEY_ID).then_some(verifying);
    let result = verify_message_signatures(&request, &signatures, known, now(), &Policy::default());
    assert_eq!(
        result,
        Ok(VerifiedSignature {
            label: "sig2".into(),
            key_id: KEY_ID.into()
        })
    );
    let nobody =
        verify_message_signatures(&request, &signatures, |_| None, now(), &Policy::default());
    assert_eq!(nobody, Err(SignatureError::NoKnownKey));
    let everyone = verify_message_signatures(
        &request,
        &signatures,
        |_| Some(verifying),
        now(),
        &Policy::default(),
    );
    assert!(everyone.is_ok());
    let first_fails = verify_message_signatures(
        &request,
        &signatures[..1],
        |_| Some(verifying),
        now(),
        &Policy::default(),
    );
    assert!(
        matches!(first_fails, Err(SignatureError::Expired { .. })),
        "{first_fails:?}"
    );
}

#[test]
fn malformed_and_oversized_signature_fields_get_errors() {
    let parse = |input: &str, signature: &str| {
        parse_message_signatures(&header_map([
            ("signature-input", input),
            ("signature", signature),
        ]))
    };
    let good_input = r#"sig1=("@method" "@target-uri");created=1;keyid="k""#;
    let malformed = |result: Result<Vec<MessageSignature>, SignatureError>| {
        matches!(result, Err(SignatureError::MalformedHeader(_)))
    };
    assert_eq!(
        parse_message_signatures(&HeaderMap::new()),
        Err(SignatureError::NotSigned)
    );
    assert_eq!(
        parse_message_signatures(&header_map([("signature-input", good_input)])),
        Err(SignatureError::MissingHeader("signature".into()))
    );
    assert!(parse(good_input, "sig1=:AAAA:").is_ok());
    assert!(
        malformed(parse(good_input, "sig2=:AAAA:")),
        "label without a signature"
    );
    assert!(
        malformed(parse(good_input, "sig1=AAAA")),
        "token instead of bytes"
    );
    assert!(
        malformed(parse(good_input, r#"keyId="a",signature="AAAA""#)),
        "a cavage header"
    );
    assert!(
        malformed(parse(r#"sig1="@method""#, "sig1=:AAAA:")),
        "not an inner list"
    );
    assert!(
        malformed(parse(r#"sig1=(@method);keyid="k""#, "sig1=:AAAA:")),
        "token component"
    );
    assert!(
        malformed(parse(r#"sig1=("@method";keyid="k""#, "sig1=:AAAA:")),
        "unterminated list"
    );
    assert!(
        malformed(parse(r#"sig1=("a\x");keyid="k""#, "sig1=:AAAA:")),
        "bad escape"
    );
    assert!(
        malformed(parse(&format!("{good_input}, {good_input}"), "sig1=:AAAA:")),
        "duplicate label"
    );
    assert!(
        malformed(parse(r#"sig1=();keyid="k";keyid="j""#, "sig1=:AAAA:")),
        "duplicate parameter"
    );
    assert!(malformed(parse("", "sig1=:AAAA:")), "empty");
    assert_eq!(
        parse(r#"sig1=("@method");created=1"#, "sig1=:AAAA:"),
        Err(SignatureError::MissingParameter("keyid"))
    );
    assert!(
        malformed(parse(r#"sig1=();keyid=k"#, "sig1=:AAAA:")),
        "token keyid"
    );
    assert_eq!(
        parse(r#"sig1=();keyid="k";created="now""#, "sig1=:AAAA:"),
        Err(SignatureError::InvalidParameter("created"))
    );
    assert_eq!(
        parse(r#"sig1=();keyid="k";expires=1.5"#, "sig1=:AAAA:"),
        Err(SignatureError::InvalidParameter("expires"))
    );
    let labels: Vec<String> = (1..=5).map(|n| format!(r#"s{n}=();keyid="k""#)).collect();
    let signatures: Vec<String> = (1..=5).map(|n| format!("s{n}=:AAAA:")).collect();
    assert_eq!(
        parse(&labels.join(", "), &signatures.join(", ")),
        Err(SignatureError::MalformedHeader("too many signatures"))
    );
    let components: Vec<String> = (0..33).map(|n| format!("\"x-{n}\"")).collect();
    assert!(
        malformed(parse(
            &format!(r#"sig1=({});keyid="k""#, components.join(" ")),
            "sig1=:AAAA:"
        )),
        "too many components"
    );
    let long = format!(r#"sig1=();keyid="{}""#, "k".repeat(9000));
    assert!(malformed(parse(&long, "sig1=:AAAA:")), "oversized field");
    let parsed = parse(r#"sig1=("@method" "@target-uri");created=1;expires=2;keyid="k";alg="ed25519";nonce="n";tag="t";x=?1"#, "sig1=:AAAA:").expect("parses");
    let parsed = &parsed[0];
    assert_eq!(
        (
            parsed.expires,
            parsed.nonce.as_deref(),
            parsed.tag.as_deref()
        ),
        (Some(2), Some("n"), Some("t"))
    );
    assert_eq!(parsed.algorithm.as_deref(), Some("ed25519"));
    assert_eq!(parsed.components, ["@method", "@target-uri"]);
    assert_eq!(parsed.signature, [0, 0, 0]);
}

#[test]
fn arbitrary_bytes_in_signature_fields_never_panic() {
    // A fixed linear congruential generator: the same inputs on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let alphabet = br#"sig1=():;,"\ @-abcxyz0189?*.+/AZ	"#;
    for length in 0..2000 {
        let mut text = String::new();
        for _ in 0..(length % 97) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push(char::from(
                alphabet[(state >> 33) as usize % alphabet.len()],
            ));
        }
        let Ok(value) = HeaderValue::from_str(&text) else {
            continue;
        };
        let mut headers = HeaderMap::new();
        headers.insert("signature-input", value.clone());
        headers.insert("signature", value.clone());
        headers.insert("content-digest", value);
        if parse_message_signatures(&headers).is_ok() {
            let _ = check_at(
                &Method::POST,
                "/inbox?q",
                &headers,
                b"x",
                &keys()[1].1,
                now(),
            );
        }
        let _ = verify_content_digest(&headers, b"x");
    }
}

#[test]
fn headers_that_cannot_be_covered_or_key_ids_that_cannot_be_quoted_are_not_signed() {
    let (signing, _) = &keys()[1];
    let url = Url::parse(INBOX).expect("url");
    let sign = |headers: &[(&str, &str)], key_id: &str| {
        sign_message(
            &Method::POST,
            &url,
            headers,
            Some(BODY),
            key_id,
            signing,
            now(),
        )
    };
    assert_eq!(sign(&[], "bad\"id"), Err(SigningError::InvalidKeyId));
    assert_eq!(sign(&[], ""), Err(SigningError::InvalidKeyId));
    assert_eq!(
        sign(&[("Content-Digest", "x")], KEY_ID),
        Err(SigningError::InvalidHeader("content-digest".into()))
    );
    assert_eq!(
        sign(&[("date", DATE), ("Date", DATE)], KEY_ID),
        Err(SigningError::InvalidHeader("date".into()))
    );
    assert_eq!(
        sign(&[("@path", "/")], KEY_ID),
        Err(SigningError::InvalidHeader("@path".into()))
    );
    assert_eq!(
        sign(&[("x-a", "line\nbreak")], KEY_ID),
        Err(SigningError::InvalidHeader("x-a".into()))
    );
    let mailto = Url::parse("mailto:bob@roost.example").expect("url");
    assert_eq!(
        sign_message(&Method::GET, &mailto, &[], None, KEY_ID, signing, now()),
        Err(SigningError::UrlWithoutHost)
    );
    // Upper-case names are lowercased, as the RFC requires.
    let signed = sign(&[("Content-Type", "application/activity+json")], KEY_ID).expect("signs");
    assert!(signed.signature_input.contains(r#""content-type""#));
}
