//! The poll part of a post: a `Question`'s options (`oneOf` for one choice, `anyOf` for
//! several), each a `Note` named by its title with its vote count as
//! `replies.totalItems`, plus `endTime`, `closed` and Mastodon's `votersCount`. Carried
//! by [`super::Note`] (flattened), so a Question parses as a post with a poll. A vote
//! is a plain Note with `name` (the option) and `inReplyTo` (the Question).
//!
//! Spec: <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-question>,
//! <https://docs.joinmastodon.org/spec/activitypub/#Question>.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::federation::protocol::lenient;

/// The poll properties of a post; all absent on a post without a poll.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionFields {
    /// The options of a single-choice poll.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub one_of: Vec<QuestionOption>,
    /// The options of a multiple-choice poll.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub any_of: Vec<QuestionOption>,
    /// When voting ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub end_time: Option<DateTime<Utc>>,
    /// When it was closed (Mastodon), or `true` (some servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub closed: Option<Closed>,
    /// How many accounts voted (Mastodon's `toot:votersCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub voters_count: Option<i64>,
}

/// `closed`: a time, or a bare flag.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Closed {
    /// Closed at this time.
    At(DateTime<Utc>),
    /// Closed at this time without a zone (Pleroma), read as UTC.
    Naive(chrono::NaiveDateTime),
    /// Closed (or not), time unknown.
    Flag(bool),
}

/// One option of a poll.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionOption {
    /// Always `Note`.
    #[serde(rename = "type", default = "note_type")]
    pub kind: String,
    /// The option's title.
    pub name: String,
    /// Its votes, as `totalItems`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub replies: Option<OptionReplies>,
}

/// The `replies` collection of an option: only its size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionReplies {
    /// Always `Collection`.
    #[serde(rename = "type", default = "collection_type")]
    pub kind: CollectionType,
    /// The option's votes.
    #[serde(default)]
    pub total_items: i64,
}

/// The one collection type an option's replies have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollectionType {
    #[default]
    Collection,
}

fn note_type() -> String {
    "Note".to_owned()
}

fn collection_type() -> CollectionType {
    CollectionType::Collection
}

impl QuestionOption {
    /// An option titled `name` with `votes` votes.
    pub fn new(name: String, votes: i64) -> QuestionOption {
        QuestionOption {
            kind: note_type(),
            name,
            replies: Some(OptionReplies {
                kind: CollectionType::Collection,
                total_items: votes,
            }),
        }
    }

    /// Its votes (0 when not told).
    pub fn votes(&self) -> i64 {
        self.replies.map_or(0, |r| r.total_items.max(0))
    }
}

impl QuestionFields {
    /// Whether the post carries a poll (it has options).
    pub fn is_poll(&self) -> bool {
        !self.one_of.is_empty() || !self.any_of.is_empty()
    }

    /// Whether voters may choose several options (`anyOf`).
    pub fn multiple(&self) -> bool {
        self.one_of.is_empty() && !self.any_of.is_empty()
    }

    /// The options, `oneOf` or else `anyOf`.
    pub fn options(&self) -> &[QuestionOption] {
        if self.one_of.is_empty() {
            &self.any_of
        } else {
            &self.one_of
        }
    }

    /// When it closed, if it did: its `closed` time, or its end for a bare `true`.
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        match self.closed? {
            Closed::At(at) => Some(at),
            Closed::Naive(at) => Some(at.and_utc()),
            Closed::Flag(true) => Some(self.end_time.unwrap_or_else(Utc::now)),
            Closed::Flag(false) => None,
        }
    }
}
