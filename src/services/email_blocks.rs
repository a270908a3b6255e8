//! E-mail domain blocks and canonical e-mail blocks (admins only): writing them,
//! their history, and whether an address may sign up.
//!
//! A domain block covers the domain and its subdomains (`mail.spam.example` by a
//! block of `spam.example`); with `allow_with_approval` such sign-ups are accepted
//! but wait for a moderator. A canonical block stores only the SHA-256 of the
//! address's canonical form, Mastodon's: lower case, with dots and any `+suffix`
//! removed from the local part. Unlike Mastodon, Roost does not resolve the domain's
//! MX records to block the mail provider behind it.
//! Spec: <https://docs.joinmastodon.org/methods/admin/email_domain_blocks/>,
//! <https://docs.joinmastodon.org/methods/admin/canonical_email_blocks/>.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::db::email_blocks::{self, AttemptDay, CanonicalEmailBlockRow, EmailDomainBlockRow};
use crate::domain::Invalid;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Days of a domain block's `history`, today included (as Mastodon's).
pub const HISTORY_DAYS: i32 = 7;

/// A domain block with its refused sign-ups per day, newest day first.
#[derive(Clone, Debug)]
pub struct EmailDomainBlockView {
    pub block: EmailDomainBlockRow,
    /// [`HISTORY_DAYS`] entries; days without attempts count zero.
    pub history: Vec<AttemptDay>,
}

/// Blocks sign-ups from addresses at `domain` (as typed, see
/// `services::domains::normalize_domain`) and its subdomains. Errors: Validation
/// (blank or invalid domain; blocked already: `ERR_TAKEN`).
pub async fn block_domain(
    state: &AppState,
    domain: Option<&str>,
    allow_with_approval: bool,
) -> ApiResult<EmailDomainBlockView> {
    let domain = crate::services::domains::normalize_domain(domain)?;
    let row = email_blocks::create_domain(&state.db, &domain, allow_with_approval)
        .await?
        .ok_or_else(|| {
            ApiError::validation("domain", "ERR_TAKEN", "Domain has already been taken")
        })?;
    Ok(EmailDomainBlockView {
        block: row,
        history: fill_history(&[]),
    })
}

/// The domain block `id` with its history. Errors: NotFound.
pub async fn find_domain(state: &AppState, id: i64) -> ApiResult<EmailDomainBlockView> {
    let row = email_blocks::find_domain(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut views = with_history(state, vec![row]).await?;
    views.pop().ok_or(ApiError::NotFound)
}

/// Lifts the domain block `id`. Errors: NotFound.
pub async fn unblock_domain(state: &AppState, id: i64) -> ApiResult<()> {
    if email_blocks::delete_domain(&state.db, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// `rows` with their histories (one query for all of them).
pub async fn with_history(
    state: &AppState,
    rows: Vec<EmailDomainBlockRow>,
) -> ApiResult<Vec<EmailDomainBlockView>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let days = email_blocks::attempt_days(&state.db, &ids, HISTORY_DAYS).await?;
    Ok(rows
        .into_iter()
        .map(|block| {
            let own: Vec<AttemptDay> = days
                .iter()
                .filter(|(id, _)| *id == block.id)
                .map(|(_, day)| day.clone())
                .collect();
            EmailDomainBlockView {
                history: fill_history(&own),
                block,
            }
        })
        .collect())
}

/// The last [`HISTORY_DAYS`] UTC days, newest first, with the counts of `known`.
fn fill_history(known: &[AttemptDay]) -> Vec<AttemptDay> {
    let today = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|midnight| midnight.and_utc())
        .unwrap_or_else(Utc::now);
    (0..HISTORY_DAYS)
        .map(|back| {
            let day: DateTime<Utc> = today - Duration::days(i64::from(back));
            known
                .iter()
                .find(|entry| entry.day == day)
                .cloned()
                .unwrap_or(AttemptDay {
                    day,
                    uses: 0,
                    accounts: 0,
                })
        })
        .collect()
}

/// Mastodon's canonical form of an address: lower case, the local part without dots
/// and without anything from its first `+`.
pub fn canonical_email(email: &str) -> String {
    let lower = email.trim().to_lowercase();
    let (local, domain) = lower.split_once('@').unwrap_or((&lower, ""));
    let local: String = local
        .split('+')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '.')
        .collect();
    format!("{local}@{domain}")
}

/// The SHA-256 (lower-case hex) of [`canonical_email`]: what a canonical block stores.
pub fn canonical_email_hash(email: &str) -> String {
    format!("{:x}", Sha256::digest(canonical_email(email).as_bytes()))
}

/// Blocks an address by its canonical form: `email`, or its `canonical_email_hash`
/// computed elsewhere. Errors: Validation (neither given, a hash that is not 64 hex
/// digits, blocked already: `ERR_TAKEN`).
pub async fn block_canonical(
    state: &AppState,
    email: Option<&str>,
    hash: Option<&str>,
) -> ApiResult<CanonicalEmailBlockRow> {
    let hash = match (email.map(str::trim).filter(|e| !e.is_empty()), hash) {
        (Some(email), _) => canonical_email_hash(email),
        (None, Some(hash)) => {
            let hash = hash.trim().to_lowercase();
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ApiError::validation(
                    "canonical_email_hash",
                    "ERR_INVALID",
                    "Canonical email hash is invalid",
                ));
            }
            hash
        }
        (None, None) => {
            return Err(ApiError::validation(
                "canonical_email_hash",
                "ERR_BLANK",
                "Canonical email hash can't be blank",
            ))
        }
    };
    email_blocks::create_canonical(&state.db, &hash)
        .await?
        .ok_or_else(|| {
            ApiError::validation(
                "canonical_email_hash",
                "ERR_TAKEN",
                "Canonical email hash has already been taken",
            )
        })
}

/// The canonical blocks `email` matches (none or one).
pub async fn canonical_blocks_of(
    state: &AppState,
    email: &str,
) -> ApiResult<Vec<CanonicalEmailBlockRow>> {
    Ok(email_blocks::canonical_matching(&state.db, &canonical_email_hash(email)).await?)
}

/// The canonical block `id`. Errors: NotFound.
pub async fn find_canonical(state: &AppState, id: i64) -> ApiResult<CanonicalEmailBlockRow> {
    email_blocks::find_canonical(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Lifts the canonical block `id`. Errors: NotFound.
pub async fn unblock_canonical(state: &AppState, id: i64) -> ApiResult<()> {
    if email_blocks::delete_canonical(&state.db, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// What the e-mail blocks allow a sign-up with one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignUpWithEmail {
    /// No block applies.
    Allowed,
    /// The domain is blocked `allow_with_approval`: the account waits for approval.
    RequiresApproval,
    /// Refused, with the `email` field's error: Mastodon's `ERR_BLOCKED` for a blocked
    /// domain, and `ERR_TAKEN` for a canonical block (which must not tell).
    Refused(Invalid),
}

/// Screens `email` (a validated address) against both kinds of blocks; a refusal by
/// a domain block is recorded (from `ip`) for the block's history.
pub async fn sign_up_with(
    db: &PgPool,
    email: &str,
    ip: Option<&str>,
) -> sqlx::Result<SignUpWithEmail> {
    if !email_blocks::canonical_matching(db, &canonical_email_hash(email))
        .await?
        .is_empty()
    {
        return Ok(SignUpWithEmail::Refused(Invalid {
            code: "ERR_TAKEN",
            reason: "Email has already been taken".into(),
        }));
    }
    let blocks = email_blocks::domains_matching(db, &domain_and_parents(email)).await?;
    if let Some(block) = blocks.iter().find(|block| !block.allow_with_approval) {
        email_blocks::record_attempt(db, block.id, ip, HISTORY_DAYS).await?;
        return Ok(SignUpWithEmail::Refused(Invalid {
            code: "ERR_BLOCKED",
            reason: "Email uses a disallowed e-mail provider".into(),
        }));
    }
    Ok(if blocks.is_empty() {
        SignUpWithEmail::Allowed
    } else {
        SignUpWithEmail::RequiresApproval
    })
}

/// `a.mail.example` gives `a.mail.example`, `mail.example`, `example`: the domains a
/// block of which covers the address (lower case).
fn domain_and_parents(email: &str) -> Vec<String> {
    let domain = email
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain)
        .trim_end_matches('.')
        .to_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    (0..labels.len()).map(|i| labels[i..].join(".")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_drops_dots_and_plus_suffix_from_the_local_part_only() {
        assert_eq!(
            canonical_email("J.Doe+news@Mail.Example"),
            "jdoe@mail.example"
        );
        assert_eq!(
            canonical_email("a.b@sub.mail.example"),
            "ab@sub.mail.example"
        );
        // sha256("jdoe@mail.example"), as Mastodon stores it.
        assert_eq!(
            canonical_email_hash("J.Doe+x@mail.example"),
            format!("{:x}", Sha256::digest(b"jdoe@mail.example"))
        );
    }

    #[test]
    fn an_address_is_covered_by_its_domain_and_every_parent() {
        assert_eq!(
            domain_and_parents("x@A.Mail.Example"),
            ["a.mail.example", "mail.example", "example"]
        );
    }
}
