//! One message built from the same pieces as a plain-text part and an HTML
//! alternative. Every piece is escaped for HTML here, so no text in [`super::texts`]
//! (nor any value interpolated into it) can inject markup; URLs go into `href`
//! escaped too. Holds no words of its own: what a message says is `texts`'.

use crate::domain::text::escape_html;

/// What a queued message is for (stored in `email_deliveries.kind`, shown in logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// A link confirming a new user's e-mail address.
    Confirmation,
    /// A link to choose a new password.
    PasswordReset,
    /// To the old address: the account's address is being changed.
    EmailChangeNotice,
    /// To staff: a new account awaits approval.
    PendingAccount,
    /// To staff: a new report was filed.
    NewReport,
}

impl MailKind {
    /// The name stored in the queue.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Confirmation => "confirmation",
            MailKind::PasswordReset => "password_reset",
            MailKind::EmailChangeNotice => "email_change_notice",
            MailKind::PendingAccount => "pending_account",
            MailKind::NewReport => "new_report",
        }
    }
}

/// A rendered message, ready to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub kind: MailKind,
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    /// The `text/plain` part.
    pub text: String,
    /// The `text/html` alternative (a whole document).
    pub html: String,
}

/// Builds the two parts of a message piece by piece.
#[derive(Debug)]
pub struct Compose {
    subject: String,
    text: String,
    html: String,
}

impl Compose {
    /// A message with this subject and no body yet.
    pub fn new(subject: impl Into<String>) -> Compose {
        Compose {
            subject: subject.into(),
            text: String::new(),
            html: String::new(),
        }
    }

    /// A paragraph of text.
    pub fn paragraph(mut self, text: &str) -> Compose {
        self.text.push_str(text);
        self.text.push_str("\n\n");
        self.html.push_str("<p>");
        self.html.push_str(&escape_html(text));
        self.html.push_str("</p>\n");
        self
    }

    /// A link: in the text part the label then the bare URL on its own line, so
    /// every mail client can open it.
    pub fn link(mut self, label: &str, url: &str) -> Compose {
        self.text.push_str(label);
        self.text.push('\n');
        self.text.push_str(url);
        self.text.push_str("\n\n");
        self.html.push_str("<p><a href=\"");
        self.html.push_str(&escape_html(url));
        self.html.push_str("\">");
        self.html.push_str(&escape_html(label));
        self.html.push_str("</a></p>\n");
        self
    }

    /// Someone else's words (a sign-up reason, a report comment), quoted.
    pub fn quote(mut self, text: &str) -> Compose {
        for line in text.lines() {
            self.text.push_str("> ");
            self.text.push_str(line);
            self.text.push('\n');
        }
        self.text.push('\n');
        let lines: Vec<String> = text.lines().map(escape_html).collect();
        self.html.push_str("<blockquote>");
        self.html.push_str(&lines.join("<br>\n"));
        self.html.push_str("</blockquote>\n");
        self
    }

    /// The finished message to `to`.
    pub fn finish(self, kind: MailKind, to: &str) -> Email {
        let html = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{}</body></html>\n",
            escape_html(&self.subject),
            self.html
        );
        Email {
            kind,
            to: to.to_owned(),
            subject: self.subject,
            text: self.text.trim_end().to_owned() + "\n",
            html,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_piece_is_escaped_in_the_html_part_and_left_alone_in_the_text() {
        let email = Compose::new("Hi <b>")
            .paragraph("a & <script>alert(1)</script>")
            .link("go \"now\"", "https://x.example/?a=1&b='2'")
            .quote("line <1>\nline 2")
            .finish(MailKind::Confirmation, "a@b.example");
        assert!(email.text.contains("a & <script>alert(1)</script>"));
        assert!(email.text.contains("https://x.example/?a=1&b='2'\n"));
        assert!(email.text.contains("> line <1>\n> line 2\n"));
        assert!(!email.html.contains("<script>"));
        assert!(!email.html.contains("<b>"));
        assert!(email.html.contains("a &amp; &lt;script&gt;"));
        assert!(email
            .html
            .contains("href=\"https://x.example/?a=1&amp;b=&#39;2&#39;\""));
        assert!(email.html.contains("go &quot;now&quot;"));
        assert!(email.html.contains("line &lt;1&gt;<br>\nline 2"));
        assert!(email.html.contains("<title>Hi &lt;b&gt;</title>"));
    }
}
