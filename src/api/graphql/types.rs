//! The GraphQL object types: thin views of the REST API's entities
//! (`api::entities::*`), so a post, an account or a notification shows the same facts
//! (counts, the viewer's marks, filters, what may be seen) through either API. The
//! lists under an object (an account's posts, a post's comments) are connections read
//! through the same queries as their REST endpoints.
//!
//! Not here: the root fields ([`super::query`], [`super::mutation`],
//! [`super::subscription`]) and paging ([`super::paging`]).
//! Spec: <https://spec.graphql.org/October2021/#sec-Objects>.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Object, SimpleObject, ID};

use super::context::{optional, state, GraphResult, OrFailure};
use super::paging::{self, PageArgs};
use crate::api::entities;
use crate::api::entities::status::Status;
use crate::auth::scoped::ReadStatuses;
use crate::db::timelines::{self, Timeline};
use crate::domain::filters::FilterContext;
use crate::services::statuses;
use crate::state::AppState;

/// Who may see a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum Visibility {
    /// Anyone, and on public timelines.
    Public,
    /// Anyone, but kept off public timelines.
    Unlisted,
    /// The author's followers and the mentioned accounts.
    Private,
    /// Only the mentioned accounts.
    Direct,
}

impl Visibility {
    /// The REST API's name of this visibility.
    pub fn as_str(self) -> &'static str {
        self.domain().as_str()
    }

    fn domain(self) -> crate::domain::Visibility {
        use crate::domain::Visibility as Domain;
        match self {
            Visibility::Public => Domain::Public,
            Visibility::Unlisted => Domain::Unlisted,
            Visibility::Private => Domain::Private,
            Visibility::Direct => Domain::Direct,
        }
    }

    fn of(visibility: crate::domain::Visibility) -> Visibility {
        use crate::domain::Visibility as Domain;
        match visibility {
            Domain::Public => Visibility::Public,
            Domain::Unlisted => Visibility::Unlisted,
            Domain::Private => Visibility::Private,
            Domain::Direct => Visibility::Direct,
        }
    }
}

/// A post (Mastodon's status): an original post, a comment (a reply) or a boost.
pub struct Post(pub Status);

#[Object]
impl Post {
    /// Its id (also its cursor in every list).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its ActivityPub id.
    async fn uri(&self) -> &str {
        &self.0.uri
    }
    /// Its web page.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// When it was posted (ISO 8601).
    async fn created_at(&self) -> &str {
        &self.0.created_at
    }
    /// When it was last edited (ISO 8601).
    async fn edited_at(&self) -> Option<&str> {
        self.0.edited_at.as_deref()
    }
    /// Its text as HTML.
    async fn content(&self) -> &str {
        &self.0.content
    }
    /// Its content warning.
    async fn spoiler_text(&self) -> &str {
        &self.0.spoiler_text
    }
    /// Whether its media are sensitive.
    async fn sensitive(&self) -> bool {
        self.0.sensitive
    }
    /// Who may see it.
    async fn visibility(&self) -> Visibility {
        Visibility::of(self.0.visibility)
    }
    /// Its language (ISO 639).
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }
    /// Its hashtags, without `#`.
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|tag| tag.name.as_str()).collect()
    }
    /// How many comments it has.
    async fn replies_count(&self) -> i64 {
        self.0.replies_count
    }
    /// How many boosts it has.
    async fn reblogs_count(&self) -> i64 {
        self.0.reblogs_count
    }
    /// How many likes (favourites) it has.
    async fn favourites_count(&self) -> i64 {
        self.0.favourites_count
    }
    /// Whether the viewer liked it (`null` signed out).
    async fn favourited(&self) -> Option<bool> {
        self.0.favourited
    }
    /// Whether the viewer boosted it (`null` signed out).
    async fn reblogged(&self) -> Option<bool> {
        self.0.reblogged
    }
    /// Whether the viewer bookmarked it (`null` signed out).
    async fn bookmarked(&self) -> Option<bool> {
        self.0.bookmarked
    }
    /// The post it comments on.
    async fn in_reply_to_id(&self) -> Option<ID> {
        self.0.in_reply_to_id.map(|id| ID(id.to_string()))
    }
    /// Its author.
    async fn account(&self) -> Account {
        Account(self.0.account.clone())
    }
    /// The boosted post, when this is a boost.
    async fn reblog(&self) -> Option<Post> {
        self.0.reblog.as_deref().cloned().map(Post)
    }
    /// The comments (direct replies) the viewer may see, newest first.
    #[graphql(complexity = "paging::cost(first, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> GraphResult<Connection<String, Post>> {
        let state = state(ctx)?;
        let viewer = optional::<ReadStatuses>(ctx)?;
        let paging = PageArgs::new(first, after, before).paging()?;
        let row = statuses::visible(state, viewer, self.0.id.0)
            .await
            .or_failure()?;
        let rows = statuses::replies(state, viewer, &row, &paging.page)
            .await
            .or_failure()?;
        posts_connection(state, viewer, &paging, rows, FilterContext::Thread).await
    }
}

/// Renders a page of status rows as a connection of posts for `viewer` (statuses a
/// `hide` filter matches are left out; the paging follows the rows read).
pub async fn posts_connection(
    state: &AppState,
    viewer: Option<i64>,
    paging: &paging::Paging,
    rows: Vec<crate::db::statuses::StatusRow>,
    context: FilterContext,
) -> GraphResult<Connection<String, Post>> {
    let (rows, more) = paging.cut(rows);
    let rendered = entities::status::render_in(state, viewer, rows, context)
        .await
        .or_failure()?;
    let nodes = rendered
        .into_iter()
        .map(|status| (status.id.0, Post(status)))
        .collect();
    Ok(paging.connection(nodes, more))
}

/// An account, local or remote.
pub struct Account(pub entities::Account);

/// A name and value on a profile.
#[derive(SimpleObject)]
pub struct ProfileField {
    /// The name.
    pub name: String,
    /// The value, as HTML.
    pub value: String,
    /// When the link in the value was verified (ISO 8601).
    pub verified_at: Option<String>,
}

#[Object]
impl Account {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its username.
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// `username` for a local account, `username@domain` for a remote one.
    async fn acct(&self) -> &str {
        &self.0.acct
    }
    /// Its profile page.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The name it shows.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Its biography, as HTML.
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// Its avatar's URL.
    async fn avatar(&self) -> &str {
        &self.0.avatar
    }
    /// Its header image's URL.
    async fn header(&self) -> &str {
        &self.0.header
    }
    /// Whether it approves followers by hand.
    async fn locked(&self) -> bool {
        self.0.locked
    }
    /// Whether it is automated.
    async fn bot(&self) -> bool {
        self.0.bot
    }
    /// When it was created (ISO 8601).
    async fn created_at(&self) -> &str {
        &self.0.created_at
    }
    /// Its posts.
    async fn statuses_count(&self) -> i64 {
        self.0.statuses_count
    }
    /// Its followers.
    async fn followers_count(&self) -> i64 {
        self.0.followers_count
    }
    /// The accounts it follows.
    async fn following_count(&self) -> i64 {
        self.0.following_count
    }
    /// Its profile fields.
    async fn fields(&self) -> Vec<ProfileField> {
        (self.0.fields.iter())
            .map(|field| ProfileField {
                name: field.name.clone(),
                value: field.value.clone(),
                verified_at: field.verified_at.clone(),
            })
            .collect()
    }
    /// Its posts the viewer may see, newest first (its REST timeline).
    #[graphql(complexity = "paging::cost(first, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        #[graphql(default)] exclude_replies: bool,
    ) -> GraphResult<Connection<String, Post>> {
        let state = state(ctx)?;
        let viewer = optional::<ReadStatuses>(ctx)?;
        let paging = PageArgs::new(first, after, before).paging()?;
        let which = Timeline::Account {
            account_id: self.0.id.0,
            exclude_replies,
            exclude_reblogs: false,
            pinned: false,
            tagged: None,
            only_media: false,
        };
        let rows = timelines::timeline(&state.db, viewer, which, &paging.page)
            .await
            .or_failure()?;
        posts_connection(state, viewer, &paging, rows, FilterContext::Account).await
    }
}

/// Something that happened to the viewer: a follow, a like, a comment, a mention…
pub struct Notification(pub entities::notification::Notification);

#[Object]
impl Notification {
    /// Its id (also its cursor).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `follow`, `follow_request`, `mention`, `reblog`, `favourite`, `status`,
    /// `update`, `poll`, `quote`, `admin.sign_up`, `admin.report`…
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// When it happened (ISO 8601).
    async fn created_at(&self) -> &str {
        &self.0.created_at
    }
    /// Who caused it.
    async fn account(&self) -> Account {
        Account(self.0.account.clone())
    }
    /// The post it is about.
    async fn post(&self) -> Option<Post> {
        self.0.status.clone().map(Post)
    }
}

/// The viewer's relationship with an account.
pub struct Relationship(pub entities::relationship::Relationship);

#[Object]
impl Relationship {
    /// The other account's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The viewer follows it.
    async fn following(&self) -> bool {
        self.0.following
    }
    /// The viewer asked to follow it and awaits its answer.
    async fn requested(&self) -> bool {
        self.0.requested
    }
    /// It follows the viewer.
    async fn followed_by(&self) -> bool {
        self.0.followed_by
    }
    /// The viewer blocks it.
    async fn blocking(&self) -> bool {
        self.0.blocking
    }
    /// It blocks the viewer.
    async fn blocked_by(&self) -> bool {
        self.0.blocked_by
    }
    /// The viewer mutes it.
    async fn muting(&self) -> bool {
        self.0.muting
    }
}

/// A report the viewer filed.
pub struct Report(pub entities::report::Report);

#[Object]
impl Report {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.facts.id.to_string())
    }
    /// `spam`, `legal`, `violation` or `other`.
    async fn category(&self) -> &str {
        &self.0.facts.category
    }
    /// The reporter's comment.
    async fn comment(&self) -> &str {
        &self.0.facts.comment
    }
    /// When it was filed (ISO 8601).
    async fn created_at(&self) -> &str {
        &self.0.facts.created_at
    }
    /// The posts it cites.
    async fn post_ids(&self) -> Vec<ID> {
        self.0.status_ids.iter().cloned().map(ID).collect()
    }
    /// The reported account.
    async fn target_account(&self) -> Account {
        Account(self.0.target_account.clone())
    }
}

/// A hashtag.
#[derive(SimpleObject)]
pub struct Hashtag {
    /// Its name, without `#`.
    pub name: String,
    /// Its page.
    pub url: String,
}

/// What a search found.
#[derive(SimpleObject)]
pub struct SearchResults {
    /// Matching accounts.
    pub accounts: Vec<Account>,
    /// Matching posts the viewer may see.
    pub posts: Vec<Post>,
    /// Matching hashtags.
    pub hashtags: Vec<Hashtag>,
}
