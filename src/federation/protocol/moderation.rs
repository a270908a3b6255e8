//! The wire shapes of moderation across servers: a `Flag` (a report forwarded to the
//! reported account's server) and the `Delete` of an actor (a suspended local account,
//! gone for the servers that knew it).
//!
//! These are the shapes Roost *sends*, exactly as Mastodon sends them; received Flags
//! are read through the generic [`super::Activity`] envelope, whose `object_ids` and
//! `content` are all a report needs. No I/O and no database here: the builders in
//! `federation::builders` fill these in from what a service wrote.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Flag>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-flag>,
//! <https://www.w3.org/TR/activitypub/#delete-activity-outbox>.

use serde::{Deserialize, Serialize};
use url::Url;

use super::ACTIVITY_STREAMS_CONTEXT;

/// A report sent to another server: `object` names the reported actor first, then the
/// reported posts; `content` is the reporter's comment. Sent by the instance actor, so
/// the reporter stays anonymous there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// The ActivityStreams context (a plain string, as Mastodon's own Flag has).
    #[serde(rename = "@context")]
    pub context: String,
    /// The activity's id.
    pub id: Url,
    /// Always `Flag`.
    #[serde(rename = "type")]
    pub kind: FlagType,
    /// The reporting server's instance actor.
    pub actor: Url,
    /// The comment (empty when none was given).
    pub content: String,
    /// The reported actor, then the reported posts.
    pub object: Vec<Url>,
    /// The reported actor.
    pub to: Vec<Url>,
}

/// The only `type` a [`Flag`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlagType {
    /// `Flag`.
    Flag,
}

/// The `Delete` of an actor by itself (`actor` = `object`), addressed to the public:
/// every server that knows the actor drops it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeleteActor {
    /// The ActivityStreams context (a plain string).
    #[serde(rename = "@context")]
    pub context: String,
    /// The activity's id (`<actor>#delete`, as Mastodon names it).
    pub id: Url,
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// The deleted actor, who deletes itself.
    pub actor: Url,
    /// The deleted actor again, as a bare URI.
    pub object: Url,
    /// The public collection.
    pub to: Vec<Url>,
}

/// The only `type` a [`DeleteActor`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteType {
    /// `Delete`.
    Delete,
}

/// The plain-string context these activities carry.
pub(crate) fn plain_context() -> String {
    ACTIVITY_STREAMS_CONTEXT.to_owned()
}
