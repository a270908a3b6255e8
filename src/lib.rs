//! Roost: a federated (ActivityPub) social server with a Mastodon-compatible client
//! API. docs/architecture.md describes the layers; this file only declares modules.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod doctor;
pub mod domain;
pub mod error;
pub mod events;
pub mod extract;
pub mod federation;
pub mod input;
pub mod logging;
pub mod mail;
pub mod maintenance;
pub mod media;
pub mod metrics;
pub mod push;
pub mod queue;
pub mod rate_limit;
pub mod serve;
pub mod services;
pub mod sms;
pub mod state;
pub mod urls;
pub mod web;
