//! Text messages through a Twilio-compatible REST API: the one thing Roost sends by
//! SMS is a phone verification code (`services::phone_verification`). Sent at once,
//! within the request that asks for the code, so the user learns right away when the
//! gateway refuses the number; nothing is queued or retried.
//!
//! The call: `POST {ROOST_SMS_GATEWAY_URL}/2010-04-01/Accounts/{account}/Messages.json`,
//! HTTP Basic auth (account, token), form fields `To`, `From`, `Body`; any 2xx is
//! success. Spec: <https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource>.

pub mod settings;

use std::time::Duration;

use crate::config::Config;

/// A gateway call gives up after this long (the user is waiting).
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// No gateway is configured.
    #[error("text messages are not enabled on this server")]
    Disabled,
    /// The gateway answered with an error (a bad number, no credit, bad credentials).
    #[error("the SMS gateway refused the message (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    /// The gateway could not be reached or did not answer in time.
    #[error("the SMS gateway could not be reached: {0}")]
    Unreachable(#[from] reqwest::Error),
}

/// The configured gateway, or none. Cheap to clone; lives in the app state.
#[derive(Clone)]
pub struct SmsGateway {
    gateway: Option<Gateway>,
}

#[derive(Clone)]
struct Gateway {
    messages_url: String,
    account: String,
    token: String,
    from: String,
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.gateway.as_ref().map(|g| g.messages_url.as_str());
        f.debug_struct("SmsGateway")
            .field("messages_url", &url)
            .finish_non_exhaustive()
    }
}

impl SmsGateway {
    /// The gateway `ROOST_SMS_*` describe.
    ///
    /// # Errors
    /// Settings that do not go together (see [`settings::SmsSettings::check`]).
    pub fn from_config(config: &Config) -> anyhow::Result<SmsGateway> {
        let settings = &config.sms;
        settings.check().map_err(anyhow::Error::msg)?;
        if !settings.enabled() {
            return Ok(SmsGateway { gateway: None });
        }
        let base = settings.gateway_url.trim().trim_end_matches('/');
        let account = settings.account.trim();
        Ok(SmsGateway {
            gateway: Some(Gateway {
                messages_url: format!("{base}/2010-04-01/Accounts/{account}/Messages.json"),
                account: account.to_owned(),
                token: settings.token.trim().to_owned(),
                from: settings.from.trim().to_owned(),
            }),
        })
    }

    /// Whether messages can be sent.
    pub fn enabled(&self) -> bool {
        self.gateway.is_some()
    }

    /// Sends `body` to the E.164 number `to`.
    ///
    /// # Errors
    /// [`SmsError`]: disabled, refused by the gateway, or unreachable.
    pub async fn send(&self, http: &reqwest::Client, to: &str, body: &str) -> Result<(), SmsError> {
        let gateway = self.gateway.as_ref().ok_or(SmsError::Disabled)?;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("To", to)
            .append_pair("From", &gateway.from)
            .append_pair("Body", body)
            .finish();
        let response = http
            .post(&gateway.messages_url)
            .basic_auth(&gateway.account, Some(&gateway.token))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form)
            .timeout(TIMEOUT)
            .send()
            .await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // Twilio explains a refusal in `message`; keep a bounded piece of it for the log.
        let text = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|json| json["message"].as_str().map(str::to_owned))
            .unwrap_or(text)
            .chars()
            .take(200)
            .collect();
        Err(SmsError::Refused {
            status: status.as_u16(),
            message,
        })
    }
}
