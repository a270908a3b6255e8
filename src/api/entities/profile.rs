//! The Profile entity (<https://docs.joinmastodon.org/entities/Profile/>, Mastodon
//! 4.6): the signed-in user's own profile with the source values of every editable
//! field (the bio and fields as typed, images `null` when unset).

use chrono::SecondsFormat;
use serde::Serialize;
use utoipa::ToSchema;

use super::featured_tag::FeaturedTag;
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::featured_tags::FeaturedTagRow;
use crate::domain::Id;
use crate::urls;

/// One profile field as the user typed it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProfileField {
    pub name: String,
    pub value: String,
    /// When a rel="me" link in the value was verified.
    pub verified_at: Option<String>,
}

/// The user's own profile.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Profile {
    #[schema(value_type = String)]
    pub id: Id,
    pub display_name: String,
    /// The bio as typed (not HTML).
    pub note: String,
    pub fields: Vec<ProfileField>,
    pub avatar: Option<String>,
    pub avatar_static: Option<String>,
    /// Roost keeps no description of images yet: always "".
    pub avatar_description: String,
    pub header: Option<String>,
    pub header_static: Option<String>,
    pub header_description: String,
    pub locked: bool,
    pub bot: bool,
    pub hide_collections: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: bool,
    /// Profile tabs: Roost shows them all.
    pub show_media: bool,
    pub show_media_replies: bool,
    pub show_featured: bool,
    pub attribution_domains: Vec<String>,
    /// The hashtags featured on the profile, as `/api/v1/featured_tags` lists them.
    pub featured_tags: Vec<FeaturedTag>,
}

impl Profile {
    /// The profile of the local account `row`, which features the hashtags `featured`.
    pub fn from_row(row: &AccountRow, featured: &[FeaturedTagRow], config: &Config) -> Profile {
        let image = |key: &Option<String>, url: String| key.as_ref().map(|_| url);
        let avatar = image(&row.avatar_key, urls::avatar(config, row));
        let header = image(&row.header_key, urls::header(config, row));
        Profile {
            id: Id(row.id),
            display_name: row.display_name.clone(),
            note: row.note_source.clone(),
            fields: row
                .fields
                .iter()
                .map(|field| ProfileField {
                    name: field.name.clone(),
                    value: field.source.clone().unwrap_or_else(|| field.value.clone()),
                    verified_at: field
                        .verified_at
                        .map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
                })
                .collect(),
            avatar_static: avatar.clone(),
            avatar,
            avatar_description: String::new(),
            header_static: header.clone(),
            header,
            header_description: String::new(),
            locked: row.locked,
            bot: row.bot,
            hide_collections: Some(row.hide_collections),
            discoverable: Some(row.discoverable),
            indexable: row.indexable,
            show_media: true,
            show_media_replies: true,
            show_featured: true,
            attribution_domains: Vec::new(),
            featured_tags: featured
                .iter()
                .map(|tag| FeaturedTag::from_row(tag, row, config))
                .collect(),
        }
    }
}
