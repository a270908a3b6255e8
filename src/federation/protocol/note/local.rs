//! Roost's own posts: building the `Note` it serves and sends for a local status, and the
//! JSON-LD context of its post documents.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#status> (the shape Mastodon
//! reads); addressing as in [`Visibility::audience`].

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use url::Url;

use super::{mentions_in, Audience, Note, NoteKind, QuestionFields, Visibility};
use crate::domain::HttpUrl;
use crate::federation::protocol::{context, ObjectRef, OneOrMany, Tag, UrlOrLink};

/// What Roost knows about one of its own posts, for [`Note::local`].
#[derive(Clone, Debug, PartialEq)]
pub struct LocalNote {
    /// The post's URI.
    pub id: Url,
    /// The author's actor URI.
    pub author: Url,
    /// The author's followers collection.
    pub followers: Url,
    /// The post's HTML.
    pub content: String,
    /// When it was posted.
    pub published: DateTime<Utc>,
    /// Who may see it; decides `to`/`cc`.
    pub visibility: Visibility,
    /// Mention, hashtag and emoji tags. Mentioned actors are addressed.
    pub tag: Vec<Tag>,
    /// The post it replies to.
    pub in_reply_to: Option<Url>,
    /// Content warning.
    pub summary: Option<String>,
    /// Whether media is hidden by default.
    pub sensitive: bool,
    /// The post's web page (dropped unless http(s), which Roost's own pages always are).
    pub url: Option<Url>,
    /// The thread's id.
    pub conversation: Option<String>,
}

impl Note {
    /// Roost's outbound post with its `@context` set. `to` and `cc` follow Mastodon (see
    /// [`Visibility::audience`]) with the mentioned actors as extra recipients. Set
    /// `attachment` and `updated` on the result as needed.
    pub fn local(post: LocalNote) -> Note {
        let mentioned: Vec<Url> = mentions_in(&post.tag).cloned().collect();
        let Audience { to, cc } = post.visibility.audience(&post.followers, &mentioned);
        Note {
            context: Some(post_context()),
            id: post.id,
            kind: NoteKind::Note,
            attributed_to: Some(OneOrMany::One(ObjectRef::Uri(post.author))),
            name: None,
            summary: post.summary,
            content: Some(post.content),
            content_map: None,
            misskey_content: None,
            source: None,
            sensitive: Some(post.sensitive),
            in_reply_to: post.in_reply_to.map(ObjectRef::Uri),
            published: Some(post.published),
            updated: None,
            url: (post.url)
                .and_then(|url| HttpUrl::from_url(url).ok())
                .map(|url| OneOrMany::One(UrlOrLink::Url(url))),
            to,
            cc,
            audience: None,
            direct_message: None,
            tag: post.tag,
            attachment: Vec::new(),
            conversation: post.conversation,
            replies: None,
            reply_authorization: None,
            thread: None,
            quote: None,
            quote_url: None,
            quote_uri: None,
            misskey_quote: None,
            question: QuestionFields::default(),
            quote_authorization: None,
            interaction_policy: None,
            reel: None,
        }
    }
}

/// The JSON-LD namespace of Roost's own terms (`roost:reel`), under the repository's
/// address.
pub const ROOST_NAMESPACE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/ns#");

/// The JSON-LD `@context` of Roost's posts and post activities: [`context`] plus the
/// terms those documents use (`sensitive`, `Hashtag`, `Emoji`, `conversation`,
/// `blurhash`, `focalPoint` and the quote properties).
pub fn post_context() -> Value {
    let mut context = context();
    let terms = json!({
        "sensitive": "as:sensitive",
        "Hashtag": "as:Hashtag",
        "Emoji": "toot:Emoji",
        "blurhash": "toot:blurhash",
        "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" },
        "ostatus": "http://ostatus.org#",
        "conversation": "ostatus:conversation",
        "quote": { "@id": "https://w3id.org/fep/044f#quote", "@type": "@id" },
        "quoteUrl": "as:quoteUrl",
        "misskey": "https://misskey-hub.net/ns#",
        "_misskey_quote": "misskey:_misskey_quote",
        "votersCount": "toot:votersCount",
        "quoteUri": "http://fedibird.com/ns#quoteUri",
        "quoteAuthorization": { "@id": "https://w3id.org/fep/044f#quoteAuthorization", "@type": "@id" },
        "gts": "https://gotosocial.org/ns#",
        "interactionPolicy": { "@id": "gts:interactionPolicy", "@type": "@id" },
        "canQuote": { "@id": "gts:canQuote", "@type": "@id" },
        "automaticApproval": { "@id": "gts:automaticApproval", "@type": "@id" },
        "manualApproval": { "@id": "gts:manualApproval", "@type": "@id" },
        "roost": ROOST_NAMESPACE,
        "reel": "roost:reel",
        "musicTitle": "roost:musicTitle",
        "musicArtist": "roost:musicArtist"
    });
    if let (Some(Value::Object(existing)), Value::Object(terms)) = (context.get_mut(2), terms) {
        existing.extend(terms);
    }
    context
}
