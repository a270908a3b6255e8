//! Manual review of quotes between two Roost instances: a quote waiting for its
//! author's review is authorized (an `Accept` with the stamp reaches the quoter's
//! server) or rejected (a `Reject`: the quote shows `rejected` there); and when a
//! local quote is authorized, the quoting post's `Update` carries `quoteAuthorization`
//! to its followers' server, which verifies the stamp and accepts the quote too.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::{TestApp, TestUser};

async fn post(app: &TestApp, user: &TestUser, form: &[(&str, &str)]) -> Value {
    app.as_(user)
        .post("/api/v1/statuses", form)
        .await
        .expect("posted")
}

async fn show(app: &TestApp, user: &TestUser, id: &str) -> Value {
    app.as_(user)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("shown")
}

/// The id on `app` of the status with ActivityPub id `uri`.
async fn local_id_of(app: &TestApp, uri: &str) -> String {
    sqlx::query_scalar::<_, i64>("SELECT id FROM statuses WHERE ap_id = $1")
        .bind(uri)
        .fetch_one(&app.db)
        .await
        .expect("stored")
        .to_string()
}

/// `user` decides (`authorize` or `reject`) request `id`.
async fn decide(app: &TestApp, user: &TestUser, id: &str, decision: &str) -> Value {
    app.as_(user)
        .post(
            &format!("/api/v1/interaction_requests/{id}/{decision}"),
            &[],
        )
        .await
        .expect("decided")
}

#[sqlx::test]
async fn reviewed_quotes_are_accepted_or_rejected_on_the_quoters_server(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let original = post(
        &a,
        &alice,
        &[
            ("status", "followers may quote"),
            ("quote_approval_policy", "followers"),
        ],
    )
    .await;
    settle(&[&a, &b]).await;
    let original_on_b = local_id_of(&b, original["uri"].as_str().expect("uri")).await;
    b.as_(&bob).unfollow(&alice_on_b).await.expect("unfollowed");
    settle(&[&a, &b]).await;
    assert_eq!(
        relationship(&b, &bob, &alice_on_b).await["following"],
        false
    );

    let mut quotes = Vec::new();
    for text in ["first ask", "second ask"] {
        let quote = post(
            &b,
            &bob,
            &[("status", text), ("quoted_status_id", &original_on_b)],
        )
        .await;
        assert_eq!(quote["quote"]["state"], "pending");
        quotes.push(quote);
    }
    settle(&[&a, &b]).await;
    let requests: Vec<Value> = (a.as_(&alice))
        .get("/api/v1/interaction_requests")
        .await
        .expect("requests");
    assert_eq!(requests.len(), 2, "both wait for alice: {requests:?}");
    assert_eq!(requests[0]["account"]["acct"], format!("bob@{}", b.domain));
    let request_of = |quote: &Value| {
        let found = requests.iter().find(|r| r["quote"]["uri"] == quote["uri"]);
        found
            .and_then(|r| r["id"].as_str())
            .expect("a request")
            .to_owned()
    };
    decide(&a, &alice, &request_of(&quotes[0]), "authorize").await;
    decide(&a, &alice, &request_of(&quotes[1]), "reject").await;
    settle(&[&a, &b]).await;

    let accepted = show(&b, &bob, quotes[0]["id"].as_str().expect("id")).await;
    assert_eq!(accepted["quote"]["state"], "accepted", "{accepted}");
    let rejected = show(&b, &bob, quotes[1]["id"].as_str().expect("id")).await;
    assert_eq!(rejected["quote"]["state"], "rejected", "{rejected}");
    assert_eq!(rejected["quote"]["quoted_status"], Value::Null);
}

#[sqlx::test]
async fn an_authorized_quote_reaches_followers_with_its_stamp(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let carol = a.sign_up("carol").await;
    let alice = b.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = remote_id(&a, &carol, &format!("bob@{}", b.domain)).await;
    follow(&a, &carol, &bob_on_a).await;
    settle(&[&a, &b]).await;
    let original = post(
        &b,
        &alice,
        &[
            ("status", "followers may quote"),
            ("quote_approval_policy", "followers"),
        ],
    )
    .await;
    let original_id = original["id"].as_str().expect("id");
    let quote = post(
        &b,
        &bob,
        &[("status", "asking"), ("quoted_status_id", original_id)],
    )
    .await;
    assert_eq!(quote["quote"]["state"], "pending");
    settle(&[&a, &b]).await;
    let quote_on_a = local_id_of(&a, quote["uri"].as_str().expect("uri")).await;
    let before = show(&a, &carol, &quote_on_a).await;
    assert_eq!(
        before["quote"]["state"], "pending",
        "no stamp yet: {before}"
    );

    decide(&b, &alice, quote["id"].as_str().expect("id"), "authorize").await;
    settle(&[&a, &b]).await;
    let after = show(&a, &carol, &quote_on_a).await;
    assert_eq!(
        after["quote"]["state"], "accepted",
        "the Update's stamp verified: {after}"
    );
    assert_eq!(after["quote"]["quoted_status"]["uri"], original["uri"]);
}
