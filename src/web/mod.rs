//! What Roost serves to browsers: the HTML pages of profiles and posts (at the same
//! URLs as their ActivityStreams documents, chosen by `federation::actors` on the
//! `Accept` header) and static assets clients expect.
//!
//! Does not: serve the Mastodon client API (`api/`) or ActivityStreams JSON
//! (`federation/`).

mod assets;
pub mod email_links;
pub mod pages;

pub use assets::missing_png;
