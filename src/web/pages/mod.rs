//! The pages, one module per area; each page function takes the state, the visitor
//! and its parsed input, calls services, and renders a template.

pub mod actions;
pub mod app;
pub mod auth;
pub mod discover;
pub mod profile;
pub mod public;
pub mod settings;
pub mod settings_import;
pub mod settings_migration;
pub mod status;
pub mod stories;
pub mod two_factor;
