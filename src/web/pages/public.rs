//! The pages about the instance: the landing page (`/`: name, description, rules, the
//! way in, and a preview of recent public posts when `ROOST_TIMELINE_PREVIEW` allows),
//! `/about` (the long description, rules, contact), and hashtag pages (`/tags/:name`).

use askama::Template;
use serde::Deserialize;

use crate::api::entities::status;
use crate::config::RegistrationMode;
use crate::db::rules::RuleRow;
use crate::db::timelines::{self, Timeline};
use crate::db::Page;
use crate::domain::Id;
use crate::extract::Path;
use crate::state::AppState;
use crate::web::frame::Frame;
use crate::web::render::{self, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::view::PostView;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;

/// Posts on the landing preview and per tag page.
const PREVIEW_POSTS: i64 = 10;
const TAG_POSTS: i64 = 20;

/// The paging query of post lists.
#[derive(Debug, Default, Deserialize)]
pub struct OlderQuery {
    pub max_id: Option<String>,
}

impl OlderQuery {
    /// The `max_id` asked for, when it is an id.
    pub fn max_id(&self) -> Option<i64> {
        self.max_id
            .as_deref()
            .and_then(|id| id.parse::<Id>().ok())
            .map(|id| id.0)
    }
}

/// The `max_id` of the next older page after `posts`, a full page of `limit`; `None`
/// after a shorter one (the last).
pub fn older_than(posts: &[PostView], limit: i64) -> Option<String> {
    (posts.len() as i64 == limit)
        .then(|| posts.last().map(|post| post.id.clone()))
        .flatten()
}

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    page: Frame,
    rules: Vec<RuleRow>,
    registration: &'static str,
    open: bool,
    preview: Vec<PostView>,
}

/// `GET /`: the landing page for visitors; the home feed for signed-in users.
pub async fn landing(state: &AppState, visitor: &Visitor) -> PageResult {
    if visitor.session.is_some() {
        return Ok(see_other("/home"));
    }
    let rules = crate::db::rules::all(&state.db).await?;
    let preview = if state.config.timeline_preview {
        let which = Timeline::Public {
            local: Some(true),
            only_media: false,
        };
        posts(state, None, which, None, PREVIEW_POSTS).await?
    } else {
        Vec::new()
    };
    let frame = Frame::new(state, visitor, "").await?;
    render::ok(&Landing {
        page: frame,
        rules,
        registration: registration_note(state.config.registration),
        open: state.config.registration != RegistrationMode::Closed,
        preview,
    })
}

fn registration_note(mode: RegistrationMode) -> &'static str {
    match mode {
        RegistrationMode::Open => "",
        RegistrationMode::Approval => crate::web::texts::EN.registrations_approval,
        RegistrationMode::Closed => crate::web::texts::EN.registrations_closed,
    }
}

#[derive(Template)]
#[template(path = "about.html")]
struct About {
    page: Frame,
    extended: String,
    rules: Vec<RuleRow>,
    contact: String,
    users: i64,
    posts: i64,
}

/// `GET /about`: the instance's long description, rules and contact.
pub async fn about(state: &AppState, visitor: &Visitor) -> PageResult {
    use crate::services::instance_info::{self, TextKind};
    let extended = instance_info::text(state, TextKind::ExtendedDescription)
        .await?
        .map(|row| instance_info::render(state, &row.text))
        .unwrap_or_default();
    let rules = crate::db::rules::all(&state.db).await?;
    let frame = Frame::new(state, visitor, visitor_title_about())
        .await?
        .at("about");
    render::ok(&About {
        page: frame,
        extended,
        rules,
        contact: state.config.contact_email.clone(),
        users: crate::db::accounts::count_local(&state.db).await?,
        posts: crate::db::statuses::count_local(&state.db).await?,
    })
}

fn visitor_title_about() -> &'static str {
    crate::web::texts::EN.about
}

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    page: Frame,
    name: String,
    posts: Vec<PostView>,
    older: Option<String>,
}

/// `GET /tags/:name`: public posts with the hashtag, newest first.
pub async fn tag(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    query: &OlderQuery,
) -> PageResult {
    let valid = !name.is_empty()
        && name.chars().count() <= 100
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(PageError::NotFound);
    }
    let viewer = visitor.account_id();
    let which = Timeline::Tag {
        name,
        local: None,
        only_media: false,
    };
    let posts = posts(state, viewer, which, query.max_id(), TAG_POSTS).await?;
    let older = older_than(&posts, TAG_POSTS);
    let mut frame = Frame::new(state, visitor, format!("#{name}")).await?;
    frame.meta.canonical = Some(crate::urls::tag(&state.config, name));
    frame.meta.feed = Some(format!("{}.rss", crate::urls::tag(&state.config, name)));
    render::ok(&TagPage {
        page: frame,
        name: name.to_owned(),
        posts,
        older,
    })
}

/// A page of a timeline as the viewer may see it.
pub async fn posts(
    state: &AppState,
    viewer: Option<i64>,
    which: Timeline<'_>,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<PostView>, PageError> {
    let bounds = Page {
        max_id,
        since_id: None,
        min_id: None,
        limit,
    };
    let rows = timelines::timeline(&state.db, viewer, which, &bounds).await?;
    let rendered = status::render(state, viewer, rows).await?;
    Ok(rendered
        .iter()
        .map(|s| PostView::from_entity(s, viewer))
        .collect())
}

/// The public pages that are not at federation URLs: landing, about, tags (and their
/// feeds, `/tags/name.rss`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(
                |State(state): State<AppState>, visitor: Visitor| async move {
                    landing(&state, &visitor).await
                },
            ),
        )
        .route(
            "/about",
            get(
                |State(state): State<AppState>, visitor: Visitor| async move {
                    about(&state, &visitor).await
                },
            ),
        )
        .route("/tags/{name}", get(tag_or_feed))
}

async fn tag_or_feed(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<OlderQuery>,
) -> PageResult {
    if let Some(name) = name.strip_suffix(".rss") {
        return crate::web::feeds::tag(&state, name).await;
    }
    tag(&state, &visitor, &name, &query).await
}
