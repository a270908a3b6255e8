//! Account e-mail: confirmation links, password reset links and notices to staff,
//! sent over SMTP (`ROOST_SMTP_*`, off by default) through a durable queue.
//!
//! - [`settings`]: the configuration.
//! - [`texts`]: every English word mailed; [`compose`]: the text and HTML parts,
//!   escaped.
//! - [`outbox`]: what services call to queue mail in their own transaction (nothing is
//!   queued when SMTP is off).
//! - [`worker`]: the queue (`email_deliveries`, SQL in `db::emails`) and its retries.
//! - [`Mailer`]: the SMTP transport, in the app state.
//!
//! Not here: when a mail is due (`services::email_confirmation`,
//! `services::password_reset`, `auth::signup`, `services::reports`). Spec: RFC 5321
//! (SMTP), RFC 3207 (STARTTLS), RFC 2046 (`multipart/alternative`).

pub mod compose;
pub mod outbox;
pub mod settings;
pub mod texts;
pub mod worker;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::db::emails::ClaimedEmail;
use settings::SmtpSecurity;

/// Longest SMTP conversation (connect, greet, send) before the attempt counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The SMTP transport and sender address; disabled when `ROOST_SMTP_HOST` is empty.
/// Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    smtp: Option<Arc<Smtp>>,
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The instance's host, the right-hand side of Message-IDs.
    host: String,
}

/// Why one message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The message can never be sent (its recipient address is not one).
    #[error("{0}")]
    Final(String),
    /// The server refused or could not be reached: worth another try.
    #[error("{0}")]
    Retry(String),
}

impl Mailer {
    /// The transport `config.smtp` describes. Errors on a From address that is not
    /// one, or a host lettre refuses; no connection is made yet.
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        let settings = &config.smtp;
        if !settings.enabled() {
            return Ok(Mailer { smtp: None });
        }
        let host = instance_host(&config.domain);
        let from = sender(config, &host)?;
        let server = settings.smtp_host.trim();
        if settings.smtp_security == SmtpSecurity::None && !is_loopback(server) {
            tracing::warn!(
                server,
                "ROOST_SMTP_SECURITY=none sends mail (and the SMTP password) unencrypted to a server that is not on this machine"
            );
        }
        let builder = match settings.smtp_security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(server)?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(server)?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server),
        };
        let mut builder = builder
            .port(settings.smtp_port)
            .timeout(Some(SMTP_TIMEOUT))
            .hello_name(client_id(&host));
        if !settings.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.smtp_username.clone(),
                settings.smtp_password.clone(),
            ));
        }
        Ok(Mailer {
            smtp: Some(Arc::new(Smtp {
                transport: builder.build(),
                from,
                host,
            })),
        })
    }

    /// Whether mail is sent at all.
    pub fn enabled(&self) -> bool {
        self.smtp.is_some()
    }

    /// Sends one claimed message. Its Message-ID is derived from its row, so every
    /// attempt of one message carries the same one.
    pub async fn send(&self, email: &ClaimedEmail) -> Result<(), SendError> {
        let Some(smtp) = &self.smtp else {
            return Err(SendError::Retry("SMTP is not configured".into()));
        };
        let to: Mailbox = email
            .recipient
            .parse()
            .map_err(|error| SendError::Final(format!("invalid recipient: {error}")))?;
        let message = Message::builder()
            .from(smtp.from.clone())
            .to(to)
            .subject(email.subject.as_str())
            .message_id(Some(format!("<{}.{}@{}>", email.kind, email.id, smtp.host)))
            .multipart(MultiPart::alternative_plain_html(
                email.text_body.clone(),
                email.html_body.clone(),
            ))
            .map_err(|error| SendError::Final(format!("cannot build the message: {error}")))?;
        smtp.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|error| SendError::Retry(format!("{error}")))
    }
}

/// Whether the SMTP server is this machine (where `none` security is sensible).
fn is_loopback(server: &str) -> bool {
    server == "localhost"
        || server
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// `ROOST_DOMAIN` without its port.
fn instance_host(domain: &str) -> String {
    match domain.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host.to_owned(),
        _ => domain.to_owned(),
    }
}

/// The EHLO name: the instance's host, as an address literal when it is an IPv4
/// address.
fn client_id(host: &str) -> ClientId {
    match host.parse::<Ipv4Addr>() {
        Ok(address) => ClientId::Ipv4(address),
        Err(_) => ClientId::Domain(host.to_owned()),
    }
}

/// `ROOST_SMTP_FROM`, or the instance title at `notifications@` the instance's host.
fn sender(config: &Config, host: &str) -> anyhow::Result<Mailbox> {
    let configured = config.smtp.smtp_from.trim();
    if !configured.is_empty() {
        return configured
            .parse()
            .with_context(|| format!("ROOST_SMTP_FROM {configured:?} is not an address"));
    }
    let address = format!("notifications@{host}")
        .parse()
        .with_context(|| format!("notifications@{host} is not an address: set ROOST_SMTP_FROM"))?;
    Ok(Mailbox::new(Some(config.instance_title.clone()), address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_host_drops_a_port_and_names_itself_in_ehlo() {
        assert_eq!(instance_host("social.example"), "social.example");
        assert_eq!(instance_host("127.0.0.1:8080"), "127.0.0.1");
        assert!(matches!(client_id("127.0.0.1"), ClientId::Ipv4(_)));
        assert!(matches!(client_id("social.example"), ClientId::Domain(_)));
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert!(!is_loopback("smtp.example"));
    }
}
