// SPDX-License-Identifier: AGPL-3.0-or-later
//! Stories in the web app: the row of stories on the home page ([`row`]), posting a
//! story (`/stories/new`: a photo or video, who sees it and an optional music track), watching an account's
//! stories one after another (`/stories/:account_id?story=ID`, the first unseen one
//! when none is named; opening one marks it seen), replying to one (a direct message)
//! and, for the author, its viewers and deleting it. Every rule is
//! `services::stories`'s; the pages only call it. See docs/web.md.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::api::entities::story::Story;
use crate::api::entities::Account;
use crate::api::params::{FileFields, ParamsWithFiles};
use crate::api::v1::statuses::MusicParams;
use crate::db::accounts;
use crate::domain::Id;
use crate::error::ApiError;
use crate::services::media;
use crate::services::stories::{self, NewStoryRequest};
use crate::state::AppState;
use crate::web::forms::WebForm;
use crate::web::frame::Frame;
use crate::web::render::{self, html, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::EN;
use crate::web::view::{label_time, AccountView, MusicFormView, MusicView};

/// One account in the row of stories on the home page.
pub struct RingView {
    pub account: AccountView,
    pub account_id: String,
    /// Every story in it seen already (a grey ring).
    pub seen: bool,
}

/// The row of stories of the signed-in account `viewer` (their own first).
pub async fn row(state: &AppState, viewer: i64) -> Result<Vec<RingView>, PageError> {
    let entries = stories::tray(state, viewer).await?;
    Ok(entries
        .iter()
        .map(|entry| RingView {
            account: AccountView::from_entity(&Account::from_row(&entry.account, &state.config)),
            account_id: entry.account.id.to_string(),
            seen: entry.counts.unseen == 0,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "story_new.html")]
struct NewStoryPage {
    page: Frame,
    errors: Vec<String>,
    music: MusicFormView,
}

/// `GET /stories/new`.
async fn new_form(state: &AppState, visitor: &Visitor) -> PageResult {
    if visitor.session.is_none() {
        return Ok(see_other("/auth/sign_in?return_to=%2Fstories%2Fnew"));
    }
    let frame = Frame::new(state, visitor, EN.story_new).await?;
    render::ok(&NewStoryPage {
        page: frame,
        errors: Vec::new(),
        music: MusicFormView::default(),
    })
}

/// The fields of the new story form (multipart, with the file `media`).
#[derive(Debug, Default, Deserialize)]
pub struct NewStoryFields {
    #[serde(default)]
    authenticity_token: String,
    audience: Option<String>,
    /// An optional music track (`music[title]`, `music[artist]`, `music[url]`).
    music: Option<MusicParams>,
}

impl FileFields for NewStoryFields {
    const FILES: &'static [&'static str] = &["media"];
}

/// `POST /stories/new`: uploads the file, then posts the story through the same
/// service as the API; a refusal shows the form again with the reason.
async fn create(
    state: &AppState,
    visitor: &Visitor,
    form: Result<ParamsWithFiles<NewStoryFields>, ApiError>,
) -> PageResult {
    let session = visitor.session.as_ref().ok_or(PageError::Forbidden)?;
    let mut form = match form {
        Ok(form) => form,
        Err(error) => return refused(state, visitor, None, error).await,
    };
    if !visitor.csrf_matches(&form.params.authenticity_token) {
        return Err(PageError::BadForm);
    }
    let Some(file) = form.take_file("media").filter(|file| !file.file.is_empty()) else {
        let missing = ApiError::Unprocessable("Choose a photo or a video".into());
        return refused(state, visitor, form.params.music.as_ref(), missing).await;
    };
    let upload = media::upload(state, session.account_id, file.file, Default::default()).await;
    let upload = match upload {
        Ok(row) => row,
        Err(error) => return refused(state, visitor, form.params.music.as_ref(), error).await,
    };
    let author = accounts::find_by_id(&state.db, session.account_id)
        .await?
        .ok_or(PageError::Forbidden)?;
    let media_id = upload.id.to_string();
    let request = NewStoryRequest {
        media_id: Some(&media_id),
        audience: form.params.audience.as_deref(),
        music: (form.params.music.as_ref())
            .map(MusicParams::input)
            .unwrap_or_default(),
        ..NewStoryRequest::default()
    };
    match stories::post(state, &author, &request).await {
        Ok(posted) => Ok(see_other(&format!(
            "/stories/{}?story={}",
            author.id, posted.row.id
        ))),
        Err(error) => refused(state, visitor, form.params.music.as_ref(), error).await,
    }
}

/// The form again with why the story was refused and the music typed; other failures
/// as errors.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    music: Option<&MusicParams>,
    error: ApiError,
) -> PageResult {
    let errors = match error {
        ApiError::Validation(problems) => problems.into_iter().map(|p| p.reason).collect(),
        ApiError::Unprocessable(reason) | ApiError::BadRequest(reason) => vec![reason],
        ApiError::PayloadTooLarge => vec!["The file is too large.".to_owned()],
        other => return Err(other.into()),
    };
    let frame = Frame::new(state, visitor, EN.story_new).await?;
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &NewStoryPage {
            page: frame,
            errors,
            music: MusicFormView::from_params(music),
        },
    ))
}

/// One story as the viewer page shows it.
pub struct StoryPageView {
    pub id: String,
    pub image: Option<String>,
    pub video: Option<String>,
    pub description: String,
    pub expires_label: String,
    pub can_reply: bool,
    /// Its music track, played beside it.
    pub music: Option<MusicView>,
}

impl StoryPageView {
    fn from_entity(story: &Story) -> StoryPageView {
        let media = story.media_attachment.as_ref();
        let url = media.and_then(|m| m.url.clone().or_else(|| m.remote_url.clone()));
        let is_video = media.is_some_and(|m| m.kind == "video" || m.kind == "gifv");
        StoryPageView {
            id: story.id.to_string(),
            image: url.clone().filter(|_| !is_video),
            video: url.filter(|_| is_video),
            description: media
                .and_then(|m| m.description.clone())
                .unwrap_or_default(),
            expires_label: label_time(&story.expires_at),
            can_reply: story.can_reply,
            music: story.music.as_ref().map(MusicView::from_entity),
        }
    }
}

/// Someone who saw the author's story.
pub struct ViewerView {
    pub account: AccountView,
    pub when: String,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    page: Frame,
    author: AccountView,
    author_id: String,
    story: StoryPageView,
    /// Position (1-based) and count, for "2 / 5".
    position: usize,
    count: usize,
    previous: Option<String>,
    next: Option<String>,
    own: bool,
    viewers: Vec<ViewerView>,
    replied: bool,
}

/// `?story=ID&replied=1` of the viewer page.
#[derive(Debug, Default, Deserialize)]
pub struct WatchQuery {
    story: Option<String>,
    replied: Option<String>,
}

/// `GET /stories/:account_id`: one of the account's stories (the named one, else the
/// first unseen, else the first), marked seen, with links to the others.
async fn watch(
    state: &AppState,
    visitor: &Visitor,
    account_id: i64,
    query: &WatchQuery,
) -> PageResult {
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fhome"));
    };
    let me = session.account_id;
    let list = stories::of_account(state, me, account_id).await?;
    let wanted = query.story.as_deref().and_then(|id| id.parse::<Id>().ok());
    let index = match wanted {
        Some(id) => list.iter().position(|s| s.row.id == id.0),
        None => list
            .iter()
            .position(|s| !s.seen)
            .or((!list.is_empty()).then_some(0)),
    }
    .ok_or(PageError::NotFound)?;
    let viewer = accounts::find_by_id(&state.db, me)
        .await?
        .ok_or(PageError::Forbidden)?;
    let current = &list[index];
    stories::mark_seen(state, &viewer, current.row.id).await?;
    let own = current.row.account_id == me;
    let viewers = if own {
        stories::viewers(state, me, current.row.id).await?
    } else {
        Vec::new()
    };
    let entity = Story::from_view(current, &state.config);
    let frame = Frame::new(state, visitor, EN.stories).await?;
    render::ok(&StoryPage {
        page: frame,
        author: AccountView::from_entity(&entity.account),
        author_id: account_id.to_string(),
        story: StoryPageView::from_entity(&entity),
        position: index + 1,
        count: list.len(),
        previous: index.checked_sub(1).map(|i| list[i].row.id.to_string()),
        next: list.get(index + 1).map(|s| s.row.id.to_string()),
        own,
        viewers: viewers
            .iter()
            .map(|v| ViewerView {
                account: AccountView::from_entity(&Account::from_row(&v.account, &state.config)),
                when: label_time(&crate::api::entities::timestamp(v.viewed_at)),
            })
            .collect(),
        replied: query.replied.is_some(),
    })
}

/// The reply form's field.
#[derive(Debug, Deserialize)]
pub struct ReplyFields {
    status: Option<String>,
}

/// `POST /stories/:id/reply`: a direct message to the story's author.
async fn reply(state: &AppState, visitor: &Visitor, id: i64, text: Option<&str>) -> PageResult {
    let session = visitor.session.as_ref().ok_or(PageError::Forbidden)?;
    let viewer = accounts::find_by_id(&state.db, session.account_id)
        .await?
        .ok_or(PageError::Forbidden)?;
    let story = stories::show(state, viewer.id, id).await?;
    stories::reply(state, &viewer, id, text, None).await?;
    Ok(see_other(&format!(
        "/stories/{}?story={id}&replied=1",
        story.row.account_id
    )))
}

/// `POST /stories/:id/delete`: the author deletes the story.
async fn delete(state: &AppState, visitor: &Visitor, id: i64) -> PageResult {
    let session = visitor.session.as_ref().ok_or(PageError::Forbidden)?;
    let author = accounts::find_by_id(&state.db, session.account_id)
        .await?
        .ok_or(PageError::Forbidden)?;
    stories::delete(state, &author, id).await?;
    Ok(see_other("/home"))
}

/// The stories pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/stories/new",
            get(
                |State(state): State<AppState>, visitor: Visitor| async move {
                    new_form(&state, &visitor).await
                },
            )
            .post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 form: Result<ParamsWithFiles<NewStoryFields>, ApiError>| async move {
                    create(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/stories/{account_id}",
            get(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path(account_id): Path<Id>,
                 Query(query): Query<WatchQuery>| async move {
                    watch(&state, &visitor, account_id.0, &query).await
                },
            ),
        )
        .route(
            "/stories/{id}/reply",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path(id): Path<Id>,
                 form: WebForm<ReplyFields>| async move {
                    let fields = form.checked(&visitor)?;
                    reply(&state, &visitor, id.0, fields.status.as_deref()).await
                },
            ),
        )
        .route(
            "/stories/{id}/delete",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path(id): Path<Id>,
                 form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    delete(&state, &visitor, id.0).await
                },
            ),
        )
}
