//! Interactions with posts: favourites and emoji reactions (`Like`, `EmojiReact`), boosts
//! (`Announce`), and Roost's `Undo` of either. Each has a constructor for what Roost sends.
//!
//! An undo reuses the generic [`Undo`] as `Undo<Like>` or `Undo<Announce>`. Senders
//! embed the undone activity or send only its URI. Match it by [`Undo::object_id`] and
//! check that it belongs to the same actor.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#like-activity-inbox>,
//! <https://www.w3.org/TR/activitypub/#announce-activity-inbox>; reactions: Misskey's
//! `_misskey_reaction` and Pleroma's `EmojiReact` (<https://docs.pleroma.social/backend/development/ap_extensions/>).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{post_context, Audience, Note, Visibility};
use crate::federation::protocol::activity::UndoType;
use crate::federation::protocol::{lenient, HasId, ObjectRef, Tag, Undo};

/// A favourite (`Like`) or an emoji reaction (`EmojiReact`, or a Misskey `Like` with a
/// reaction). See [`Like::reaction`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Like {
    /// JSON-LD context: set on Roost's activities, not interpreted on others.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The activity's id, which an `Undo` refers to.
    pub id: Url,
    /// `Like` or `EmojiReact`.
    #[serde(rename = "type")]
    pub kind: LikeKind,
    /// Who likes.
    pub actor: Url,
    /// The liked post's URI.
    pub object: Url,
    /// The reaction emoji (`EmojiReact`, Misskey): a Unicode emoji or `:shortcode:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub content: Option<String>,
    /// Misskey's reaction emoji.
    #[serde(
        rename = "_misskey_reaction",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub misskey_reaction: Option<String>,
    /// The custom emoji a `:shortcode:` reaction refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub tag: Vec<Tag>,
    /// Primary recipients (Mastodon sends none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
    /// Secondary recipients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub cc: Vec<Url>,
}

impl Like {
    /// Roost's outbound favourite of the post `object`, addressed to its author.
    pub fn new(id: Url, actor: Url, object: Url, object_author: Url) -> Like {
        Like {
            context: Some(post_context()),
            id,
            kind: LikeKind::Like,
            actor,
            object,
            content: None,
            misskey_reaction: None,
            tag: Vec::new(),
            to: vec![object_author],
            cc: Vec::new(),
        }
    }

    /// The reaction emoji, if this is a reaction rather than a plain favourite:
    /// `_misskey_reaction`, else `content`.
    pub fn reaction(&self) -> Option<&str> {
        let reaction = self.misskey_reaction.as_deref().or(self.content.as_deref());
        reaction.filter(|text| !text.trim().is_empty())
    }

    /// The same like without `@context`, for embedding in an `Undo`.
    pub fn embedded(mut self) -> Like {
        self.context = None;
        self
    }
}

impl HasId for Like {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The `type` of a [`Like`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LikeKind {
    /// A favourite, or a Misskey reaction.
    Like,
    /// A Pleroma/Akkoma emoji reaction.
    EmojiReact,
}

/// A boost. Lemmy communities also `Announce` whole activities (a `Create` of a post) to
/// their followers. Check `Activity::object_kind` before reading one as a boost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Announce {
    /// JSON-LD context: set on Roost's activities, not interpreted on others.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The boost's id.
    pub id: Url,
    /// Always `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// Who boosts.
    pub actor: Url,
    /// The boosted post: a URI, or the post embedded (refetch it before trusting it).
    pub object: ObjectRef<Note>,
    /// Primary recipients; public aliases are normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
    /// Secondary recipients; public aliases are normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub cc: Vec<Url>,
    /// When it was boosted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub published: Option<DateTime<Utc>>,
}

impl Announce {
    /// Roost's outbound boost of the post `object`. Build `audience` with
    /// [`Visibility::audience`], passing the boosted post's author as a recipient
    /// (Mastodon's shape: public boost → `to` Public, `cc` followers and author).
    pub fn new(
        id: Url,
        actor: Url,
        object: Url,
        audience: Audience,
        published: DateTime<Utc>,
    ) -> Announce {
        Announce {
            context: Some(post_context()),
            id,
            kind: AnnounceType::Announce,
            actor,
            object: ObjectRef::Uri(object),
            to: audience.to,
            cc: audience.cc,
            published: Some(published),
        }
    }

    /// The boosted post's URI.
    pub fn object_id(&self) -> &Url {
        self.object.id()
    }

    /// The boost's own visibility; `followers_url` is the booster's followers collection.
    pub fn visibility(&self, followers_url: Option<&Url>) -> Visibility {
        let audience = (self.to.as_slice(), self.cc.as_slice());
        Visibility::from_audience(audience, followers_url, &[], None)
    }

    /// The same boost without `@context`, for embedding in an `Undo`.
    pub fn embedded(mut self) -> Announce {
        self.context = None;
        self
    }
}

impl HasId for Announce {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The only `type` an [`Announce`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnnounceType {
    /// `Announce`.
    Announce,
}

impl Undo<Like> {
    /// Roost's outbound un-favourite: an `Undo` embedding `like`, sent to everyone the
    /// like went to.
    pub fn of_like(id: Url, like: Like) -> Self {
        let to = like.to.iter().chain(&like.cc).cloned().collect();
        undo(id, like.actor.clone(), to, like.embedded())
    }
}

impl Undo<Announce> {
    /// Roost's outbound un-boost: an `Undo` embedding `announce`, sent to everyone the
    /// boost went to.
    pub fn of_announce(id: Url, announce: Announce) -> Self {
        let to = announce.to.iter().chain(&announce.cc).cloned().collect();
        undo(id, announce.actor.clone(), to, announce.embedded())
    }
}

fn undo<T>(id: Url, actor: Url, to: Vec<Url>, object: T) -> Undo<T> {
    Undo {
        context: Some(post_context()),
        id,
        kind: UndoType::Undo,
        actor,
        object: ObjectRef::object(object),
        to,
    }
}
