//! The service layer: one home for every action Roost takes, whoever asks for it.
//!
//! Transports — the client API (`api/`), the federation inbox handlers
//! (`federation::inbound`), `roost admin` (`cli/`), and later GraphQL and the web app —
//! extract their input, call **one** function here, and render what it returns. A
//! service function:
//! - takes validated input and the acting account (local or remote alike), so a rule
//!   such as "a blocked account cannot follow" is written once and holds for both;
//! - owns the transaction: the rows, the notifications, the delivery rows of what it
//!   sends to other servers (built by the pure builders of `federation::builders` from
//!   what it just wrote, never re-read) all commit together;
//! - returns what it wrote, so the transport renders without reading it back.
//!
//! Errors are [`crate::error::ApiError`], whose variants are named by meaning
//! (NotFound, Forbidden, Validation…); the inbox maps them to its own outcome
//! (`federation::inbound::Skip`). Stream events and the home-feed fan-out follow from
//! the committed rows (database triggers and NOTIFY, see `events`), so no path that
//! writes a status or a notification can forget to announce it.

pub mod account_deletion;
pub mod account_moves;
pub mod account_notes;
pub mod admin_dashboard;
pub mod admin_tags;
pub mod announcements;
pub mod annual_reports;
pub mod archives;
pub mod blocks;
pub mod cards;
pub mod conversations;
pub mod custom_emojis;
pub mod directory;
pub mod domains;
pub mod email_blocks;
pub mod email_confirmation;
pub mod exports;
pub mod featured_tags;
pub mod filters;
pub mod follower_sync;
pub mod follows;
pub mod groups;
pub mod imports;
pub mod instance_info;
pub mod interaction_requests;
pub mod interactions;
pub mod ip_blocks;
pub mod lists;
pub mod media;
pub mod moderation;
pub mod music;
pub mod notifications;
pub mod oembed;
pub mod password_reset;
pub mod phone_verification;
pub mod polls;
pub mod profile;
pub mod profile_links;
pub mod quotes;
pub mod reauthentication;
pub mod reels;
pub mod relays;
pub mod reply_controls;
pub mod reports;
pub mod scheduled_statuses;
pub mod search;
pub mod statuses;
pub mod stories;
pub mod suggestions;
pub mod tags;
pub mod thread_backfill;
pub mod translations;
pub mod trends;
pub mod two_factor;
pub mod web_sessions;
