//! What the instance tells about itself beyond `/api/v2/instance`: weekly activity,
//! the moderated servers, and the admin-written texts (extended description, privacy
//! policy, terms of service), with the admins' ways to set those texts.
//!
//! <https://docs.joinmastodon.org/methods/instance/>

use chrono::{NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::db::domain_blocks::{self, DomainBlockRow};
use crate::db::instance_activity::{self, WeekRow};
use crate::db::instance_texts::{self, TermsRow, TextRow};
use crate::error::{check_length, ApiError, ApiResult};
use crate::state::AppState;

/// Weeks `GET /api/v1/instance/activity` covers (Mastodon's twelve).
const ACTIVITY_WEEKS: i32 = 12;

/// Most domain blocks listed: Mastodon lists all; a bound keeps the answer finite.
const MAX_LISTED_BLOCKS: i64 = 10_000;

/// Longest admin text, in characters (the tables check it too).
pub const MAX_TEXT_CHARS: usize = 100_000;

/// The two single texts an admin can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TextKind {
    /// The "about" page's long description.
    ExtendedDescription,
    /// The privacy policy.
    PrivacyPolicy,
}

impl TextKind {
    fn key(self) -> &'static str {
        match self {
            TextKind::ExtendedDescription => "extended_description",
            TextKind::PrivacyPolicy => "privacy_policy",
        }
    }
}

/// A listed domain block, as Mastodon's DomainBlock entity shows it.
#[derive(Clone, Debug)]
pub struct ListedBlock {
    /// The domain, partly starred out when the admins chose to obfuscate it.
    pub domain: String,
    /// SHA-256 of the real domain, hex (lets others check a domain they know).
    pub digest: String,
    pub severity: String,
    /// The public comment, when the caller may see reasons.
    pub comment: Option<String>,
}

/// A version of the terms of service with what clients show about it.
#[derive(Clone, Debug)]
pub struct Terms {
    pub row: TermsRow,
    /// Whether it is in force today (or was, before a successor).
    pub effective: bool,
    /// The date of the next version, if one is set.
    pub succeeded_by: Option<NaiveDate>,
}

/// The last twelve weeks of local activity; 404 in allowlist mode, as Mastodon.
pub async fn activity(state: &AppState) -> ApiResult<Vec<WeekRow>> {
    if state.config.allowlist_mode {
        return Err(ApiError::NotFound);
    }
    Ok(instance_activity::weeks(&state.db, ACTIVITY_WEEKS).await?)
}

/// The moderated servers, if `ROOST_SHOW_DOMAIN_BLOCKS` lets this caller see them
/// (404 otherwise); reasons only as `ROOST_SHOW_DOMAIN_BLOCKS_RATIONALE` allows.
pub async fn listed_domain_blocks(
    state: &AppState,
    signed_in: bool,
) -> ApiResult<Vec<ListedBlock>> {
    if !state.config.show_domain_blocks.allows(signed_in) {
        return Err(ApiError::NotFound);
    }
    let with_comment = state.config.show_domain_blocks_rationale.allows(signed_in);
    let rows = domain_blocks::user_facing(&state.db, MAX_LISTED_BLOCKS).await?;
    Ok(rows.iter().map(|row| listed(row, with_comment)).collect())
}

fn listed(row: &DomainBlockRow, with_comment: bool) -> ListedBlock {
    let domain = if row.obfuscate {
        obfuscate(&row.domain)
    } else {
        row.domain.clone()
    };
    ListedBlock {
        domain,
        digest: format!("{:x}", Sha256::digest(row.domain.as_bytes())),
        severity: row.severity.clone(),
        comment: with_comment
            .then(|| row.public_comment.clone().unwrap_or_default())
            .filter(|comment| !comment.is_empty()),
    }
}

/// Stars out the middle of a domain, keeping the dots and a quarter at each end
/// (as Mastodon obfuscates: `example.com` → `exa****.*om`).
pub fn obfuscate(domain: &str) -> String {
    let chars: Vec<char> = domain.chars().collect();
    let length = chars.len();
    let visible = length / 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i > visible && i + visible < length && c != '.' {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// The admin's text of `kind`, if set.
pub async fn text(state: &AppState, kind: TextKind) -> ApiResult<Option<TextRow>> {
    Ok(instance_texts::text(&state.db, kind.key()).await?)
}

/// Sets the text of `kind` (an empty text removes it).
pub async fn set_text(state: &AppState, kind: TextKind, text: &str) -> ApiResult<Option<TextRow>> {
    let text = text.trim();
    check_length("text", Some(text), MAX_TEXT_CHARS)?;
    if text.is_empty() {
        instance_texts::clear_text(&state.db, kind.key()).await?;
        return Ok(None);
    }
    Ok(Some(
        instance_texts::set_text(&state.db, kind.key(), text).await?,
    ))
}

/// The terms in force today, the version of `date`, or 404 when there is none.
pub async fn terms(state: &AppState, date: Option<NaiveDate>) -> ApiResult<Terms> {
    let today = Utc::now().date_naive();
    let row = match date {
        Some(date) => instance_texts::terms_of(&state.db, date).await?,
        None => instance_texts::current_terms(&state.db, today).await?,
    }
    .ok_or(ApiError::NotFound)?;
    let succeeded_by = instance_texts::successor_date(&state.db, row.effective_date).await?;
    let effective = row.effective_date <= today;
    Ok(Terms {
        row,
        effective,
        succeeded_by,
    })
}

/// Adds the terms taking effect on `date` (replacing that date's text).
pub async fn add_terms(state: &AppState, date: NaiveDate, text: &str) -> ApiResult<TermsRow> {
    let text = text.trim();
    check_length("text", Some(text), MAX_TEXT_CHARS)?;
    if text.is_empty() {
        return Err(ApiError::validation(
            "text",
            "ERR_BLANK",
            "text can't be blank",
        ));
    }
    Ok(instance_texts::add_terms(&state.db, date, text).await?)
}

/// Removes the terms of `date`; 404 when there were none.
pub async fn remove_terms(state: &AppState, date: NaiveDate) -> ApiResult<()> {
    if instance_texts::remove_terms(&state.db, date).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Every version of the terms, newest first.
pub async fn all_terms(state: &AppState) -> ApiResult<Vec<TermsRow>> {
    Ok(instance_texts::all_terms(&state.db).await?)
}

/// An admin text as HTML: paragraphs of escaped text, `%{domain}` replaced by the
/// instance's domain (as in Mastodon's templates).
pub fn render(state: &AppState, text: &str) -> String {
    crate::domain::text::plain_to_html(&text.replace("%{domain}", &state.config.domain))
}

#[cfg(test)]
mod tests {
    use super::obfuscate;

    #[test]
    fn obfuscation_keeps_the_ends_and_the_dots() {
        assert_eq!(obfuscate("example.com"), "exa****.*om");
        assert_eq!(obfuscate("a.b"), "a.*");
        assert!(obfuscate("evil.example.org").contains('*'));
        assert_eq!(
            obfuscate("evil.example.org").len(),
            "evil.example.org".len()
        );
    }
}
