//! The parts of a post besides its text: media attachments, and constructors for the
//! `Mention` and `Hashtag` tags Roost puts on its own posts.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#as> (attachments, `blurhash`,
//! `focalPoint`), <https://docs.gotosocial.org/en/latest/federation/posts/>.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::domain::HttpUrl;
use crate::federation::protocol::{lenient, Tag, UrlOrLink};

/// A media attachment (`Document`, `Image`, `Video`, `Audio`) or, from Lemmy, the `Link` a
/// link post points to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The attachment's type, verbatim.
    #[serde(rename = "type", deserialize_with = "lenient::first_of")]
    pub kind: String,
    /// The file's media type, e.g. `image/jpeg`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub media_type: Option<String>,
    /// Where the file is. From an array, the first usable entry. See [`Attachment::target`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub url: Option<UrlOrLink>,
    /// The target of a `Link` attachment (Lemmy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub href: Option<HttpUrl>,
    /// Alt text (Mastodon, Misskey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub name: Option<String>,
    /// Alt text (GoToSocial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub summary: Option<String>,
    /// A BlurHash preview of the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub blurhash: Option<String>,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub height: Option<u32>,
    /// Mastodon's focal point `[x, y]`, each in -1.0..=1.0 (0,0 is the centre).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "focal_point")]
    pub focal_point: Option<[f64; 2]>,
    /// The picture of a link preview card (`Link` attachment, see `federation::cards`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub image: Option<Box<Attachment>>,
    /// The title of a music track (Roost's `Link` of a post's music, `roost:musicTitle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub music_title: Option<String>,
    /// The artist of a music track (`roost:musicArtist`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub music_artist: Option<String>,
}

/// Reads a focal point, dropping anything that is not two numbers. The lenient
/// `first_valid` reader cannot be used here: it treats the array as a list of candidates.
fn focal_point<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<[f64; 2]>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(deserializer)?).ok())
}

impl Attachment {
    /// An attachment of type `kind` with nothing else set.
    pub fn empty(kind: &str) -> Attachment {
        Attachment {
            kind: kind.to_owned(),
            media_type: None,
            url: None,
            href: None,
            name: None,
            summary: None,
            blurhash: None,
            width: None,
            height: None,
            focal_point: None,
            image: None,
            music_title: None,
            music_artist: None,
        }
    }

    /// Where the attachment points: its `url`, else its `href`.
    pub fn target(&self) -> Option<&HttpUrl> {
        self.url
            .as_ref()
            .map(UrlOrLink::href)
            .or(self.href.as_ref())
    }

    /// The alt text: `name`, else `summary`, if not blank.
    pub fn description(&self) -> Option<&str> {
        let name = self.name.as_deref().filter(|text| !text.trim().is_empty());
        name.or_else(|| {
            self.summary
                .as_deref()
                .filter(|text| !text.trim().is_empty())
        })
    }
}

impl Tag {
    /// A `Mention` of the actor at `href`, written `name` (`@user@domain`).
    pub fn mention(href: HttpUrl, name: String) -> Tag {
        Tag::link("Mention", href, name)
    }

    /// A `Hashtag` linking to `href` (the tag's page), written `name` (`#tag`).
    pub fn hashtag(href: HttpUrl, name: String) -> Tag {
        Tag::link("Hashtag", href, name)
    }

    fn link(kind: &str, href: HttpUrl, name: String) -> Tag {
        Tag {
            kind: kind.to_owned(),
            name: Some(name),
            href: Some(href),
            id: None,
            icon: None,
            updated: None,
        }
    }
}
