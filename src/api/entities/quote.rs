//! What a Status says about quotes (Mastodon 4.5): `quote` (a Quote, or inside a quoted
//! status a ShallowQuote), `quotes_count` and `quote_approval`, what they are judged
//! from for a page of statuses, and the loading of the statuses the page quotes.
//! Spec: <https://docs.joinmastodon.org/entities/Quote/>,
//! <https://docs.joinmastodon.org/entities/ShallowQuote/>,
//! <https://docs.joinmastodon.org/entities/Status/#quote_approval>.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::status::Status;
use crate::db::page_facts::{self, PageFacts, ViewerFilters};
use crate::db::quotes::QuoteRow;
use crate::db::statuses::{self, StatusRow};
use crate::domain::quotes::{QuotePolicy, QuoteState};
use crate::domain::Id;

/// A status's quote of another: the quoted status itself (a Quote), or inside a quoted
/// status only its id (a ShallowQuote).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Quote {
    /// The Quote entity: `quoted_status` is shown once the quote is accepted and the
    /// viewer may see it.
    Full {
        state: String,
        #[schema(no_recursion, value_type = Option<Object>)]
        quoted_status: Option<Box<Status>>,
    },
    /// The ShallowQuote entity.
    Shallow {
        state: String,
        #[schema(value_type = Option<String>)]
        quoted_status_id: Option<Id>,
    },
}

/// Who may quote a status and what that means for the viewer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuoteApproval {
    /// Who is approved at once: `public`, `followers` (empty: nobody).
    pub automatic: Vec<&'static str>,
    /// Who is reviewed by the author (Roost's policies leave this empty).
    pub manual: Vec<&'static str>,
    /// `automatic`, `manual`, `denied` or `unknown` for the viewer.
    pub current_user: &'static str,
}

/// The quotes, counts and policies of a page of statuses (from its
/// [`PageFacts`]), and the authors the viewer follows.
#[derive(Debug, Default)]
pub struct QuoteFacts {
    viewer: Option<i64>,
    quotes: HashMap<i64, QuoteRow>,
    counts: HashMap<i64, i64>,
    policies: HashMap<i64, QuotePolicy>,
    followed: HashSet<i64>,
}

/// Adds to `statuses` the statuses quoted by accepted quotes in `facts` that are not
/// among them and that `viewer` may see, and to `facts` the facts of those (two more
/// statements, only for a page with such quotes). The quoted statuses' own quotes are
/// shown shallow, so one level is all a page needs.
pub async fn load_quoted(
    conn: &mut PgConnection,
    viewer: Option<i64>,
    statuses: &mut HashMap<i64, StatusRow>,
    facts: &mut PageFacts,
) -> sqlx::Result<()> {
    let quoted: Vec<i64> = (facts.quotes.iter())
        .filter(|quote| quote.state == "accepted")
        .filter_map(|quote| quote.quoted_status_id)
        .filter(|id| !statuses.contains_key(id))
        .collect();
    if quoted.is_empty() {
        return Ok(());
    }
    let found = statuses::find_many_visible(&mut *conn, viewer, &quoted).await?;
    if found.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = found.iter().map(|row| row.id).collect();
    let authors: Vec<i64> = found.iter().map(|row| row.account_id).collect();
    let more = page_facts::load(conn, viewer, &ids, &authors, ViewerFilters::Skip).await?;
    facts.extend(more);
    statuses.extend(found.into_iter().map(|row| (row.id, row)));
    Ok(())
}

impl QuoteFacts {
    /// The quote facts of a page for `viewer`: the `quotes` its statuses make, the
    /// accepted-quote `counts` and quote `policies` (by policy name; unknown names are
    /// left out) of its statuses, and the authors the viewer follows.
    pub fn new(
        viewer: Option<i64>,
        quotes: Vec<QuoteRow>,
        counts: Vec<(i64, i64)>,
        policies: Vec<(i64, String)>,
        followed: HashSet<i64>,
    ) -> QuoteFacts {
        QuoteFacts {
            viewer,
            quotes: quotes.into_iter().map(|q| (q.status_id, q)).collect(),
            counts: counts.into_iter().collect(),
            policies: (policies.into_iter())
                .filter_map(|(id, name)| Some((id, QuotePolicy::parse(&name)?)))
                .collect(),
            followed,
        }
    }

    /// The facts of a status its author has just written, without a query.
    pub fn written(author: i64, status_id: i64, policy: QuotePolicy) -> QuoteFacts {
        QuoteFacts {
            viewer: Some(author),
            policies: HashMap::from([(status_id, policy)]),
            ..QuoteFacts::default()
        }
    }

    /// The quote status `id` makes, if any.
    pub fn quote_of(&self, id: i64) -> Option<&QuoteRow> {
        self.quotes.get(&id)
    }

    /// How many accepted quotes status `id` has.
    pub fn count(&self, id: i64) -> i64 {
        self.counts.get(&id).copied().unwrap_or(0)
    }

    /// `quote_approval` of `row` for the viewer.
    pub fn approval(&self, row: &StatusRow) -> QuoteApproval {
        let policy = self
            .policies
            .get(&row.id)
            .copied()
            .or(row.local.then_some(QuotePolicy::Public));
        let automatic = match policy {
            Some(QuotePolicy::Public) => vec!["public"],
            Some(QuotePolicy::Followers) => vec!["followers"],
            _ => Vec::new(),
        };
        let current_user = match (self.viewer, policy) {
            (None, _) => "unknown",
            (Some(viewer), _) if viewer == row.account_id => "automatic",
            (Some(_), None) => "unknown",
            (Some(_), Some(policy)) if policy.approves(self.followed.contains(&row.account_id)) => {
                "automatic"
            }
            // A local followers-only post: anyone else's quote waits for the author.
            (Some(_), Some(QuotePolicy::Followers)) if row.local => "manual",
            (Some(_), Some(_)) => "denied",
        };
        let manual = match policy {
            Some(QuotePolicy::Followers) if row.local => vec!["public"],
            _ => Vec::new(),
        };
        QuoteApproval {
            automatic,
            manual,
            current_user,
        }
    }
}

/// The state a viewer is shown for `quote`: `deleted` once the quoted status is gone,
/// `unauthorized` for an accepted quote of a status they may not see.
pub fn shown_state(quote: &QuoteRow, visible: bool) -> String {
    let state = QuoteState::parse(&quote.state);
    if quote.quoted_status_id.is_none() {
        return QuoteState::Deleted.as_str().to_owned();
    }
    if state == QuoteState::Accepted && !visible {
        return "unauthorized".to_owned();
    }
    state.as_str().to_owned()
}
