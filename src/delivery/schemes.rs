//! Double-knocking: which HTTP signature scheme a delivery tries first, and which next
//! when a server refuses it.
//!
//! Roost signs with RFC 9421 first (with the actor's Ed25519 key, then its RSA key),
//! as Fedify does, and falls back to draft-cavage — what Mastodon before 4.5 and most
//! other servers verify — when a server answers 400, 401 or 403. The scheme a domain
//! accepted is remembered (`domain_signature_schemes`, with a per-process copy), so
//! later deliveries knock once; a domain that took only draft-cavage is offered
//! RFC 9421 again after [`RETRY_RFC9421_AFTER_DAYS`], as servers upgrade.
//!
//! Spec: <https://swicg.github.io/activitypub-http-signature/>
//! (double-knocking), RFC 9421.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::db::signature_schemes;

/// A way of signing a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// RFC 9421 with the actor's Ed25519 key (`…#ed25519-key`, FEP-521a).
    Rfc9421Ed25519,
    /// RFC 9421 with the actor's RSA key (`…#main-key`, `rsa-v1_5-sha256`).
    Rfc9421Rsa,
    /// draft-cavage-http-signatures-12 with the RSA key, as Mastodon has always sent.
    Cavage,
}

impl Scheme {
    /// The name stored in `domain_signature_schemes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Rfc9421Ed25519 => "rfc9421-ed25519",
            Scheme::Rfc9421Rsa => "rfc9421-rsa",
            Scheme::Cavage => "cavage",
        }
    }

    fn parse(name: &str) -> Option<Scheme> {
        [Scheme::Rfc9421Ed25519, Scheme::Rfc9421Rsa, Scheme::Cavage]
            .into_iter()
            .find(|scheme| scheme.as_str() == name)
    }
}

/// What a domain accepted last, and when.
pub type Remembered = Option<(Scheme, DateTime<Utc>)>;

/// A domain that accepted only draft-cavage is offered RFC 9421 again after this long.
pub const RETRY_RFC9421_AFTER_DAYS: i64 = 30;

/// The order in which to try schemes on a domain: on first contact (or when draft-cavage
/// was remembered long ago) every scheme, RFC 9421 first; otherwise the remembered
/// scheme, then one of the other family in case the server changed. Never more than
/// three requests per delivery attempt.
pub fn knocks(remembered: Remembered, now: DateTime<Utc>) -> Vec<Scheme> {
    let first_contact = vec![Scheme::Rfc9421Ed25519, Scheme::Rfc9421Rsa, Scheme::Cavage];
    match remembered {
        None => first_contact,
        Some((Scheme::Cavage, at)) if now - at > Duration::days(RETRY_RFC9421_AFTER_DAYS) => {
            first_contact
        }
        Some((Scheme::Cavage, _)) => vec![Scheme::Cavage, Scheme::Rfc9421Ed25519],
        Some((scheme, _)) => vec![scheme, Scheme::Cavage],
    }
}

/// Whether a refusal with `status` may be the signature scheme's fault, so the next
/// scheme is worth a knock (what Fedify and the SWICG report treat as such).
pub fn worth_another_knock(status: u16) -> bool {
    matches!(status, 400 | 401 | 403)
}

/// Most domains kept in a process's copy; past it, the copy starts over.
const CAPACITY: usize = 10_000;

/// The remembered schemes, read from the database once per domain and process.
/// Another process's later change is seen after this one's next knock on the domain.
#[derive(Clone, Default)]
pub struct SchemeMemory {
    entries: Arc<Mutex<HashMap<String, Remembered>>>,
}

impl SchemeMemory {
    /// What `domain` accepted last (`None`: never contacted, or forgotten).
    pub async fn remembered(&self, db: &PgPool, domain: &str) -> sqlx::Result<Remembered> {
        if let Some(known) = self.cached(domain) {
            return Ok(known);
        }
        let stored = signature_schemes::find(db, domain).await?;
        let remembered = stored.and_then(|(name, at)| Scheme::parse(&name).map(|s| (s, at)));
        self.keep(domain, remembered);
        Ok(remembered)
    }

    /// Records that `domain` accepted `scheme`, unless that was recorded in the last
    /// day (so a draft-cavage domain re-probed after a month is not re-probed on every
    /// delivery after that).
    pub async fn record(&self, db: &PgPool, domain: &str, scheme: Scheme) -> sqlx::Result<()> {
        let known = self.cached(domain).flatten();
        let fresh = |at: DateTime<Utc>| Utc::now() - at < Duration::days(1);
        if known.is_some_and(|(remembered, at)| remembered == scheme && fresh(at)) {
            return Ok(());
        }
        signature_schemes::record(db, domain, scheme.as_str()).await?;
        self.keep(domain, Some((scheme, Utc::now())));
        Ok(())
    }

    fn cached(&self, domain: &str) -> Option<Remembered> {
        let entries = self.entries.lock().ok()?;
        entries.get(domain).copied()
    }

    fn keep(&self, domain: &str, remembered: Remembered) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(domain) {
            entries.clear();
        }
        entries.insert(domain.to_owned(), remembered);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_contact_knocks_rfc9421_first_and_ends_with_draft_cavage() {
        let now = Utc::now();
        assert_eq!(
            knocks(None, now),
            [Scheme::Rfc9421Ed25519, Scheme::Rfc9421Rsa, Scheme::Cavage]
        );
    }

    #[test]
    fn a_remembered_scheme_comes_first_with_one_fallback() {
        let now = Utc::now();
        let yesterday = now - Duration::days(1);
        assert_eq!(
            knocks(Some((Scheme::Rfc9421Ed25519, yesterday)), now),
            [Scheme::Rfc9421Ed25519, Scheme::Cavage]
        );
        assert_eq!(
            knocks(Some((Scheme::Rfc9421Rsa, yesterday)), now),
            [Scheme::Rfc9421Rsa, Scheme::Cavage]
        );
        assert_eq!(
            knocks(Some((Scheme::Cavage, yesterday)), now),
            [Scheme::Cavage, Scheme::Rfc9421Ed25519]
        );
    }

    #[test]
    fn a_draft_cavage_domain_is_offered_rfc9421_again_after_a_month() {
        let now = Utc::now();
        let long_ago = now - Duration::days(RETRY_RFC9421_AFTER_DAYS + 1);
        assert_eq!(
            knocks(Some((Scheme::Cavage, long_ago)), now)[0],
            Scheme::Rfc9421Ed25519
        );
    }

    #[test]
    fn only_refusals_that_may_be_the_signatures_fault_lead_to_another_knock() {
        for status in [400, 401, 403] {
            assert!(worth_another_knock(status), "{status}");
        }
        for status in [200, 202, 404, 410, 429, 500, 503] {
            assert!(!worth_another_knock(status), "{status}");
        }
    }

    #[test]
    fn stored_names_round_trip() {
        for scheme in [Scheme::Rfc9421Ed25519, Scheme::Rfc9421Rsa, Scheme::Cavage] {
            assert_eq!(Scheme::parse(scheme.as_str()), Some(scheme));
        }
        assert_eq!(Scheme::parse("hs2019"), None);
    }
}
