//! Cross-implementation check of HTTP signatures: requests signed by the
//! activitypub_federation crate (the signer Lemmy and other Rust servers use, in both
//! its default hs2019 `(created)`/`(expires)` mode and its Mastodon-compatible mode)
//! verify with Roost's verifier.

use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::protocol::public_key::PublicKey;
use activitypub_federation::traits::{Actor, Object};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use chrono::Utc;
use roost::federation::signatures::{self, Policy, VerifyingKey};
use url::Url;

/// The smallest actor the crate needs to sign with: an id and a key pair.
#[derive(Debug)]
struct SigningActor {
    id: Url,
    public_key_pem: String,
    private_key_pem: String,
}

#[async_trait::async_trait]
impl Object for SigningActor {
    type DataType = ();
    type Kind = PublicKey;
    type Error = anyhow::Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(_: Url, _: &Data<()>) -> Result<Option<Self>, anyhow::Error> {
        Ok(None)
    }

    async fn into_json(self, _: &Data<()>) -> Result<PublicKey, anyhow::Error> {
        Ok(self.public_key())
    }

    async fn verify(_: &PublicKey, _: &Url, _: &Data<()>) -> Result<(), anyhow::Error> {
        Ok(())
    }

    async fn from_json(_: PublicKey, _: &Data<()>) -> Result<Self, anyhow::Error> {
        anyhow::bail!("not needed to sign")
    }
}

impl Actor for SigningActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.id.join("inbox").expect("joins")
    }
}

/// Signs a request with the crate (a POST with `body`, or a GET without) and returns
/// what Roost's verifier needs.
async fn signed_by_crate(
    compat: bool,
    actor: &SigningActor,
    url: &Url,
    body: Option<&'static [u8]>,
) -> (reqwest::Method, String, HeaderMap) {
    let config = FederationConfig::builder()
        .domain("sender.example")
        .app_data(())
        .http_signature_compat(compat)
        .signed_fetch_actor(actor)
        .build()
        .await
        .expect("config builds");
    let client = reqwest_middleware::ClientWithMiddleware::from(reqwest::Client::new());
    let builder = match body {
        Some(_) => client.post(url.as_str()),
        None => client.get(url.as_str()),
    };
    let request = config
        .to_request_data()
        .sign_request(builder, bytes::Bytes::from_static(body.unwrap_or_default()))
        .await
        .expect("crate signs");
    let mut headers = HeaderMap::new();
    for (name, value) in request.headers() {
        let name = HeaderName::from_bytes(name.as_str().as_bytes()).expect("header name");
        headers.insert(
            name,
            HeaderValue::from_bytes(value.as_bytes()).expect("header value"),
        );
    }
    if !headers.contains_key("host") {
        let host = format!(
            "{}:{}",
            url.host_str().expect("host"),
            url.port_or_known_default().expect("port")
        );
        let host = if url.port().is_none() {
            url.host_str().expect("host").to_owned()
        } else {
            host
        };
        headers.insert("host", HeaderValue::from_str(&host).expect("host value"));
    }
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    (request.method().clone(), path, headers)
}

fn test_actor() -> SigningActor {
    let keys = signatures::generate_rsa_keypair().expect("generates");
    SigningActor {
        id: Url::parse("https://sender.example/u/lemmy").expect("url"),
        public_key_pem: keys.public_pem,
        private_key_pem: keys.private_pem,
    }
}

const ACTIVITY: &[u8] = br#"{"id":"https://sender.example/activities/1","type":"Follow"}"#;

#[tokio::test]
async fn posts_signed_by_the_activitypub_federation_crate_verify_under_the_inbox_rules() {
    let actor = test_actor();
    let key = VerifyingKey::from_pem(&actor.public_key_pem).expect("public key parses");
    let inbox = Url::parse("https://roost.example/inbox").expect("url");
    let inbox_rules = Policy::for_method(&axum::http::Method::POST, signatures::DEFAULT_MAX_AGE);
    for compat in [false, true] {
        let (method, path, headers) = signed_by_crate(compat, &actor, &inbox, Some(ACTIVITY)).await;
        let params = signatures::parse_signature_header(&headers).expect("crate's header parses");
        assert_eq!(params.key_id, "https://sender.example/u/lemmy#main-key");
        signatures::verify(
            &method,
            &path,
            &headers,
            ACTIVITY,
            &key,
            Utc::now(),
            &inbox_rules,
        )
        .unwrap_or_else(|error| panic!("compat={compat}: {error}"));
        let tampered = br#"{"id":"https://sender.example/activities/2","type":"Follow"}"#;
        assert!(signatures::verify(
            &method,
            &path,
            &headers,
            tampered,
            &key,
            Utc::now(),
            &inbox_rules
        )
        .is_err());
        let other = VerifyingKey::from_pem(&test_actor().public_key_pem).expect("parses");
        assert!(signatures::verify(
            &method,
            &path,
            &headers,
            ACTIVITY,
            &other,
            Utc::now(),
            &inbox_rules
        )
        .is_err());
    }
}

#[tokio::test]
async fn signed_gets_from_the_crate_verify_in_its_mastodon_compatible_mode_only() {
    let actor = test_actor();
    let key = VerifyingKey::from_pem(&actor.public_key_pem).expect("public key parses");
    let url = Url::parse("https://roost.example/users/alice/outbox?page=1").expect("url");
    let (method, path, headers) = signed_by_crate(true, &actor, &url, None).await;
    signatures::verify(
        &method,
        &path,
        &headers,
        b"",
        &key,
        Utc::now(),
        &Policy::default(),
    )
    .expect("verifies");
    // Without compat the crate leaves `host` unsigned, which Mastodon refuses on GET.
    let (method, path, headers) = signed_by_crate(false, &actor, &url, None).await;
    assert!(signatures::verify(
        &method,
        &path,
        &headers,
        b"",
        &key,
        Utc::now(),
        &Policy::default()
    )
    .is_err());
}
