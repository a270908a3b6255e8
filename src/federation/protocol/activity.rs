//! Activities: the generic envelope Roost parses every received activity into (to store
//! and dispatch it), and typed `Follow`, `Block`, `Accept`, `Reject` and `Undo` with
//! constructors for the ones Roost sends.
//!
//! An activity of a type Roost does not know still parses (as [`ActivityKind::Unknown`])
//! so the inbox can acknowledge and drop it instead of answering an error. Parsing proves
//! nothing about authenticity: the inbox must check that `actor` is the signer and that
//! embedded objects belong to the actor before acting on them.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#server-to-server-interactions>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#activity-types>.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{context, is_public, lenient, raw, HasId, ObjectRef};

/// Any received activity, with the fields needed to store, deduplicate and dispatch it.
/// The `object` stays raw JSON: parse it into a typed activity or object once
/// [`Activity::kind`] says which.
///
/// Keep the request body as received for storage and forwarding; re-serializing this
/// struct drops every property it does not name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The JSON-LD context as sent; not interpreted.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The activity's id: the key for deduplicating redeliveries.
    pub id: Url,
    /// The activity's type; from a type array the first entry is kept.
    #[serde(rename = "type", deserialize_with = "lenient::first_of")]
    pub kind: ActivityKind,
    /// Who performed it: a URI, or an inline actor object. See [`Activity::actor_id`].
    pub actor: ObjectRef,
    /// What it acts on: a URI, an embedded object or activity, or `null` if absent.
    #[serde(default)]
    pub object: Value,
    /// The target, for `Add`/`Remove`/`Move`, uninterpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Value>,
    /// Primary recipients; public aliases are normalised to [`super::PUBLIC`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
    /// Secondary recipients; public aliases are normalised to [`super::PUBLIC`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub cc: Vec<Url>,
    /// When it was published, if stated and parseable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub published: Option<DateTime<Utc>>,
    /// Text content: the emoji of an `EmojiReact` or of a `Like` used as a reaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub content: Option<String>,
    /// Misskey's reaction emoji on a `Like` (`_misskey_reaction`).
    #[serde(
        rename = "_misskey_reaction",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub misskey_reaction: Option<String>,
}

impl Activity {
    /// The URI of the actor that performed the activity.
    pub fn actor_id(&self) -> &Url {
        self.actor.id()
    }

    /// The URI of the activity's object: the string itself, or the `id` of an embedded
    /// object. `None` if absent or not a URL.
    pub fn object_id(&self) -> Option<Url> {
        Url::parse(raw::object_id(&self.object)?).ok()
    }

    /// The URIs of every object: one for a URI or an embedded object, each entry's for
    /// an array (a `Flag` lists the reported actor, then the reported posts). Entries
    /// that are not URLs are skipped.
    pub fn object_ids(&self) -> Vec<Url> {
        let entries = match &self.object {
            Value::Array(entries) => entries.iter().collect(),
            other => vec![other],
        };
        entries
            .into_iter()
            .filter_map(raw::object_id)
            .filter_map(|uri| Url::parse(uri).ok())
            .collect()
    }

    /// The `type` of an embedded object (`"Follow"` inside an `Undo`, `"Note"` inside a
    /// `Create`); `None` when the object is a bare URI.
    pub fn object_kind(&self) -> Option<&str> {
        self.object.get("type")?.as_str()
    }

    /// Whether the activity is addressed to the public collection in `to` or `cc`.
    /// Mastodon's "unlisted" has it only in `cc`; check `to` to tell the two apart.
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|uri| is_public(uri.as_str()))
    }
}

impl HasId for Activity {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The activity types Roost knows. Any other type parses as [`ActivityKind::Unknown`]
/// and serializes back unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ActivityKind {
    /// Request to follow an actor.
    Follow,
    /// Approval of a follow request.
    Accept,
    /// Refusal (or later removal) of a follow.
    Reject,
    /// Reversal of an earlier activity (unfollow, unlike, unboost, unblock).
    Undo,
    /// A new post.
    Create,
    /// An edited post or changed profile.
    Update,
    /// A deleted post or account.
    Delete,
    /// A favourite (Misskey: a reaction, with `_misskey_reaction`).
    Like,
    /// A boost.
    Announce,
    /// A block.
    Block,
    /// A report.
    Flag,
    /// An account migration.
    Move,
    /// Adding to a collection (Mastodon: pinning a post).
    Add,
    /// Removing from a collection (Mastodon: unpinning).
    Remove,
    /// An emoji reaction (Pleroma/Akkoma, Misskey forks).
    EmojiReact,
    /// Any other type, verbatim.
    Unknown(String),
}

impl ActivityKind {
    /// The type's ActivityStreams name.
    pub fn as_str(&self) -> &str {
        match self {
            ActivityKind::Follow => "Follow",
            ActivityKind::Accept => "Accept",
            ActivityKind::Reject => "Reject",
            ActivityKind::Undo => "Undo",
            ActivityKind::Create => "Create",
            ActivityKind::Update => "Update",
            ActivityKind::Delete => "Delete",
            ActivityKind::Like => "Like",
            ActivityKind::Announce => "Announce",
            ActivityKind::Block => "Block",
            ActivityKind::Flag => "Flag",
            ActivityKind::Move => "Move",
            ActivityKind::Add => "Add",
            ActivityKind::Remove => "Remove",
            ActivityKind::EmojiReact => "EmojiReact",
            ActivityKind::Unknown(other) => other,
        }
    }
}

impl From<String> for ActivityKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "Follow" => ActivityKind::Follow,
            "Accept" => ActivityKind::Accept,
            "Reject" => ActivityKind::Reject,
            "Undo" => ActivityKind::Undo,
            "Create" => ActivityKind::Create,
            "Update" => ActivityKind::Update,
            "Delete" => ActivityKind::Delete,
            "Like" => ActivityKind::Like,
            "Announce" => ActivityKind::Announce,
            "Block" => ActivityKind::Block,
            "Flag" => ActivityKind::Flag,
            "Move" => ActivityKind::Move,
            "Add" => ActivityKind::Add,
            "Remove" => ActivityKind::Remove,
            "EmojiReact" => ActivityKind::EmojiReact,
            _ => ActivityKind::Unknown(name),
        }
    }
}

impl From<ActivityKind> for String {
    fn from(kind: ActivityKind) -> Self {
        kind.as_str().to_owned()
    }
}

/// A `Follow`: `actor` asks to follow `object`. Every known server sends both as bare
/// URIs, so they are parsed as such.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Follow {
    /// JSON-LD context: set on a top-level `Follow` Roost sends, absent when embedded.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The follow's id, which the `Accept`/`Reject`/`Undo` will refer to.
    pub id: Url,
    /// Always `Follow`.
    #[serde(rename = "type")]
    pub kind: FollowType,
    /// The follower.
    pub actor: Url,
    /// The actor being followed.
    pub object: Url,
    /// Recipients (Roost addresses the followed actor; Mastodon omits this).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
}

impl Follow {
    /// Roost's outbound `Follow` of `object` by `actor`, addressed to `object`.
    pub fn new(id: Url, actor: Url, object: Url) -> Follow {
        Follow {
            context: Some(context()),
            id,
            kind: FollowType::Follow,
            actor,
            to: vec![object.clone()],
            object,
        }
    }

    /// The same follow without its `@context`, for embedding in another activity.
    pub fn embedded(mut self) -> Follow {
        self.context = None;
        self
    }
}

impl HasId for Follow {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The only `type` a [`Follow`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowType {
    /// `Follow`.
    Follow,
}

/// A `Block`: `actor` blocks `object`. Mastodon sends it to the blocked actor's server
/// so that server can hide the blocker from it; both are bare URIs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// JSON-LD context: set on a top-level `Block` Roost sends, absent when embedded.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The block's id, which an `Undo` will refer to.
    pub id: Url,
    /// Always `Block`.
    #[serde(rename = "type")]
    pub kind: BlockType,
    /// The blocker.
    pub actor: Url,
    /// The blocked actor.
    pub object: Url,
    /// Recipients (Roost addresses the blocked actor).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
}

impl HasId for Block {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The only `type` a [`Block`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockType {
    /// `Block`.
    Block,
}

/// Defines an activity whose `object` is a reference to another activity (a follow,
/// by default): `Accept`, `Reject` and `Undo` share this shape.
macro_rules! responding_activity {
    ($(#[$doc:meta])* $name:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name<T = Follow> {
            /// JSON-LD context: set on activities Roost sends, not interpreted on others.
            #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
            pub context: Option<Value>,
            /// The activity's id.
            pub id: Url,
            #[doc = concat!("Always `", stringify!($name), "`.")]
            #[serde(rename = "type")]
            pub kind: $kind,
            /// Who performs it.
            pub actor: Url,
            /// The activity it responds to: a bare URI, or the activity embedded.
            pub object: ObjectRef<T>,
            /// Recipients.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            #[serde(deserialize_with = "lenient::audience")]
            pub to: Vec<Url>,
        }

        impl $name<Follow> {
            #[doc = concat!(
                "Roost's outbound `", stringify!($name), "` of `follow` by `actor`, embedding the ",
                "follow (without its context) and addressed to the follow's other party."
            )]
            pub fn new(id: Url, actor: Url, follow: Follow) -> Self {
                let other_party = if follow.actor == actor {
                    follow.object.clone()
                } else {
                    follow.actor.clone()
                };
                $name {
                    context: Some(context()),
                    id,
                    kind: $kind::$name,
                    actor,
                    object: ObjectRef::object(follow.embedded()),
                    to: vec![other_party],
                }
            }
        }

        impl<T: HasId> $name<T> {
            /// The id of the activity this responds to, embedded or not.
            pub fn object_id(&self) -> &Url {
                self.object.id()
            }
        }

        #[doc = concat!("The only `type` a [`", stringify!($name), "`] has.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $kind {
            #[doc = concat!("`", stringify!($name), "`.")]
            $name,
        }
    };
}

responding_activity!(
    /// An `Accept` of a follow request. Mastodon and Lemmy embed the `Follow`; some servers
    /// send only its URI, so match the follow by [`Accept::object_id`] and do not trust the
    /// embedded copy beyond that.
    Accept,
    AcceptType
);

responding_activity!(
    /// A `Reject` of a follow request, or the removal of an existing follower. Same shape
    /// as [`Accept`].
    Reject,
    RejectType
);

responding_activity!(
    /// An `Undo` of an earlier activity: by default of a `Follow` (unfollow). The object
    /// is embedded by Mastodon, Misskey and Lemmy, and a bare URI from some servers (and
    /// Mastodon for `Undo` of a `Like`), so identify the undone activity by
    /// [`Undo::object_id`] and check it was the same actor's.
    Undo,
    UndoType
);
