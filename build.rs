//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!` embeds
//! `migrations/` at compile time, and a procedural macro cannot tell cargo which files
//! it read, so a new migration alone left an incremental build with the old list.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
