//! Annual reports (<https://docs.joinmastodon.org/methods/annual_reports/>): a user's
//! year in numbers, in Mastodon's report format, computed when asked for and kept for
//! past years; marking one read takes it off the list.

use chrono::Datelike;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test]
async fn this_years_report_counts_what_the_user_did(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob).follow(&alice).await.expect("follows");
    let first = app
        .as_(&alice)
        .post_status("#cats one")
        .await
        .expect("posted");
    app.as_(&alice)
        .post_status("#cats two")
        .await
        .expect("posted");
    app.as_(&alice)
        .reply(&first, "and a reply to myself")
        .await
        .expect("replied");
    let bobs = app.as_(&bob).post_status("hello").await.expect("posted");
    app.as_(&alice)
        .reply(&bobs, "@bob hi")
        .await
        .expect("replied");
    app.as_(&alice).reblog(&bobs).await.expect("boosted");
    app.as_(&bob).reblog(&first).await.expect("boosted");

    let year = chrono::Utc::now().year();
    let answer: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/annual_reports/{year}"))
        .await
        .expect("report");
    let report = &answer["annual_reports"][0];
    assert_eq!(report["year"], year);
    assert_eq!(report["schema_version"], 2);
    let data = &report["data"];
    let types = &data["type_distribution"];
    assert_eq!(types["total"], 5, "{data}");
    assert_eq!(types["reblogs"], 1);
    assert_eq!(types["replies"], 1, "a reply to oneself is no reply");
    assert_eq!(types["standalone"], 2);
    assert_eq!(data["archetype"], "lurker");
    assert_eq!(data["top_hashtags"][0]["name"], "cats");
    assert_eq!(data["top_hashtags"][0]["count"], 2);
    assert_eq!(data["top_statuses"]["by_reblogs"], first.id.as_str());
    let month = chrono::Utc::now().month() as usize;
    let series = &data["time_series"][month - 1];
    assert_eq!(series["statuses"], 5);
    assert_eq!(series["followers"], 1);
    assert_eq!(
        data["commonly_interacted_with_accounts"][0]["account_id"],
        bob.account_id.as_str()
    );
    assert_eq!(data["most_reblogged_accounts"][0]["count"], 1);
    let statuses = answer["statuses"].as_array().expect("statuses");
    assert!(statuses.iter().any(|s| s["id"] == first.id.as_str()));
    let accounts = answer["accounts"].as_array().expect("accounts");
    assert!(accounts.iter().any(|a| a["id"] == bob.account_id.as_str()));
}

#[sqlx::test]
async fn a_past_years_report_is_kept_until_read(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let last_year = chrono::Utc::now().year() - 1;
    let path = format!("/api/v1/annual_reports/{last_year}");
    let answer: Value = app.as_(&alice).get(&path).await.expect("report");
    assert_eq!(
        answer["annual_reports"][0]["data"]["type_distribution"]["total"],
        0
    );
    let listed: Value = app
        .as_(&alice)
        .get("/api/v1/annual_reports")
        .await
        .expect("list");
    assert_eq!(listed["annual_reports"][0]["year"], last_year);

    let read: Value = app
        .as_(&alice)
        .post(&format!("{path}/read"), &[])
        .await
        .expect("read");
    assert_eq!(read, serde_json::json!({}));
    let listed: Value = app
        .as_(&alice)
        .get("/api/v1/annual_reports")
        .await
        .expect("list");
    assert!(listed["annual_reports"]
        .as_array()
        .expect("reports")
        .is_empty());

    for year in ["1999", "3000", "soon"] {
        let missing = app
            .as_(&alice)
            .get::<Value>(&format!("/api/v1/annual_reports/{year}"))
            .await;
        assert_eq!(missing.expect_err("no report").status, 404);
    }
}
