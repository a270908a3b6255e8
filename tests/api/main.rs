//! Integration tests: every test starts a real Roost (the production router) on port
//! 0 against its own fresh PostgreSQL database (`#[sqlx::test]`), and talks HTTP to it.

mod helpers;

mod accounts;
mod apps;
mod cli;
mod clients;
mod discovery;
mod durability;
mod errors;
mod federated_moderation;
mod federated_statuses;
mod federated_threads;
mod federation;
mod instance;
mod interactions;
mod interop;
mod moderation;
mod notifications;
mod oauth;
mod peers;
mod profiles;
mod rate_limits;
mod signatures;
mod statuses;
mod streaming;
