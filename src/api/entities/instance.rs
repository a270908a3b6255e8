//! The Instance entity in its v2 (<https://docs.joinmastodon.org/entities/Instance/>)
//! and v1 (<https://docs.joinmastodon.org/entities/V1_Instance/>) forms, and the Rule
//! entity (<https://docs.joinmastodon.org/entities/Rule/>). Both instance forms
//! describe the same facts; apps use `configuration` to learn Roost's limits.

use serde::Serialize;
use utoipa::ToSchema;

use super::Account;
use crate::config::{Config, RegistrationMode};

pub use super::rule::Rule;

/// The Mastodon API version Roost is compatible with, in the form client libraries
/// parse (they take the leading version to decide which features to use).
pub fn version_string() -> String {
    format!("4.3.0 (compatible; Roost {})", env!("CARGO_PKG_VERSION"))
}

/// Figures that come from the database.
#[derive(Debug, Clone, Copy)]
pub struct InstanceStats {
    pub user_count: i64,
    /// Local users who signed in or signed up in the last 30 days.
    pub active_month: i64,
    pub status_count: i64,
    pub domain_count: i64,
}

/// `GET /api/v2/instance`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Instance {
    pub domain: String,
    pub title: String,
    pub version: String,
    pub source_url: String,
    pub description: String,
    pub usage: Usage,
    pub thumbnail: Thumbnail,
    /// Always empty: Roost has no instance icons.
    #[schema(value_type = Vec<Object>)]
    pub icon: Vec<serde_json::Value>,
    pub languages: Vec<String>,
    pub configuration: Configuration,
    pub registrations: Registrations,
    pub api_versions: ApiVersions,
    pub contact: Contact,
    pub rules: Vec<Rule>,
}

/// `usage` of the v2 instance.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct Usage {
    pub users: UsageUsers,
}

/// `usage.users`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct UsageUsers {
    pub active_month: i64,
}

/// `thumbnail` of the v2 instance.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Thumbnail {
    pub url: String,
}

/// `registrations` of the v2 instance.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Registrations {
    pub enabled: bool,
    pub approval_required: bool,
    pub reason_required: bool,
    pub message: Option<String>,
    pub url: Option<String>,
}

/// `api_versions`: the Mastodon API version Roost implements.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct ApiVersions {
    pub mastodon: u32,
}

/// `contact` of the v2 instance.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Contact {
    pub email: String,
    /// Always null: no account is named as the contact.
    pub account: Option<Account>,
}

/// Limits apps must respect; one source for both API versions (v1 has neither `urls`
/// nor `vapid`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Configuration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<ConfigurationUrls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vapid: Option<Vapid>,
    pub accounts: AccountLimits,
    pub statuses: StatusLimits,
    pub media_attachments: MediaLimits,
    pub polls: PollLimits,
    pub translation: Translation,
}

/// `configuration.urls`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConfigurationUrls {
    pub streaming: String,
}

/// `configuration.vapid`: the key Web Push messages are signed with.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Vapid {
    pub public_key: String,
}

/// `configuration.accounts`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct AccountLimits {
    pub max_featured_tags: u32,
    pub max_pinned_statuses: u32,
}

/// `configuration.statuses`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct StatusLimits {
    pub max_characters: u32,
    pub max_media_attachments: u32,
    pub characters_reserved_per_url: u32,
}

/// `configuration.media_attachments`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MediaLimits {
    pub supported_mime_types: Vec<&'static str>,
    pub description_limit: usize,
    pub image_size_limit: u64,
    pub image_matrix_limit: u64,
    pub video_size_limit: u64,
    pub video_frame_rate_limit: u32,
    pub video_matrix_limit: u64,
}

/// `configuration.polls`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct PollLimits {
    pub max_options: u32,
    pub max_characters_per_option: u32,
    pub min_expiration: u32,
    pub max_expiration: u32,
}

/// `configuration.translation`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct Translation {
    pub enabled: bool,
}

/// Where the streaming API lives (same host; `ws` under ROOST_INSECURE_HTTP).
fn streaming_url(config: &Config) -> String {
    let scheme = if config.insecure_http { "ws" } else { "wss" };
    format!("{scheme}://{}", config.domain)
}

/// The limits of both versions, without `urls` and `vapid`.
fn configuration(config: &Config) -> Configuration {
    Configuration {
        urls: None,
        vapid: None,
        accounts: AccountLimits {
            max_featured_tags: 10,
            max_pinned_statuses: 5,
        },
        statuses: StatusLimits {
            max_characters: config.max_status_characters,
            max_media_attachments: config.max_media_attachments,
            characters_reserved_per_url: 23,
        },
        media_attachments: MediaLimits {
            supported_mime_types: crate::media::detect::ALL
                .map(|format| format.content_type())
                .to_vec(),
            description_limit: crate::services::media::MAX_DESCRIPTION,
            image_size_limit: config.max_upload_bytes,
            image_matrix_limit: config.max_image_pixels,
            video_size_limit: config.max_upload_bytes,
            video_frame_rate_limit: 120,
            video_matrix_limit: 8_294_400,
        },
        polls: PollLimits {
            max_options: crate::domain::polls::MAX_OPTIONS as u32,
            max_characters_per_option: crate::domain::polls::MAX_CHARACTERS_PER_OPTION as u32,
            min_expiration: crate::domain::polls::MIN_EXPIRATION as u32,
            max_expiration: crate::domain::polls::MAX_EXPIRATION as u32,
        },
        translation: Translation { enabled: false },
    }
}

/// The placeholder header image both versions show as the thumbnail.
fn thumbnail_url(config: &Config) -> String {
    format!("{}/headers/original/missing.png", config.base_url())
}

impl Instance {
    /// `GET /api/v2/instance`, with the server's VAPID key and rules.
    pub fn new(
        config: &Config,
        stats: InstanceStats,
        vapid_key: String,
        rules: Vec<Rule>,
    ) -> Instance {
        Instance {
            domain: config.domain.clone(),
            title: config.instance_title.clone(),
            version: version_string(),
            source_url: "https://example.invalid/roost".to_owned(),
            description: config.instance_description.clone(),
            usage: Usage {
                users: UsageUsers {
                    active_month: stats.active_month,
                },
            },
            thumbnail: Thumbnail {
                url: thumbnail_url(config),
            },
            icon: Vec::new(),
            languages: vec!["en".to_owned()],
            configuration: Configuration {
                urls: Some(ConfigurationUrls {
                    streaming: streaming_url(config),
                }),
                vapid: Some(Vapid {
                    public_key: vapid_key,
                }),
                ..configuration(config)
            },
            registrations: Registrations {
                enabled: config.registration != RegistrationMode::Closed,
                approval_required: config.registration == RegistrationMode::Approval,
                reason_required: false,
                message: None,
                url: None,
            },
            api_versions: ApiVersions { mastodon: 2 },
            contact: Contact {
                email: config.contact_email.clone(),
                account: None,
            },
            rules,
        }
    }
}

/// `GET /api/v1/instance`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InstanceV1 {
    pub uri: String,
    pub title: String,
    pub short_description: String,
    pub description: String,
    pub email: String,
    pub version: String,
    pub urls: InstanceV1Urls,
    pub stats: InstanceV1Stats,
    pub thumbnail: String,
    pub languages: Vec<String>,
    pub registrations: bool,
    pub approval_required: bool,
    pub invites_enabled: bool,
    pub configuration: Configuration,
    /// Always null: no account is named as the contact.
    pub contact_account: Option<Account>,
    pub rules: Vec<Rule>,
}

/// `urls` of the v1 instance.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InstanceV1Urls {
    pub streaming_api: String,
}

/// `stats` of the v1 instance.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct InstanceV1Stats {
    pub user_count: i64,
    pub status_count: i64,
    pub domain_count: i64,
}

impl InstanceV1 {
    /// `GET /api/v1/instance`, with the server's rules.
    pub fn new(config: &Config, stats: InstanceStats, rules: Vec<Rule>) -> InstanceV1 {
        InstanceV1 {
            uri: config.domain.clone(),
            title: config.instance_title.clone(),
            short_description: config.instance_description.clone(),
            description: config.instance_description.clone(),
            email: config.contact_email.clone(),
            version: version_string(),
            urls: InstanceV1Urls {
                streaming_api: streaming_url(config),
            },
            stats: InstanceV1Stats {
                user_count: stats.user_count,
                status_count: stats.status_count,
                domain_count: stats.domain_count,
            },
            thumbnail: thumbnail_url(config),
            languages: vec!["en".to_owned()],
            registrations: config.registration != RegistrationMode::Closed,
            approval_required: config.registration == RegistrationMode::Approval,
            invites_enabled: false,
            configuration: configuration(config),
            contact_account: None,
            rules,
        }
    }
}
