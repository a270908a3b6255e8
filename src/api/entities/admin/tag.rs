//! The Admin::Tag entity (<https://docs.joinmastodon.org/entities/Tag/#admin>): a
//! hashtag with its id and an admin's review flags.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::tag::TagHistory;
use crate::config::Config;
use crate::services::admin_tags::AdminTagView;
use crate::urls;

/// A hashtag as admins see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminTag {
    /// The hashtag's id, as a string.
    pub id: String,
    /// The name, without `#`.
    pub name: String,
    /// Its page.
    pub url: String,
    /// The last seven days, today first.
    pub history: Vec<TagHistory>,
    /// Whether it may trend.
    pub trendable: bool,
    /// Whether new posts are filed under it.
    pub usable: bool,
    /// Whether no admin has reviewed it yet.
    pub requires_review: bool,
    /// Whether it may be listed (search, suggestions).
    pub listable: bool,
}

impl AdminTag {
    /// The entity of `view`.
    pub fn from_view(view: &AdminTagView, config: &Config) -> AdminTag {
        let tag = &view.tag;
        AdminTag {
            id: tag.id.to_string(),
            name: tag.name.clone(),
            url: urls::tag(config, &tag.name),
            history: view.history.iter().map(TagHistory::from_day).collect(),
            trendable: tag.trendable,
            usable: tag.usable,
            requires_review: tag.reviewed_at.is_none(),
            listable: tag.listable,
        }
    }
}
