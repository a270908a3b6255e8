//! What every page shows around its content: the instance's name, the navigation with
//! the signed-in user's unread badge, the CSRF token for the page's forms, the asset
//! paths, and the page's metadata for search engines and link previews (OpenGraph,
//! Twitter card, oEmbed discovery, feeds, `noindex`).

use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::assets;
use crate::web::session::Visitor;
use crate::web::texts::{Texts, EN};

/// The signed-in user, as the navigation shows them.
pub struct Me {
    pub username: String,
    /// Unread notifications (at most 99 counted).
    pub unread: i64,
}

/// Link-preview and indexing metadata of a page.
#[derive(Default)]
pub struct Meta {
    /// The page's one-line summary (`description`, `og:description`).
    pub description: String,
    /// The page's own address (`canonical`, `og:url`).
    pub canonical: Option<String>,
    /// `og:type`: `website`, `profile` or `article`.
    pub kind: &'static str,
    /// An image for link previews (an avatar, the first photo of a post).
    pub image: Option<String>,
    /// The image's description, when it has one.
    pub image_alt: Option<String>,
    /// Asks search engines not to index the page (accounts that are not `indexable`).
    pub noindex: bool,
    /// The ActivityStreams document of the same thing (`rel="alternate"`).
    pub activity_json: Option<String>,
    /// The RSS feed of the page's posts.
    pub feed: Option<String>,
    /// The oEmbed endpoint describing this page.
    pub oembed: Option<String>,
}

/// A message shown once at the top of a page, after a form did something.
pub struct Flash {
    pub text: String,
    pub error: bool,
}

/// The common part of every page; templates read it as `page`.
pub struct Frame {
    pub t: &'static Texts,
    pub title: String,
    pub instance: String,
    pub stylesheet: String,
    pub script: String,
    pub csrf: String,
    pub me: Option<Me>,
    /// The navigation item of this page (`home`, `notifications`, …), marked current.
    pub current: &'static str,
    pub meta: Meta,
    pub flash: Option<Flash>,
}

impl Frame {
    /// The frame of a page titled `title` for `visitor`: one query (the unread count)
    /// when signed in, none otherwise.
    pub async fn new(
        state: &AppState,
        visitor: &Visitor,
        title: impl Into<String>,
    ) -> ApiResult<Frame> {
        let me = match &visitor.session {
            Some(session) => Some(Me {
                username: session.username.clone(),
                unread: unread(state, session.account_id).await?,
            }),
            None => None,
        };
        let title = title.into();
        let instance = state.config.instance_title.clone();
        Ok(Frame {
            t: &EN,
            title: if title.is_empty() {
                instance.clone()
            } else {
                format!("{title} - {instance}")
            },
            instance,
            stylesheet: assets::stylesheet_path(),
            script: assets::script_path(),
            csrf: visitor.csrf.clone(),
            me,
            current: "",
            meta: Meta {
                kind: "website",
                description: state.config.instance_description.clone(),
                ..Meta::default()
            },
            flash: None,
        })
    }

    /// The same frame with the navigation item `current` marked.
    pub fn at(mut self, current: &'static str) -> Frame {
        self.current = current;
        self
    }

    /// The same frame with a message at the top.
    pub fn with_flash(mut self, text: impl Into<String>, error: bool) -> Frame {
        self.flash = Some(Flash {
            text: text.into(),
            error,
        });
        self
    }

    /// Whether the navigation item `name` is this page's.
    pub fn is_current(&self, name: &str) -> bool {
        self.current == name
    }
}

async fn unread(state: &AppState, account_id: i64) -> ApiResult<i64> {
    let filter = crate::services::notifications::filter(&[], &[], None, false);
    crate::services::notifications::unread_count(state, account_id, &filter, 99).await
}
