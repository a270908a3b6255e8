//! Rules for local sign-up data: usernames, e-mail addresses, passwords and roles.

use std::fmt;

/// Why a value was refused: a Mastodon error code (`ERR_BLANK`, `ERR_TOO_LONG`, …)
/// for the API's `details`, and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Mastodon's machine-readable error code.
    pub code: &'static str,
    /// Human-readable reason.
    pub reason: String,
}

impl Invalid {
    fn new(code: &'static str, reason: impl Into<String>) -> Invalid {
        Invalid {
            code,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Names that people could mistake for the instance's staff; API sign-up refuses them
/// (admins may still create them with `roost admin create-user`).
const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "support",
    "help",
    "moderator",
    "mod",
    "staff",
    "webmaster",
    "postmaster",
    "hostmaster",
    "abuse",
    "security",
    "system",
    "roost",
    "instance",
];

/// A local username: 1–30 characters of `[A-Za-z0-9_]`, unique case-insensitively
/// (the database enforces uniqueness on `lower(username)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Longest username accepted, as Mastodon.
    pub const MAX_LEN: usize = 30;

    /// Validates a username exactly as typed (its case is kept for display).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() {
            return Err(Invalid::new("ERR_BLANK", "Username can't be blank"));
        }
        if text.chars().count() > Self::MAX_LEN {
            let reason = format!(
                "Username is too long (maximum is {} characters)",
                Self::MAX_LEN
            );
            return Err(Invalid::new("ERR_TOO_LONG", reason));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Invalid::new(
                "ERR_INVALID",
                "Username must contain only letters, numbers and underscores",
            ));
        }
        Ok(Username(text.to_owned()))
    }

    /// Whether the name is reserved for the instance's staff (case-insensitive).
    pub fn is_reserved(&self) -> bool {
        RESERVED_USERNAMES.contains(&self.0.to_ascii_lowercase().as_str())
    }

    /// The username as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address with one `@`, a non-empty local part and a dotted-or-local domain.
/// Deliverability is not checked here; with SMTP on, the confirmation mail checks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Validates the shape of an address.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("ERR_BLANK", "Email can't be blank"));
        }
        let valid = text.len() <= Self::MAX_LEN
            && !text.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(text.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.is_empty() && !domain.contains('@')
                   && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Email(text.to_owned()))
        } else {
            Err(Invalid::new("ERR_INVALID", "Email is invalid"))
        }
    }

    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 72 characters (Mastodon's bounds; the upper bound also caps
/// the cost of hashing attacker-supplied input).
pub struct Password(String);

impl Password {
    /// Shortest password accepted.
    pub const MIN_LEN: usize = 8;
    /// Longest password accepted.
    pub const MAX_LEN: usize = 72;

    /// Validates a new password's length.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let length = text.chars().count();
        if length == 0 {
            return Err(Invalid::new("ERR_BLANK", "Password can't be blank"));
        }
        if length < Self::MIN_LEN {
            let reason = format!(
                "Password is too short (minimum is {} characters)",
                Self::MIN_LEN
            );
            return Err(Invalid::new("ERR_TOO_SHORT", reason));
        }
        if length > Self::MAX_LEN {
            let reason = format!(
                "Password is too long (maximum is {} characters)",
                Self::MAX_LEN
            );
            return Err(Invalid::new("ERR_TOO_LONG", reason));
        }
        Ok(Password(text.to_owned()))
    }

    /// The plain text, to be hashed and then dropped.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What a local user may do beyond their own account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Role {
    /// A regular user.
    User,
    /// May handle reports and moderate accounts.
    Moderator,
    /// May do everything, including changing roles and instance settings.
    Admin,
}

impl Role {
    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored role name; unknown names fall back to the least privilege.
    pub fn from_db(name: &str) -> Role {
        match name {
            "admin" => Role::Admin,
            "moderator" => Role::Moderator,
            _ => Role::User,
        }
    }

    /// Whether this role may use moderation features (reports, account actions).
    pub fn is_staff(self) -> bool {
        self >= Role::Moderator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_allow_letters_digits_and_underscore_up_to_thirty() {
        assert!(Username::parse("alice_01").is_ok());
        assert!(Username::parse(&"a".repeat(30)).is_ok());
        assert!(Username::parse(&"a".repeat(31)).is_err());
        assert!(Username::parse("").is_err());
        assert!(Username::parse("al-ice").is_err());
        assert!(Username::parse("alicé").is_err());
        assert!(Username::parse("a b").is_err());
        assert_eq!(Username::parse("").map_err(|e| e.code), Err("ERR_BLANK"));
        assert_eq!(
            Username::parse(&"a".repeat(31)).map_err(|e| e.code),
            Err("ERR_TOO_LONG")
        );
        assert!(Username::parse("Admin").expect("valid").is_reserved());
        assert!(!Username::parse("alice").expect("valid").is_reserved());
    }

    #[test]
    fn emails_need_one_at_sign_and_both_parts() {
        assert!(Email::parse("a@example.org").is_ok());
        assert!(Email::parse("a@localhost").is_ok());
        assert!(Email::parse("a@@b").is_err());
        assert!(Email::parse("@b.org").is_err());
        assert!(Email::parse("a@").is_err());
        assert!(Email::parse("a b@c.org").is_err());
        assert!(Email::parse("plain").is_err());
    }

    #[test]
    fn passwords_are_bounded_both_ways() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(73)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret123").ok()),
            "Some(Password(<redacted>))"
        );
    }

    #[test]
    fn roles_order_by_privilege() {
        assert!(Role::Admin.is_staff());
        assert!(Role::Moderator.is_staff());
        assert!(!Role::User.is_staff());
        assert_eq!(Role::from_db("nonsense"), Role::User);
    }
}
