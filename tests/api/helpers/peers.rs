//! Helpers for tests with two or more Roost instances on loopback, each with its own
//! database, federating with real HTTP signatures. Queues are drained explicitly with
//! the workers' `run_once`, so the tests are deterministic.

use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use super::{expect_json, TestApp, TestUser};
use roost::delivery::worker as delivery_worker;
use roost::federation::inbox;
use roost::services::thread_backfill;

/// A second, migrated database beside the test's own (dropped first if a previous run
/// left it behind).
pub async fn second_database(db: &PgPool, suffix: &str) -> PgPool {
    let options = db.connect_options();
    let own = options.get_database().expect("test database has a name");
    // PostgreSQL cuts names at 63 bytes: keep the unique tail of the test's name.
    let tail: String = own
        .chars()
        .rev()
        .take(40)
        .collect::<String>()
        .chars()
        .rev()
        .collect();
    let name = format!("peer_{suffix}_{tail}");
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(db)
        .await
        .expect("drops");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(db)
        .await
        .expect("creates");
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect_with((*options).clone().database(&name))
        .await
        .expect("connects");
    roost::db::migrate(&pool).await.expect("migrates");
    pool
}

/// Starts an instance with its background workers off, so tests drive the queues.
pub async fn instance(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--workers", "false"]).await
}

/// Drains the outbound and inbound queues and the thread backfills (a reply's missing
/// parents are fetched in the background) of every instance until nothing moves.
pub async fn settle(instances: &[&TestApp]) {
    drain(instances, true).await
}

/// Drains the outbound and inbound queues only, leaving thread backfills queued (so a
/// test sees a thread before they run).
pub async fn settle_without_backfills(instances: &[&TestApp]) {
    drain(instances, false).await
}

async fn drain(instances: &[&TestApp], backfills: bool) {
    for _round in 0..10 {
        let mut moved = 0;
        for app in instances {
            moved += delivery_worker::run_once(&app.state)
                .await
                .expect("delivers");
            moved += inbox::worker::run_once(&app.state)
                .await
                .expect("processes");
            if backfills {
                moved += thread_backfill::worker::run_once(&app.state)
                    .await
                    .expect("backfills");
            }
        }
        if moved == 0 {
            return;
        }
    }
    panic!("queues did not settle in 10 rounds");
}

/// `user` finds `handle` (`name@domain`) through search with `resolve=true`.
pub async fn resolve(app: &TestApp, user: &TestUser, handle: &str) -> Value {
    let found = app
        .get("/api/v2/search")
        .bearer_auth(&user.access_token)
        .query(&[("q", handle), ("resolve", "true"), ("type", "accounts")])
        .send()
        .await;
    let found = expect_json(found, 200).await;
    let accounts = found["accounts"].as_array().expect("accounts").clone();
    assert_eq!(accounts.len(), 1, "resolving {handle} found {found}");
    accounts[0].clone()
}

pub async fn relationship(app: &TestApp, user: &TestUser, id: &str) -> Value {
    let response = app
        .get("/api/v1/accounts/relationships")
        .bearer_auth(&user.access_token)
        .query(&[("id[]", id)])
        .send()
        .await;
    expect_json(response, 200).await[0].clone()
}

pub async fn accounts_of(app: &TestApp, path: &str) -> Vec<String> {
    let list = expect_json(app.get(path).send().await, 200).await;
    list.as_array()
        .expect("list")
        .iter()
        .map(|a| a["acct"].as_str().expect("acct").to_owned())
        .collect()
}

pub async fn follow(app: &TestApp, user: &TestUser, account_id: &str) {
    let response = app
        .post(&format!("/api/v1/accounts/{account_id}/follow"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await;
}

pub fn port_of(app: &TestApp) -> u16 {
    app.domain
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("domain has a port")
}

/// The id on `app` of the remote account `handle`, resolved through search.
pub async fn remote_id(app: &TestApp, user: &TestUser, handle: &str) -> String {
    resolve(app, user, handle).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}
