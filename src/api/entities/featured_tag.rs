//! The FeaturedTag entity (<https://docs.joinmastodon.org/entities/FeaturedTag/>): a
//! hashtag an account shows on its profile, with how often the account used it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::featured_tags::FeaturedTagRow;
use crate::urls::{profile, Address};

/// A featured hashtag.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FeaturedTag {
    /// The featured hashtag's id, as a string.
    pub id: String,
    /// The hashtag's name, without `#`.
    pub name: String,
    /// The account's posts with the hashtag, on this server.
    pub url: String,
    /// The account's public and unlisted statuses with the hashtag.
    pub statuses_count: i64,
    /// The day of the newest of them (`YYYY-MM-DD`), or null.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_status_at: Option<chrono::NaiveDate>,
}

impl FeaturedTag {
    /// The entity of `row`, featured by `account`.
    pub fn from_row(row: &FeaturedTagRow, account: &AccountRow, config: &Config) -> FeaturedTag {
        let acct = Address::of(account, config).acct;
        FeaturedTag {
            id: row.id.to_string(),
            name: row.name.clone(),
            url: format!("{}/tagged/{}", profile(config, &acct), row.name),
            statuses_count: row.statuses_count,
            last_status_at: row.last_status_at,
        }
    }
}
