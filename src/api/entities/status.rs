//! The Status entity (<https://docs.joinmastodon.org/entities/Status/>) and the batch
//! loading behind it: authors, mentions, tags, media, boosted statuses and the viewer's
//! own marks are each fetched once per page, not once per status.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::filter::{self, FilterResult};
use super::music::MusicTrack;
use super::preview_card::PreviewCard;
use super::quote::{Quote, QuoteApproval, QuoteFacts};
use super::reply_policy::{InteractionPolicy, ReplyFacts};
use super::{timestamp, Account, CustomEmoji, MediaAttachment};
use crate::db::accounts::{self, AccountRow};
use crate::db::custom_emojis::CustomEmojiRow;
use crate::db::filters::ActiveFilterRow;
use crate::db::oauth::AppRow;
use crate::db::page_facts::{self, PageFacts, ViewerFilters};
use crate::db::statuses::{self, StatusExtras, StatusRow, ViewerMarks};
use crate::domain::filters::FilterContext;
use crate::domain::quotes::QuotePolicy;
use crate::domain::{Id, Visibility};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::urls::Address;

/// A mentioned account, as a status shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Mention {
    #[schema(value_type = String)]
    pub id: Id,
    pub username: String,
    pub url: String,
    pub acct: String,
}

/// A hashtag, as a status shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusTag {
    pub name: String,
    pub url: String,
}

/// A post, reply or boost.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Status {
    #[schema(value_type = String)]
    pub id: Id,
    pub uri: String,
    pub url: Option<String>,
    pub created_at: String,
    pub account: Account,
    pub content: String,
    pub visibility: Visibility,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub media_attachments: Vec<MediaAttachment>,
    /// The app it was posted with (local statuses posted through the API).
    pub application: Option<StatusApplication>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<StatusTag>,
    /// The custom emoji its text and content warning use.
    pub emojis: Vec<CustomEmoji>,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub replies_count: i64,
    #[schema(value_type = Option<String>)]
    pub in_reply_to_id: Option<Id>,
    #[schema(value_type = Option<String>)]
    pub in_reply_to_account_id: Option<Id>,
    #[schema(no_recursion, value_type = Option<Object>)]
    pub reblog: Option<Box<Status>>,
    pub poll: Option<super::poll::Poll>,
    /// The preview of its first link, once fetched.
    pub card: Option<PreviewCard>,
    pub language: Option<String>,
    /// Only in the answer to a delete (for "delete and redraft").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub edited_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub favourited: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reblogged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookmarked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    /// The viewer's filters that matched it in the context read (see
    /// [`super::filter`]).
    pub filtered: Vec<FilterResult>,
    /// The status it quotes (Mastodon 4.5), if any.
    pub quote: Option<Quote>,
    /// How many accepted quotes it has.
    pub quotes_count: i64,
    /// Who may quote it, and whether the viewer may.
    pub quote_approval: QuoteApproval,
    /// Who may reply to it, and whether the viewer may (GoToSocial's shape; Roost).
    pub interaction_policy: InteractionPolicy,
    /// The music track it carries (Roost; absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub music: Option<MusicTrack>,
}

/// The app a status was posted with, as Mastodon shows it on a Status.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusApplication {
    pub name: String,
    pub website: Option<String>,
}

impl StatusApplication {
    fn from_row(row: &AppRow) -> StatusApplication {
        StatusApplication {
            name: row.name.clone(),
            website: row.website.clone(),
        }
    }
}

/// Everything needed to render a page of statuses, loaded in a few statements. The
/// custom emoji of the page's statuses come with their mentions and tags
/// (`statuses::StatusExtras`, from the `status_emojis` links written when each status was
/// posted, edited or received), so a timeline page costs no query per status and no
/// text is scanned at read time; an account's come with its row.
struct Loaded {
    statuses: HashMap<i64, StatusRow>,
    accounts: HashMap<i64, Arc<AccountRow>>,
    mentions: HashMap<i64, Vec<i64>>,
    tags: HashMap<i64, Vec<String>>,
    media: HashMap<i64, Vec<MediaAttachment>>,
    emojis: HashMap<i64, Vec<CustomEmoji>>,
    marks: HashMap<i64, ViewerMarks>,
    applications: HashMap<i64, StatusApplication>,
    cards: HashMap<i64, PreviewCard>,
    /// Polls by status id.
    polls: HashMap<i64, super::poll::Poll>,
    quotes: QuoteFacts,
    replies: ReplyFacts,
    /// Music tracks by status id.
    music: HashMap<i64, MusicTrack>,
}

/// Renders `rows` (in order) for `viewer`, loading boosted statuses, authors, mentions,
/// tags, media and the viewer's marks in batches, and the rest of what the page shows
/// in one statement ([`page_facts`]).
pub async fn render(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<StatusRow>,
) -> sqlx::Result<Vec<Status>> {
    let (rendered, _) = render_page(state, viewer, rows, ViewerFilters::Skip).await?;
    Ok(rendered)
}

/// Renders `rows` (in order) for `viewer` as read in `context`: as [`render`], then
/// judged by the viewer's active filters (read with the page's other facts, no query
/// of their own): statuses a `hide` filter matches are left out, the others carry
/// their `filtered` results.
pub async fn render_in(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<StatusRow>,
    context: FilterContext,
) -> ApiResult<Vec<Status>> {
    let (rendered, filters) = render_page(state, viewer, rows, ViewerFilters::Load).await?;
    let Some(viewer) = viewer else {
        return Ok(rendered);
    };
    let active = crate::services::filters::active_from(viewer, filters);
    Ok(filter::apply(&active, context, viewer, rendered))
}

/// [`render`], and the viewer's active filters when `filters` asks for them.
/// Statements: the boosted statuses (if any), the page's facts (extras included), the
/// quoted statuses and their facts (if any, see [`super::quote::load_quoted`]), the
/// accounts this process does not keep (if any).
async fn render_page(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<StatusRow>,
    filters: ViewerFilters,
) -> sqlx::Result<(Vec<Status>, Vec<ActiveFilterRow>)> {
    // One connection for the few queries of a page (and no pool round per query).
    let mut conn = state.db.acquire().await?;
    let order: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let boosted: Vec<i64> = rows.iter().filter_map(|row| row.reblog_of_id).collect();
    let mut statuses: HashMap<i64, StatusRow> = rows.into_iter().map(|row| (row.id, row)).collect();
    if !boosted.is_empty() {
        for row in statuses::find_many(&mut *conn, &boosted).await? {
            statuses.insert(row.id, row);
        }
    }
    if statuses.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let ids: Vec<i64> = statuses.keys().copied().collect();
    let authors: Vec<i64> = statuses.values().map(|s| s.account_id).collect();
    let mut facts = page_facts::load(&mut conn, viewer, &ids, &authors, filters).await?;
    super::quote::load_quoted(&mut conn, viewer, &mut statuses, &mut facts).await?;
    let active = std::mem::take(&mut facts.filters);
    let loaded = Loaded::load(state, &mut conn, viewer, statuses, facts).await?;
    let rendered = (order.iter())
        .filter_map(|id| loaded.status(state, *id, viewer.is_some(), true))
        .collect();
    Ok((rendered, active))
}

/// What a status its author has just written is rendered from, all in the posting
/// handler's hands already.
pub struct Written {
    pub row: StatusRow,
    pub author: AccountRow,
    pub mentioned: Vec<AccountRow>,
    pub tags: Vec<String>,
    pub media: Vec<MediaAttachment>,
    pub emojis: Vec<CustomEmojiRow>,
    pub application: Option<AppRow>,
    pub poll: Option<crate::db::polls::PollRow>,
    pub quote_policy: QuotePolicy,
    pub reply_policy: crate::domain::replies::ReplyPolicy,
}

/// Renders a status for its author right after it was written, without a query: the
/// author cannot have favourited, boosted, bookmarked or pinned it yet. Mentions
/// and tags come in the order a later read gives them (account id, name).
pub fn render_written(state: &AppState, written: Written) -> Option<Status> {
    let Written {
        row,
        author,
        mut mentioned,
        mut tags,
        media,
        mut emojis,
        application,
        poll,
        quote_policy,
        reply_policy,
    } = written;
    emojis.sort_by(|a, b| a.shortcode.cmp(&b.shortcode));
    mentioned.sort_by_key(|account| account.id);
    mentioned.dedup_by_key(|account| account.id);
    tags.sort();
    tags.dedup();
    let id = row.id;
    let loaded = Loaded {
        mentions: HashMap::from([(id, mentioned.iter().map(|a| a.id).collect())]),
        tags: HashMap::from([(id, tags)]),
        media: HashMap::from([(id, media)]),
        emojis: HashMap::from([(id, CustomEmoji::all(&emojis, &state.config))]),
        accounts: std::iter::once(author)
            .chain(mentioned)
            .map(|account| (account.id, Arc::new(account)))
            .collect(),
        applications: application
            .iter()
            .map(|app| (app.id, StatusApplication::from_row(app)))
            .collect(),
        quotes: QuoteFacts::written(row.account_id, id, quote_policy),
        replies: ReplyFacts::written(row.account_id, id, reply_policy),
        statuses: HashMap::from([(id, row)]),
        marks: HashMap::new(),
        cards: HashMap::new(),
        music: HashMap::new(),
        polls: (poll.into_iter())
            .map(|poll| {
                let viewed = crate::services::polls::Viewed {
                    poll,
                    own_votes: Some(Vec::new()),
                    emojis: Vec::new(),
                };
                (id, super::poll::Poll::from_viewed(&viewed))
            })
            .collect(),
    };
    loaded.status(state, id, true, true)
}

impl Status {
    /// This status (rendered without a viewer) as `viewer` sees it: their favourite,
    /// boost, bookmark and pin of it and of the status it boosts, from `marks` (by
    /// status id; a status without an entry carries no mark). Used where one rendering
    /// serves many viewers, as the home streams do.
    pub fn with_viewer_marks(&self, marks: &HashMap<i64, ViewerMarks>) -> Status {
        let mut own = self.clone();
        own.apply_marks(marks);
        if let Some(reblog) = own.reblog.as_mut() {
            reblog.apply_marks(marks);
        }
        own
    }

    fn apply_marks(&mut self, marks: &HashMap<i64, ViewerMarks>) {
        let found = marks.get(&self.id.0);
        let mark = |pick: fn(&ViewerMarks) -> bool| Some(found.is_some_and(pick));
        self.favourited = mark(|m| m.favourited);
        self.reblogged = mark(|m| m.reblogged);
        self.bookmarked = mark(|m| m.bookmarked);
        self.muted = mark(|m| m.muted);
        self.pinned = mark(|m| m.pinned);
    }
}

/// The accounts `ids` of a page: kept ones still at the versions `facts` read, the
/// others read (and kept for the next page).
async fn displayed_accounts(
    state: &AppState,
    conn: &mut PgConnection,
    facts: &PageFacts,
    ids: &[i64],
) -> sqlx::Result<HashMap<i64, Arc<AccountRow>>> {
    let versions: HashMap<i64, i64> = facts.account_versions.iter().copied().collect();
    let cache = &state.displayed_accounts;
    let mut lookup = cache.lookup(&state.db, &versions, ids);
    let kept = lookup.found.len();
    if !lookup.missing.is_empty() {
        let read = accounts::find_many_for_display_versioned(conn, &lookup.missing).await?;
        for account in cache.keep(lookup.ticket, read) {
            lookup.found.insert(account.id, account);
        }
    }
    (state.metrics).displayed_accounts(kept, lookup.missing.len());
    Ok(lookup.found)
}

impl Loaded {
    /// The page of `statuses` for `viewer`: their accounts (one statement, none when
    /// every account is kept by this process, see [`super::account_cache`]) and what
    /// `facts` say of them.
    async fn load(
        state: &AppState,
        conn: &mut PgConnection,
        viewer: Option<i64>,
        statuses: HashMap<i64, StatusRow>,
        mut facts: PageFacts,
    ) -> sqlx::Result<Loaded> {
        let extras = std::mem::take(&mut facts.extras);
        let mut account_ids: Vec<i64> = statuses.values().map(|s| s.account_id).collect();
        account_ids.extend(extras.iter().flat_map(|extra| extra.mention_ids.iter()));
        account_ids.sort_unstable();
        account_ids.dedup();
        let accounts = displayed_accounts(state, &mut *conn, &facts, &account_ids).await?;
        let mut loaded = Loaded::from_facts(state, viewer, statuses, accounts, facts);
        for extra in extras {
            loaded.add_extras(state, viewer.is_some(), extra);
        }
        Ok(loaded)
    }

    /// `statuses` and their `accounts` with what `facts` say of them, for `viewer`
    /// (their extras still to add).
    fn from_facts(
        state: &AppState,
        viewer: Option<i64>,
        statuses: HashMap<i64, StatusRow>,
        accounts: HashMap<i64, Arc<AccountRow>>,
        facts: PageFacts,
    ) -> Loaded {
        let config = &state.config;
        let followed: HashSet<i64> = facts.followed.into_iter().collect();
        let polls = crate::services::polls::viewed(viewer, facts.polls, &facts.poll_choices);
        Loaded {
            applications: (facts.apps.iter())
                .map(|app| (app.id, StatusApplication::from_row(app)))
                .collect(),
            cards: (facts.cards.iter())
                .map(|(id, card)| (*id, PreviewCard::from_row(card, config)))
                .collect(),
            polls: super::poll::Poll::by_status(&polls),
            music: MusicTrack::by_owner(&facts.tracks, config),
            quotes: QuoteFacts::new(
                viewer,
                facts.quotes,
                facts.quote_counts,
                facts.quote_policies,
                followed.clone(),
            ),
            replies: ReplyFacts::new(viewer, facts.reply_policies, followed),
            statuses,
            accounts,
            mentions: HashMap::new(),
            tags: HashMap::new(),
            media: HashMap::new(),
            emojis: HashMap::new(),
            marks: HashMap::new(),
        }
    }

    /// Adds a status's `extra` (its marks only for a signed-in viewer).
    fn add_extras(&mut self, state: &AppState, signed_in: bool, extra: StatusExtras) {
        let id = extra.status_id;
        self.emojis
            .insert(id, CustomEmoji::all(&extra.emojis, &state.config));
        let shown = (extra.media.iter()).map(|row| MediaAttachment::from_row(row, &state.config));
        self.media.insert(id, shown.collect());
        self.mentions.insert(id, extra.mention_ids);
        self.tags.insert(id, extra.tag_names);
        if signed_in {
            self.marks.insert(id, extra.marks);
        }
    }

    fn status(
        &self,
        state: &AppState,
        id: i64,
        signed_in: bool,
        with_reblog: bool,
    ) -> Option<Status> {
        self.status_at(state, id, signed_in, with_reblog, false)
    }

    /// [`Loaded::status`]; `quoted`: whether it is shown as the status another quotes
    /// (its own quote is then shallow).
    fn status_at(
        &self,
        state: &AppState,
        id: i64,
        signed_in: bool,
        with_reblog: bool,
        quoted: bool,
    ) -> Option<Status> {
        let row = self.statuses.get(&id)?;
        let author = self.accounts.get(&row.account_id)?;
        let reblog = match row.reblog_of_id {
            Some(original) if with_reblog => {
                Some(Box::new(self.status(state, original, signed_in, false)?))
            }
            _ => None,
        };
        let config = &state.config;
        let uri = row
            .ap_id
            .clone()
            .unwrap_or_else(|| crate::urls::status(config, &author.username, row.id));
        let url = row.url.clone().or_else(|| {
            row.local
                .then(|| crate::urls::status_page(config, &author.username, row.id))
        });
        let marks = self.marks.get(&id);
        let mark = |pick: fn(&ViewerMarks) -> bool| signed_in.then(|| marks.is_some_and(pick));
        Some(Status {
            id: Id(row.id),
            uri,
            url,
            created_at: timestamp(row.created_at),
            account: Account::from_row(author, &state.config),
            content: if row.reblog_of_id.is_some() {
                String::new()
            } else {
                row.content.clone()
            },
            visibility: row.visibility,
            sensitive: row.sensitive,
            spoiler_text: row.spoiler_text.clone(),
            media_attachments: self.media.get(&row.id).cloned().unwrap_or_default(),
            application: row
                .application_id
                .and_then(|app| self.applications.get(&app))
                .cloned(),
            mentions: self.mentions_of(state, row.id),
            tags: self
                .tags
                .get(&row.id)
                .map(|names| {
                    names
                        .iter()
                        .map(|name| StatusTag {
                            name: name.to_lowercase(),
                            url: crate::urls::tag(config, name),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            emojis: self.emojis.get(&row.id).cloned().unwrap_or_default(),
            reblogs_count: row.reblogs_count,
            favourites_count: row.favourites_count,
            replies_count: row.replies_count,
            in_reply_to_id: row.in_reply_to_id.map(Id),
            in_reply_to_account_id: row.in_reply_to_account_id.map(Id),
            reblog,
            poll: (self.polls.get(&row.id).cloned())
                .map(|poll| poll.with_emojis(self.emojis.get(&row.id).map_or(&[], Vec::as_slice))),
            card: (self.cards.get(&row.id).cloned())
                .or_else(|| self.music.get(&row.id).and_then(MusicTrack::card)),
            language: row.language.clone(),
            text: None,
            edited_at: row.edited_at.map(timestamp),
            favourited: mark(|m| m.favourited),
            reblogged: mark(|m| m.reblogged),
            muted: mark(|m| m.muted),
            bookmarked: mark(|m| m.bookmarked),
            pinned: mark(|m| m.pinned).filter(|_| row.local),
            filtered: Vec::new(),
            quote: self.quote(state, row, signed_in, quoted),
            quotes_count: self.quotes.count(row.id),
            quote_approval: self.quotes.approval(row),
            interaction_policy: (self.replies)
                .policy(row, self.mentions.get(&row.id).map_or(&[], Vec::as_slice)),
            music: self.music.get(&row.id).cloned(),
        })
    }

    /// The quote `row` makes, as the viewer is shown it (shallow inside a quoted status).
    fn quote(
        &self,
        state: &AppState,
        row: &StatusRow,
        signed_in: bool,
        quoted: bool,
    ) -> Option<Quote> {
        let quote = self.quotes.quote_of(row.id)?;
        let target = quote.quoted_status_id;
        let visible = target.is_some_and(|id| self.statuses.contains_key(&id));
        let shown = super::quote::shown_state(quote, visible || quoted);
        if quoted {
            return Some(Quote::Shallow {
                state: shown,
                quoted_status_id: target.map(Id),
            });
        }
        let quoted_status = (target.filter(|_| shown == "accepted"))
            .and_then(|id| self.status_at(state, id, signed_in, false, true))
            .map(Box::new);
        Some(Quote::Full {
            state: shown,
            quoted_status,
        })
    }

    fn mentions_of(&self, state: &AppState, status_id: i64) -> Vec<Mention> {
        self.mentions
            .get(&status_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.accounts.get(id))
            .map(|account| {
                let address = Address::of(account, &state.config);
                Mention {
                    id: Id(account.id),
                    username: account.username.clone(),
                    url: address.url,
                    acct: address.acct,
                }
            })
            .collect()
    }
}
