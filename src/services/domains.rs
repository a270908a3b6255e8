//! Instance-level domain blocks and allows, shared by the admin API and `roost admin`:
//! how an admin's domain is read, what a block's settings become, and the writes (a
//! block's severity is applied to the domain's known accounts in the same transaction,
//! by `db::domain_blocks`).
//!
//! The federation policy these rows add up to is `federation::domain_policy`; a user's
//! own domain blocks are `db::account_domain_blocks`.
//! Spec: <https://docs.joinmastodon.org/methods/admin/domain_blocks/>,
//! <https://docs.joinmastodon.org/methods/admin/domain_allows/>.

use crate::db::domain_blocks::{self, BlockSettings, DomainAllowRow, DomainBlockRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The severities a block may have.
const SEVERITIES: [&str; 3] = ["silence", "suspend", "noop"];

/// A domain as admins type it: trimmed, lower-cased, without scheme or trailing slash.
/// Errors: Validation (`domain` blank or not a domain name).
pub fn normalize_domain(input: Option<&str>) -> ApiResult<String> {
    let text = input.map(str::trim).unwrap_or_default().to_lowercase();
    let text = text
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    if text.is_empty() {
        return Err(ApiError::validation(
            "domain",
            "ERR_BLANK",
            "domain can't be blank",
        ));
    }
    let valid = text.len() <= 253
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    if !valid {
        return Err(ApiError::validation(
            "domain",
            "ERR_INVALID",
            "domain is not a valid domain",
        ));
    }
    Ok(text.to_owned())
}

/// The settings an admin gives for a block; each `None` keeps the block's current
/// value (a new block's defaults: `silence`, nothing rejected, no comments).
#[derive(Clone, Debug, Default)]
pub struct BlockChanges {
    /// `silence`, `suspend` or `noop`.
    pub severity: Option<String>,
    pub reject_media: Option<bool>,
    pub reject_reports: Option<bool>,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: Option<bool>,
}

impl BlockChanges {
    /// The settings these changes make of `current` (`None`: a new block).
    /// Errors: Validation (an unknown severity).
    fn settings(&self, current: Option<&DomainBlockRow>) -> ApiResult<BlockSettings> {
        let severity = match self.severity.as_deref() {
            Some(severity) if SEVERITIES.contains(&severity) => severity.to_owned(),
            Some(_) => {
                return Err(ApiError::validation(
                    "severity",
                    "ERR_INCLUSION",
                    "severity must be silence, suspend or noop",
                ))
            }
            None => current.map_or_else(|| "silence".to_owned(), |c| c.severity.clone()),
        };
        let flag = |given: Option<bool>, kept: fn(&DomainBlockRow) -> bool| {
            given.or(current.map(kept)).unwrap_or(false)
        };
        let text = |given: &Option<String>, kept: fn(&DomainBlockRow) -> &Option<String>| {
            given
                .clone()
                .or_else(|| current.and_then(|c| kept(c).clone()))
        };
        Ok(BlockSettings {
            severity,
            reject_media: flag(self.reject_media, |c| c.reject_media),
            reject_reports: flag(self.reject_reports, |c| c.reject_reports),
            private_comment: text(&self.private_comment, |c| &c.private_comment),
            public_comment: text(&self.public_comment, |c| &c.public_comment),
            obfuscate: flag(self.obfuscate, |c| c.obfuscate),
        })
    }
}

/// What blocking a domain came to.
#[derive(Debug)]
pub enum Blocked {
    /// A new block.
    Created(DomainBlockRow),
    /// The domain was blocked already; nothing changed. The existing block, unless it
    /// was lifted in between.
    Already {
        domain: String,
        existing: Option<DomainBlockRow>,
    },
}

/// Blocks the domain `domain` (as typed: see [`normalize_domain`]) and applies the
/// severity to its known accounts, in one transaction. Errors: Validation.
pub async fn block(
    state: &AppState,
    domain: Option<&str>,
    changes: &BlockChanges,
) -> ApiResult<Blocked> {
    let domain = normalize_domain(domain)?;
    let settings = changes.settings(None)?;
    let mut transaction = state.db.begin().await?;
    let created = domain_blocks::create(&mut transaction, &domain, &settings).await?;
    transaction.commit().await?;
    match created {
        Some(row) => Ok(Blocked::Created(row)),
        None => {
            let existing = domain_blocks::find_by_domain(&state.db, &domain).await?;
            Ok(Blocked::Already { domain, existing })
        }
    }
}

/// Changes the settings of the block `id` (its domain stays) and applies them.
/// Errors: NotFound, Validation.
pub async fn update_block(
    state: &AppState,
    id: i64,
    changes: &BlockChanges,
) -> ApiResult<DomainBlockRow> {
    let current = find_block(state, id).await?;
    let settings = changes.settings(Some(&current))?;
    let mut transaction = state.db.begin().await?;
    let row = domain_blocks::update(&mut transaction, id, &settings)
        .await?
        .ok_or(ApiError::NotFound)?;
    transaction.commit().await?;
    Ok(row)
}

/// Lifts the block `id`. Errors: NotFound.
pub async fn unblock(state: &AppState, id: i64) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    if !domain_blocks::delete(&mut transaction, id).await? {
        return Err(ApiError::NotFound);
    }
    transaction.commit().await?;
    Ok(())
}

/// The block `id`. Errors: NotFound.
pub async fn find_block(state: &AppState, id: i64) -> ApiResult<DomainBlockRow> {
    domain_blocks::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Puts the domain `domain` (as typed) on the allowlist; allowing it again returns the
/// same entry. Errors: Validation.
pub async fn allow(state: &AppState, domain: Option<&str>) -> ApiResult<DomainAllowRow> {
    let domain = normalize_domain(domain)?;
    Ok(domain_blocks::allow(&state.db, &domain).await?)
}

/// Takes the entry `id` off the allowlist. Errors: NotFound.
pub async fn disallow(state: &AppState, id: i64) -> ApiResult<()> {
    if domain_blocks::disallow(&state.db, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The allowlist entry `id`. Errors: NotFound.
pub async fn find_allow(state: &AppState, id: i64) -> ApiResult<DomainAllowRow> {
    domain_blocks::find_allow(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}
