//! Relay-style cursor paging over Roost's id-paged lists: `first` and `after` walk
//! to older items (the REST `limit` and `max_id`), `before` to newer ones (`min_id`).
//! A cursor is the item's id as a decimal string, the id REST pages by, so a client
//! may page one list with both APIs.
//!
//! Each page reads one item more than it returns, to answer `hasNextPage` (or, with
//! `before`, `hasPreviousPage`) without a second query.
//! Not here: the queries (`db::Page` and the services that take it).
//! Spec: <https://relay.dev/graphql/connections.htm>.

use async_graphql::connection::{Connection, Edge};
use async_graphql::OutputType;

use super::context::{failure, GraphResult};
use super::limits::{DEFAULT_PAGE, MAX_PAGE};
use crate::db::Page;
use crate::domain::Id;
use crate::error::ApiError;

/// The paging arguments of a connection field.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    /// Items wanted, 1 to [`MAX_PAGE`] (default [`DEFAULT_PAGE`]).
    pub first: Option<i32>,
    /// Items older than this cursor.
    pub after: Option<String>,
    /// Items newer than this cursor (the ones right after it).
    pub before: Option<String>,
}

/// A page to read, and how to cut its extra item.
#[derive(Clone, Debug)]
pub struct Paging {
    /// The bounds to query, with one item more than wanted.
    pub page: Page,
    wanted: usize,
    backwards: bool,
}

/// The complexity of a connection field: its children once per item `first` may
/// return, plus the field itself.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let items = first.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    usize::try_from(items)
        .unwrap_or(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

impl PageArgs {
    /// The arguments of a field.
    pub fn new(first: Option<i32>, after: Option<String>, before: Option<String>) -> PageArgs {
        PageArgs {
            first,
            after,
            before,
        }
    }

    /// The page these arguments ask for. Errors (`UNPROCESSABLE`): `first` out of
    /// range, a cursor that is not an id, `after` and `before` together.
    pub fn paging(&self) -> GraphResult<Paging> {
        let wanted = self.first.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&wanted) {
            return Err(invalid(format!("first must be between 1 and {MAX_PAGE}")));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(invalid("after and before cannot be used together".into()));
        }
        let max_id = cursor(self.after.as_deref())?;
        let min_id = cursor(self.before.as_deref())?;
        Ok(Paging {
            page: Page {
                max_id,
                since_id: None,
                min_id,
                limit: i64::from(wanted) + 1,
            },
            wanted: usize::try_from(wanted).unwrap_or(1),
            backwards: min_id.is_some(),
        })
    }
}

fn invalid(message: String) -> async_graphql::Error {
    failure(ApiError::Unprocessable(message))
}

fn cursor(value: Option<&str>) -> GraphResult<Option<i64>> {
    value
        .map(|text| {
            text.parse::<Id>()
                .map(|id| id.0)
                .map_err(|_| invalid(format!("{text:?} is not a cursor of this list")))
        })
        .transpose()
}

impl Paging {
    /// The rows of the page without the extra one (rows come newest first), and
    /// whether more exist in the direction of travel.
    pub fn cut<T>(&self, mut rows: Vec<T>) -> (Vec<T>, bool) {
        let more = rows.len() > self.wanted;
        if more {
            if self.backwards {
                // The extra row read going forward in time is the newest one.
                rows.remove(0);
            } else {
                rows.truncate(self.wanted);
            }
        }
        (rows, more)
    }

    /// A connection of `nodes` (each with its id as cursor); `more` as [`Paging::cut`]
    /// said.
    pub fn connection<T: OutputType>(
        &self,
        nodes: Vec<(i64, T)>,
        more: bool,
    ) -> Connection<String, T> {
        let (has_previous, has_next) = if self.backwards {
            (more, false)
        } else {
            (false, more)
        };
        let mut connection = Connection::new(has_previous, has_next);
        connection.edges.extend(
            nodes
                .into_iter()
                .map(|(id, node)| Edge::new(id.to_string(), node)),
        );
        connection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_after_reads_one_more_older_item() {
        let paging = PageArgs::new(Some(2), Some("10".into()), None)
            .paging()
            .expect("valid");
        assert_eq!(paging.page.max_id, Some(10));
        assert_eq!(paging.page.limit, 3);
        assert_eq!(paging.cut(vec![9, 8, 7]), (vec![9, 8], true));
        assert_eq!(paging.cut(vec![9, 8]), (vec![9, 8], false));
    }

    #[test]
    fn before_drops_the_newest_extra_item() {
        let paging = PageArgs::new(Some(2), None, Some("5".into()))
            .paging()
            .expect("valid");
        assert_eq!(paging.page.min_id, Some(5));
        assert_eq!(paging.cut(vec![8, 7, 6]), (vec![7, 6], true));
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(PageArgs::new(Some(0), None, None).paging().is_err());
        assert!(PageArgs::new(Some(41), None, None).paging().is_err());
        assert!(PageArgs::new(None, Some("x".into()), None)
            .paging()
            .is_err());
        assert!(PageArgs::new(None, Some("1".into()), Some("2".into()))
            .paging()
            .is_err());
    }

    #[test]
    fn the_cost_of_a_list_grows_with_its_page() {
        assert_eq!(cost(Some(40), 10), 401);
        assert_eq!(cost(None, 10), 201);
        assert_eq!(cost(Some(-5), 10), 11);
    }
}
