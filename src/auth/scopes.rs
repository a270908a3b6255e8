//! OAuth scopes as Mastodon defines them: `read`, `write`, `follow`, `push`, `profile`,
//! `admin:read`, `admin:write`, and granular forms such as `read:accounts`. A broad
//! scope grants every granular scope under it; `follow` grants the follow, block and
//! mute scopes (as Mastodon's legacy `follow` scope does).

use std::fmt;

/// Every scope Roost accepts when an app registers or a token is requested.
pub const KNOWN_SCOPES: &[&str] = &[
    "read",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_allows",
    "admin:read:domain_blocks",
    "admin:read:ip_blocks",
    "admin:read:email_domain_blocks",
    "admin:read:canonical_email_blocks",
    "admin:write",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_allows",
    "admin:write:domain_blocks",
    "admin:write:ip_blocks",
    "admin:write:email_domain_blocks",
    "admin:write:canonical_email_blocks",
];

/// Scopes granted by the legacy `follow` scope.
const FOLLOW_GRANTS: &[&str] = &[
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
];

/// A validated, de-duplicated set of scopes in the order first given.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space- (or `+`-, or comma-) separated scope string. Empty input means
    /// `read`, as in Mastodon. Unknown scopes are an error naming the first one.
    pub fn parse(text: &str) -> Result<Scopes, String> {
        let mut scopes: Vec<String> = Vec::new();
        for scope in text.split([' ', '+', ',']).filter(|s| !s.is_empty()) {
            if !KNOWN_SCOPES.contains(&scope) {
                return Err(format!("Unknown scope: {scope}"));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        if scopes.is_empty() {
            scopes.push("read".to_owned());
        }
        Ok(Scopes(scopes))
    }

    /// Rebuilds a set from stored, already-validated scope names.
    pub fn from_stored(scopes: Vec<String>) -> Scopes {
        Scopes(scopes)
    }

    /// The scope names.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether a token with these scopes may use an endpoint that requires `required`.
    pub fn grants(&self, required: &str) -> bool {
        self.0.iter().any(|held| scope_grants(held, required))
    }

    /// Whether every scope in `requested` is granted by this set (a token may ask only
    /// for what its app registered).
    pub fn covers(&self, requested: &Scopes) -> bool {
        requested.0.iter().all(|scope| self.grants(scope))
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

/// Whether holding `held` grants `required`: equal, or `held` is the parent of
/// `required` (`read` grants `read:accounts`, `admin:read` grants `admin:read:reports`),
/// or `held` is `follow` and `required` is one of the scopes it bundles.
fn scope_grants(held: &str, required: &str) -> bool {
    if held == required {
        return true;
    }
    if held == "follow" {
        return FOLLOW_GRANTS.contains(&required);
    }
    required
        .strip_prefix(held)
        .is_some_and(|rest| rest.starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_scopes_grant_their_granular_children() {
        let scopes = Scopes::parse("read write:statuses").expect("valid");
        assert!(scopes.grants("read:accounts"));
        assert!(scopes.grants("write:statuses"));
        assert!(!scopes.grants("write:accounts"));
        assert!(!scopes.grants("write"));
    }

    #[test]
    fn admin_scopes_do_not_leak_into_user_scopes() {
        let scopes = Scopes::parse("admin:read").expect("valid");
        assert!(scopes.grants("admin:read:accounts"));
        assert!(!scopes.grants("read:accounts"));
        assert!(!scopes.grants("admin:write:accounts"));
        assert!(!Scopes::parse("read")
            .expect("valid")
            .grants("admin:read:accounts"));
    }

    #[test]
    fn follow_grants_relationship_scopes_only() {
        let scopes = Scopes::parse("follow").expect("valid");
        assert!(scopes.grants("write:follows"));
        assert!(scopes.grants("read:mutes"));
        assert!(!scopes.grants("write:statuses"));
    }

    #[test]
    fn parsing_defaults_to_read_dedupes_and_rejects_unknown() {
        assert_eq!(Scopes::parse("").expect("valid").to_string(), "read");
        assert_eq!(
            Scopes::parse("read+write read").expect("valid").to_string(),
            "read write"
        );
        assert!(Scopes::parse("read nonsense").is_err());
        assert!(Scopes::parse("readx").is_err());
    }

    #[test]
    fn a_set_covers_requests_within_it() {
        let app = Scopes::parse("read write follow").expect("valid");
        assert!(app.covers(&Scopes::parse("read:accounts write").expect("valid")));
        assert!(!app.covers(&Scopes::parse("push").expect("valid")));
    }
}
