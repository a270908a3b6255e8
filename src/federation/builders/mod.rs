//! Pure builders of Roost's outbound activities: rows a service wrote in, protocol types
//! out; no database, no AppState.

pub mod profile;
