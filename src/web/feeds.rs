//! RSS 2.0 feeds of an account's public posts (`/@user.rss`) and of a hashtag
//! (`/tags/name.rss`), as Mastodon offers them: the 20 newest public posts (replies and
//! boosts left out), content as HTML, photos as `media:content`, cacheable for a minute.
//! Spec: <https://www.rssboard.org/rss-specification>.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

use crate::api::entities::status;
use crate::db::accounts::AccountRow;
use crate::db::timelines::{self, Timeline};
use crate::db::Page;
use crate::state::AppState;
use crate::urls;
use crate::web::render::{PageError, PageResult};
use crate::web::view::PostView;

/// Items per feed.
const ITEMS: i64 = 20;

/// One item of a feed.
struct Item {
    link: String,
    published: String,
    post: PostView,
}

#[derive(Template)]
#[template(path = "feed.xml")]
struct Feed {
    title: String,
    link: String,
    description: String,
    image: Option<String>,
    items: Vec<Item>,
}

/// The feed of a local account's public posts.
pub async fn account(state: &AppState, account: &AccountRow) -> PageResult {
    let which = Timeline::Account {
        account_id: account.id,
        exclude_replies: true,
        exclude_reblogs: true,
        pinned: false,
        tagged: None,
        only_media: false,
    };
    let items = items(state, which).await?;
    let name = if account.display_name.is_empty() {
        &account.username
    } else {
        &account.display_name
    };
    let entity = crate::api::entities::Account::from_row(account, &state.config);
    respond(&Feed {
        title: name.clone(),
        link: urls::profile(&state.config, &account.username),
        description: format!(
            "Public posts from @{}@{}",
            account.username, state.config.domain
        ),
        image: Some(entity.avatar),
        items,
    })
}

/// The feed of a hashtag's public posts.
pub async fn tag(state: &AppState, name: &str) -> PageResult {
    let which = Timeline::Tag {
        name,
        local: None,
        only_media: false,
    };
    let items = items(state, which).await?;
    respond(&Feed {
        title: format!("#{name}"),
        link: urls::tag(&state.config, name),
        description: format!("Public posts tagged #{name}"),
        image: None,
        items,
    })
}

/// Public posts only: the feed is read without a viewer, and unlisted posts stay out.
async fn items(state: &AppState, which: Timeline<'_>) -> Result<Vec<Item>, PageError> {
    let bounds = Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: ITEMS,
    };
    let rows = timelines::timeline(&state.db, None, which, &bounds).await?;
    let rows = rows
        .into_iter()
        .filter(|row| row.visibility == crate::domain::Visibility::Public)
        .collect();
    let rendered = status::render(state, None, rows).await?;
    Ok(rendered
        .iter()
        .map(|shown| {
            let post = PostView::from_entity(shown, None);
            let published = chrono::DateTime::parse_from_rfc3339(&shown.created_at)
                .map(|time| time.to_rfc2822())
                .unwrap_or_default();
            let link = shown.url.clone().unwrap_or_else(|| shown.uri.clone());
            Item {
                link,
                published,
                post,
            }
        })
        .collect())
}

fn respond(feed: &Feed) -> PageResult {
    let body = feed
        .render()
        .map_err(|error| PageError::Internal(error.into()))?;
    Ok((
        [
            (CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response())
}
