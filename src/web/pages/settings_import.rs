//! The signed-in user's data portability pages, at Mastodon's URLs: the export page
//! (`/settings/export`: counts, CSV downloads under `/settings/exports/*.csv`, the
//! archive request and `/backups/:id/download`) and the import page
//! (`/settings/imports`: type, merge or overwrite, the file, and the recent imports
//! with their progress and failures). Each calls `services::exports`,
//! `services::imports` or `services::archives`.

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::api::params::{FileFields, ParamsWithFiles};
use crate::db::accounts;
use crate::db::archives::ArchiveRow;
use crate::db::exports::Summary;
use crate::db::imports::ImportRow;
use crate::db::web_sessions::LiveSession;
use crate::domain::Id;
use crate::error::ApiError;
use crate::extract::Path;
use crate::services::archives::{self, Requested};
use crate::services::exports::{self, ExportFile};
use crate::services::imports::{self, ImportKind, ImportMode};
use crate::state::AppState;
use crate::web::frame::Frame;
use crate::web::render::{html, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::{PortabilityTexts, EN};

/// The message a page shows after a form (`?done=…`).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

fn signed_in(visitor: &Visitor) -> Result<&LiveSession, PageError> {
    visitor.session.as_ref().ok_or(PageError::Forbidden)
}

async fn frame(state: &AppState, visitor: &Visitor, title: &str) -> Result<Frame, PageError> {
    Ok(Frame::new(state, visitor, title).await?.at("settings"))
}

#[derive(Template)]
#[template(path = "settings_export.html")]
struct ExportPage {
    page: Frame,
    p: &'static PortabilityTexts,
    summary: Summary,
    storage: String,
    archives: Vec<ArchiveView>,
    may_request: bool,
    errors: Vec<String>,
}

/// An archive as the export page lists it.
struct ArchiveView {
    id: i64,
    created_at: DateTime<Utc>,
    state: String,
    size: String,
}

impl ArchiveView {
    fn of(row: ArchiveRow) -> ArchiveView {
        ArchiveView {
            id: row.id,
            created_at: row.created_at,
            size: human_size(row.file_size.unwrap_or(0)),
            state: row.state,
        }
    }
}

/// `GET /settings/export`.
pub async fn export_page(state: &AppState, visitor: &Visitor, done: &Done) -> PageResult {
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fexport"));
    };
    let p = &EN.portability;
    let mut page = frame(state, visitor, p.export).await?;
    match done.done.as_deref() {
        Some("archive") => page = page.with_flash(p.archive_requested, false),
        Some("too_soon") => page = page.with_flash(p.archive_too_soon, true),
        _ => {}
    }
    let summary = exports::summary(state, session.account_id).await?;
    let (archives, may_request) = archives::list(state, session.account_id).await?;
    Ok(html(
        StatusCode::OK,
        &ExportPage {
            page,
            p,
            storage: human_size(summary.storage_bytes),
            summary,
            archives: archives.into_iter().map(ArchiveView::of).collect(),
            may_request,
            errors: Vec::new(),
        },
    ))
}

/// `POST /settings/export`: requests an archive.
pub async fn request_archive(state: &AppState, visitor: &Visitor) -> PageResult {
    let session = signed_in(visitor)?;
    Ok(match archives::request(state, session.account_id).await? {
        Requested::Queued => see_other("/settings/export?done=archive"),
        Requested::TooSoon => see_other("/settings/export?done=too_soon"),
    })
}

/// `GET /settings/exports/:file`: one CSV file, streamed.
pub async fn csv_file(state: &AppState, visitor: &Visitor, name: &str) -> PageResult {
    let file = ExportFile::from_path(name).ok_or(PageError::NotFound)?;
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fexport"));
    };
    let body = Body::from_stream(exports::stream(state, session.account_id, file));
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        file.download_name(),
        None,
    ))
}

/// `GET /backups/:id/download`: a ready archive of the signed-in account.
pub async fn archive_file(state: &AppState, visitor: &Visitor, id: i64) -> PageResult {
    let session = signed_in(visitor)?;
    let (stream, size) = archives::download(state, session.account_id, id).await?;
    let name = format!("archive-{id}.zip");
    Ok(download(
        Body::from_stream(stream),
        "application/zip",
        &name,
        size,
    ))
}

/// A file to save (`Content-Disposition: attachment`), never cached by others.
fn download(body: Body, content_type: &'static str, name: &str, size: Option<i64>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let mut response = (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        body,
    )
        .into_response();
    if let Some(size) = size {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(size));
    }
    response
}

#[derive(Template)]
#[template(path = "settings_imports.html")]
struct ImportsPage {
    page: Frame,
    p: &'static PortabilityTexts,
    kinds: Vec<(&'static str, &'static str)>,
    imports: Vec<ImportView>,
    errors: Vec<String>,
}

/// An import as the page lists it (Mastodon's "Recent imports").
struct ImportView {
    id: i64,
    kind: &'static str,
    finished: bool,
    imported: i32,
    total: i32,
    failures: i32,
    created_at: DateTime<Utc>,
}

impl ImportView {
    fn of(row: &ImportRow) -> ImportView {
        ImportView {
            id: row.id,
            kind: ImportKind::parse(&row.kind).map_or("", kind_label),
            finished: row.finished_at.is_some(),
            imported: row.imported_items,
            total: row.total_items,
            failures: row.processed_items - row.imported_items,
            created_at: row.created_at,
        }
    }
}

fn kind_label(kind: ImportKind) -> &'static str {
    let p = &EN.portability;
    match kind {
        ImportKind::Following => p.type_following,
        ImportKind::Blocking => p.type_blocking,
        ImportKind::Muting => p.type_muting,
        ImportKind::DomainBlocking => p.type_domain_blocking,
        ImportKind::Bookmarks => p.type_bookmarks,
        ImportKind::Lists => p.type_lists,
    }
}

/// `GET /settings/imports`.
pub async fn imports_page(state: &AppState, visitor: &Visitor, done: &Done) -> PageResult {
    if visitor.session.is_none() {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fimports"));
    }
    let flash = done.done.is_some().then_some(EN.portability.import_queued);
    render_imports(state, visitor, flash, Vec::new(), StatusCode::OK).await
}

async fn render_imports(
    state: &AppState,
    visitor: &Visitor,
    flash: Option<&'static str>,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let session = signed_in(visitor)?;
    let p = &EN.portability;
    let mut page = frame(state, visitor, p.import).await?;
    if let Some(flash) = flash {
        page = page.with_flash(flash, false);
    }
    let imports = imports::recent(state, session.account_id).await?;
    Ok(html(
        status,
        &ImportsPage {
            page,
            p,
            kinds: ImportKind::ALL
                .into_iter()
                .map(|kind| (kind.as_str(), kind_label(kind)))
                .collect(),
            imports: imports.iter().map(ImportView::of).collect(),
            errors,
        },
    ))
}

/// The import form's fields (multipart: the file is `data`).
#[derive(Debug, Default, Deserialize)]
pub struct ImportFields {
    #[serde(default)]
    authenticity_token: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    mode: String,
}

impl FileFields for ImportFields {
    const FILES: &'static [&'static str] = &["data"];
}

/// `POST /settings/imports`: reads the file and queues its rows, or shows the form
/// again with what is wrong (422).
pub async fn upload(
    state: &AppState,
    visitor: &Visitor,
    form: Result<ParamsWithFiles<ImportFields>, ApiError>,
) -> PageResult {
    let session = signed_in(visitor)?;
    let mut form = match form {
        Ok(form) => form,
        Err(error) => return refused(state, visitor, error).await,
    };
    if !visitor.csrf_matches(&form.params.authenticity_token) {
        return Err(PageError::BadForm);
    }
    let Some(kind) = ImportKind::parse(&form.params.kind) else {
        let error = ApiError::validation("type", "ERR_INCLUSION", "Import type is not valid");
        return refused(state, visitor, error).await;
    };
    let mode = match form.params.mode.as_str() {
        "overwrite" => ImportMode::Overwrite,
        _ => ImportMode::Merge,
    };
    let Some(file) = form.take_file("data").filter(|file| !file.file.is_empty()) else {
        let error = ApiError::validation("data", "ERR_BLANK", "Choose a CSV file to import");
        return refused(state, visitor, error).await;
    };
    let me = accounts::find_by_id(&state.db, session.account_id)
        .await?
        .ok_or(PageError::Forbidden)?;
    match imports::create(state, &me, kind, mode, file.file).await {
        Ok(_) => Ok(see_other("/settings/imports?done=1")),
        Err(error) => refused(state, visitor, error).await,
    }
}

/// The import page again with a refused upload's reasons.
async fn refused(state: &AppState, visitor: &Visitor, error: ApiError) -> PageResult {
    let errors = match error {
        ApiError::Validation(problems) => problems.into_iter().map(|p| p.reason).collect(),
        ApiError::PayloadTooLarge => vec!["File is too large".to_owned()],
        ApiError::Unprocessable(reason) | ApiError::BadRequest(reason) => vec![reason],
        other => return Err(other.into()),
    };
    render_imports(
        state,
        visitor,
        None,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `GET /settings/imports/:id/failures.csv`: the rows that could not be imported.
pub async fn failures(state: &AppState, visitor: &Visitor, id: i64, name: &str) -> PageResult {
    if name != "failures.csv" {
        return Err(PageError::NotFound);
    }
    let session = signed_in(visitor)?;
    let csv = imports::failures_csv(state, session.account_id, id).await?;
    Ok(download(
        Body::from(csv),
        "text/csv; charset=utf-8",
        "failures.csv",
        None,
    ))
}

/// Bytes as Rails' `number_to_human_size` writes them (`0 Bytes`, `1.5 KB`, `12 MB`).
fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} Bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "Bytes";
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    let significant = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    let trimmed = if significant.contains('.') {
        significant
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        significant
    };
    format!("{trimmed} {unit}")
}

/// The export and import pages and their forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/export",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(done): Query<Done>| async move {
                    export_page(&state, &visitor, &done).await
                },
            )
            .post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 form: crate::web::forms::WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    request_archive(&state, &visitor).await
                },
            ),
        )
        .route(
            "/settings/exports/{file}",
            get(
                |State(state): State<AppState>, visitor: Visitor, Path(file): Path<String>| async move {
                    csv_file(&state, &visitor, &file).await
                },
            ),
        )
        .route(
            "/backups/{id}/download",
            get(
                |State(state): State<AppState>, visitor: Visitor, Path(id): Path<Id>| async move {
                    archive_file(&state, &visitor, id.0).await
                },
            ),
        )
        .route("/settings/import", get(|| async { see_other("/settings/imports") }))
        .route(
            "/settings/imports",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(done): Query<Done>| async move {
                    imports_page(&state, &visitor, &done).await
                },
            )
            .post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 form: Result<ParamsWithFiles<ImportFields>, ApiError>| async move {
                    upload(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/settings/imports/{id}/{file}",
            get(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path((id, file)): Path<(Id, String)>| async move {
                    failures(&state, &visitor, id.0, &file).await
                },
            ),
        )
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_rails_writes_them() {
        assert_eq!(human_size(0), "0 Bytes");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(12 * 1024 * 1024), "12 MB");
    }
}
