//! Integration tests: every test starts a real Roost (the production router) on port
//! 0 against its own fresh PostgreSQL database (`#[sqlx::test]`), and talks HTTP to it.

mod helpers;

mod accounts;
mod admin;
mod api_versions;
mod apps;
mod cli;
mod clients;
mod connections;
mod database_outage;
mod discovery;
mod durability;
mod errors;
mod federated_media;
mod federated_moderation;
mod federated_statuses;
mod federated_threads;
mod federation;
mod follows;
mod grouped_notifications;
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
mod notification_policy;
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
mod upload_limits;
