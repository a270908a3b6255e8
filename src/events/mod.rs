//! Live events: the per-process hub that LISTENs for database changes ([`hub`]), the
//! prepared events and the in-memory filter every subscriber applies ([`event`]), and
//! the caps on concurrent streaming connections ([`slots`]).
//!
//! Events cross processes through PostgreSQL: triggers NOTIFY `roost_stream` with ids
//! when statuses and notifications change (see the `stream_events` migration). In each
//! process one task prepares every change once and broadcasts it through a bounded
//! channel; each subscriber filters the prepared event in memory, so an event costs a
//! subscriber no database query.
//!
//! Not here: any transport. The Server-Sent Events and WebSocket endpoints, and the
//! rendering of statuses and notifications into their payloads (Mastodon entities),
//! are the client API's (`crate::api::streaming`), which hands the hub a [`Prepare`].
//! Spec: <https://docs.joinmastodon.org/methods/streaming/>.

pub mod event;
pub mod hub;
pub mod listening;
pub mod slots;

pub use event::{Origin, Prepared, Subscription};
pub use hub::{Change, Hub, Prepare, Subscriber, CHANNEL};
