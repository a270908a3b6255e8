//! The signed-in pages of the web app: the home feed, the reels feed, the composer
//! (photos with their descriptions, caption, content warning, visibility, a music track,
//! posting as a reel; also the reply form's target),
//! and notifications (read when opened; the badge of other pages updates live through
//! the user's event stream, see `static/app.js`).

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::api::params::{lenient_opt_bool, FileFields, ParamsWithFiles};
use crate::api::v1::statuses::MusicParams;
use crate::db::timelines::Timeline;
use crate::db::Page;
use crate::error::ApiError;
use crate::services::media;
use crate::services::notifications::{self, MarkerPosition};
use crate::services::statuses::{self, NewPost, PostKind, Posted};
use crate::state::AppState;
use crate::web::frame::Frame;
use crate::web::pages::public::{older_than, posts, OlderQuery};
use crate::web::render::{self, html, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::EN;
use crate::web::view::{AccountView, MusicFormView, PostView};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;

/// Posts per home page, notifications per page, photos per post in the composer.
const HOME_POSTS: i64 = 20;
const NOTIFICATIONS: i64 = 30;
const PHOTO_SLOTS: usize = 4;

fn signed_in(visitor: &Visitor) -> Result<&crate::db::web_sessions::LiveSession, PageError> {
    visitor.session.as_ref().ok_or(PageError::Forbidden)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Frame,
    stories: Vec<super::stories::RingView>,
    posts: Vec<PostView>,
    older: Option<String>,
}

/// `GET /home`: the signed-in user's home feed; visitors are sent to sign in.
pub async fn home(state: &AppState, visitor: &Visitor, query: &OlderQuery) -> PageResult {
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fhome"));
    };
    let max_id = query.max_id();
    let posts = posts(
        state,
        Some(session.account_id),
        Timeline::Home,
        max_id,
        HOME_POSTS,
    )
    .await?;
    let older = older_than(&posts, HOME_POSTS);
    let frame = Frame::new(state, visitor, EN.home).await?.at("home");
    let stories = super::stories::row(state, session.account_id).await?;
    render::ok(&HomePage {
        page: frame,
        stories,
        posts,
        older,
    })
}

#[derive(Template)]
#[template(path = "reels.html")]
struct ReelsPage {
    page: Frame,
    posts: Vec<PostView>,
    older: Option<String>,
}

/// `GET /reels`: the reels feed (public reels and those of accounts the viewer
/// follows; public ones only for visitors), from the same service as the API's.
pub async fn reels(state: &AppState, visitor: &Visitor, query: &OlderQuery) -> PageResult {
    let viewer = visitor.session.as_ref().map(|session| session.account_id);
    let page = Page {
        max_id: query.max_id(),
        since_id: None,
        min_id: None,
        limit: HOME_POSTS,
    };
    let rows = crate::services::reels::feed(state, viewer, &page).await?;
    let rendered = crate::api::entities::status::render(state, viewer, rows).await?;
    let posts: Vec<PostView> = (rendered.iter())
        .map(|status| PostView::from_entity(status, viewer))
        .collect();
    let older = older_than(&posts, HOME_POSTS);
    let frame = Frame::new(state, visitor, EN.reels).await?.at("reels");
    render::ok(&ReelsPage {
        page: frame,
        posts,
        older,
    })
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    page: Frame,
    slots: Vec<usize>,
    text: String,
    spoiler: String,
    visibility: String,
    music: MusicFormView,
    reel: bool,
    errors: Vec<String>,
}

/// `GET /compose`.
pub async fn compose_form(state: &AppState, visitor: &Visitor) -> PageResult {
    let Some(_) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fcompose"));
    };
    let frame = Frame::new(state, visitor, EN.compose).await?.at("compose");
    render::ok(&ComposePage {
        page: frame,
        slots: (0..PHOTO_SLOTS).collect(),
        text: String::new(),
        spoiler: String::new(),
        visibility: "public".to_owned(),
        music: MusicFormView::default(),
        reel: false,
        errors: Vec::new(),
    })
}

/// The composer's fields (a multipart body with photos, or a plain form from the
/// reply box).
#[derive(Debug, Default, Deserialize)]
pub struct ComposeFields {
    #[serde(default)]
    authenticity_token: String,
    status: Option<String>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    in_reply_to_id: Option<String>,
    alt_0: Option<String>,
    alt_1: Option<String>,
    alt_2: Option<String>,
    alt_3: Option<String>,
    /// An optional music track (`music[title]`, `music[artist]`, `music[url]`).
    music: Option<MusicParams>,
    /// Post it as a reel (one vertical video).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    reel: Option<bool>,
}

impl FileFields for ComposeFields {
    const FILES: &'static [&'static str] = &["photo_0", "photo_1", "photo_2", "photo_3"];
}

impl ComposeFields {
    fn alt(&self, slot: usize) -> Option<&str> {
        [&self.alt_0, &self.alt_1, &self.alt_2, &self.alt_3][slot].as_deref()
    }
}

/// `POST /compose`: uploads the photos with their descriptions, then posts through the
/// same service as the API. A refusal shows the composer again with the reason and
/// what was typed.
pub async fn compose(
    state: &AppState,
    visitor: &Visitor,
    form: Result<ParamsWithFiles<ComposeFields>, ApiError>,
) -> PageResult {
    let session = signed_in(visitor)?;
    let mut form = match form {
        Ok(form) => form,
        Err(error) => return refused(state, visitor, &ComposeFields::default(), error).await,
    };
    if !visitor.csrf_matches(&form.params.authenticity_token) {
        return Err(PageError::BadForm);
    }
    let mut media_ids = Vec::new();
    for slot in 0..PHOTO_SLOTS {
        let Some(file) = form.take_file(&format!("photo_{slot}")) else {
            continue;
        };
        if file.file.is_empty() {
            continue;
        }
        let given = media::Description {
            description: form.params.alt(slot),
            focus: None,
        };
        match media::upload(state, session.account_id, file.file, given).await {
            Ok(row) => media_ids.push(row.id.to_string()),
            Err(error) => return refused(state, visitor, &form.params, error).await,
        }
    }
    let fields = &form.params;
    let new = NewPost {
        text: fields.status.as_deref(),
        in_reply_to_id: fields.in_reply_to_id.as_deref().filter(|id| !id.is_empty()),
        visibility: fields.visibility.as_deref(),
        spoiler_text: fields.spoiler_text.as_deref(),
        media_ids: Some(&media_ids),
        kind: match fields.reel {
            Some(true) => PostKind::Reel,
            _ => PostKind::Post,
        },
        music: (fields.music.as_ref())
            .map(MusicParams::input)
            .unwrap_or_default(),
        ..NewPost::default()
    };
    match statuses::post(state, session.account_id, &new).await {
        Ok(Posted::New(written)) => Ok(see_other(&format!(
            "/@{}/{}",
            written.author.username, written.row.id
        ))),
        Ok(_) => Ok(see_other("/home")),
        Err(error) => refused(state, visitor, fields, error).await,
    }
}

/// The composer again with the reasons a post was refused; other failures as errors.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    fields: &ComposeFields,
    error: ApiError,
) -> PageResult {
    let errors = match error {
        ApiError::Validation(problems) => problems.into_iter().map(|p| p.reason).collect(),
        ApiError::Unprocessable(reason) | ApiError::BadRequest(reason) => vec![reason],
        ApiError::PayloadTooLarge => vec!["The photos are too large.".to_owned()],
        other => return Err(other.into()),
    };
    let frame = Frame::new(state, visitor, EN.compose).await?.at("compose");
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ComposePage {
            page: frame,
            slots: (0..PHOTO_SLOTS).collect(),
            text: fields.status.clone().unwrap_or_default(),
            spoiler: fields.spoiler_text.clone().unwrap_or_default(),
            visibility: fields
                .visibility
                .clone()
                .unwrap_or_else(|| "public".to_owned()),
            music: MusicFormView::from_params(fields.music.as_ref()),
            reel: fields.reel == Some(true),
            errors,
        },
    ))
}

/// One notification as the page shows it.
pub struct NotificationView {
    pub kind: String,
    pub account: AccountView,
    pub post: Option<PostView>,
    pub created_label: String,
    pub unread: bool,
}

impl NotificationView {
    /// What happened, in words.
    pub fn sentence(&self) -> &'static str {
        match self.kind.as_str() {
            "favourite" => "liked your post",
            "reblog" => "boosted your post",
            "mention" => "mentioned you",
            "follow" => "followed you",
            "follow_request" => "asked to follow you",
            "poll" => "a poll has ended",
            "status" => "posted",
            "update" => "edited a post",
            "quote" => "quoted your post",
            "move" => "moved to a new account, which you now follow",
            "admin.sign_up" => "signed up",
            "admin.report" => "filed a report",
            _ => "did something",
        }
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Frame,
    notifications: Vec<NotificationView>,
    older: Option<String>,
}

/// `GET /notifications`: newest first; opening the first page marks everything read.
pub async fn notifications_page(
    state: &AppState,
    visitor: &Visitor,
    query: &OlderQuery,
) -> PageResult {
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fnotifications"));
    };
    let me = session.account_id;
    let max_id = query.max_id();
    let filter = notifications::filter(&[], &[], None, false);
    let bounds = Page {
        max_id,
        since_id: None,
        min_id: None,
        limit: NOTIFICATIONS,
    };
    let rows = notifications::list(state, me, &filter, &bounds).await?;
    let unread_before = crate::db::notifications::notifications_marker(&state.db, me).await?;
    let rendered = crate::api::v1::notifications::render(state, me, &rows).await?;
    let older = (rows.len() as i64 == NOTIFICATIONS)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    if let (None, Some(newest)) = (max_id, rows.first()) {
        let newest = newest.id.to_string();
        let position = MarkerPosition {
            timeline: "notifications",
            last_read_id: Some(&newest),
        };
        notifications::set_markers(state, me, &[position]).await?;
    }
    let views = rendered
        .iter()
        .map(|n| NotificationView {
            kind: n.kind.clone(),
            account: AccountView::from_entity(&n.account),
            post: n
                .status
                .as_ref()
                .map(|s| PostView::from_entity(s, Some(me))),
            created_label: crate::web::view::label_time(&n.created_at),
            unread: unread_before.is_none_or(|read| n.id.0 > read),
        })
        .collect();
    let frame = Frame::new(state, visitor, EN.notifications)
        .await?
        .at("notifications");
    render::ok(&NotificationsPage {
        page: frame,
        notifications: views,
        older,
    })
}

/// The web app's own pages: home, reels, compose, notifications.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/home",
            get(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Query(query): Query<OlderQuery>| async move {
                    home(&state, &visitor, &query).await
                },
            ),
        )
        .route(
            "/reels",
            get(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Query(query): Query<OlderQuery>| async move {
                    reels(&state, &visitor, &query).await
                },
            ),
        )
        .route(
            "/compose",
            get(
                |State(state): State<AppState>, visitor: Visitor| async move {
                    compose_form(&state, &visitor).await
                },
            )
            .post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 form: Result<ParamsWithFiles<ComposeFields>, ApiError>| async move {
                    compose(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/notifications",
            get(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Query(query): Query<OlderQuery>| async move {
                    notifications_page(&state, &visitor, &query).await
                },
            ),
        )
}
