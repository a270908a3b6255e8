//! The Instance entity in its v2 (<https://docs.joinmastodon.org/entities/Instance/>)
//! and v1 (<https://docs.joinmastodon.org/entities/V1_Instance/>) forms. Both describe
//! the same facts; apps use `configuration` to learn Roost's limits.

use serde_json::{json, Value};

use crate::config::{Config, RegistrationMode};

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

/// Where the streaming API lives (same host; `ws` under ROOST_INSECURE_HTTP).
fn streaming_url(config: &Config) -> String {
    let scheme = if config.insecure_http { "ws" } else { "wss" };
    format!("{scheme}://{}", config.domain)
}

/// Limits apps must respect; one source for both API versions.
fn configuration(config: &Config) -> Value {
    json!({
        "urls": { "streaming": streaming_url(config) },
        "vapid": { "public_key": "" },
        "accounts": { "max_featured_tags": 10, "max_pinned_statuses": 5 },
        "statuses": {
            "max_characters": config.max_status_characters,
            "max_media_attachments": config.max_media_attachments,
            "characters_reserved_per_url": 23
        },
        "media_attachments": {
            "supported_mime_types": crate::media::detect::ALL.map(|format| format.content_type()),
            "description_limit": crate::api::v1::media::MAX_DESCRIPTION,
            "image_size_limit": config.max_upload_bytes,
            "image_matrix_limit": config.max_image_pixels,
            "video_size_limit": config.max_upload_bytes,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400
        },
        "polls": { "max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746 },
        "translation": { "enabled": false }
    })
}

/// `GET /api/v2/instance`.
pub fn v2(config: &Config, stats: InstanceStats) -> Value {
    let base = config.base_url();
    json!({
        "domain": config.domain,
        "title": config.instance_title,
        "version": version_string(),
        "source_url": "https://example.invalid/roost",
        "description": config.instance_description,
        "usage": { "users": { "active_month": stats.active_month } },
        "thumbnail": { "url": format!("{base}/headers/original/missing.png") },
        "icon": [],
        "languages": ["en"],
        "configuration": configuration(config),
        "registrations": {
            "enabled": config.registration != RegistrationMode::Closed,
            "approval_required": config.registration == RegistrationMode::Approval,
            "reason_required": false,
            "message": null,
            "url": null
        },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": config.contact_email, "account": null },
        "rules": []
    })
}

/// `GET /api/v1/instance`.
pub fn v1(config: &Config, stats: InstanceStats) -> Value {
    let mut configuration = configuration(config);
    if let Some(map) = configuration.as_object_mut() {
        map.remove("urls");
        map.remove("vapid");
    }
    json!({
        "uri": config.domain,
        "title": config.instance_title,
        "short_description": config.instance_description,
        "description": config.instance_description,
        "email": config.contact_email,
        "version": version_string(),
        "urls": { "streaming_api": streaming_url(config) },
        "stats": {
            "user_count": stats.user_count,
            "status_count": stats.status_count,
            "domain_count": stats.domain_count
        },
        "thumbnail": format!("{}/headers/original/missing.png", config.base_url()),
        "languages": ["en"],
        "registrations": config.registration != RegistrationMode::Closed,
        "approval_required": config.registration == RegistrationMode::Approval,
        "invites_enabled": false,
        "configuration": configuration,
        "contact_account": null,
        "rules": []
    })
}
