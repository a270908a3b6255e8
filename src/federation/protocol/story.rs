// SPDX-License-Identifier: AGPL-3.0-or-later
//! Stories on the wire, in Pixelfed's vocabulary so Pixelfed and Roost understand each
//! other and no other server shows them in a timeline:
//!
//! - `Add` of `{"type": "Story", "id": …, "object": "bear:?t=TOKEN&u=URL"}` to the
//!   story's audience. The bearcap lets the receiver fetch the story with
//!   `Authorization: Bearer TOKEN`. Mastodon and most servers ignore an `Add` without a
//!   collection `target`, which is why stories travel this way and not as `Create`.
//!   Roost also embeds the story's fields in the object (see [`Story`]), so another
//!   Roost needs no fetch; Pixelfed reads only the bearcap.
//! - The fetched (or embedded) `Story`: `attributedTo`, `published`, `expiresAt`,
//!   `duration` (seconds), `can_reply`, `can_react`, one `attachment` (`Image` or
//!   `Video`, with `url` and `mediaType`), addressed like a post.
//!   Roost adds `music` (its own term): a music track as a post carries one.
//! - `Delete` of `{"type": "Story", "id": …}` when it is deleted or expires.
//! - `View` of `{"type": "Story", "id": …, "object": …}` when someone saw it.
//! - Pixelfed's `Story:Reply` and `Story:Reaction` (received only): `{"id", "actor",
//!   "to": AUTHOR, "inReplyTo": STORY, "content": TEXT or EMOJI}`, an answer to a story
//!   that becomes a direct message to its author.
//!
//! Spec: Pixelfed's `CreateStory`, `DeleteStory`, `StoryFetch` and `StoryViewDeliver`
//! (<https://github.com/pixelfed/pixelfed>); bearcaps:
//! <https://github.com/dariusk/bearcaps> (draft).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::lenient;
use super::note::Attachment;

/// A story object: what Roost embeds in its `Add` and serves at the story's id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Story {
    /// JSON-LD context, on a top-level document only.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The story's id.
    pub id: Url,
    /// Always `Story`.
    #[serde(rename = "type", deserialize_with = "lenient::first_of")]
    pub kind: String,
    /// The bearcap URI Pixelfed fetches the story by (`bear:?t=…&u=…`); only in an `Add`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub object: Option<String>,
    /// Its author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub attributed_to: Option<Url>,
    /// Primary audience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub cc: Vec<Url>,
    /// When it was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub published: Option<DateTime<Utc>>,
    /// When it disappears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub expires_at: Option<DateTime<Utc>>,
    /// How long it is shown, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub duration: Option<u32>,
    /// Whether its author takes replies (Pixelfed's name).
    #[serde(rename = "can_reply", default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub can_reply: Option<bool>,
    /// Whether its author takes reactions (Pixelfed's name; Roost takes them when it
    /// takes replies, as direct messages).
    #[serde(rename = "can_react", default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub can_react: Option<bool>,
    /// The picture or video (Pixelfed sends one object, not a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub attachment: Option<Attachment>,
    /// Roost's music track of the story (`roost:music`): the `Link` and `Audio`
    /// attachments a post's track is sent as (`federation::builders::music`). Kept apart
    /// from `attachment`, which Pixelfed reads as the story's one picture or video.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub music: Vec<Attachment>,
}

impl Story {
    /// Whether the object carries what a story needs without a fetch: author, times
    /// and the media (Roost embeds them; Pixelfed sends only the bearcap).
    pub fn is_complete(&self) -> bool {
        self.attributed_to.is_some() && self.expires_at.is_some() && self.attachment.is_some()
    }

    /// The `(token, url)` of the bearcap in `object`, if there is a well-formed one.
    pub fn bearcap(&self) -> Option<(String, Url)> {
        parse_bearcap(self.object.as_deref()?)
    }
}

/// Parses a bearcap URI `bear:?t=TOKEN&u=URL` (parameters in any order, percent-encoded)
/// into its token and an http(s) URL.
pub fn parse_bearcap(uri: &str) -> Option<(String, Url)> {
    let query = uri.strip_prefix("bear:?")?;
    let mut token = None;
    let mut url = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "t" => token = Some(value.into_owned()),
            "u" => url = Url::parse(&value).ok(),
            _ => {}
        }
    }
    let url = url.filter(|url| matches!(url.scheme(), "https" | "http"))?;
    let token = token.filter(|token| !token.is_empty() && token.len() <= 512)?;
    Some((token, url))
}

/// A story's reference in a `Delete` or `View`: its id, and (for Pixelfed's `View`) the
/// same id as `object`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoryRef {
    /// The story's id.
    pub id: Url,
    /// Always `Story`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The story's id again (Pixelfed reads a viewed story's id here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Url>,
}

/// An `Add`, `Delete` or `View` of a story.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoryActivity<T> {
    /// JSON-LD context.
    #[serde(rename = "@context")]
    pub context: Value,
    /// The activity's id.
    pub id: Url,
    /// `Add`, `Delete` or `View`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who did it.
    pub actor: Url,
    /// Primary audience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Url>,
    /// The story.
    pub object: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearcap_gives_its_token_and_url_in_either_order() {
        let (token, url) =
            parse_bearcap("bear:?t=abc123xyz&u=https%3A%2F%2Fpixel.example%2Fstories%2F1")
                .expect("bearcap");
        assert_eq!(token, "abc123xyz");
        assert_eq!(url.as_str(), "https://pixel.example/stories/1");
        let (token, _) = parse_bearcap("bear:?u=https://pixel.example/s/2&t=tok").expect("bearcap");
        assert_eq!(token, "tok");
    }

    #[test]
    fn a_bearcap_without_token_or_web_url_is_refused() {
        assert!(parse_bearcap("bear:?u=https://pixel.example/s/1").is_none());
        assert!(parse_bearcap("bear:?t=x&u=file:///etc/passwd").is_none());
        assert!(parse_bearcap("https://pixel.example/s/1").is_none());
        assert!(parse_bearcap("bear:?t=&u=https://pixel.example/s/1").is_none());
    }

    #[test]
    fn pixelfeds_add_parses_to_a_story_that_needs_a_fetch() {
        let add: Value = serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "https://pixel.example/stories/alice/123",
            "type": "Add",
            "actor": "https://pixel.example/users/alice",
            "to": ["https://pixel.example/users/alice/followers"],
            "object": {
                "id": "https://pixel.example/stories/alice/123",
                "type": "Story",
                "object": "bear:?t=0123456789abcdef&u=https://pixel.example/stories/alice/123"
            }
        });
        let story: Story = serde_json::from_value(add["object"].clone()).expect("story");
        assert!(!story.is_complete());
        let (token, url) = story.bearcap().expect("bearcap");
        assert_eq!(token, "0123456789abcdef");
        assert_eq!(url.as_str(), "https://pixel.example/stories/alice/123");
    }

    #[test]
    fn a_fetched_pixelfed_story_is_complete() {
        let story: Story = serde_json::from_value(serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "https://pixel.example/stories/alice/123",
            "type": "Story",
            "to": ["https://pixel.example/users/alice/followers"],
            "cc": [],
            "attributedTo": "https://pixel.example/users/alice",
            "mediaType": "image",
            "published": "2026-12-04T10:00:00Z",
            "expiresAt": "2026-12-05T10:00:00Z",
            "duration": 10,
            "can_reply": true,
            "can_react": true,
            "attachment": {
                "type": "Image",
                "url": "https://pixel.example/storage/_esm.t3/a.jpg",
                "mediaType": "image/jpeg"
            }
        }))
        .expect("story");
        assert!(story.is_complete());
        assert_eq!(story.duration, Some(10));
        assert_eq!(story.can_reply, Some(true));
    }
}
