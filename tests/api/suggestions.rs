//! Follow suggestions (<https://docs.joinmastodon.org/methods/suggestions/>) and the
//! trends routes (<https://docs.joinmastodon.org/methods/trends/>): friends of friends
//! ranked by how many of the user's follows follow them, popular local accounts for
//! users who follow few, every account that must never be suggested, dismissals, the
//! v1 form, accounts co-followed with the latest follows, staff picks, and trends
//! answering empty lists (nothing approved) with their paging accepted.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::shell;
use crate::helpers::{TestApp, TestUser};

/// The usernames of `user`'s v2 suggestions, with `query`.
async fn suggested(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    app.as_(user)
        .get(&format!("/api/v2/suggestions{query}"))
        .await
        .expect("suggestions")
}

fn usernames(suggestions: &[Value]) -> Vec<&str> {
    suggestions
        .iter()
        .map(|s| s["account"]["username"].as_str().expect("username"))
        .collect()
}

async fn sql(db: &PgPool, statement: &str) {
    sqlx::query(statement).execute(db).await.expect("updated");
}

#[sqlx::test]
async fn friends_of_friends_are_suggested_by_how_many_follows_follow_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let dave = app.sign_up("dave").await;
    let carol = app.sign_up("carol").await;
    let mia = app.sign_up("mia").await;
    for (follower, followed) in [
        (&alice, &bob),
        (&alice, &dave),
        (&bob, &carol),
        (&bob, &mia),
        (&dave, &mia),
        (&bob, &alice),
    ] {
        app.as_(follower).follow(followed).await.expect("follows");
    }
    let suggestions = suggested(&app, &alice, "").await;
    assert_eq!(usernames(&suggestions), ["mia", "carol"]);
    assert_eq!(suggestions[0]["source"], "past_interactions");
    assert_eq!(
        suggestions[0]["sources"],
        serde_json::json!(["friends_of_friends", "most_followed"])
    );
    assert_eq!(suggestions[0]["account"]["id"], mia.account_id.as_str());
    assert_eq!(
        usernames(&suggested(&app, &alice, "?limit=1").await),
        ["mia"]
    );
    let v1: Vec<Value> = app
        .as_(&alice)
        .get("/api/v1/suggestions")
        .await
        .expect("v1");
    let v1: Vec<&str> = v1
        .iter()
        .map(|a| a["username"].as_str().expect("name"))
        .collect();
    assert_eq!(v1, ["mia", "carol"]);
}

#[sqlx::test]
async fn a_newcomer_is_offered_the_most_followed_local_accounts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let dave = app.sign_up("dave").await;
    app.as_(&bob).follow(&carol).await.expect("follows");
    app.as_(&dave).follow(&carol).await.expect("follows");
    app.as_(&carol).follow(&bob).await.expect("follows");
    let newcomer = app.sign_up("newcomer").await;
    let suggestions = suggested(&app, &newcomer, "").await;
    assert_eq!(usernames(&suggestions), ["carol", "bob"]);
    assert_eq!(suggestions[0]["source"], "global");
    assert_eq!(
        suggestions[0]["sources"],
        serde_json::json!(["most_followed"])
    );
    let refused = app
        .anonymous()
        .get::<Value>("/api/v2/suggestions")
        .await
        .expect_err("needs a user");
    assert_eq!(refused.status, 401);
}

#[sqlx::test]
async fn nobody_excluded_is_ever_suggested(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let names = [
        "carol", "erin", "frank", "gina", "hank", "ivan", "jack", "kate", "liam",
    ];
    let mut others = Vec::new();
    for name in names {
        others.push(app.sign_up(name).await);
    }
    app.as_(&alice).follow(&bob).await.expect("follows");
    for other in others.iter().chain([&alice]) {
        app.as_(&bob).follow(other).await.expect("bob follows");
    }
    let by_name = |name: &str| &others[names.iter().position(|n| *n == name).expect("named")];
    sql(
        &db,
        "UPDATE accounts SET locked = true WHERE username = 'erin'",
    )
    .await;
    app.as_(&alice)
        .follow(by_name("erin"))
        .await
        .expect("requests");
    app.as_(&alice)
        .block(by_name("frank"))
        .await
        .expect("blocks");
    app.as_(&alice).mute(by_name("gina")).await.expect("mutes");
    app.as_(by_name("hank"))
        .block(&alice)
        .await
        .expect("blocks alice");
    sql(
        &db,
        "UPDATE accounts SET suspended_at = now() WHERE username = 'ivan'",
    )
    .await;
    sql(
        &db,
        "UPDATE accounts SET silenced_at = now() WHERE username = 'jack'",
    )
    .await;
    sql(
        &db,
        "UPDATE accounts SET discoverable = false WHERE username = 'kate'",
    )
    .await;
    let dismissed: Value = app
        .as_(&alice)
        .delete(&format!(
            "/api/v1/suggestions/{}",
            by_name("liam").account_id
        ))
        .await
        .expect("dismissed");
    assert_eq!(dismissed, serde_json::json!({}));
    assert_eq!(
        usernames(&suggested(&app, &alice, "?limit=80").await),
        ["carol"]
    );
    let unknown = app
        .as_(&alice)
        .delete::<Value>("/api/v1/suggestions/12345")
        .await
        .expect_err("no such account");
    assert_eq!(unknown.status, 404);
}

#[sqlx::test]
async fn trends_answer_empty_lists_until_trends_are_computed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.as_(&alice)
        .post_status("#rust is trending")
        .await
        .expect("posts");
    for path in [
        "/api/v1/trends",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
    ] {
        for query in [
            "",
            "?limit=5&offset=10",
            "?limit=1000&offset=-3",
            "?limit=x",
        ] {
            let listed: Vec<Value> = app
                .anonymous()
                .get(&format!("{path}{query}"))
                .await
                .expect("a list");
            assert!(listed.is_empty(), "{path}{query}");
        }
        let signed_in: Vec<Value> = app.as_(&alice).get(path).await.expect("a list");
        assert!(signed_in.is_empty());
    }
}

#[sqlx::test]
async fn those_who_follow_whom_the_user_just_followed_suggest_what_they_follow(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let star = app.sign_up("star").await;
    let fans = [app.sign_up("fan1").await, app.sign_up("fan2").await];
    let (both, one) = (app.sign_up("both").await, app.sign_up("one").await);
    for fan in &fans {
        app.as_(fan).follow(&star).await.expect("follows");
        app.as_(fan).follow(&both).await.expect("follows");
    }
    app.as_(&fans[0]).follow(&one).await.expect("follows");
    let before = suggested(&app, &alice, "").await;
    assert!(
        before
            .iter()
            .all(|s| s["sources"] == serde_json::json!(["most_followed"])),
        "nothing but popularity to go by before alice follows anyone: {before:?}"
    );
    app.as_(&alice).follow(&star).await.expect("follows");
    let suggestions = suggested(&app, &alice, "").await;
    let names = usernames(&suggestions);
    let at = |name: &str| names.iter().position(|n| *n == name).expect(name);
    assert!(
        at("both") < at("one"),
        "followed by more fans first: {names:?}"
    );
    let both_entry = &suggestions[at("both")];
    assert_eq!(
        both_entry["sources"][0], "similar_to_recently_followed",
        "{both_entry}"
    );
    assert_eq!(both_entry["source"], "past_interactions");
    assert!(!names.contains(&"star"), "already followed");
}

#[sqlx::test]
async fn staff_picks_come_first_for_everyone_until_dismissed(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let (carol, pick) = (app.sign_up("carol").await, app.sign_up("pick").await);
    app.as_(&alice).follow(&bob).await.expect("follows");
    app.as_(&bob).follow(&carol).await.expect("follows");
    let output = shell::admin(&db, &["suggestion-feature", "pick"]).await;
    shell::assert_success(&output);
    let listed = shell::assert_success(&shell::admin(&db, &["suggestion-featured"]).await);
    assert_eq!(listed.trim(), format!("{}\tpick", pick.account_id));

    let suggestions = suggested(&app, &alice, "").await;
    assert_eq!(usernames(&suggestions)[..2], ["pick", "carol"]);
    assert_eq!(suggestions[0]["source"], "staff");
    assert_eq!(suggestions[0]["sources"][0], "featured");
    let v1: Vec<Value> = app
        .as_(&carol)
        .get("/api/v1/suggestions")
        .await
        .expect("v1");
    assert_eq!(v1[0]["username"], "pick", "for everyone");

    app.as_(&carol).block(&pick).await.expect("blocks");
    let blocked: Vec<Value> = app
        .as_(&carol)
        .get("/api/v1/suggestions")
        .await
        .expect("v1");
    assert!(
        blocked.iter().all(|a| a["username"] != "pick"),
        "never a blocked pick"
    );
    let _: Value = app
        .as_(&alice)
        .delete(&format!("/api/v1/suggestions/{}", pick.account_id))
        .await
        .expect("dismisses");
    assert_eq!(usernames(&suggested(&app, &alice, "").await), ["carol"]);

    shell::assert_success(&shell::admin(&db, &["suggestion-unfeature", "pick"]).await);
    let again = shell::admin(&db, &["suggestion-unfeature", "pick"]).await;
    assert!(!again.status.success(), "not featured any more");
    let unknown = shell::admin(&db, &["suggestion-feature", "nobody"]).await;
    assert!(!unknown.status.success(), "no such user");
}

#[sqlx::test]
async fn kept_suggestions_obey_exclusions_at_once_and_are_computed_again_after_a_follow(
    db: PgPool,
) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let (carol, erin) = (app.sign_up("carol").await, app.sign_up("erin").await);
    let frank = app.sign_up("frank").await;
    app.as_(&alice).follow(&bob).await.expect("follows");
    for followed in [&carol, &erin, &frank] {
        app.as_(&bob).follow(followed).await.expect("bob follows");
    }
    assert_eq!(
        usernames(&suggested(&app, &alice, "").await),
        ["carol", "erin", "frank"]
    );

    app.as_(&alice).block(&erin).await.expect("blocks");
    sql(
        &db,
        "UPDATE accounts SET suspended_at = now() WHERE username = 'frank'",
    )
    .await;
    let dana = app.sign_up("dana").await;
    app.as_(&bob).follow(&dana).await.expect("bob follows");
    assert_eq!(
        usernames(&suggested(&app, &alice, "").await),
        ["carol"],
        "the block and the suspension count at once; dana waits for the next computation"
    );

    shell::assert_success(&shell::admin(&db, &["suggestion-feature", "dana"]).await);
    assert_eq!(
        usernames(&suggested(&app, &alice, "").await),
        ["dana", "carol"],
        "a new staff pick is offered at once"
    );
    shell::assert_success(&shell::admin(&db, &["suggestion-unfeature", "dana"]).await);
    app.as_(&alice).follow(&carol).await.expect("follows");
    let after_follow = suggested(&app, &alice, "").await;
    assert_eq!(usernames(&after_follow), ["dana"]);
    assert_eq!(after_follow[0]["sources"][0], "friends_of_friends");
}
