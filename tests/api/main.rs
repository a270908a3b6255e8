//! Integration tests: every test starts a real Roost (the production router) on port
//! 0 against its own fresh PostgreSQL database (`#[sqlx::test]`), and talks HTTP to it.

mod helpers;

mod accounts;
mod admin;
mod apps;
mod cli;
mod clients;
mod connections;
mod conversations;
mod database_outage;
mod discovery;
mod durability;
mod errors;
mod federated_media;
mod federated_moderation;
mod federated_statuses;
mod federated_threads;
mod federation;
mod filters;
mod follows;
mod hostile_remotes;
mod instance;
mod interactions;
mod interop;
mod invalid_text;
mod lists;
mod media;
mod media_s3;
mod moderation;
mod nameless_actors;
mod notifications;
mod oauth;
mod openapi;
mod password_hashing;
mod paths;
mod profiles;
mod push;
mod rate_limits;
mod signatures;
mod statuses;
mod streaming;
mod streaming_channels;
mod upload_limits;
