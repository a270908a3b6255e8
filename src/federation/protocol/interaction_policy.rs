//! Interaction policies on posts (GoToSocial's `interactionPolicy`, which Mastodon 4.5
//! reads for `canQuote`): who may like, reply to, announce or quote a post, each as a
//! sub-policy of actor or collection URIs approved automatically or after review. The
//! deprecated `always`/`approvalRequired` names (GoToSocial before 0.21) read as
//! `automaticApproval`/`manualApproval`. Also the FEP-044f quote activities and stamp:
//! `QuoteRequest` and `QuoteAuthorization`.
//!
//! Roost sends `canQuote` (quote posts); `canReply`, `canLike` and `canAnnounce` are
//! parsed for reply controls, which build on these types.
//!
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_policy/>,
//! <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>,
//! <https://docs.joinmastodon.org/spec/activitypub/#quote-posts>.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use url::Url;

use super::{lenient, public_url, ObjectRef};
use crate::domain::quotes::QuotePolicy;

/// A post's `interactionPolicy`. An absent sub-policy means the sender does not enforce
/// it (GoToSocial's defaults then apply: everyone who can see the post).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionPolicy {
    /// Who may like the post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub can_like: Option<Rule>,
    /// Who may reply to the post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub can_reply: Option<Rule>,
    /// Who may announce (boost) the post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub can_announce: Option<Rule>,
    /// Who may quote the post (FEP-044f, Mastodon 4.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub can_quote: Option<Rule>,
}

/// One sub-policy: the URIs (actors, followers/following collections, the public
/// collection) approved automatically, and those whose interactions the author reviews.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Approved at once.
    pub automatic_approval: Vec<Url>,
    /// Approved (or not) by the author.
    pub manual_approval: Vec<Url>,
}

/// The wire form of a [`Rule`], with GoToSocial's older names.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRule {
    #[serde(default, deserialize_with = "lenient::valid_items")]
    automatic_approval: Vec<Url>,
    #[serde(default, deserialize_with = "lenient::valid_items")]
    manual_approval: Vec<Url>,
    #[serde(default, deserialize_with = "lenient::valid_items")]
    always: Vec<Url>,
    #[serde(default, deserialize_with = "lenient::valid_items")]
    approval_required: Vec<Url>,
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let wire = WireRule::deserialize(deserializer)?;
        let merge = |mut new: Vec<Url>, old: Vec<Url>| {
            for url in old {
                if !new.contains(&url) {
                    new.push(url);
                }
            }
            new
        };
        Ok(Rule {
            automatic_approval: merge(wire.automatic_approval, wire.always),
            manual_approval: merge(wire.manual_approval, wire.approval_required),
        })
    }
}

impl Rule {
    /// The rule of Roost's quote `policy` for a post by `author` with `followers`:
    /// the public collection, the followers collection, or the author alone (Mastodon's
    /// and GoToSocial's way of saying "nobody"); for followers, anyone else with manual
    /// approval (the author reviews the quote, `services::interaction_requests`).
    pub fn for_quotes(policy: QuotePolicy, author: &Url, followers: &Url) -> Rule {
        let automatic = match policy {
            QuotePolicy::Public => public_url(),
            QuotePolicy::Followers => followers.clone(),
            QuotePolicy::Nobody => author.clone(),
        };
        // Anyone else may ask for a followers-only quote: the author reviews it.
        let manual_approval = match policy {
            QuotePolicy::Followers => vec![public_url()],
            _ => Vec::new(),
        };
        Rule {
            automatic_approval: vec![automatic],
            manual_approval,
        }
    }

    /// Roost's quote policy closest to this rule for a post whose author's followers
    /// collection is `followers` (if known): public when the public collection is
    /// approved automatically, followers when that collection is, nobody otherwise.
    pub fn quote_policy(&self, followers: Option<&Url>) -> QuotePolicy {
        let public = public_url();
        let approves = |url: &Url| self.automatic_approval.contains(url);
        if approves(&public) {
            QuotePolicy::Public
        } else if followers.is_some_and(approves) {
            QuotePolicy::Followers
        } else {
            QuotePolicy::Nobody
        }
    }
}

/// A FEP-044f `QuoteRequest`: `actor` asks the author of `object` (the quoted post) to
/// approve `instrument`, the quoting post (its URI, or the post embedded).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteRequest {
    /// The JSON-LD context (set on what Roost sends).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The activity's id.
    pub id: Url,
    /// Always `QuoteRequest`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The quoting author.
    pub actor: Url,
    /// The quoted post.
    pub object: Url,
    /// The quoting post.
    #[serde(deserialize_with = "lenient::http_reference", default)]
    pub instrument: Option<ObjectRef>,
}

impl QuoteRequest {
    /// Roost's request that `object`'s author approve `actor`'s post `instrument`.
    pub fn new(id: Url, actor: Url, object: Url, instrument: Url) -> QuoteRequest {
        QuoteRequest {
            context: Some(quote_context()),
            id,
            kind: "QuoteRequest".to_owned(),
            actor,
            object,
            instrument: Some(ObjectRef::Uri(instrument)),
        }
    }
}

/// A FEP-044f `QuoteAuthorization` stamp: `attributed_to` (the quoted author) approves
/// `interacting_object` (the quoting post) quoting `interaction_target`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteAuthorization {
    /// The JSON-LD context (set on what Roost serves).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The stamp's URI.
    pub id: Url,
    /// Always `QuoteAuthorization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The quoted author, who approved.
    pub attributed_to: Url,
    /// The quoting post.
    pub interacting_object: Url,
    /// The quoted post.
    pub interaction_target: Url,
}

impl QuoteAuthorization {
    /// Roost's stamp `id` by `author` approving `quoting` quoting `quoted`.
    pub fn new(id: Url, author: Url, quoting: Url, quoted: Url) -> QuoteAuthorization {
        QuoteAuthorization {
            context: Some(quote_context()),
            id,
            kind: "QuoteAuthorization".to_owned(),
            attributed_to: author,
            interacting_object: quoting,
            interaction_target: quoted,
        }
    }

    /// Whether this stamp approves `quoting` quoting `quoted`, issued by `author`.
    pub fn approves(&self, author: &Url, quoting: &Url, quoted: &Url) -> bool {
        self.authorizes("QuoteAuthorization", author, quoting, quoted)
    }

    /// Whether this stamp is a `kind` (`QuoteAuthorization`, `ReplyAuthorization`) by
    /// `author` approving `interacting` (the quote, the reply) with `target`.
    pub fn authorizes(&self, kind: &str, author: &Url, interacting: &Url, target: &Url) -> bool {
        self.kind == kind
            && &self.attributed_to == author
            && &self.interacting_object == interacting
            && &self.interaction_target == target
    }
}

/// An interaction request of GoToSocial's (`ReplyRequest`; `LikeRequest` and
/// `AnnounceRequest` have the same shape): `actor` asks the author of `object` to
/// approve `instrument`, the interaction (a reply Note, embedded or by URI). The same
/// shape as FEP-044f's `QuoteRequest`, whose type it shares.
pub type InteractionRequest = QuoteRequest;

/// An interaction authorization stamp of GoToSocial's (`ReplyAuthorization`): the
/// same shape as FEP-044f's `QuoteAuthorization`, whose type it shares.
pub type InteractionAuthorization = QuoteAuthorization;

/// The JSON-LD context of GoToSocial's reply requests and stamps (its `gotosocial.org/ns`
/// document defines `ReplyRequest`, `ReplyAuthorization`, `interactingObject`,
/// `interactionTarget` and `replyAuthorization`).
pub fn reply_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://gotosocial.org/ns"
    ])
}

/// The JSON-LD context of the quote activities and stamps (Mastodon's terms).
pub fn quote_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "gts": "https://gotosocial.org/ns#",
            "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
            "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
            "interactingObject": { "@id": "gts:interactingObject", "@type": "@id" },
            "interactionTarget": { "@id": "gts:interactionTarget", "@type": "@id" }
        }
    ])
}
