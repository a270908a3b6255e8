//! Posts: the `Note` object (also `Article`, `Page`, `Question`, `Video` and `Event`, which
//! other servers post), the activities about posts (`Create`, `Update`, `Delete`, `Like`
//! or `EmojiReact`, `Announce`, and `Undo` of a like or boost), and constructors for the
//! ones Roost sends.
//!
//! Parsing is as lenient as the rest of [`super`]. Parsed data is well-formed but not
//! trusted. The inbox must check that `attributedTo` and `actor` are the signer. It must
//! also check that embedded objects live on the actor's server, and sanitize `content`
//! before showing it. Storing posts, fetching threads or quoted posts, and rendering
//! happen elsewhere.
//!
//! Layout: the post itself is here. `visibility` holds Mastodon's visibility rules and
//! Roost's addressing. `attachment` holds media. `local` builds Roost's own notes and
//! their `@context`. `activities` holds `Create`/`Update`/`Delete`, and `interactions`
//! holds `Like`/`Announce`/`Undo`. All are re-exported here.
//!
//! Spec: <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-note>; Mastodon's reading
//! of posts and visibility: <https://docs.joinmastodon.org/spec/activitypub/#status>;
//! quotes: FEP-044f `quote` plus the older `quoteUrl`, `quoteUri` and `_misskey_quote`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::interaction_policy::InteractionPolicy;
use super::{lenient, HasId, ObjectRef, OneOrMany, Tag, UrlOrLink};
use crate::domain::HttpUrl;

mod activities;
mod attachment;
mod interactions;
mod local;
mod question;
mod visibility;

pub use activities::{Create, CreateType, Delete, DeleteType, Tombstone, Update, UpdateType};
pub use attachment::Attachment;
pub use interactions::{Announce, AnnounceType, Like, LikeKind};
pub use local::{post_context, LocalNote, ROOST_NAMESPACE};
pub use question::{Closed, QuestionFields, QuestionOption};
pub use visibility::{Audience, Visibility};

/// A post. Unknown properties (`likes`, `atomUri`, …) are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// The JSON-LD context: [`post_context`] on a top-level Roost post, absent when embedded.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The post's URI.
    pub id: Url,
    /// `Note`, or another object type shown as a post. If `type` is an array, its first entry is used.
    #[serde(rename = "type", deserialize_with = "lenient::first_of")]
    pub kind: NoteKind,
    /// Author: a URI, an embedded actor, or an array of either (PeerTube: account, then
    /// channel). See [`Note::author_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::one_or_many_valid")]
    pub attributed_to: Option<OneOrMany<ObjectRef>>,
    /// Title of an `Article`/`Page`/`Video`; the chosen option of a poll vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub name: Option<String>,
    /// Content warning. Several servers send `""` for none; use [`Note::content_warning`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub summary: Option<String>,
    /// The body as HTML (not yet sanitized).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub content: Option<String>,
    /// The body per language tag (`{"en": "<p>…</p>"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub content_map: Option<BTreeMap<String, String>>,
    /// Misskey's MFM source of `content`.
    #[serde(
        rename = "_misskey_content",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub misskey_content: Option<String>,
    /// The text as its author wrote it. Pleroma's plain-string form is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub source: Option<Source>,
    /// Whether media (and, with a summary, the text) is hidden by default. `null` = absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub sensitive: Option<bool>,
    /// The post this replies to: a URI or the post embedded, dropped unless its id is
    /// an [`HttpUrl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::http_reference")]
    pub in_reply_to: Option<ObjectRef>,
    /// When it was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub published: Option<DateTime<Utc>>,
    /// When it was last edited. Mastodon treats an `Update` without it as a poll refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub updated: Option<DateTime<Utc>>,
    /// The post's web page(s): URLs or `Link`s. See [`Note::web_url`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::one_or_many_valid")]
    pub url: Option<OneOrMany<UrlOrLink>>,
    /// Primary recipients. Public aliases are normalised. See [`Note::visibility`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub to: Vec<Url>,
    /// Secondary recipients. Public aliases are normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::audience")]
    pub cc: Vec<Url>,
    /// The Lemmy community (`Group`) the post belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub audience: Option<Url>,
    /// Pleroma's `directMessage` flag; `false` makes an addressed post `Limited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub direct_message: Option<bool>,
    /// Mentions, hashtags, custom emoji and unknown tag types, kept verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub tag: Vec<Tag>,
    /// Media. Entries without a `type` are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::valid_items")]
    pub attachment: Vec<Attachment>,
    /// Thread id (`ostatus:conversation`), a URI or a `tag:` URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub conversation: Option<String>,
    /// Thread id as `context` (Pleroma/Akkoma, FEP-7888). Not the JSON-LD `@context`.
    #[serde(rename = "context", default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub thread: Option<String>,
    /// Quoted post, FEP-044f (Mastodon 4.5+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub quote: Option<HttpUrl>,
    /// Quoted post (Misskey, Akkoma).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub quote_url: Option<HttpUrl>,
    /// Quoted post (Fedibird, Akkoma).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub quote_uri: Option<HttpUrl>,
    /// Quoted post (Misskey and its forks).
    #[serde(
        rename = "_misskey_quote",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub misskey_quote: Option<HttpUrl>,
    /// The poll of a `Question` (`oneOf`/`anyOf`, `endTime`, `closed`, `votersCount`).
    #[serde(flatten)]
    pub question: QuestionFields,
    /// The FEP-044f stamp approving `quote` (a `QuoteAuthorization` URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub quote_authorization: Option<HttpUrl>,
    /// Who may interact with the post (GoToSocial, Mastodon 4.5's `canQuote`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub interaction_policy: Option<InteractionPolicy>,
    /// GoToSocial's stamp approving this reply (a `ReplyAuthorization` URI on the
    /// server of the author of the post it answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub reply_authorization: Option<HttpUrl>,
    /// The replies collection: its URI on Roost's posts; read as given (a URI or the
    /// collection embedded) from others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<Value>,
    /// Roost's mark of a reel (`roost:reel`): a short vertical video shown in the reels
    /// feed. Other servers see an ordinary post with a video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub reel: Option<bool>,
}

impl Note {
    /// The same post without `@context`, for embedding it in an activity.
    pub fn embedded(mut self) -> Note {
        self.context = None;
        self
    }

    /// The author's URI: the first `attributedTo` entry.
    pub fn author_id(&self) -> Option<&Url> {
        self.attributed_to.as_ref()?.first().map(ObjectRef::id)
    }

    /// The URI of the post this replies to.
    pub fn in_reply_to_id(&self) -> Option<&Url> {
        self.in_reply_to.as_ref().map(ObjectRef::id)
    }

    /// The web page: the first `text/html` link if any are labelled, else the first URL.
    pub fn web_url(&self) -> Option<&HttpUrl> {
        let urls = self.url.as_ref()?;
        urls.iter()
            .find(|url| url.media_type() == Some("text/html"))
            .or_else(|| urls.first())
            .map(UrlOrLink::href)
    }

    /// The language of the body: the `contentMap` key whose text is `content`, else its
    /// first key (Mastodon sends one), as a lowercase ISO 639 code (`pt-BR` → `pt`);
    /// `None` without a map or when the key is no language tag.
    pub fn language(&self) -> Option<String> {
        let map = self.content_map.as_ref()?;
        let key = map
            .iter()
            .find(|(_, text)| Some(text.as_str()) == self.content.as_deref())
            .or_else(|| map.iter().next())
            .map(|(key, _)| key)?;
        let primary = key.split(['-', '_']).next()?;
        let is_code =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        is_code.then(|| primary.to_ascii_lowercase())
    }

    /// The content warning, if it is not blank. Articles, pages, videos and events have
    /// none: their `summary` is a subtitle or an excerpt (WordPress, Mbin), which
    /// Mastodon shows in the text, as [`Note::text_for_display`] does when there is no
    /// body.
    pub fn content_warning(&self) -> Option<&str> {
        if self.kind.is_article_like() {
            return None;
        }
        self.summary
            .as_deref()
            .filter(|text| !text.trim().is_empty())
    }

    /// The body HTML: `content`, else the first `contentMap` entry (as Mastodon does).
    pub fn html_content(&self) -> Option<&str> {
        let from_map = || {
            self.content_map
                .as_ref()?
                .values()
                .next()
                .map(String::as_str)
        };
        self.content.as_deref().or_else(from_map)
    }

    /// The HTML to show (still unsanitized). Articles, pages, videos and events get the
    /// bold title and trailing link to the web page (or the `id`) that Mastodon shows;
    /// unlike Mastodon, the body (or, without one, the `summary`) is kept between them.
    /// Other posts show their body, or their `name` if they have no body; a titled
    /// `Note` (a thread's first post from NodeBB, Friendica or PieFed) gets its bold
    /// title above the body, unless the body already starts with it.
    pub fn text_for_display(&self) -> String {
        let body = self.html_content().unwrap_or_default();
        let title = self.name.as_deref().filter(|name| !name.trim().is_empty());
        if !self.kind.is_article_like() {
            return match title {
                Some(title) if body.is_empty() => format!("<p>{}</p>", escape_html(title)),
                Some(title) if !self.question.is_poll() && !starts_with_text(body, title) => {
                    format!("<p><strong>{}</strong></p>{body}", escape_html(title))
                }
                _ => body.to_owned(),
            };
        }
        let page = self.web_url().map(HttpUrl::as_url);
        let link = escape_html(page.unwrap_or(&self.id).as_str());
        let title = title.map(|title| format!("<p><strong>{}</strong></p>", escape_html(title)));
        let body = match self.summary.as_deref().filter(|_| body.trim().is_empty()) {
            Some(summary) if summary.trim_start().starts_with('<') => summary.to_owned(),
            Some(summary) if !summary.trim().is_empty() => {
                format!("<p>{}</p>", escape_html(summary))
            }
            _ => body.to_owned(),
        };
        format!(
            "{}{body}<p><a href=\"{link}\">{link}</a></p>",
            title.unwrap_or_default()
        )
    }

    /// The `href`s of the `Mention` tags: the mentioned actors (as far as the sender says).
    pub fn mentions(&self) -> impl Iterator<Item = &Url> {
        mentions_in(&self.tag)
    }

    /// The names of the `Hashtag` tags without the leading `#`, as written.
    pub fn hashtags(&self) -> impl Iterator<Item = &str> {
        self.tag
            .iter()
            .filter(|tag| tag.kind == "Hashtag")
            .filter_map(|tag| tag.name.as_deref())
            .map(|name| name.trim_start_matches('#'))
    }

    /// Whether the quote is named only by the older properties (`quoteUrl`, `quoteUri`,
    /// `_misskey_quote`): servers that know no approval, whose quotes Mastodon shows as
    /// accepted.
    pub fn is_legacy_quote(&self) -> bool {
        self.quote.is_none() && self.quote_url().is_some()
    }

    /// The quoted post: `quote`, `_misskey_quote`, `quoteUrl` or `quoteUri`, in Mastodon's
    /// order of preference.
    pub fn quote_url(&self) -> Option<&HttpUrl> {
        (self.quote.as_ref())
            .or(self.misskey_quote.as_ref())
            .or(self.quote_url.as_ref())
            .or(self.quote_uri.as_ref())
    }

    /// The post's visibility under Mastodon's rules; see [`Visibility::from_audience`] for
    /// the arguments. For a post without addressing of its own, use [`Create::visibility`].
    pub fn visibility(&self, followers_url: Option<&Url>, mentioned: &[Url]) -> Visibility {
        let audience = (self.to.as_slice(), self.cc.as_slice());
        Visibility::from_audience(audience, followers_url, mentioned, self.direct_message)
    }
}

impl HasId for Note {
    fn id(&self) -> &Url {
        &self.id
    }
}

fn mentions_in(tags: &[Tag]) -> impl Iterator<Item = &Url> {
    tags.iter()
        .filter(|tag| tag.kind == "Mention")
        .filter_map(|tag| tag.href.as_ref())
        .map(HttpUrl::as_url)
}

/// Whether the visible text of `html` (tags left out) begins with `text`, spaces
/// ignored: a body that repeats its title needs no second copy of it.
fn starts_with_text(html: &str, text: &str) -> bool {
    let mut visible = String::new();
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' => in_tag = false,
            other if !in_tag && !other.is_whitespace() => visible.push(other),
            _ => {}
        }
        if visible.len() > text.len() * 6 + 16 {
            break;
        }
    }
    let wanted: String = escape_html(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let plain: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    visible.starts_with(&wanted) || visible.starts_with(&plain)
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A post's `type`. Other object types parse as [`NoteKind::Other`] rather than failing, and
/// serialize back unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum NoteKind {
    /// A short post.
    Note,
    /// A long-form post with a title (Plume, WriteFreely, WordPress).
    Article,
    /// A titled link or text post (Lemmy, Kbin).
    Page,
    /// A poll (Mastodon, Misskey).
    Question,
    /// A video (PeerTube).
    Video,
    /// An event (Mobilizon, Friendica).
    Event,
    /// Any other type, verbatim.
    Other(String),
}

impl NoteKind {
    /// The type's ActivityStreams name.
    pub fn as_str(&self) -> &str {
        match self {
            NoteKind::Note => "Note",
            NoteKind::Article => "Article",
            NoteKind::Page => "Page",
            NoteKind::Question => "Question",
            NoteKind::Video => "Video",
            NoteKind::Event => "Event",
            NoteKind::Other(other) => other,
        }
    }

    /// Whether Mastodon shows this type as title plus link instead of as a plain post.
    pub fn is_article_like(&self) -> bool {
        matches!(
            self,
            NoteKind::Article | NoteKind::Page | NoteKind::Video | NoteKind::Event
        )
    }
}

impl From<String> for NoteKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "Note" => NoteKind::Note,
            "Article" => NoteKind::Article,
            "Page" => NoteKind::Page,
            "Question" => NoteKind::Question,
            "Video" => NoteKind::Video,
            "Event" => NoteKind::Event,
            _ => NoteKind::Other(name),
        }
    }
}

impl From<NoteKind> for String {
    fn from(kind: NoteKind) -> Self {
        kind.as_str().to_owned()
    }
}

/// A post's `source`: the text as written and its format (`text/markdown`,
/// `text/x.misskeymarkdown`, `text/plain`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The source text.
    pub content: String,
    /// Its media type, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub media_type: Option<String>,
}
