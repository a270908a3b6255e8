//! The facts a page of statuses is rendered with, besides the statuses and their
//! authors: each status's extras (mentions, tags, media, emoji and the viewer's marks,
//! see [`super::statuses::StatusExtras`]), quotes, quote counts and
//! policies, reply policies, the authors the viewer follows, apps, cards, polls and the
//! viewer's choices in them, music tracks, the viewer's active filters, and the row
//! versions of the accounts the page shows (so that kept accounts are used only while
//! they are current: see `api::entities::account_cache`). All come
//! from one statement: a page render is dominated by round trips to PostgreSQL, not
//! by SQL, and these lookups are each tiny. Each fact set is one `json` column, built
//! with the same columns and conditions as the table's own module reads it with.
//!
//! It does not decide what the facts mean (`api::entities::quote`, `reply_policy`,
//! `status`, `services::filters` do), nor load the statuses quoted by the page (a
//! follow-up, only for a page with such quotes: see `api::entities::quote`).

use sqlx::types::Json;
use sqlx::PgConnection;

use super::cards::{CardRow, COLUMNS as CARD_COLUMNS};
use super::filters::{ActiveFilterRow, COLUMNS as FILTER_COLUMNS, RULE_COLUMNS, UNEXPIRED};
use super::music_tracks::{TrackRow, TRACK_COLUMNS, TRACK_UPLOADS};
use super::oauth::{AppRow, APP_COLUMNS};
use super::polls::{PollRow, COLUMNS as POLL_COLUMNS};
use super::quotes::{QuoteRow, COLUMNS as QUOTE_COLUMNS};
use super::statuses::{extras_sql, StatusExtras};

/// Whether a load reads the viewer's active filters too (a page judged by them), or
/// leaves them out (a page rendered as is, or a second load for the same viewer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerFilters {
    Load,
    Skip,
}

/// The facts of a page of statuses for one viewer (see the module doc). Each list
/// holds only what exists: a status without a quote, card or poll is simply absent.
#[derive(Clone, Debug, Default)]
pub struct PageFacts {
    /// Each status's mentions, tags, media, emoji and the viewer's marks.
    pub extras: Vec<StatusExtras>,
    /// The quotes the statuses make.
    pub quotes: Vec<QuoteRow>,
    /// (status id, accepted quotes of it), for the statuses quoted at least once.
    pub quote_counts: Vec<(i64, i64)>,
    /// (status id, policy name) of the statuses with a quote policy.
    pub quote_policies: Vec<(i64, String)>,
    /// (status id, policy name) of the statuses with a reply policy.
    pub reply_policies: Vec<(i64, String)>,
    /// The authors the viewer follows (accepted follows); empty for an anonymous one.
    pub followed: Vec<i64>,
    /// The apps the statuses were posted with.
    pub apps: Vec<AppRow>,
    /// (status id, card) of the statuses with a fetched card.
    pub cards: Vec<(i64, CardRow)>,
    /// The statuses' polls.
    pub polls: Vec<PollRow>,
    /// (poll id, choice) of the viewer's votes in those polls, by poll then choice.
    pub poll_choices: Vec<(i64, i32)>,
    /// The statuses' music tracks (`owner_id` is the status).
    pub tracks: Vec<TrackRow>,
    /// The viewer's filters that have not expired, by id ([`ViewerFilters::Load`] only).
    pub filters: Vec<ActiveFilterRow>,
    /// (account id, row version) of the authors and the mentioned accounts: the
    /// version is the row's `xmin`, which every update of the row changes.
    pub account_versions: Vec<(i64, i64)>,
}

impl PageFacts {
    /// Adds the facts of more statuses of the same page (the quoted ones).
    pub fn extend(&mut self, more: PageFacts) {
        self.extras.extend(more.extras);
        self.quotes.extend(more.quotes);
        self.quote_counts.extend(more.quote_counts);
        self.quote_policies.extend(more.quote_policies);
        self.reply_policies.extend(more.reply_policies);
        self.followed.extend(more.followed);
        self.apps.extend(more.apps);
        self.cards.extend(more.cards);
        self.polls.extend(more.polls);
        self.poll_choices.extend(more.poll_choices);
        self.tracks.extend(more.tracks);
        self.filters.extend(more.filters);
        self.account_versions.extend(more.account_versions);
    }
}

/// The row of [`load`]'s statement: one `json` column per fact set.
#[derive(sqlx::FromRow)]
struct FactsRow {
    extras: Json<Vec<StatusExtras>>,
    quotes: Json<Vec<QuoteRow>>,
    quote_counts: Json<Vec<(i64, i64)>>,
    quote_policies: Json<Vec<(i64, String)>>,
    reply_policies: Json<Vec<(i64, String)>>,
    followed: Json<Vec<i64>>,
    apps: Json<Vec<AppRow>>,
    cards: Json<Vec<StatusCard>>,
    polls: Json<Vec<PollRow>>,
    poll_choices: Json<Vec<(i64, i32)>>,
    tracks: Json<Vec<TrackRow>>,
    filters: Json<Vec<ActiveFilterRow>>,
    account_versions: Json<Vec<(i64, i64)>>,
}

/// A status's card, as `cards::for_statuses` reads it.
#[derive(serde::Deserialize)]
struct StatusCard {
    status_id: i64,
    #[serde(flatten)]
    card: CardRow,
}

/// The statement: `$1` the viewer (NULL: anonymous), `$2` the statuses, `$3` their
/// authors, `$4` whose filters to read (NULL: none). Pairs are `json_build_array`s,
/// read as tuples. Built once per process (every page render sends it).
static STATEMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(statement);

fn statement() -> String {
    format!(
        "SELECT \
         coalesce((SELECT json_agg(x) FROM ({extras}) x), '[]') AS extras, \
         coalesce((SELECT json_agg(q) FROM (SELECT {QUOTE_COLUMNS} FROM quotes \
             WHERE status_id = ANY($2)) q), '[]') AS quotes, \
         coalesce((SELECT json_agg(json_build_array(quoted_status_id, n)) FROM \
             (SELECT quoted_status_id, count(*) AS n FROM quotes \
              WHERE quoted_status_id = ANY($2) AND state = 'accepted' \
              GROUP BY quoted_status_id) counted), '[]') AS quote_counts, \
         coalesce((SELECT json_agg(json_build_array(status_id, policy)) \
             FROM status_quote_policies WHERE status_id = ANY($2)), '[]') AS quote_policies, \
         coalesce((SELECT json_agg(json_build_array(status_id, policy)) \
             FROM status_reply_policies WHERE status_id = ANY($2)), '[]') AS reply_policies, \
         coalesce((SELECT json_agg(target_account_id) FROM follows \
             WHERE account_id = $1 AND accepted AND target_account_id = ANY($3)), '[]') \
             AS followed, \
         coalesce((SELECT json_agg(app) FROM (SELECT {APP_COLUMNS} FROM oauth_apps \
             WHERE id IN (SELECT application_id FROM statuses WHERE id = ANY($2))) app), \
             '[]') AS apps, \
         coalesce((SELECT json_agg(card) FROM (SELECT sc.status_id, {CARD_COLUMNS} \
             FROM status_cards sc JOIN preview_cards c ON c.id = sc.card_id \
             WHERE sc.status_id = ANY($2)) card), '[]') AS cards, \
         coalesce((SELECT json_agg(poll) FROM (SELECT {POLL_COLUMNS} FROM polls \
             WHERE status_id = ANY($2)) poll), '[]') AS polls, \
         coalesce((SELECT json_agg(json_build_array(poll_id, choice) ORDER BY poll_id, choice) \
             FROM poll_votes WHERE account_id = $1 \
             AND poll_id IN (SELECT id FROM polls WHERE status_id = ANY($2))), '[]') \
             AS poll_choices, \
         coalesce((SELECT json_agg(track) FROM (SELECT smt.status_id AS owner_id, \
             {TRACK_COLUMNS} FROM status_music_tracks smt \
             JOIN music_tracks t ON t.id = smt.music_track_id {TRACK_UPLOADS} \
             WHERE smt.status_id = ANY($2)) track), '[]') AS tracks, \
         coalesce((SELECT json_agg(active ORDER BY active.id) FROM \
             (SELECT {FILTER_COLUMNS}, {RULE_COLUMNS} FROM custom_filters f \
              WHERE f.account_id = $4 AND {UNEXPIRED}) active), '[]') AS filters, \
         coalesce((SELECT json_agg(json_build_array(a.id, a.xmin::text::bigint)) \
             FROM accounts a WHERE a.id = ANY(ARRAY(SELECT unnest($3::bigint[]) \
             UNION SELECT m.account_id FROM mentions m WHERE m.status_id = ANY($2)))), \
             '[]') AS account_versions",
        extras = extras_sql()
    )
}

/// Loads the facts of the statuses `status_ids`, written by `author_ids`, for `viewer`
/// (`None`: anonymous), in one statement. Unknown ids are simply absent from the facts.
pub async fn load(
    conn: &mut PgConnection,
    viewer: Option<i64>,
    status_ids: &[i64],
    author_ids: &[i64],
    filters: ViewerFilters,
) -> sqlx::Result<PageFacts> {
    let filters_of = viewer.filter(|_| filters == ViewerFilters::Load);
    let row: FactsRow = sqlx::query_as(STATEMENT.as_str())
        .bind(viewer)
        .bind(status_ids)
        .bind(author_ids)
        .bind(filters_of)
        .fetch_one(conn)
        .await?;
    let mut extras = row.extras.0;
    for extra in &mut extras {
        extra.marks.status_id = extra.status_id;
    }
    Ok(PageFacts {
        extras,
        quotes: row.quotes.0,
        quote_counts: row.quote_counts.0,
        quote_policies: row.quote_policies.0,
        reply_policies: row.reply_policies.0,
        followed: row.followed.0,
        apps: row.apps.0,
        cards: (row.cards.0.into_iter())
            .map(|found| (found.status_id, found.card))
            .collect(),
        polls: row.polls.0,
        poll_choices: row.poll_choices.0,
        tracks: row.tracks.0,
        filters: row.filters.0,
        account_versions: row.account_versions.0,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};
    use sqlx::PgPool;

    use super::*;
    use crate::db::{accounts, cards, filters, music_tracks, polls, quotes, reply_controls};

    /// The card's publication date (whole seconds: compared after a JSON round trip).
    fn published() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7)
            .single()
            .expect("a valid date")
    }

    /// When the poll ends.
    fn poll_end() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5)
            .single()
            .expect("a valid date")
    }

    /// A public local status by `author`, posted with `app` when given.
    async fn status(db: &PgPool, author: i64, app: Option<i64>) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO statuses (account_id, local, text, content, visibility, application_id) \
             VALUES ($1, true, 'x', '<p>x</p>', 'public', $2) RETURNING id",
        )
        .bind(author)
        .bind(app)
        .fetch_one(db)
        .await
        .expect("status")
    }

    /// An app, a follow from `viewer` to `author`, and a clip (12.5 seconds) for a track.
    async fn app_follow_and_clip(db: &PgPool, viewer: i64, author: i64) -> (i64, i64) {
        let app: i64 = sqlx::query_scalar(
            "INSERT INTO oauth_apps (name, website, redirect_uris, scopes, client_id, \
               client_secret_hash) \
             VALUES ('Pinafore', 'https://pinafore.example', '{urn:ietf:wg:oauth:2.0:oob}', \
               '{read,write}', 'cid', 'h') RETURNING id",
        )
        .fetch_one(db)
        .await
        .expect("app");
        sqlx::query(
            "INSERT INTO follows (account_id, target_account_id, accepted, ap_id) \
             VALUES ($1, $2, true, 'f:1')",
        )
        .bind(viewer)
        .bind(author)
        .execute(db)
        .await
        .expect("follow");
        let clip: i64 = sqlx::query_scalar(
            "INSERT INTO media_attachments (account_id, kind, content_type, file_key, meta) \
             VALUES ($1, 'audio', 'audio/mpeg', 'clip.mp3', '{\"duration\": 12.5}') \
             RETURNING id",
        )
        .bind(author)
        .fetch_one(db)
        .await
        .expect("clip");
        (app, clip)
    }

    /// A card with a publication date, a width and no image, shown by `status_id`.
    async fn card(db: &PgPool, status_id: i64) {
        let card = cards::NewCard {
            url: "https://news.example/a".into(),
            title: "A story".into(),
            card_type: "link".into(),
            published_at: Some(published()),
            width: 640,
            height: 360,
            ..cards::NewCard::default()
        };
        let card_id = cards::save(db, &card).await.expect("card");
        cards::link_status(db, status_id, &card.url, Some(card_id))
            .await
            .expect("links the card");
    }

    /// A poll on `status_id` with `voter`'s vote for its second option.
    async fn poll_with_vote(db: &PgPool, status_id: i64, author: i64, voter: i64) -> i64 {
        let options = ["yes".to_owned(), "no".to_owned()];
        let poll = polls::NewPoll {
            options: &options,
            votes_counts: &[0, 1],
            multiple: false,
            hide_totals: false,
            expires_at: Some(poll_end()),
            voters_count: 1,
            closed_at: None,
        };
        let poll = polls::insert(db, status_id, author, &poll)
            .await
            .expect("poll");
        sqlx::query("INSERT INTO poll_votes (poll_id, account_id, choice) VALUES ($1, $2, 1)")
            .bind(poll.id)
            .bind(voter)
            .execute(db)
            .await
            .expect("vote");
        poll.id
    }

    /// A filter of `owner`'s with a whole-word keyword.
    async fn filter(db: &PgPool, owner: i64) {
        let fields = filters::FilterFields {
            title: "spoilers",
            context: &["home".to_owned()],
            filter_action: "warn",
            expires_at: None,
        };
        let filter = filters::insert(db, owner, &fields).await.expect("filter");
        filters::insert_keyword(db, filter.id, "finale", true)
            .await
            .expect("keyword");
    }

    /// Two local accounts: an author and a viewer.
    async fn author_and_viewer(db: &PgPool) -> (i64, i64) {
        let mut ids = Vec::new();
        for name in ["author", "viewer"] {
            let account = accounts::insert_local(db, name, "PUB", "PRIV")
                .await
                .expect("account");
            ids.push(account.id);
        }
        (ids[0], ids[1])
    }

    #[sqlx::test]
    async fn every_fact_of_a_page_comes_back_decoded_from_one_statement(db: PgPool) {
        let (author, viewer) = author_and_viewer(&db).await;
        let (app, clip) = app_follow_and_clip(&db, viewer, author).await;
        let quoted = status(&db, author, None).await;
        let quoting = status(&db, author, Some(app)).await;
        let quote = quotes::NewQuote {
            status_id: quoting,
            account_id: author,
            quoted_status_id: Some(quoted),
            quoted_account_id: Some(author),
            quoted_uri: "https://roost.example/q",
            state: "accepted",
            authorization_uri: None,
            request_uri: None,
        };
        quotes::insert(&db, &quote).await.expect("quote");
        quotes::set_policy(&db, quoted, "followers")
            .await
            .expect("quote policy");
        reply_controls::set_policy(&db, quoting, "mentioned")
            .await
            .expect("reply policy");
        card(&db, quoting).await;
        let poll = poll_with_vote(&db, quoting, author, viewer).await;
        let track = music_tracks::NewTrack {
            title: "Song",
            artist: "Band",
            clip_media_id: Some(clip),
            ..music_tracks::NewTrack::default()
        };
        let track = music_tracks::insert(&db, &track).await.expect("track");
        music_tracks::link_status(&db, quoted, track)
            .await
            .expect("links the track");
        filter(&db, viewer).await;

        let mut conn = db.acquire().await.expect("connection");
        let ids = [quoted, quoting];
        let facts = load(
            &mut conn,
            Some(viewer),
            &ids,
            &[author],
            ViewerFilters::Load,
        )
        .await
        .expect("loads the facts");

        assert_eq!(facts.quotes.len(), 1);
        assert_eq!(facts.quotes[0].status_id, quoting);
        assert_eq!(facts.quotes[0].quoted_status_id, Some(quoted));
        assert_eq!(facts.quotes[0].authorization_uri, None);
        assert_eq!(facts.quote_counts, vec![(quoted, 1)]);
        assert_eq!(facts.quote_policies, vec![(quoted, "followers".to_owned())]);
        assert_eq!(
            facts.reply_policies,
            vec![(quoting, "mentioned".to_owned())]
        );
        assert_eq!(facts.followed, vec![author]);
        assert_eq!(facts.apps.len(), 1);
        assert_eq!(facts.apps[0].id, app);
        assert_eq!(
            facts.apps[0].website.as_deref(),
            Some("https://pinafore.example")
        );
        assert_eq!(facts.apps[0].scopes, vec!["read", "write"]);
        let (card_of, card) = &facts.cards[0];
        assert_eq!(*card_of, quoting);
        assert_eq!((card.width, card.height), (640, 360));
        assert_eq!(card.published_at, Some(published()));
        assert_eq!(card.image_key, None);
        assert_eq!(facts.polls.len(), 1);
        assert_eq!(facts.polls[0].id, poll);
        assert_eq!(facts.polls[0].options, vec!["yes", "no"]);
        assert_eq!(facts.polls[0].votes_counts, vec![0, 1]);
        assert_eq!(facts.polls[0].expires_at, Some(poll_end()));
        assert_eq!(facts.polls[0].closed_at, None);
        assert_eq!(facts.poll_choices, vec![(poll, 1)]);
        assert_eq!(facts.tracks.len(), 1);
        assert_eq!(facts.tracks[0].owner_id, quoted);
        assert_eq!(facts.tracks[0].clip_key.as_deref(), Some("clip.mp3"));
        assert_eq!(facts.tracks[0].clip_duration, Some(12.5));
        assert_eq!(facts.tracks[0].url, None);
        assert_eq!(facts.filters.len(), 1);
        assert_eq!(facts.filters[0].filter.title, "spoilers");
        assert_eq!(facts.filters[0].filter.context, vec!["home"]);
        assert_eq!(facts.filters[0].keywords, vec!["finale"]);
        assert_eq!(facts.filters[0].whole_words, vec![true]);
        assert!(facts.filters[0].status_ids.is_empty());
        let mut extras: Vec<(i64, i64, bool)> = (facts.extras.iter())
            .map(|extra| {
                (
                    extra.status_id,
                    extra.marks.status_id,
                    extra.marks.favourited,
                )
            })
            .collect();
        extras.sort_unstable();
        assert_eq!(
            extras,
            vec![(quoted, quoted, false), (quoting, quoting, false)]
        );
    }

    #[sqlx::test]
    async fn an_anonymous_viewer_gets_no_follows_votes_or_filters(db: PgPool) {
        let (author, viewer) = author_and_viewer(&db).await;
        app_follow_and_clip(&db, viewer, author).await;
        let shown = status(&db, author, None).await;
        poll_with_vote(&db, shown, author, viewer).await;
        filter(&db, viewer).await;

        let mut conn = db.acquire().await.expect("connection");
        let anonymous = load(&mut conn, None, &[shown], &[author], ViewerFilters::Load)
            .await
            .expect("loads the facts");
        assert_eq!(anonymous.polls.len(), 1);
        assert!(anonymous.followed.is_empty());
        assert!(anonymous.poll_choices.is_empty());
        assert!(anonymous.filters.is_empty());
        let unfiltered = load(
            &mut conn,
            Some(viewer),
            &[shown],
            &[author],
            ViewerFilters::Skip,
        )
        .await
        .expect("loads the facts");
        assert_eq!(unfiltered.followed, vec![author]);
        assert!(unfiltered.filters.is_empty());
    }
}
