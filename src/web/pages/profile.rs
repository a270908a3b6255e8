//! A local account's page (`/@user`, also `/users/user` for browsers): header, avatar,
//! bio, fields (links verified by `rel="me"` marked), counts, a grid of recent photos
//! and the posts the visitor may see, paged by `max_id`; with the visitor's follow,
//! mute and block buttons. Accounts that are not `indexable` ask search engines not to
//! index the page.

use askama::Template;
use serde::Deserialize;

use crate::api::entities::relationship::Relationship;
use crate::api::entities::Account;
use crate::db::accounts::AccountRow;
use crate::db::timelines::Timeline;
use crate::domain::Id;
use crate::state::AppState;
use crate::urls;
use crate::web::frame::Frame;
use crate::web::render::{self, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::view::{strip_tags, PostView};

/// Posts per page, and photos in the grid.
const POSTS_PER_PAGE: i64 = 20;
const GRID_PHOTOS: i64 = 12;

/// The paging query of a profile page.
#[derive(Debug, Default, Deserialize)]
pub struct ProfileQuery {
    pub max_id: Option<String>,
}

/// A profile field.
pub struct FieldView {
    pub name: String,
    pub value: String,
    pub verified: bool,
}

/// What the visitor's buttons should offer.
pub struct RelationView {
    pub id: String,
    pub following: bool,
    pub requested: bool,
    pub blocking: bool,
    pub muting: bool,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    page: Frame,
    account: Account,
    name: String,
    handle: String,
    fields: Vec<FieldView>,
    own: bool,
    relation: Option<RelationView>,
    photos: Vec<PostView>,
    posts: Vec<PostView>,
    older: Option<String>,
    joined: String,
}

/// Renders the profile of `row` for `visitor`.
pub async fn page(
    state: &AppState,
    visitor: &Visitor,
    row: &AccountRow,
    query: &ProfileQuery,
) -> PageResult {
    if row.domain.is_some() || row.suspended_at.is_some() {
        return Err(PageError::NotFound);
    }
    let viewer = visitor.account_id();
    let account = Account::from_row(row, &state.config);
    let max_id = query
        .max_id
        .as_deref()
        .and_then(|id| id.parse::<Id>().ok())
        .map(|id| id.0);
    let posts = posts(state, viewer, row.id, max_id, false, POSTS_PER_PAGE).await?;
    let photos = if max_id.is_none() {
        posts_with_photos(state, viewer, row.id).await?
    } else {
        Vec::new()
    };
    let older = super::public::older_than(&posts, POSTS_PER_PAGE);
    let relation = relation(state, viewer, row.id).await?;
    let name = if account.display_name.trim().is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    };
    let mut frame = Frame::new(
        state,
        visitor,
        format!("{name} (@{}@{})", row.username, state.config.domain),
    )
    .await?;
    if viewer == Some(row.id) {
        frame = frame.at("profile");
    }
    frame.meta.kind = "profile";
    frame.meta.description = strip_tags(&account.note);
    frame.meta.canonical = Some(urls::profile(&state.config, &row.username));
    frame.meta.image = Some(account.avatar.clone());
    frame.meta.noindex = !account.indexable;
    frame.meta.activity_json = Some(urls::actor(&state.config, &row.username));
    frame.meta.feed = Some(format!(
        "{}.rss",
        urls::profile(&state.config, &row.username)
    ));
    let fields = account
        .fields
        .iter()
        .map(|field| FieldView {
            name: field.name.clone(),
            value: field.value.clone(),
            verified: field.verified_at.is_some(),
        })
        .collect();
    render::ok(&ProfilePage {
        page: frame,
        handle: format!("@{}@{}", row.username, state.config.domain),
        joined: account.created_at.chars().take(10).collect(),
        own: viewer == Some(row.id),
        account,
        name,
        fields,
        relation,
        photos,
        posts,
        older,
    })
}

/// A page of the account's posts (and boosts) the viewer may see, newest first.
pub async fn posts(
    state: &AppState,
    viewer: Option<i64>,
    account_id: i64,
    max_id: Option<i64>,
    only_media: bool,
    limit: i64,
) -> Result<Vec<PostView>, PageError> {
    let which = Timeline::Account {
        account_id,
        exclude_replies: true,
        exclude_reblogs: only_media,
        pinned: false,
        tagged: None,
        only_media,
    };
    crate::web::pages::public::posts(state, viewer, which, max_id, limit).await
}

async fn posts_with_photos(
    state: &AppState,
    viewer: Option<i64>,
    account_id: i64,
) -> Result<Vec<PostView>, PageError> {
    let posts = posts(state, viewer, account_id, None, true, GRID_PHOTOS).await?;
    // A post behind a content warning keeps its photos out of the grid.
    Ok(posts
        .into_iter()
        .filter(|post| post.spoiler.is_empty() && !post.sensitive && post.first_image().is_some())
        .collect())
}

async fn relation(
    state: &AppState,
    viewer: Option<i64>,
    account_id: i64,
) -> Result<Option<RelationView>, PageError> {
    let Some(viewer) = viewer.filter(|viewer| *viewer != account_id) else {
        return Ok(None);
    };
    let rows = crate::db::follows::relationships(&state.db, viewer, &[account_id]).await?;
    Ok(rows.into_iter().next().map(|row| {
        let relation = Relationship::from(row);
        RelationView {
            id: relation.id.to_string(),
            following: relation.following,
            requested: relation.requested,
            blocking: relation.blocking,
            muting: relation.muting,
        }
    }))
}
