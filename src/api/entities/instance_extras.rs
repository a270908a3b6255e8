//! The instance's side entities: weekly activity, a listed DomainBlock, the
//! ExtendedDescription, PrivacyPolicy and TermsOfService
//! (<https://docs.joinmastodon.org/methods/instance/>).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::instance_activity::WeekRow;
use crate::db::instance_texts::TextRow;
use crate::services::instance_info::{ListedBlock, Terms};

/// One week of activity; every number is a string, as Mastodon sends them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Activity {
    /// UNIX time (seconds) of the week's start, Monday 00:00 UTC.
    pub week: String,
    /// Local statuses posted that week.
    pub statuses: String,
    /// Local accounts that signed in (were issued a token) that week.
    pub logins: String,
    /// Local accounts created that week.
    pub registrations: String,
}

impl Activity {
    /// Builds the entity from a row.
    pub fn from_row(row: &WeekRow) -> Activity {
        Activity {
            week: row.week.timestamp().to_string(),
            statuses: row.statuses.to_string(),
            logins: row.logins.to_string(),
            registrations: row.registrations.to_string(),
        }
    }
}

/// A moderated server (<https://docs.joinmastodon.org/entities/DomainBlock/>).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DomainBlock {
    /// The domain, partly starred out when obfuscated.
    pub domain: String,
    /// SHA-256 hex digest of the real domain.
    pub digest: String,
    /// `silence` or `suspend`.
    pub severity: String,
    /// The public reason, when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl DomainBlock {
    /// Builds the entity from the service's listing.
    pub fn from_listed(block: ListedBlock) -> DomainBlock {
        DomainBlock {
            domain: block.domain,
            digest: block.digest,
            severity: block.severity,
            comment: block.comment,
        }
    }
}

/// The extended description (<https://docs.joinmastodon.org/entities/ExtendedDescription/>).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExtendedDescription {
    /// When it was last changed; null when never set.
    pub updated_at: Option<DateTime<Utc>>,
    /// HTML (empty when never set).
    pub content: String,
}

impl ExtendedDescription {
    /// From the admin's text (if set) and its HTML.
    pub fn new(row: Option<&TextRow>, content: String) -> ExtendedDescription {
        ExtendedDescription {
            updated_at: row.map(|row| row.updated_at),
            content,
        }
    }
}

/// The privacy policy (<https://docs.joinmastodon.org/entities/PrivacyPolicy/>).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PrivacyPolicy {
    pub updated_at: DateTime<Utc>,
    /// HTML.
    pub content: String,
}

/// A version of the terms of service
/// (<https://docs.joinmastodon.org/entities/TermsOfService/>, Mastodon 4.4).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TermsOfService {
    /// `YYYY-MM-DD`.
    pub effective_date: String,
    /// Whether this version is in force (its date has come).
    pub effective: bool,
    /// HTML.
    pub content: String,
    /// `YYYY-MM-DD` of the next version, if one is set.
    pub succeeded_by: Option<String>,
}

impl TermsOfService {
    /// From the service's version and its HTML.
    pub fn new(terms: &Terms, content: String) -> TermsOfService {
        TermsOfService {
            effective_date: terms.row.effective_date.to_string(),
            effective: terms.effective,
            content,
            succeeded_by: terms.succeeded_by.map(|date| date.to_string()),
        }
    }
}
