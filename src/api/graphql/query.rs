//! The root `Query` type: the viewer, accounts, posts, the home and public feeds,
//! notifications and search. Each field checks the scope its REST endpoint declares,
//! calls the function that endpoint calls, and renders the same entities.
//!
//! Not here: nested lists ([`super::types`]) and the paging rule ([`super::paging`]).
//! Spec: <https://spec.graphql.org/October2021/#sec-Root-Operation-Types>.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};

use super::context::{failure, optional, signed_in, state, GraphResult, OrFailure};
use super::paging::{self, PageArgs};
use super::types::{posts_connection, Account, Hashtag, Notification, Post, SearchResults};
use crate::api::entities;
use crate::api::v1::notifications::render as render_notifications;
use crate::auth::scoped::{
    ReadAccounts, ReadAccountsOrProfile, ReadNotifications, ReadSearch, ReadStatuses,
};
use crate::db::accounts;
use crate::db::timelines::{self, Timeline};
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::ApiError;
use crate::services::search::{self, Kind, SearchRequest};
use crate::services::{notifications, profile, statuses};

/// The root of every query.
pub struct QueryRoot;

/// An id argument as a number: `UNPROCESSABLE` when it is not one.
pub fn parse_id(id: &ID) -> GraphResult<i64> {
    id.parse::<Id>()
        .map(|id| id.0)
        .map_err(|_| failure(ApiError::Unprocessable(format!("{:?} is not an id", id.0))))
}

#[Object]
impl QueryRoot {
    /// The signed-in user's account (scope `read:accounts` or `profile`).
    async fn viewer(&self, ctx: &Context<'_>) -> GraphResult<Account> {
        let state = state(ctx)?;
        let account_id = signed_in::<ReadAccountsOrProfile>(ctx)?;
        let own = profile::own(state, account_id).await.or_failure()?;
        Ok(Account(entities::Account::from_row(
            &own.account,
            &state.config,
        )))
    }

    /// An account by id or by `acct` (`username` or `username@domain`, only accounts
    /// this server knows); `null` when there is none to show.
    async fn account(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        #[graphql(validator(max_length = 300))] acct: Option<String>,
    ) -> GraphResult<Option<Account>> {
        let state = state(ctx)?;
        optional::<ReadAccounts>(ctx)?;
        let found = match (id, acct) {
            (Some(id), None) => accounts::find_visible_by_id(&state.db, parse_id(&id)?).await,
            (None, Some(acct)) => {
                let acct = acct.trim().trim_start_matches('@');
                let (username, domain) = match acct.split_once('@') {
                    Some((user, domain)) if domain.eq_ignore_ascii_case(&state.config.domain) => {
                        (user, None)
                    }
                    Some((user, domain)) => (user, Some(domain)),
                    None => (acct, None),
                };
                accounts::find_visible_by_acct(&state.db, username, domain).await
            }
            _ => {
                return Err(failure(ApiError::Unprocessable(
                    "Give either id or acct".into(),
                )))
            }
        };
        let found = found.or_failure()?;
        Ok(found.map(|row| Account(entities::Account::from_row(&row, &state.config))))
    }

    /// A post the viewer may see; `null` otherwise.
    async fn post(&self, ctx: &Context<'_>, id: ID) -> GraphResult<Option<Post>> {
        let state = state(ctx)?;
        let viewer = optional::<ReadStatuses>(ctx)?;
        let row = match statuses::visible(state, viewer, parse_id(&id)?).await {
            Ok(row) => row,
            Err(ApiError::NotFound) => return Ok(None),
            Err(error) => return Err(failure(error)),
        };
        let mut rendered = entities::status::render(state, viewer, vec![row])
            .await
            .or_failure()?;
        Ok(rendered.pop().map(Post))
    }

    /// The signed-in user's home feed, newest first (scope `read:statuses`).
    #[graphql(complexity = "paging::cost(first, child_complexity)")]
    async fn home_feed(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> GraphResult<Connection<String, Post>> {
        let state = state(ctx)?;
        let viewer = signed_in::<ReadStatuses>(ctx)?;
        let paging = PageArgs::new(first, after, before).paging()?;
        let rows = timelines::timeline(&state.db, Some(viewer), Timeline::Home, &paging.page)
            .await
            .or_failure()?;
        posts_connection(state, Some(viewer), &paging, rows, FilterContext::Home).await
    }

    /// Public posts of this server (`local: true`) or of every server it knows,
    /// newest first.
    #[graphql(complexity = "paging::cost(first, child_complexity)")]
    async fn public_feed(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        #[graphql(default)] local: bool,
    ) -> GraphResult<Connection<String, Post>> {
        let state = state(ctx)?;
        let viewer = optional::<ReadStatuses>(ctx)?;
        let paging = PageArgs::new(first, after, before).paging()?;
        let which = Timeline::Public {
            local: local.then_some(true),
            only_media: false,
        };
        let rows = timelines::timeline(&state.db, viewer, which, &paging.page)
            .await
            .or_failure()?;
        posts_connection(state, viewer, &paging, rows, FilterContext::Public).await
    }

    /// The signed-in user's notifications, newest first, perhaps only some `types`
    /// (scope `read:notifications`).
    #[graphql(complexity = "paging::cost(first, child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        #[graphql(validator(max_items = 20))] types: Option<Vec<String>>,
    ) -> GraphResult<Connection<String, Notification>> {
        let state = state(ctx)?;
        let viewer = signed_in::<ReadNotifications>(ctx)?;
        let paging = PageArgs::new(first, after, before).paging()?;
        let types = types.unwrap_or_default();
        let filter = notifications::filter(&types, &[], None, false);
        let rows = notifications::list(state, viewer, &filter, &paging.page)
            .await
            .or_failure()?;
        let (rows, more) = paging.cut(rows);
        let rendered = render_notifications(state, viewer, &rows)
            .await
            .or_failure()?;
        let nodes = rendered
            .into_iter()
            .map(|entity| (entity.id.0, Notification(entity)))
            .collect();
        Ok(paging.connection(nodes, more))
    }

    /// Accounts, posts and hashtags matching `query` (posts only for a signed-in
    /// viewer, as the REST search). At most `first` (1–40, default 20) of each.
    #[graphql(complexity = "paging::cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(max_length = 500))] query: String,
        first: Option<i32>,
    ) -> GraphResult<SearchResults> {
        let state = state(ctx)?;
        let viewer = optional::<ReadSearch>(ctx)?;
        let paging = PageArgs::new(first, None, None).paging()?;
        let mut page = paging.page.clone();
        page.limit -= 1;
        let request = SearchRequest {
            query: &query,
            kind: Kind::parse(None),
            resolve: false,
            following: false,
            exclude_unreviewed: false,
            account_id: None,
            page,
            offset: 0,
        };
        let found = search::search(state, viewer, &request).await.or_failure()?;
        let posts =
            entities::status::render_in(state, viewer, found.statuses, FilterContext::Public)
                .await
                .or_failure()?;
        Ok(SearchResults {
            accounts: (found.accounts.iter())
                .map(|row| Account(entities::Account::from_row(row, &state.config)))
                .collect(),
            posts: posts.into_iter().map(Post).collect(),
            hashtags: (found.hashtags.iter())
                .map(|view| {
                    let tag = entities::tag::Tag::from_view(view, &state.config);
                    Hashtag {
                        name: tag.name,
                        url: tag.url,
                    }
                })
                .collect(),
        })
    }
}
