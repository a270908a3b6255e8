//! The wire shape of a report across servers: a `Flag`, a report forwarded to the
//! reported account's server. (The `Delete` of a suspended actor is the post's
//! [`super::note::Delete`] with the actor as its object.)
//!
//! This is the shape Roost *sends*, exactly as Mastodon sends it; received Flags are
//! read through the generic [`super::Activity`] envelope, whose `object_ids` and
//! `content` are all a report needs. No I/O and no database here: the builder in
//! `federation::builders::reports` fills it in from what a service wrote.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Flag>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-flag>.

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

/// The plain-string context Mastodon's Flag and actor Delete carry.
pub(crate) fn plain_context() -> String {
    ACTIVITY_STREAMS_CONTEXT.to_owned()
}
