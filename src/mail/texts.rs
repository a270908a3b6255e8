//! Every English word Roost mails, in one place so it can be translated: one function
//! per message, taking the values it names and returning the rendered [`Email`].
//! Values are interpolated as plain text; [`Compose`] escapes them for the HTML part.
//!
//! Not here: when a message is sent (the services), how it travels (`mail::worker`).

use super::compose::{Compose, Email, MailKind};
use crate::config::Config;

/// What every message says about the instance that sends it.
#[derive(Clone, Debug)]
pub struct Instance {
    /// `ROOST_INSTANCE_TITLE`.
    pub title: String,
    /// The instance's base URL, e.g. `https://social.example`.
    pub base_url: String,
}

impl Instance {
    /// The instance as configured.
    pub fn from_config(config: &Config) -> Instance {
        Instance {
            title: config.instance_title.clone(),
            base_url: config.base_url(),
        }
    }
}

/// Hours a confirmation link works (see `services::email_confirmation`).
const CONFIRMATION_HOURS: i64 = 48;
/// Minutes a password reset link works (see `services::password_reset`).
const RESET_MINUTES: i64 = 60;

/// To a new user: the link that confirms their address.
pub fn confirmation(instance: &Instance, to: &str, username: &str, link: &str) -> Email {
    Compose::new(format!("Confirm your e-mail address for {}", instance.title))
        .paragraph(&format!("Hello {username},"))
        .paragraph(&format!(
            "You signed up on {} ({}) with this e-mail address. Open the link below to confirm it; until then you cannot use your account.",
            instance.title, instance.base_url
        ))
        .link("Confirm my e-mail address", link)
        .paragraph(&format!(
            "The link works once, for {CONFIRMATION_HOURS} hours. If you did not sign up, ignore this message."
        ))
        .finish(MailKind::Confirmation, to)
}

/// To the new address a user is changing to: the link that makes it theirs.
pub fn email_change(instance: &Instance, to: &str, username: &str, link: &str) -> Email {
    Compose::new(format!("Confirm your new e-mail address for {}", instance.title))
        .paragraph(&format!("Hello {username},"))
        .paragraph(&format!(
            "You asked to use this address for your account on {} ({}). Open the link below to confirm it; until then your old address stays in use.",
            instance.title, instance.base_url
        ))
        .link("Confirm my new e-mail address", link)
        .paragraph(&format!(
            "The link works once, for {CONFIRMATION_HOURS} hours. If you did not ask, ignore this message."
        ))
        .finish(MailKind::Confirmation, to)
}

/// To the old address of a user who is changing it: so a stolen session cannot take
/// the account's mail away unnoticed.
pub fn email_change_notice(
    instance: &Instance,
    to: &str,
    username: &str,
    new_email: &str,
) -> Email {
    Compose::new(format!("Your e-mail address on {} is being changed", instance.title))
        .paragraph(&format!("Hello {username},"))
        .paragraph(&format!(
            "Someone signed in to your account on {} asked to change its e-mail address to {new_email}. The change takes effect when the link sent there is opened.",
            instance.title
        ))
        .paragraph("If this was not you, change your password now and revoke the sessions you do not know in your security settings.")
        .link("Security settings", &format!("{}/settings/security", instance.base_url))
        .finish(MailKind::EmailChangeNotice, to)
}

/// To a user who asked for a new password: the link to choose one.
pub fn password_reset(instance: &Instance, to: &str, username: &str, link: &str) -> Email {
    Compose::new(format!("Reset your password on {}", instance.title))
        .paragraph(&format!("Hello {username},"))
        .paragraph(&format!(
            "Someone asked to change the password of your account on {}. Open the link below to choose a new one; it signs you out of every app.",
            instance.title
        ))
        .link("Choose a new password", link)
        .paragraph(&format!(
            "The link works once, for {RESET_MINUTES} minutes. If you did not ask, ignore this message: your password stays as it is."
        ))
        .finish(MailKind::PasswordReset, to)
}

/// A new account that awaits a moderator's approval.
#[derive(Debug)]
pub struct PendingAccount<'a> {
    pub username: &'a str,
    pub email: &'a str,
    /// Why they want to join, as they wrote it.
    pub reason: Option<&'a str>,
    /// Where staff review it.
    pub review_url: &'a str,
}

/// To a moderator or admin: an account awaits approval.
pub fn pending_account(instance: &Instance, to: &str, account: &PendingAccount<'_>) -> Email {
    let mut mail = Compose::new(format!("New account up for review on {}", instance.title))
        .paragraph(&format!(
            "{} ({}) signed up on {} and awaits approval.",
            account.username, account.email, instance.title
        ));
    if let Some(reason) = account.reason.filter(|reason| !reason.trim().is_empty()) {
        mail = mail.paragraph("Their reason for joining:").quote(reason);
    }
    mail.link("Review the account", account.review_url)
        .finish(MailKind::PendingAccount, to)
}

/// A report that staff should look at.
#[derive(Debug)]
pub struct NewReport<'a> {
    pub report_id: i64,
    /// Who reported (`user` or `user@remote.example`).
    pub reporter: &'a str,
    /// Who is reported.
    pub target: &'a str,
    pub comment: &'a str,
    /// Where staff read it.
    pub report_url: &'a str,
}

/// To a moderator or admin: a new report.
pub fn new_report(instance: &Instance, to: &str, report: &NewReport<'_>) -> Email {
    let mut mail = Compose::new(format!(
        "New report on {} (#{})",
        instance.title, report.report_id
    ))
    .paragraph(&format!("{} reported {}.", report.reporter, report.target));
    if !report.comment.trim().is_empty() {
        mail = mail.paragraph("Their comment:").quote(report.comment);
    }
    mail.link("Read the report", report.report_url)
        .finish(MailKind::NewReport, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> Instance {
        Instance {
            title: "Roost <dev>".into(),
            base_url: "https://social.example".into(),
        }
    }

    #[test]
    fn a_confirmation_carries_its_link_in_both_parts() {
        let link = "https://social.example/auth/confirmation?confirmation_token=abc&x=1";
        let mail = confirmation(&instance(), "a@b.example", "alice", link);
        assert_eq!(mail.to, "a@b.example");
        assert_eq!(mail.subject, "Confirm your e-mail address for Roost <dev>");
        assert!(mail.text.contains(&format!("\n{link}\n")));
        assert!(mail.html.contains("confirmation_token=abc&amp;x=1"));
        assert!(mail.html.contains("Roost &lt;dev&gt;"));
    }

    #[test]
    fn staff_notices_quote_what_users_wrote_without_letting_it_become_markup() {
        let pending = PendingAccount {
            username: "mallory",
            email: "m@evil.example",
            reason: Some("<img src=x onerror=alert(1)>"),
            review_url: "https://social.example/admin/accounts/1",
        };
        let mail = pending_account(&instance(), "admin@social.example", &pending);
        assert!(mail.text.contains("> <img src=x onerror=alert(1)>"));
        assert!(!mail.html.contains("<img"));
        let report = NewReport {
            report_id: 7,
            reporter: "bob@remote.example",
            target: "<b>carol</b>",
            comment: "",
            report_url: "https://social.example/admin/reports/7",
        };
        let mail = new_report(&instance(), "mod@social.example", &report);
        assert_eq!(mail.subject, "New report on Roost <dev> (#7)");
        assert!(!mail.html.contains("<b>carol"));
        assert!(!mail.text.contains("Their comment"));
    }
}
