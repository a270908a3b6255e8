//! The Suggestion entity (<https://docs.joinmastodon.org/entities/Suggestion/>): an
//! account the user might follow and why.

use serde::Serialize;
use utoipa::ToSchema;

use super::Account;
use crate::config::Config;
use crate::services::suggestions::{Suggestion as SuggestionView, SuggestionSource};

/// A follow suggestion.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion {
    /// The strongest reason, in Mastodon's deprecated words: `staff`,
    /// `past_interactions` or `global`.
    pub source: String,
    /// Every reason: `featured`, `most_followed`, `most_interactions`,
    /// `similar_to_recently_followed` or `friends_of_friends`.
    pub sources: Vec<String>,
    /// The suggested account.
    pub account: Account,
}

impl Suggestion {
    /// The entity of `view`.
    pub fn from_view(view: &SuggestionView, config: &Config) -> Suggestion {
        let source = match view.sources.first() {
            Some(SuggestionSource::Featured) => "staff",
            Some(SuggestionSource::FriendsOfFriends)
            | Some(SuggestionSource::SimilarToRecentlyFollowed) => "past_interactions",
            _ => "global",
        };
        Suggestion {
            source: source.to_owned(),
            sources: view.sources.iter().map(|s| name(*s).to_owned()).collect(),
            account: Account::from_row(&view.account, config),
        }
    }
}

fn name(source: SuggestionSource) -> &'static str {
    match source {
        SuggestionSource::Featured => "featured",
        SuggestionSource::FriendsOfFriends => "friends_of_friends",
        SuggestionSource::SimilarToRecentlyFollowed => "similar_to_recently_followed",
        SuggestionSource::MostFollowed => "most_followed",
    }
}
