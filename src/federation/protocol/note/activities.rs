//! The activities that publish, edit and delete posts: `Create` and `Update` (which embed
//! the post) and `Delete` (which carries a `Tombstone` or a URI). Each has a constructor
//! for the one Roost sends.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#create-activity-inbox>,
//! <https://www.w3.org/TR/activitypub/#update-activity-inbox>,
//! <https://www.w3.org/TR/activitypub/#delete-activity-inbox>.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{mentions_in, post_context, Audience, Note, Visibility};
use crate::federation::protocol::{lenient, HasId, ObjectRef, Tag};

/// Defines an activity that embeds a post: `Create` and `Update` share this shape.
macro_rules! post_activity {
    ($(#[$doc:meta])* $name:ident, $kind:ident, $new_doc:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name<T = Note> {
            /// JSON-LD context: set on Roost's activities, not interpreted on others.
            #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
            pub context: Option<Value>,
            /// The activity's id.
            pub id: Url,
            #[doc = concat!("Always `", stringify!($name), "`.")]
            #[serde(rename = "type")]
            pub kind: $kind,
            /// Who performs it; must be the post's author.
            pub actor: Url,
            /// The post, embedded, as every known server sends it.
            pub object: T,
            /// Primary recipients; public aliases are normalised.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            #[serde(deserialize_with = "lenient::audience")]
            pub to: Vec<Url>,
            /// Secondary recipients; public aliases are normalised.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            #[serde(deserialize_with = "lenient::audience")]
            pub cc: Vec<Url>,
            /// When it happened.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[serde(deserialize_with = "lenient::first_valid")]
            pub published: Option<DateTime<Utc>>,
            /// Tags on the activity itself: Lemmy puts a comment's mentions here.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            #[serde(deserialize_with = "lenient::valid_items")]
            pub tag: Vec<Tag>,
        }

        impl $name<Note> {
            #[doc = $new_doc]
            pub fn new(id: Url, actor: Url, note: Note) -> Self {
                $name {
                    context: Some(post_context()),
                    id,
                    kind: $kind::$name,
                    actor,
                    to: note.to.clone(),
                    cc: note.cc.clone(),
                    published: note.updated.or(note.published),
                    tag: Vec::new(),
                    object: note.embedded(),
                }
            }

            /// The post's visibility ([`Note::visibility`]). Like Mastodon, uses the
            /// activity's `to`/`cc` when the post has no addressing of its own.
            pub fn visibility(&self, followers_url: Option<&Url>, mentioned: &[Url]) -> Visibility {
                let note = &self.object;
                let audience = if note.to.is_empty() && note.cc.is_empty() {
                    (self.to.as_slice(), self.cc.as_slice())
                } else {
                    (note.to.as_slice(), note.cc.as_slice())
                };
                Visibility::from_audience(audience, followers_url, mentioned, note.direct_message)
            }

            /// The mentioned actors, from the post's tags and the activity's own (Lemmy).
            pub fn mentions(&self) -> impl Iterator<Item = &Url> {
                self.object.mentions().chain(mentions_in(&self.tag))
            }
        }

        impl<T> HasId for $name<T> {
            fn id(&self) -> &Url {
                &self.id
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

post_activity!(
    /// A new post: `actor` publishes `object`.
    Create,
    CreateType,
    "Roost's outbound `Create` of `note`, addressed like the note and dated by its `published`."
);

post_activity!(
    /// An edited post. Mastodon counts it as an edit only if the post has `updated`;
    /// without it, the `Update` only refreshes a poll's counts.
    Update,
    UpdateType,
    "Roost's outbound `Update` of the edited `note` (set its `updated` first), addressed like the note."
);

/// A deleted post, or an account when the object is the actor itself. `object` is a
/// bare URI (GoToSocial; Mastodon for accounts), a `Tombstone` (Mastodon, Misskey) or
/// the object embedded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delete {
    /// JSON-LD context: set on Roost's activities, not interpreted on others.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The activity's id. GoToSocial sends none: deduplicate those by actor and object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub id: Option<Url>,
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// Who deletes; must be the object's author (or the account itself).
    pub actor: Url,
    /// What was deleted. See [`Delete::object_id`].
    pub object: ObjectRef<Tombstone>,
    /// Primary recipients; Misskey sends none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
    /// Secondary recipients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub cc: Vec<Url>,
}

impl Delete {
    /// Roost's outbound `Delete` of its post `object` as a `Tombstone`. Pass the post's
    /// own addressing as `audience` so it reaches everyone who received the post.
    pub fn new(id: Url, actor: Url, object: Url, audience: Audience) -> Delete {
        Delete {
            context: Some(post_context()),
            id: Some(id),
            kind: DeleteType::Delete,
            actor,
            object: ObjectRef::object(Tombstone::new(object)),
            to: audience.to,
            cc: audience.cc,
        }
    }

    /// The URI of what was deleted, embedded or not.
    pub fn object_id(&self) -> &Url {
        self.object.id()
    }
}

/// The only `type` a [`Delete`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteType {
    /// `Delete`.
    Delete,
}

/// What is left of a deleted object: its id. Any embedded object with an `id` parses as
/// one, keeping its `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    /// JSON-LD context: set when the Tombstone is served as a document of its own
    /// ([`Tombstone::document`]), absent when embedded in a `Delete`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    /// The deleted object's URI.
    pub id: Url,
    /// `Tombstone`, or the embedded object's own type.
    #[serde(rename = "type", default = "tombstone_type")]
    #[serde(deserialize_with = "lenient::first_of")]
    pub kind: String,
    /// The deleted object's type, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub former_type: Option<String>,
    /// When it was deleted, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub deleted: Option<DateTime<Utc>>,
}

fn tombstone_type() -> String {
    "Tombstone".to_owned()
}

impl Tombstone {
    /// A bare `Tombstone` for the object at `id`.
    pub fn new(id: Url) -> Tombstone {
        Tombstone {
            context: None,
            id,
            kind: tombstone_type(),
            former_type: None,
            deleted: None,
        }
    }
}

impl Tombstone {
    /// A `Tombstone` served at `id` itself (what a suspended local actor's URL
    /// answers with 410 Gone), carrying the ActivityStreams context.
    pub fn document(id: Url) -> Tombstone {
        Tombstone {
            context: Some(serde_json::Value::from(
                crate::federation::protocol::ACTIVITY_STREAMS_CONTEXT,
            )),
            ..Tombstone::new(id)
        }
    }
}

impl HasId for Tombstone {
    fn id(&self) -> &Url {
        &self.id
    }
}
