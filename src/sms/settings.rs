//! The SMS gateway and phone verification settings (`ROOST_SMS_*`,
//! `ROOST_PHONE_VERIFICATION`), flattened into [`crate::config::Config`] as its `sms`
//! member. Off by default: without `ROOST_SMS_GATEWAY_URL` Roost sends no text
//! message and never asks for a phone number.
//!
//! Only parses; the client is [`super::SmsGateway`].

use std::fmt;

use clap::{Args, ValueEnum};

/// When sign-up asks for a verified phone number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PhoneAtSignUp {
    /// Never (the default).
    Off,
    /// Sign-up may bring one (apps that know the Roost extension).
    Optional,
    /// Every sign-up through the API or the web must bring one.
    Required,
}

/// The `ROOST_SMS_*` variables. The token never appears in Debug output.
#[derive(Args, Clone)]
pub struct SmsSettings {
    /// Base URL of a Twilio-compatible REST API (e.g. `https://api.twilio.com`); Roost
    /// POSTs to `/2010-04-01/Accounts/<account>/Messages.json` below it. Empty: no SMS.
    #[arg(
        long = "sms-gateway-url",
        env = "ROOST_SMS_GATEWAY_URL",
        default_value = ""
    )]
    pub gateway_url: String,

    /// The gateway account (Twilio's Account SID), also the Basic auth user name.
    #[arg(long = "sms-account", env = "ROOST_SMS_ACCOUNT", default_value = "")]
    pub account: String,

    /// The gateway's auth token (Basic auth password).
    #[arg(
        long = "sms-token",
        env = "ROOST_SMS_TOKEN",
        default_value = "",
        hide_env_values = true
    )]
    pub token: String,

    /// The sender: a phone number in E.164 form or a messaging service id (Twilio's
    /// `From`).
    #[arg(long = "sms-from", env = "ROOST_SMS_FROM", default_value = "")]
    pub from: String,

    /// Whether sign-up needs a verified phone number: off, optional or required
    /// (optional and required need the gateway).
    #[arg(
        long = "phone-verification",
        env = "ROOST_PHONE_VERIFICATION",
        value_enum,
        default_value = "off"
    )]
    pub at_sign_up: PhoneAtSignUp,
}

impl SmsSettings {
    /// Whether text messages can be sent at all (a gateway is set).
    pub fn enabled(&self) -> bool {
        !self.gateway_url.trim().is_empty()
    }

    /// Checks that the settings go together: a gateway needs an account, a token
    /// and a sender, and sign-up can ask for a phone number only with a gateway.
    ///
    /// # Errors
    /// A sentence naming the variable to set.
    pub fn check(&self) -> Result<(), String> {
        if !self.enabled() {
            return match self.at_sign_up {
                PhoneAtSignUp::Off => Ok(()),
                _ => Err("ROOST_PHONE_VERIFICATION needs ROOST_SMS_GATEWAY_URL".into()),
            };
        }
        let url = url::Url::parse(self.gateway_url.trim())
            .map_err(|error| format!("ROOST_SMS_GATEWAY_URL is not a URL: {error}"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err("ROOST_SMS_GATEWAY_URL must be an http(s) URL".into());
        }
        for (name, value) in [
            ("ROOST_SMS_ACCOUNT", &self.account),
            ("ROOST_SMS_TOKEN", &self.token),
            ("ROOST_SMS_FROM", &self.from),
        ] {
            if value.trim().is_empty() {
                return Err(format!("ROOST_SMS_GATEWAY_URL is set but {name} is empty"));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsSettings")
            .field("gateway_url", &self.gateway_url)
            .field("account", &self.account)
            .field("from", &self.from)
            .field("at_sign_up", &self.at_sign_up)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, token: &str, at_sign_up: PhoneAtSignUp) -> SmsSettings {
        SmsSettings {
            gateway_url: url.into(),
            account: "AC1".into(),
            token: token.into(),
            from: "+15005550006".into(),
            at_sign_up,
        }
    }

    #[test]
    fn settings_that_do_not_go_together_name_the_variable() {
        let off = settings("", "", PhoneAtSignUp::Off);
        assert!(off.check().is_ok());
        let required = settings("", "", PhoneAtSignUp::Required);
        assert!(required
            .check()
            .expect_err("refused")
            .contains("ROOST_SMS_GATEWAY_URL"));
        let no_token = settings("https://api.twilio.com", "", PhoneAtSignUp::Optional);
        assert!(no_token
            .check()
            .expect_err("refused")
            .contains("ROOST_SMS_TOKEN"));
        let ftp = settings("ftp://x.example", "t", PhoneAtSignUp::Off);
        assert!(ftp.check().is_err());
        assert!(
            settings("https://api.twilio.com", "t", PhoneAtSignUp::Required)
                .check()
                .is_ok()
        );
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let shown = format!(
            "{:?}",
            settings("https://g.example", "s3cr3t", PhoneAtSignUp::Off)
        );
        assert!(!shown.contains("s3cr3t"));
    }
}
