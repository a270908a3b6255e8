//! The PreviewCard entity: the preview of the first link of a status
//! (<https://docs.joinmastodon.org/entities/PreviewCard/>). `html` and `embed_url`
//! are always empty: Roost keeps no third-party embed markup (see
//! `services::cards::preview`).

use serde::Serialize;
use utoipa::ToSchema;

use super::tag::TagHistory;
use super::timestamp;
use crate::config::Config;
use crate::db::cards::CardRow;
use crate::services::trends::{Reviewed, TrendingLink};

/// A link preview.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PreviewCard {
    pub url: String,
    pub title: String,
    pub description: String,
    /// `link`, `photo`, `video` or `rich`.
    #[serde(rename = "type")]
    pub kind: String,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub html: String,
    pub width: i32,
    pub height: i32,
    pub image: Option<String>,
    pub image_description: String,
    pub embed_url: String,
    pub blurhash: Option<String>,
    pub language: Option<String>,
    pub published_at: Option<String>,
    /// The page's authors (Mastodon 4.3); Roost names the one `author_name` gives.
    pub authors: Vec<PreviewCardAuthor>,
}

/// An author of a linked page.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PreviewCardAuthor {
    pub name: String,
    pub url: String,
    /// The author's fediverse account (never known to Roost yet).
    #[schema(value_type = Option<Object>)]
    pub account: Option<serde_json::Value>,
}

impl PreviewCard {
    /// The card of `row`.
    pub fn from_row(row: &CardRow, config: &Config) -> PreviewCard {
        let image = row.image_url(config);
        let authors = (!row.author_name.is_empty())
            .then(|| PreviewCardAuthor {
                name: row.author_name.clone(),
                url: row.author_url.clone(),
                account: None,
            })
            .into_iter()
            .collect();
        PreviewCard {
            url: row.url.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            kind: row.card_type.clone(),
            author_name: row.author_name.clone(),
            author_url: row.author_url.clone(),
            provider_name: row.provider_name.clone(),
            provider_url: row.provider_url.clone(),
            html: String::new(),
            width: row.width,
            height: row.height,
            image,
            image_description: row.image_description.clone(),
            embed_url: String::new(),
            blurhash: row.blurhash.clone(),
            language: row.language.clone(),
            published_at: row.published_at.map(timestamp),
            authors,
        }
    }
}

impl PreviewCard {
    /// A card Roost makes itself (not fetched): a `link` with a title and an image.
    pub fn link(url: String, title: String, image: Option<String>) -> PreviewCard {
        PreviewCard {
            url,
            title,
            description: String::new(),
            kind: "link".to_owned(),
            author_name: String::new(),
            author_url: String::new(),
            provider_name: String::new(),
            provider_url: String::new(),
            html: String::new(),
            width: 0,
            height: 0,
            image,
            image_description: String::new(),
            embed_url: String::new(),
            blurhash: None,
            language: None,
            published_at: None,
            authors: Vec::new(),
        }
    }
}

/// A trending link (Mastodon's Trends::Link): the card and the use of its URL over the
/// last week, today first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TrendsLink {
    #[serde(flatten)]
    pub card: PreviewCard,
    pub history: Vec<TagHistory>,
}

impl TrendsLink {
    /// The entity of `link`.
    pub fn from_link(link: &TrendingLink, config: &Config) -> TrendsLink {
        TrendsLink {
            card: PreviewCard::from_row(&link.card, config),
            history: link.history.iter().map(TagHistory::from_day).collect(),
        }
    }
}

/// A trending link as staff see it (`GET /api/v1/admin/trends/links`): with the id to
/// approve or reject it by, and whether it awaits review.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminTrendsLink {
    pub id: String,
    #[serde(flatten)]
    pub link: TrendsLink,
    pub requires_review: bool,
}

impl AdminTrendsLink {
    /// The entity of `reviewed`.
    pub fn from_reviewed(reviewed: &Reviewed<TrendingLink>, config: &Config) -> AdminTrendsLink {
        AdminTrendsLink {
            id: reviewed.trend.card.id.to_string(),
            link: TrendsLink::from_link(&reviewed.trend, config),
            requires_review: reviewed.requires_review(),
        }
    }
}
