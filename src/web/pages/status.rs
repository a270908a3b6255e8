//! A post's page (`/@user/:id`): the post with its author, date, media with their
//! descriptions, content warning, poll and counts, the thread around it (the posts it
//! answers above, the replies below), who liked it, and, for a signed-in visitor, the
//! reply form.
//! A post the visitor may not see (followers-only to a stranger, direct to anyone not
//! mentioned) is "not found", exactly as a post that does not exist.

use askama::Template;

use crate::api::entities::{status, Account};
use crate::db::accounts::AccountRow;
use crate::db::statuses::StatusRow;
use crate::db::Page;
use crate::domain::filters::FilterContext;
use crate::services::interactions;
use crate::state::AppState;
use crate::urls;
use crate::web::frame::Frame;
use crate::web::render::{self, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::view::{AccountView, PostView};

/// Most recent likers shown under a post.
const LIKERS: i64 = 40;

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    page: Frame,
    ancestors: Vec<PostView>,
    post: PostView,
    descendants: Vec<PostView>,
    /// Who liked the post, newest first (at most [`LIKERS`]).
    likers: Vec<AccountView>,
    /// `@user ` of the author, to start a reply with.
    reply_prefix: String,
}

/// Renders status `id` of `author` for `visitor`.
pub async fn page(state: &AppState, visitor: &Visitor, author: &AccountRow, id: i64) -> PageResult {
    let viewer = visitor.account_id();
    let row = crate::services::statuses::visible(state, viewer, id).await?;
    if row.account_id != author.id || row.reblog_of_id.is_some() {
        return Err(PageError::NotFound);
    }
    // The page shows the thread as Roost has it; what is missing arrives for the next view.
    let around = crate::services::thread_backfill::thread(state, viewer, &row).await?;
    let above: std::collections::HashSet<i64> = around.ancestors.iter().map(|row| row.id).collect();
    let thread: Vec<StatusRow> = std::iter::once(row.clone())
        .chain(around.ancestors)
        .chain(around.descendants)
        .collect();
    let rendered = status::render_in(state, viewer, thread, FilterContext::Thread).await?;
    let mut post = None;
    let mut ancestors = Vec::new();
    let mut descendants = Vec::new();
    for shown in &rendered {
        let view = PostView::from_entity(shown, viewer);
        if shown.id.0 == row.id {
            post = Some(view);
        } else if above.contains(&shown.id.0) {
            ancestors.push(view);
        } else {
            descendants.push(view);
        }
    }
    // A post a filter of the viewer hides is still shown on its own page.
    let post = match post {
        Some(post) => post,
        None => {
            let alone = status::render(state, viewer, vec![row.clone()]).await?;
            let shown = alone.first().ok_or(PageError::NotFound)?;
            PostView::from_entity(shown, viewer)
        }
    };
    let frame = frame(state, visitor, author, &row, &post).await?;
    let likers = if row.favourites_count > 0 {
        likers(state, viewer, row.id).await?
    } else {
        Vec::new()
    };
    let reply_prefix = match &visitor.session {
        Some(session) if session.account_id != author.id => format!("@{} ", author.username),
        _ => String::new(),
    };
    render::ok(&StatusPage {
        page: frame,
        ancestors,
        post,
        descendants,
        likers,
        reply_prefix,
    })
}

/// The accounts that liked the post most recently, as the API lists them.
async fn likers(
    state: &AppState,
    viewer: Option<i64>,
    id: i64,
) -> Result<Vec<AccountView>, PageError> {
    let newest = Page {
        limit: LIKERS,
        ..Page::default()
    };
    let found = interactions::actors(state, viewer, id, false, &newest).await?;
    Ok(found
        .accounts
        .iter()
        .map(|row| AccountView::from_entity(&Account::from_row(row, &state.config)))
        .collect())
}

async fn frame(
    state: &AppState,
    visitor: &Visitor,
    author: &AccountRow,
    row: &StatusRow,
    post: &PostView,
) -> Result<Frame, PageError> {
    let summary = post.summary();
    let title: String = format!(
        "{}: \"{}\"",
        post.author.name,
        summary.chars().take(60).collect::<String>()
    );
    let mut frame = Frame::new(state, visitor, title).await?;
    let page_url = urls::status_page(&state.config, &author.username, row.id);
    frame.meta.kind = "article";
    frame.meta.description = summary;
    frame.meta.noindex = !author.indexable;
    frame.meta.activity_json = Some(urls::status(&state.config, &author.username, row.id));
    frame.meta.oembed = Some(format!(
        "{}/api/oembed?url={}",
        state.config.base_url(),
        percent_encoding::utf8_percent_encode(&page_url, percent_encoding::NON_ALPHANUMERIC)
    ));
    frame.meta.canonical = Some(page_url);
    match post.first_image() {
        Some(image) if post.spoiler.is_empty() && !post.sensitive => {
            frame.meta.image = Some(image.preview.clone());
            frame.meta.image_alt = Some(image.alt.clone()).filter(|alt| !alt.is_empty());
        }
        _ => frame.meta.image = Some(post.author.avatar.clone()),
    }
    Ok(frame)
}
