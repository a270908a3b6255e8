//! Grouped notifications (`/api/v2/notifications…`, Mastodon 4.3): favourites of one
//! status become one group with its count and newest senders, pages follow `Link`
//! headers, groups are dismissed whole, and the unread counts (v1 by notification, v2
//! by group) start after the `notifications` marker.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::requests::{call, read};
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

/// Signs up `name` and has them favourite `status` as `author`'s reader.
async fn favourite_as(app: &TestApp, name: &str, status: &str) -> TestUser {
    let user = app.sign_up(name).await;
    call(
        app,
        &user,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    user
}

fn groups(page: &Value) -> &Vec<Value> {
    page["notification_groups"].as_array().expect("groups")
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The `max_id` of the `rel="next"` link of a response.
fn next_max_id(response: &reqwest::Response) -> String {
    let link = response.headers()["link"]
        .to_str()
        .expect("text")
        .to_owned();
    let next = link
        .split(", ")
        .find(|l| l.contains("rel=\"next\""))
        .expect("next");
    next.split("max_id=")
        .nth(1)
        .expect("max_id")
        .split('>')
        .next()
        .expect("id")
        .to_owned()
}

#[sqlx::test]
async fn several_favourites_of_one_status_are_one_group_with_its_count_and_sample_accounts(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let status = app.post_status(&alice, &[("status", "like me")]).await;
    let bob = favourite_as(&app, "bob", &status).await;
    let carol = favourite_as(&app, "carol", &status).await;
    let dave = favourite_as(&app, "dave", &status).await;
    call(
        &app,
        &dave,
        &format!("/api/v1/accounts/{}/follow", alice.account_id),
        &[],
    )
    .await;
    app.post_status(&bob, &[("status", "hi @alice")]).await;

    let page = read(&app, &alice, "/api/v2/notifications").await;
    let list = groups(&page);
    let kinds: Vec<&str> = list
        .iter()
        .map(|g| g["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["mention", "follow", "favourite"], "{page}");
    let favourites = &list[2];
    assert_eq!(favourites["notifications_count"], 3);
    assert_eq!(favourites["status_id"], status.as_str());
    let key = favourites["group_key"].as_str().expect("key").to_owned();
    assert!(key.starts_with(&format!("favourite-{status}-")), "{key}");
    let samples: Vec<&str> = favourites["sample_account_ids"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|id| id.as_str().expect("id"))
        .collect();
    assert_eq!(
        samples,
        [&dave.account_id, &carol.account_id, &bob.account_id]
    );
    assert!(favourites["page_min_id"].is_string() && favourites["page_max_id"].is_string());
    assert_eq!(
        favourites["page_max_id"],
        favourites["most_recent_notification_id"]
    );
    assert!(list[0]["group_key"]
        .as_str()
        .expect("key")
        .starts_with("ungrouped-"));
    assert_eq!(page["statuses"].as_array().expect("statuses").len(), 2);
    let mut accounts = ids(&page["accounts"]);
    accounts.sort();
    let mut everyone = [&alice, &bob, &carol, &dave].map(|user| user.account_id.clone());
    everyone.sort();
    assert_eq!(accounts, everyone);

    // v1 shows each notification with its group's key.
    let v1 = read(&app, &alice, "/api/v1/notifications?types[]=favourite").await;
    assert!(v1
        .as_array()
        .expect("list")
        .iter()
        .all(|n| n["group_key"] == key.as_str()));

    let one = read(&app, &alice, &format!("/api/v2/notifications/{key}")).await;
    assert_eq!(groups(&one).len(), 1);
    assert_eq!(groups(&one)[0]["notifications_count"], 3);
    assert!(groups(&one)[0].get("page_min_id").is_none(), "{one}");
    let members = read(
        &app,
        &alice,
        &format!("/api/v2/notifications/{key}/accounts"),
    )
    .await;
    assert_eq!(ids(&members)[0], dave.account_id);
    assert_eq!(ids(&members).len(), 3);

    let ungrouped = read(&app, &alice, "/api/v2/notifications?grouped_types[]=follow").await;
    assert_eq!(groups(&ungrouped).len(), 5, "{ungrouped}");
    let partial = "/api/v2/notifications?types[]=favourite&expand_accounts=partial_avatars";
    let partial = read(&app, &alice, partial).await;
    assert_eq!(
        ids(&partial["partial_accounts"]),
        [carol.account_id.as_str(), bob.account_id.as_str()]
    );
    assert!(ids(&partial["accounts"]).contains(&dave.account_id));
}

#[sqlx::test]
async fn pages_of_groups_follow_link_headers_and_dismissing_removes_a_whole_group(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let mut statuses = Vec::new();
    for text in ["one", "two", "three"] {
        let status = app.post_status(&alice, &[("status", text)]).await;
        for fan in [&bob, &carol] {
            call(
                &app,
                fan,
                &format!("/api/v1/statuses/{status}/favourite"),
                &[],
            )
            .await;
        }
        statuses.push(status);
    }
    let first = app
        .get("/api/v2/notifications?limit=2")
        .bearer_auth(&alice.access_token)
        .send()
        .await
        .expect("answers");
    let max_id = next_max_id(&first);
    let first = first.json::<Value>().await.expect("json");
    let on_first: Vec<&str> = groups(&first)
        .iter()
        .map(|g| g["status_id"].as_str().expect("id"))
        .collect();
    assert_eq!(on_first, [statuses[2].as_str(), statuses[1].as_str()]);
    assert_eq!(groups(&first)[1]["notifications_count"], 2);
    // As Mastodon's: the next page starts below the last group's newest notification,
    // so that group's older notifications come again there (counted up to the page).
    let second = read(
        &app,
        &alice,
        &format!("/api/v2/notifications?limit=2&max_id={max_id}"),
    )
    .await;
    let on_second: Vec<&str> = groups(&second)
        .iter()
        .map(|g| g["status_id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        on_second,
        [statuses[1].as_str(), statuses[0].as_str()],
        "{second}"
    );
    assert_eq!(groups(&second)[0]["notifications_count"], 1);
    assert_eq!(groups(&second)[1]["notifications_count"], 2);

    let key = groups(&first)[0]["group_key"]
        .as_str()
        .expect("key")
        .to_owned();
    call(
        &app,
        &alice,
        &format!("/api/v2/notifications/{key}/dismiss"),
        &[],
    )
    .await;
    let after = read(&app, &alice, "/api/v2/notifications").await;
    assert_eq!(groups(&after).len(), 2);
    let v1 = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(v1.as_array().expect("list").len(), 4);
    // Dismissing what is not there changes nothing, as Mastodon.
    call(
        &app,
        &alice,
        &format!("/api/v2/notifications/{key}/dismiss"),
        &[],
    )
    .await;
    expect_error(
        app.get(&format!("/api/v2/notifications/{key}"))
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        404,
    )
    .await;
}

#[sqlx::test]
async fn unread_counts_start_after_the_marker_by_notification_in_v1_and_by_group_in_v2(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let status = app.post_status(&alice, &[("status", "like me")]).await;
    favourite_as(&app, "bob", &status).await;
    favourite_as(&app, "carol", &status).await;
    let count = |path: &'static str| {
        let (app, alice) = (&app, &alice);
        async move {
            read(app, alice, path).await["count"]
                .as_i64()
                .expect("count")
        }
    };
    assert_eq!(count("/api/v1/notifications/unread_count").await, 2);
    assert_eq!(count("/api/v2/notifications/unread_count").await, 1);
    assert_eq!(count("/api/v1/notifications/unread_count?limit=1").await, 1);
    assert_eq!(
        count("/api/v1/notifications/unread_count?types[]=mention").await,
        0
    );

    let newest = read(&app, &alice, "/api/v1/notifications").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    call(
        &app,
        &alice,
        "/api/v1/markers",
        &[("notifications[last_read_id]", &newest)],
    )
    .await;
    assert_eq!(count("/api/v1/notifications/unread_count").await, 0);
    assert_eq!(count("/api/v2/notifications/unread_count").await, 0);
    let dave = favourite_as(&app, "dave", &status).await;
    call(
        &app,
        &dave,
        &format!("/api/v1/accounts/{}/follow", alice.account_id),
        &[],
    )
    .await;
    assert_eq!(count("/api/v1/notifications/unread_count").await, 2);
    assert_eq!(count("/api/v2/notifications/unread_count").await, 2);
    let ungrouped =
        "/api/v2/notifications/unread_count?grouped_types[]=follow&exclude_types[]=follow";
    assert_eq!(count(ungrouped).await, 1);
}

#[sqlx::test]
async fn bad_parameters_get_client_errors_and_literal_paths_win_over_ids(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let get = |path: String| app.get(&path).bearer_auth(&alice.access_token).send();
    expect_error(
        get("/api/v2/notifications?expand_accounts=all".into()).await,
        400,
    )
    .await;
    expect_error(get("/api/v2/notifications/favourite-1-2".into()).await, 404).await;
    expect_error(
        get("/api/v2/notifications/ungrouped-x/accounts".into()).await,
        404,
    )
    .await;
    expect_error(get("/api/v1/notifications/requests/abc".into()).await, 404).await;
    expect_error(get("/api/v1/notifications/requests/123".into()).await, 404).await;
    let odd = get("/api/v2/notifications?limit=many&max_id=x&types[]=nonsense".into()).await;
    assert_eq!(groups(&expect_json(odd, 200).await).len(), 0);
    let policy = expect_json(get("/api/v1/notifications/policy".into()).await, 200).await;
    assert_eq!(policy["filter_private_mentions"], true);
    let too_many: Vec<(&str, String)> = (1..=101).map(|i| ("id[]", i.to_string())).collect();
    let bulk = app
        .post("/api/v1/notifications/requests/accept")
        .bearer_auth(&alice.access_token)
        .form(&too_many)
        .send()
        .await;
    expect_error(bulk, 422).await;
    let wrong = app
        .patch("/api/v2/notifications/policy")
        .bearer_auth(&alice.access_token)
        .form(&[("for_not_following", "maybe")])
        .send()
        .await;
    expect_error(wrong, 422).await;
    let anonymous = app.get("/api/v2/notifications").send().await;
    expect_error(anonymous, 401).await;
}
