//! Finding things: `/explore` (trending hashtags and posts, for everyone) and `/search`
//! (people, hashtags and — signed in — posts), through the same services as the
//! client API's trends and `/api/v2/search`; and `/report`, the form that files a
//! report about an account with the moderators.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;

use crate::api::entities::{status, Account};
use crate::db::Page;
use crate::domain::Id;
use crate::error::ApiError;
use crate::services::reports::{self, LocalReport};
use crate::services::search::{self, SearchRequest};
use crate::services::trends::{self, TrendsPage};
use crate::state::AppState;
use crate::web::forms::WebForm;
use crate::web::frame::Frame;
use crate::web::render::{self, html, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::EN;
use crate::web::view::{AccountView, PostView};

/// Results per kind.
const RESULTS: i64 = 20;

#[derive(Template)]
#[template(path = "explore.html")]
struct ExplorePage {
    page: Frame,
    tags: Vec<String>,
    posts: Vec<PostView>,
}

/// `GET /explore`: what is trending on this server.
pub async fn explore(state: &AppState, visitor: &Visitor) -> PageResult {
    let viewer = visitor.account_id();
    let page = TrendsPage {
        offset: 0,
        limit: RESULTS,
    };
    let tags = trends::tags(state, viewer, page).await?;
    let rows = trends::statuses(state, viewer, page).await?;
    let rendered = status::render(state, viewer, rows).await?;
    let frame = Frame::new(state, visitor, EN.explore).await?.at("explore");
    render::ok(&ExplorePage {
        page: frame,
        tags: tags.into_iter().map(|tag| tag.tag.name).collect(),
        posts: rendered
            .iter()
            .map(|s| PostView::from_entity(s, viewer))
            .collect(),
    })
}

/// The search box.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: Frame,
    query: String,
    accounts: Vec<AccountView>,
    tags: Vec<String>,
    posts: Vec<PostView>,
    error: Option<String>,
}

/// `GET /search?q=…`.
pub async fn search_page(state: &AppState, visitor: &Visitor, query: &SearchQuery) -> PageResult {
    let viewer = visitor.account_id();
    let text: String = query
        .q
        .clone()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let mut found = search::Found::default();
    let mut error = None;
    if !text.is_empty() {
        let request = SearchRequest {
            query: &text,
            kind: None,
            resolve: viewer.is_some(),
            following: false,
            exclude_unreviewed: false,
            account_id: None,
            page: Page {
                max_id: None,
                since_id: None,
                min_id: None,
                limit: RESULTS,
            },
            offset: 0,
        };
        match search::search(state, viewer, &request).await {
            Ok(results) => found = results,
            Err(ApiError::Unprocessable(why) | ApiError::BadRequest(why)) => error = Some(why),
            Err(ApiError::NotFound) => error = Some(EN.no_results.to_owned()),
            Err(other) => return Err(other.into()),
        }
    }
    let rendered = status::render(state, viewer, found.statuses).await?;
    let frame = Frame::new(state, visitor, EN.search).await?.at("explore");
    render::ok(&SearchPage {
        page: frame,
        query: text,
        accounts: found
            .accounts
            .iter()
            .map(|row| AccountView::from_entity(&Account::from_row(row, &state.config)))
            .collect(),
        tags: found.hashtags.into_iter().map(|tag| tag.tag.name).collect(),
        posts: rendered
            .iter()
            .map(|s| PostView::from_entity(s, viewer))
            .collect(),
        error,
    })
}

/// Which account a report is about.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    pub account_id: Option<String>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: Frame,
    account: AccountView,
    account_id: String,
    sent: bool,
}

/// `GET /report?account_id=…`.
pub async fn report_form(state: &AppState, visitor: &Visitor, query: &ReportQuery) -> PageResult {
    let id = query
        .account_id
        .as_deref()
        .and_then(|id| id.parse::<Id>().ok())
        .ok_or(PageError::NotFound)?;
    report_page(state, visitor, id.0, false, StatusCode::OK).await
}

async fn report_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    sent: bool,
    status: StatusCode,
) -> PageResult {
    if visitor.session.is_none() {
        return Err(PageError::Forbidden);
    }
    let row = crate::db::accounts::find_visible_by_id(&state.db, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let mut frame = Frame::new(state, visitor, EN.report).await?;
    if sent {
        frame = frame.with_flash(EN.report_sent, false);
    }
    Ok(html(
        status,
        &ReportPage {
            page: frame,
            account: AccountView::from_entity(&Account::from_row(&row, &state.config)),
            account_id: id.to_string(),
            sent,
        },
    ))
}

/// The report form.
#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    category: String,
    forward: Option<String>,
}

/// `POST /report`: files the report as `POST /api/v1/reports` does.
pub async fn report(state: &AppState, visitor: &Visitor, form: ReportForm) -> PageResult {
    let session = visitor.session.as_ref().ok_or(PageError::Forbidden)?;
    let id = form
        .account_id
        .parse::<Id>()
        .map_err(|_| PageError::NotFound)?;
    let comment: String = form.comment.chars().take(1000).collect();
    let category = Some(form.category.as_str()).filter(|c| !c.is_empty());
    let report = LocalReport {
        target_id: id.0,
        status_ids: &[],
        comment: &comment,
        category,
        rule_ids: &[],
        forward: form.forward.is_some(),
    };
    match reports::file(state, session.account_id, &report).await {
        Ok(_) => report_page(state, visitor, id.0, true, StatusCode::OK).await,
        Err(ApiError::Validation(_)) => {
            report_page(
                state,
                visitor,
                id.0,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// Explore, search and reporting.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/explore",
            get(|State(state): State<AppState>, visitor: Visitor| async move {
                explore(&state, &visitor).await
            }),
        )
        .route(
            "/search",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(query): Query<SearchQuery>| async move {
                    search_page(&state, &visitor, &query).await
                },
            ),
        )
        .route(
            "/report",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(query): Query<ReportQuery>| async move {
                    report_form(&state, &visitor, &query).await
                },
            )
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<ReportForm>| async move {
                    let form = form.checked(&visitor)?;
                    report(&state, &visitor, form).await
                },
            ),
        )
}
