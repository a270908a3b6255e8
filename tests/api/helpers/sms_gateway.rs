//! A local stand-in for a Twilio-compatible SMS gateway: it takes
//! `POST /2010-04-01/Accounts/:account/Messages.json` with Basic auth and the form
//! fields `To`, `From`, `Body`, records each message and answers 201 as Twilio does.
//! A message to [`REFUSED_NUMBER`] is refused with Twilio's 400 error body.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub const ACCOUNT: &str = "AC0123456789";
pub const TOKEN: &str = "gateway-secret-token";
pub const FROM: &str = "+15005550006";
/// The number the gateway refuses (Twilio's test number for "invalid").
pub const REFUSED_NUMBER: &str = "+15005550001";

/// One message the gateway took.
#[derive(Clone, Debug)]
pub struct Message {
    pub to: String,
    pub from: String,
    pub body: String,
}

impl Message {
    /// The 6-digit code in the message.
    pub fn code(&self) -> String {
        let digits: Vec<String> = (self.body.split(|c: char| !c.is_ascii_digit()))
            .filter(|word| word.len() == 6)
            .map(str::to_owned)
            .collect();
        digits
            .first()
            .cloned()
            .expect("a 6-digit code in the message")
    }
}

/// The running gateway.
#[derive(Clone)]
pub struct SmsGateway {
    pub url: String,
    messages: Arc<Mutex<Vec<Message>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Sent {
    to: String,
    from: String,
    body: String,
}

impl SmsGateway {
    pub async fn start() -> SmsGateway {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let router = Router::new()
            .route(
                "/2010-04-01/Accounts/{account}/Messages.json",
                post(receive),
            )
            .with_state(messages.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        SmsGateway { url, messages }
    }

    /// The flags that point a Roost instance at this gateway.
    pub fn flags(&self, verification: &'static str) -> Vec<String> {
        [
            ("--sms-gateway-url", self.url.as_str()),
            ("--sms-account", ACCOUNT),
            ("--sms-token", TOKEN),
            ("--sms-from", FROM),
            ("--phone-verification", verification),
        ]
        .iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect()
    }

    /// Every message taken so far.
    pub fn messages(&self) -> Vec<Message> {
        self.messages.lock().expect("not poisoned").clone()
    }

    /// The last message to `to`.
    pub fn last_to(&self, to: &str) -> Message {
        (self.messages().into_iter().rev())
            .find(|message| message.to == to)
            .expect("a message to that number")
    }
}

async fn receive(
    State(messages): State<Arc<Mutex<Vec<Message>>>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(sent): Form<Sent>,
) -> (StatusCode, Json<Value>) {
    use base64::Engine as _;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"))
    );
    let authorized = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        == Some(expected.as_str());
    if !authorized || account != ACCOUNT {
        let body = json!({"code": 20003, "message": "Authenticate", "status": 401});
        return (StatusCode::UNAUTHORIZED, Json(body));
    }
    if sent.to == REFUSED_NUMBER {
        let body = json!({"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400});
        return (StatusCode::BAD_REQUEST, Json(body));
    }
    messages.lock().expect("not poisoned").push(Message {
        to: sent.to,
        from: sent.from,
        body: sent.body,
    });
    let body = json!({"sid": "SM0123456789abcdef", "status": "queued"});
    (StatusCode::CREATED, Json(body))
}
