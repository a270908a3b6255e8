//! The root `Mutation` type: posting and commenting, likes, follows, blocks, reports
//! and the profile. Each field checks the scope of its REST endpoint and calls the
//! same service function (`services::statuses::post`, `interactions::favourite`,
//! `follows::request`, `blocks::block`, `reports::file`, `profile::update_credentials`),
//! so every rule, notification, delivery and stream event is the REST action's.
//!
//! Not here: the rules themselves (`services/`).
//! Spec: <https://spec.graphql.org/October2021/#sec-Mutation>.

use async_graphql::{Context, InputObject, Object, ID};

use super::context::{failure, signed_in, state, GraphResult, OrFailure};
use super::limits::MUTATION_COST;
use super::query::parse_id;
use super::types::{Account, Post, Relationship, Report, Visibility};
use crate::api::entities;
use crate::api::v1::follows::{parties, relationship};
use crate::auth::scoped::{WriteAccounts, WriteBlocks, WriteFavourites, WriteFollows};
use crate::auth::scoped::{WriteReports, WriteStatuses};
use crate::error::{check_length, ApiError};
use crate::services::follows::{FollowOptions, FollowRequest};
use crate::services::profile::{FieldInput, ProfileChanges};
use crate::services::reports::LocalReport;
use crate::services::statuses::{NewPost, Posted};
use crate::services::{blocks, follows, interactions, profile, reports, statuses};
use crate::state::AppState;

/// Longest report comment (the REST API's).
const MAX_REPORT_COMMENT: usize = 1_000;

/// A new post or comment.
#[derive(InputObject)]
pub struct PostInput {
    /// The text (plain text with mentions, hashtags and links).
    #[graphql(validator(max_length = 10000))]
    pub text: String,
    /// Who may see it (default: the author's default).
    pub visibility: Option<Visibility>,
    /// A content warning.
    #[graphql(validator(max_length = 1000))]
    pub spoiler_text: Option<String>,
    /// Whether its media are sensitive.
    pub sensitive: Option<bool>,
    /// Its language (ISO 639).
    #[graphql(validator(max_length = 16))]
    pub language: Option<String>,
}

/// A report to the moderators.
#[derive(InputObject)]
pub struct ReportInput {
    /// The reported account.
    pub account_id: ID,
    /// Its posts the report cites.
    #[graphql(default, validator(max_items = 100))]
    pub post_ids: Vec<ID>,
    /// Why (at most 1000 characters).
    #[graphql(default)]
    pub comment: String,
    /// `spam`, `legal`, `violation` or `other`.
    #[graphql(validator(max_length = 32))]
    pub category: Option<String>,
    /// Send a copy to a remote account's server.
    #[graphql(default)]
    pub forward: bool,
}

/// A name and value on a profile.
#[derive(InputObject)]
pub struct ProfileFieldInput {
    /// The name.
    #[graphql(validator(max_length = 1000))]
    pub name: String,
    /// The value.
    #[graphql(validator(max_length = 1000))]
    pub value: String,
}

/// A change of the signed-in user's profile; absent fields are kept.
#[derive(InputObject)]
pub struct ProfileInput {
    /// The name shown.
    #[graphql(validator(max_length = 1000))]
    pub display_name: Option<String>,
    /// The biography (plain text).
    #[graphql(validator(max_length = 10000))]
    pub note: Option<String>,
    /// Approve followers by hand.
    pub locked: Option<bool>,
    /// An automated account.
    pub bot: Option<bool>,
    /// Replaces every profile field.
    #[graphql(validator(max_items = 16))]
    pub fields: Option<Vec<ProfileFieldInput>>,
}

/// The root of every mutation.
pub struct MutationRoot;

#[Object]
impl MutationRoot {
    /// Posts (scope `write:statuses`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn create_post(&self, ctx: &Context<'_>, input: PostInput) -> GraphResult<Post> {
        post(ctx, &input, None).await
    }

    /// Comments on a post the viewer may see (scope `write:statuses`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn create_comment(
        &self,
        ctx: &Context<'_>,
        post_id: ID,
        input: PostInput,
    ) -> GraphResult<Post> {
        post(ctx, &input, Some(&post_id)).await
    }

    /// Likes (favourites) a post; liking again changes nothing (scope
    /// `write:favourites`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn like(&self, ctx: &Context<'_>, post_id: ID) -> GraphResult<Post> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteFavourites>(ctx)?;
        let marked = interactions::favourite(state, viewer, parse_id(&post_id)?)
            .await
            .or_failure()?;
        rendered(state, viewer, marked.status_id).await
    }

    /// Takes a like back (scope `write:favourites`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn unlike(&self, ctx: &Context<'_>, post_id: ID) -> GraphResult<Post> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteFavourites>(ctx)?;
        let marked = interactions::unfavourite(state, viewer, parse_id(&post_id)?)
            .await
            .or_failure()?;
        rendered(state, viewer, marked.status_id).await
    }

    /// Follows an account, or asks to when it approves followers by hand or is
    /// remote (scope `write:follows`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn follow(&self, ctx: &Context<'_>, account_id: ID) -> GraphResult<Relationship> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteFollows>(ctx)?;
        let (me, target) = parties(state, viewer, crate::domain::Id(parse_id(&account_id)?))
            .await
            .or_failure()?;
        let request = FollowRequest {
            options: FollowOptions::default(),
            activity_id: None,
            languages: None,
        };
        follows::request(state, &me, &target, request)
            .await
            .or_failure()?;
        relationship_of(state, me.id, target.id).await
    }

    /// Stops following an account, or withdraws the request (scope `write:follows`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn unfollow(&self, ctx: &Context<'_>, account_id: ID) -> GraphResult<Relationship> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteFollows>(ctx)?;
        let (me, target) = parties(state, viewer, crate::domain::Id(parse_id(&account_id)?))
            .await
            .or_failure()?;
        follows::unfollow(state, &me, &target).await.or_failure()?;
        relationship_of(state, me.id, target.id).await
    }

    /// Blocks an account (scope `write:blocks`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn block(&self, ctx: &Context<'_>, account_id: ID) -> GraphResult<Relationship> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteBlocks>(ctx)?;
        let (me, target) = parties(state, viewer, crate::domain::Id(parse_id(&account_id)?))
            .await
            .or_failure()?;
        blocks::block(state, &me, &target, None)
            .await
            .or_failure()?;
        relationship_of(state, me.id, target.id).await
    }

    /// Unblocks an account (scope `write:blocks`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn unblock(&self, ctx: &Context<'_>, account_id: ID) -> GraphResult<Relationship> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteBlocks>(ctx)?;
        let (me, target) = parties(state, viewer, crate::domain::Id(parse_id(&account_id)?))
            .await
            .or_failure()?;
        blocks::unblock(state, &me, &target).await.or_failure()?;
        relationship_of(state, me.id, target.id).await
    }

    /// Reports an account, and some of its posts, to the moderators (scope
    /// `write:reports`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn report(&self, ctx: &Context<'_>, input: ReportInput) -> GraphResult<Report> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteReports>(ctx)?;
        check_length("comment", Some(&input.comment), MAX_REPORT_COMMENT).or_failure()?;
        let status_ids = (input.post_ids.iter())
            .map(parse_id)
            .collect::<GraphResult<Vec<i64>>>()?;
        let report = LocalReport {
            target_id: parse_id(&input.account_id)?,
            status_ids: &status_ids,
            comment: &input.comment,
            category: input.category.as_deref(),
            rule_ids: &[],
            forward: input.forward,
        };
        let filed = reports::file(state, viewer, &report).await.or_failure()?;
        Ok(Report(entities::report::Report::from_row(
            &filed.report,
            &filed.target,
            &state.config,
        )))
    }

    /// Changes the signed-in user's profile (scope `write:accounts`).
    #[graphql(complexity = "MUTATION_COST + child_complexity")]
    async fn update_profile(&self, ctx: &Context<'_>, input: ProfileInput) -> GraphResult<Account> {
        let state = state(ctx)?;
        let viewer = signed_in::<WriteAccounts>(ctx)?;
        let fields = input.fields.map(|fields| {
            (fields.into_iter())
                .map(|field| FieldInput {
                    name: field.name,
                    value: field.value,
                })
                .collect()
        });
        let changes = ProfileChanges {
            display_name: input.display_name,
            note: input.note,
            locked: input.locked,
            bot: input.bot,
            discoverable: None,
            indexable: None,
            hide_collections: None,
            fields,
            privacy: None,
            sensitive: None,
            language: None,
            quote_policy: None,
            reply_policy: None,
            images: Vec::new(),
        };
        let own = profile::update_credentials(state, viewer, changes)
            .await
            .or_failure()?;
        Ok(Account(entities::Account::from_row(
            &own.account,
            &state.config,
        )))
    }
}

/// Posts `input` (a comment on `parent` when given) as the signed-in user.
async fn post(ctx: &Context<'_>, input: &PostInput, parent: Option<&ID>) -> GraphResult<Post> {
    let state = state(ctx)?;
    let viewer = signed_in::<WriteStatuses>(ctx)?;
    let app_id = ctx
        .data_opt::<super::context::Caller>()
        .and_then(|caller| caller.token.as_ref())
        .map(|token| token.app_id);
    let new = NewPost {
        text: Some(&input.text),
        in_reply_to_id: parent.map(|id| id.as_str()),
        visibility: input.visibility.map(Visibility::as_str),
        spoiler_text: input.spoiler_text.as_deref(),
        sensitive: input.sensitive,
        language: input.language.as_deref(),
        media_ids: None,
        idempotency_key: None,
        application_id: app_id,
        scheduled_at: None,
        from_schedule: None,
        poll: None,
        quoted_status_id: None,
        quote_approval_policy: None,
        reply_policy: None,
        ..NewPost::default()
    };
    let row = match statuses::post(state, viewer, &new).await.or_failure()? {
        Posted::New(written) => written.row,
        Posted::Again(row) => *row,
        Posted::Scheduled(_) => {
            return Err(failure(ApiError::Unprocessable(
                "Scheduled posts are not available here".into(),
            )))
        }
    };
    let mut shown = entities::status::render(state, Some(viewer), vec![row])
        .await
        .or_failure()?;
    shown
        .pop()
        .map(Post)
        .ok_or_else(|| failure(ApiError::NotFound))
}

/// Post `id` as `viewer` sees it now.
async fn rendered(state: &AppState, viewer: i64, id: i64) -> GraphResult<Post> {
    let row = statuses::visible(state, Some(viewer), id)
        .await
        .or_failure()?;
    let mut shown = entities::status::render(state, Some(viewer), vec![row])
        .await
        .or_failure()?;
    shown
        .pop()
        .map(Post)
        .ok_or_else(|| failure(ApiError::NotFound))
}

/// The relationship of `viewer` with `target`, as the REST follow and block actions
/// return it.
async fn relationship_of(state: &AppState, viewer: i64, target: i64) -> GraphResult<Relationship> {
    let axum::Json(entity) = relationship(state, viewer, target).await.or_failure()?;
    Ok(Relationship(entity))
}
