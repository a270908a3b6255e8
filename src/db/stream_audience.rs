//! Who may receive a streamed status event: the timeline rules of
//! [`super::timelines`], [`super::statuses::VISIBLE_TO_VIEWER`] and [`super::hiding`]
//! evaluated for one status and every viewer streaming from this process, in one
//! query. The streaming hub (`crate::events`) asks once per event, so a subscriber
//! costs an event no query of its own, and the live streams follow exactly the rules
//! of the timelines they mirror (the rules are written once, here reused). In
//! particular a `user` stream's `in_home` is the home timeline's condition, whose
//! reply rule is the SQL function `home_feed_wants_reply` that fills the materialised
//! home feeds: a reply the feed leaves out is not streamed either; and a `list`
//! stream's lists are those whose timeline condition the status meets.
//!
//! The status may be soft-deleted already (a `delete` event): its row, mentions and
//! author stay, and none of these conditions looks at `deleted_at`, so a deleted
//! status is judged as it was. A status removed for good (with its author) yields no
//! row, and the event goes to nobody.

use sqlx::PgExecutor;

use super::hiding::{NOT_MUTED, NO_HIDDEN_MENTIONS};
use super::statuses::VISIBLE_TO_VIEWER;
use super::timelines::{timeline_filter, Timeline};

/// What one viewer (or the anonymous public, `viewer: None`) may receive of a status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Verdict {
    /// The status's audience includes the viewer and no block separates them.
    pub visible: bool,
    /// No mute or domain block hides it from the viewer's feeds.
    pub shown_in_feeds: bool,
    /// It belongs on the viewer's home timeline (own, or followed under the home rules).
    pub in_home: bool,
    /// The viewer wrote it or is mentioned in it.
    pub involved: bool,
}

/// The verdicts on one status: whether it belongs on the public (and hashtag)
/// timelines at all, the anonymous public's verdict, and each asked viewer's.
#[derive(Clone, Debug, Default)]
pub struct Audience {
    /// Public, not a boost, author not silenced (the public timeline's rule).
    pub in_public: bool,
    /// The verdict for clients without a token.
    pub anonymous: Verdict,
    /// The verdict for each viewer asked about.
    pub viewers: Vec<(i64, Verdict)>,
    /// For each viewer asked about with lists whose timelines the status belongs on,
    /// those lists.
    pub lists: Vec<(i64, Vec<i64>)>,
}

/// SQL: a condition written for viewer `$1`, rewritten for the viewer of each row
/// (`v.viewer`). The conditions take no other parameter (a unit test checks).
fn for_each_viewer(condition: &str) -> String {
    condition.replace("$1", "v.viewer")
}

fn audience_query() -> String {
    let (home, _, _) = timeline_filter(Timeline::Home);
    let (public, _, _) = timeline_filter(Timeline::Public {
        local: None,
        only_media: false,
    });
    let (in_list, _, _) = timeline_filter(Timeline::List { list_id: 0 });
    let in_list = for_each_viewer(&in_list.replace("$6", "sl.id"));
    let visible = for_each_viewer(VISIBLE_TO_VIEWER);
    let shown = for_each_viewer(NOT_MUTED);
    let home = for_each_viewer(&format!("{home} AND {NO_HIDDEN_MENTIONS}"));
    // NULL (unknown, e.g. `s.account_id = NULL` for the anonymous row) counts as no.
    format!(
        "SELECT v.viewer, COALESCE({public}, false) AS in_public, \
           COALESCE({visible}, false) AS visible, COALESCE({shown}, false) AS shown_in_feeds, \
           COALESCE({home}, false) AS in_home, \
           COALESCE(s.account_id = v.viewer OR EXISTS (SELECT 1 FROM mentions im \
             WHERE im.status_id = s.id AND im.account_id = v.viewer), false) AS involved, \
           ARRAY(SELECT sl.id FROM list_accounts sm JOIN lists sl ON sl.id = sm.list_id \
             WHERE sm.account_id = s.account_id AND sl.account_id = v.viewer \
             AND {in_list}) AS lists \
         FROM statuses s CROSS JOIN \
           (SELECT NULL::bigint AS viewer UNION ALL SELECT DISTINCT unnest($2::bigint[])) v \
         WHERE s.id = $1"
    )
}

#[derive(sqlx::FromRow)]
struct AudienceRow {
    viewer: Option<i64>,
    in_public: bool,
    #[sqlx(flatten)]
    verdict: Verdict,
    lists: Vec<i64>,
}

/// The audience of status `status_id` (deleted or not) among the anonymous public and
/// `viewers`; `None` when the status no longer exists.
pub async fn audience(
    db: impl PgExecutor<'_>,
    status_id: i64,
    viewers: &[i64],
) -> sqlx::Result<Option<Audience>> {
    let rows: Vec<AudienceRow> = sqlx::query_as(&audience_query())
        .bind(status_id)
        .bind(viewers)
        .fetch_all(db)
        .await?;
    let mut audience: Option<Audience> = None;
    for row in rows {
        let entry = audience.get_or_insert_with(Audience::default);
        entry.in_public = row.in_public;
        match row.viewer {
            Some(viewer) => {
                entry.viewers.push((viewer, row.verdict));
                if !row.lists.is_empty() {
                    entry.lists.push((viewer, row.lists));
                }
            }
            None => entry.anonymous = row.verdict,
        }
    }
    Ok(audience)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rewritten_conditions_take_no_parameter_but_the_status_and_the_viewers() {
        let query = audience_query();
        let parameters: Vec<String> = query
            .split('$')
            .skip(1)
            .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
            .collect();
        // `$1` (the status id) and `$2` (the viewers) of the outer query, once each.
        assert_eq!(parameters, ["2", "1"], "{query}");
    }
}
