//! The SMTP settings (`ROOST_SMTP_*`), flattened into [`crate::config::Config`] as its
//! `smtp` member. Off by default: with no `ROOST_SMTP_HOST`, Roost sends no mail, queues
//! none, and sign-ups are confirmed at once.
//!
//! Only parses; the transport is built by [`super::Mailer::from_config`].

use std::fmt;

use clap::{Args, ValueEnum};

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte ("implicit TLS", SMTPS, port 465).
    Tls,
    /// No encryption at all: only for a relay on the same machine (loopback).
    None,
}

/// The `ROOST_SMTP_*` variables. The password never appears in Debug output.
#[derive(Args, Clone)]
pub struct SmtpSettings {
    /// SMTP server that relays Roost's mail (e-mail confirmation, password reset,
    /// notices to staff). Empty: no mail is sent.
    #[arg(long = "smtp-host", env = "ROOST_SMTP_HOST", default_value = "")]
    pub smtp_host: String,

    /// Port of the SMTP server.
    #[arg(long = "smtp-port", env = "ROOST_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// User name for SMTP authentication (empty: none).
    #[arg(
        long = "smtp-username",
        env = "ROOST_SMTP_USERNAME",
        default_value = ""
    )]
    pub smtp_username: String,

    /// Password for SMTP authentication.
    #[arg(
        long = "smtp-password",
        env = "ROOST_SMTP_PASSWORD",
        default_value = "",
        hide_env_values = true
    )]
    pub smtp_password: String,

    /// starttls (default), tls (implicit TLS) or none (only on loopback).
    #[arg(
        long = "smtp-security",
        env = "ROOST_SMTP_SECURITY",
        value_enum,
        default_value = "starttls"
    )]
    pub smtp_security: SmtpSecurity,

    /// The From address, e.g. `Roost <notifications@social.example>`. Empty:
    /// `ROOST_INSTANCE_TITLE <notifications@ROOST_DOMAIN>`.
    #[arg(long = "smtp-from", env = "ROOST_SMTP_FROM", default_value = "")]
    pub smtp_from: String,
}

impl SmtpSettings {
    /// Whether mail is sent at all (an SMTP host is set).
    pub fn enabled(&self) -> bool {
        !self.smtp_host.trim().is_empty()
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_from", &self.smtp_from)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> SmtpSettings {
        let mut args = vec!["roost", "--database-url", "postgres://unused"];
        args.extend_from_slice(extra);
        crate::config::parse_from(args).expect("parses").smtp
    }

    #[test]
    fn mail_is_off_by_default_and_starttls_on_587_once_a_host_is_set() {
        assert!(!parse(&[]).enabled());
        let on = parse(&["--smtp-host", "smtp.example", "--smtp-password", "hunter2"]);
        assert!(on.enabled());
        assert_eq!(
            (on.smtp_port, on.smtp_security),
            (587, SmtpSecurity::Starttls)
        );
        assert!(
            !format!("{on:?}").contains("hunter2"),
            "the password is never printed"
        );
        let tls = parse(&[
            "--smtp-host",
            "h",
            "--smtp-security",
            "tls",
            "--smtp-port",
            "465",
        ]);
        assert_eq!((tls.smtp_port, tls.smtp_security), (465, SmtpSecurity::Tls));
    }
}
