//! Dead deliveries through the admin API: listed, and replayed.

use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;

use super::ok;
use crate::helpers::peers::instance;
use crate::helpers::staff::staff;

#[sqlx::test]
async fn dead_deliveries_are_listed_and_replayed(db: PgPool) {
    let app = instance(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    sqlx::query(
        "INSERT INTO deliveries (activity_id, inbox_url, domain, payload, state, attempts, last_error) \
         VALUES ('https://x/1', 'https://gone.example/inbox', 'gone.example', '{}', 'dead', 14, 'HTTP 500')",
    )
    .execute(&app.db)
    .await
    .expect("dead letter");
    let view = ok(&app, &admin, Method::GET, "/api/v1/admin/deliveries", &[]).await;
    assert_eq!(view["dead_total"], 1);
    assert_eq!(view["dead"][0]["inbox"], "https://gone.example/inbox");
    assert_eq!(view["dead"][0]["last_error"], "HTTP 500");
    let replayed = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/deliveries/replay",
        &[("domain", "gone.example")],
    )
    .await;
    assert_eq!(replayed, json!({"replayed": 1}));
    let view = ok(&app, &admin, Method::GET, "/api/v1/admin/deliveries", &[]).await;
    assert_eq!(
        (view["dead_total"].clone(), view["pending"].clone()),
        (json!(0), json!(1))
    );
    app.stop().await;
}
