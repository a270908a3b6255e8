//! The `Accept` and `Reject` with which a local author answers an interaction on one of
//! their posts: a FEP-044f `QuoteRequest`, a GoToSocial `ReplyRequest`, or a reply sent
//! as a plain `Create` (GoToSocial's "impolite" request). One shape for all: `object`
//! is the request (embedded, as GoToSocial and Mastodon send it) or the interaction's
//! URI, `target` the post interacted with (optional), `result` the stamp's URI (an
//! `Accept` only). Pure: no database, no AppState.
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>,
//! <https://docs.gotosocial.org/en/latest/federation/interaction_controls/>.

use serde_json::{json, Value};
use url::Url;

use crate::federation::protocol::interaction_policy::InteractionRequest;

/// What an answer says besides its type.
#[derive(Debug)]
pub struct Answer<'a> {
    /// The JSON-LD context (the quote or the GoToSocial one).
    pub context: Value,
    /// The answer's fresh id.
    pub id: Url,
    /// The local author answering.
    pub actor: Url,
    /// The interacting actor, its only addressee.
    pub to: &'a Url,
    /// The request (see [`embedded`]) or the interaction's URI.
    pub object: Value,
    /// The post interacted with, if named.
    pub target: Option<&'a Url>,
    /// The stamp approving the interaction (an `Accept` only).
    pub result: Option<&'a Url>,
}

/// The `Accept` saying `answer`.
pub fn accept(answer: Answer<'_>) -> Value {
    build("Accept", answer)
}

/// The `Reject` saying `answer` (its `result`, if any, is left out).
pub fn reject(answer: Answer<'_>) -> Value {
    build(
        "Reject",
        Answer {
            result: None,
            ..answer
        },
    )
}

/// `request` as an answer's `object`: its id, type, actor, object and the instrument's
/// URI (not the whole interaction, which its sender has).
pub fn embedded(request: &InteractionRequest) -> Value {
    json!({
        "id": request.id,
        "type": request.kind,
        "actor": request.actor,
        "object": request.object,
        "instrument": request.instrument.as_ref().map(|i| i.id().clone()),
    })
}

fn build(kind: &str, answer: Answer<'_>) -> Value {
    let mut activity = json!({
        "@context": answer.context,
        "id": answer.id,
        "type": kind,
        "actor": answer.actor,
        "to": [answer.to],
        "object": answer.object,
    });
    if let Some(target) = answer.target {
        activity["target"] = json!(target);
    }
    if let Some(result) = answer.result {
        activity["result"] = json!(result);
    }
    activity
}
