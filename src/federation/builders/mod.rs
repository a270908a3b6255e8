//! Pure builders of Roost's outbound activities: rows a service wrote in, protocol types
//! out; no database, no AppState.

pub mod actors;
pub mod answers;
pub mod blocks;
pub mod emojis;
pub mod featured_tags;
pub mod follows;
pub mod interactions;
pub mod moves;
pub mod music;
pub mod notes;
pub mod polls;
pub mod profile;
pub mod quotes;
pub mod relays;
pub mod replies;
pub mod reports;
pub mod stories;
