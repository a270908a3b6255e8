//! Manual review of quotes (GoToSocial's interaction requests client API, a Roost
//! extension): a quote of a followers-only-quotable post by a non-follower waits as a
//! request its author lists, reads, authorizes (the quote is accepted, stamped and
//! counted) or rejects; nobody else sees or decides it, and a decided one stays decided.

use reqwest::{header::LINK, Method};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser};

/// The id of the status `user` posts with `form`.
async fn posted(app: &TestApp, user: &TestUser, form: &[(&str, &str)]) -> String {
    let status: Value = app
        .as_(user)
        .post("/api/v1/statuses", form)
        .await
        .expect("posted");
    status["id"].as_str().expect("id").to_owned()
}

/// Alice's post only her followers may quote at once, and carol's pending quote of it.
async fn pending_quote(app: &TestApp, alice: &TestUser, carol: &TestUser) -> (String, String) {
    let original = posted(
        app,
        alice,
        &[
            ("status", "followers quote me"),
            ("quote_approval_policy", "followers"),
        ],
    )
    .await;
    let quote = posted(
        app,
        carol,
        &[("status", "may I?"), ("quoted_status_id", &original)],
    )
    .await;
    (original, quote)
}

async fn requests(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    app.as_(user)
        .get(&format!("/api/v1/interaction_requests{query}"))
        .await
        .expect("requests")
}

async fn status(app: &TestApp, user: &TestUser, id: &str) -> Value {
    app.as_(user)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("status")
}

#[sqlx::test]
async fn a_pending_quote_is_listed_for_its_author_and_authorized(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let (original, quote) = pending_quote(&app, &alice, &carol).await;
    let seen_by_carol = status(&app, &carol, &original).await;
    assert_eq!(
        seen_by_carol["quote_approval"],
        json!({ "automatic": ["followers"], "manual": ["public"], "current_user": "manual" })
    );
    assert_eq!(
        status(&app, &carol, &quote).await["quote"]["state"],
        "pending"
    );

    let listed = requests(&app, &alice, "").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let request = &listed[0];
    assert_eq!(request["id"], quote.as_str());
    assert_eq!(request["type"], "quote");
    assert_eq!(request["account"]["username"], "carol");
    assert_eq!(request["status"]["id"], original.as_str());
    assert_eq!(request["quote"]["id"], quote.as_str());
    assert!(request.get("accepted_at").is_none() && request.get("rejected_at").is_none());
    assert!(
        requests(&app, &carol, "").await.is_empty(),
        "not carol's to review"
    );
    let path = format!("/api/v1/interaction_requests/{quote}");
    let shown: Value = app.as_(&alice).get(&path).await.expect("shown");
    assert_eq!(shown["id"], quote.as_str());
    let hidden = app
        .as_(&carol)
        .get::<Value>(&path)
        .await
        .expect_err("not hers");
    assert_eq!(hidden.status.as_u16(), 404);
    let refused = (app.as_(&carol))
        .post::<Value>(&format!("{path}/authorize"), &[])
        .await
        .expect_err("not hers");
    assert_eq!(refused.status.as_u16(), 404);

    let authorized: Value = (app.as_(&alice))
        .post(&format!("{path}/authorize"), &[])
        .await
        .expect("authorized");
    assert!(authorized["accepted_at"].is_string(), "{authorized}");
    let now = status(&app, &carol, &quote).await;
    assert_eq!(now["quote"]["state"], "accepted");
    assert_eq!(now["quote"]["quoted_status"]["id"], original.as_str());
    assert_eq!(status(&app, &alice, &original).await["quotes_count"], 1);
    assert!(
        requests(&app, &alice, "").await.is_empty(),
        "no longer pending"
    );
    let again = (app.as_(&alice))
        .post::<Value>(&format!("{path}/reject"), &[])
        .await
        .expect_err("decided");
    assert_eq!(again.status.as_u16(), 422);
    let stamp = app.url(&format!("/users/alice/quote_authorizations/{quote}"));
    let served = app.client.get(&stamp).send().await.expect("sent");
    assert_eq!(served.status().as_u16(), 200, "the stamp is served");
}

#[sqlx::test]
async fn a_rejected_quote_shows_rejected_and_stays_readable(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let (original, quote) = pending_quote(&app, &alice, &carol).await;
    let path = format!("/api/v1/interaction_requests/{quote}");
    let rejected: Value = (app.as_(&alice))
        .post(&format!("{path}/reject"), &[])
        .await
        .expect("rejected");
    assert!(rejected["rejected_at"].is_string(), "{rejected}");
    assert!(rejected.get("accepted_at").is_none());
    let now = status(&app, &carol, &quote).await;
    assert_eq!(now["quote"]["state"], "rejected");
    assert_eq!(now["quote"]["quoted_status"], Value::Null);
    assert_eq!(status(&app, &alice, &original).await["quotes_count"], 0);
    let shown: Value = app.as_(&alice).get(&path).await.expect("still readable");
    assert_eq!(shown["rejected_at"], rejected["rejected_at"]);
    let again = (app.as_(&alice))
        .post::<Value>(&format!("{path}/authorize"), &[])
        .await
        .expect_err("decided");
    assert_eq!(again.status.as_u16(), 422);
}

#[sqlx::test]
async fn requests_are_filtered_paged_and_bad_ids_are_404(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let (first, _) = pending_quote(&app, &alice, &carol).await;
    let (second, newest) = pending_quote(&app, &alice, &carol).await;

    let all = requests(&app, &alice, "").await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["id"], newest.as_str(), "newest first");
    let of_first = requests(&app, &alice, &format!("?status_id={first}")).await;
    assert_eq!(of_first.len(), 1);
    assert_eq!(of_first[0]["status"]["id"], first.as_str());
    assert!(requests(&app, &alice, "?quotes=false").await.is_empty());

    let response = (app.as_(&alice))
        .request(Method::GET, "/api/v1/interaction_requests?limit=1")
        .send()
        .await
        .expect("sent");
    let link = response.headers()[LINK].to_str().expect("ascii").to_owned();
    assert!(link.contains(&format!("max_id={newest}")), "{link}");
    let page: Vec<Value> = response.json().await.expect("json");
    assert_eq!(page.len(), 1);
    let older = requests(&app, &alice, &format!("?limit=1&max_id={newest}")).await;
    assert_eq!(older[0]["status"]["id"], first.as_str());
    assert_ne!(older[0]["status"]["id"], second.as_str());

    for path in [
        "/api/v1/interaction_requests/nope",
        "/api/v1/interaction_requests/123456",
    ] {
        let missing = app.as_(&alice).get::<Value>(path).await.expect_err("404");
        assert_eq!(missing.status.as_u16(), 404, "{path}");
    }
    let bad_filter = (app.as_(&alice))
        .get::<Value>("/api/v1/interaction_requests?status_id=nope")
        .await
        .expect_err("404");
    assert_eq!(bad_filter.status.as_u16(), 404);
    let anonymous = (app.anonymous())
        .get::<Value>("/api/v1/interaction_requests")
        .await
        .expect_err("401");
    assert_eq!(anonymous.status.as_u16(), 401);
}
