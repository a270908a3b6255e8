//! Search (<https://docs.joinmastodon.org/methods/search/>): full-text search of
//! statuses with its privacy rules (each tested on its own), the query syntax and
//! Mastodon's operators, paging and bounds, hashtags by prefix, accounts ranked, and
//! `resolve=true` with a URL across two Roost instances.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

/// The raw answer of `GET /api/v2/search` for `query` (plus `extra` parameters) as `user`.
async fn search_as(
    app: &TestApp,
    user: Option<&TestUser>,
    query: &str,
    extra: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    let mut request = app
        .get("/api/v2/search")
        .query(&[("q", query)])
        .query(extra);
    if let Some(user) = user {
        request = request.bearer_auth(&user.access_token);
    }
    request.send().await
}

/// The ids of the statuses `user` finds for `query` (`type=statuses`).
async fn found(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    found_with(app, user, query, &[]).await
}

async fn found_with(
    app: &TestApp,
    user: &TestUser,
    query: &str,
    extra: &[(&str, &str)],
) -> Vec<String> {
    let mut params = vec![("type", "statuses")];
    params.extend_from_slice(extra);
    let body = expect_json(search_as(app, Some(user), query, &params).await, 200).await;
    ids(&body["statuses"])
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Posts `text` as `user` with `extra` form fields; the status id.
async fn post(app: &TestApp, user: &TestUser, text: &str, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("status", text)];
    form.extend_from_slice(extra);
    app.post_status(user, &form).await
}

/// `user` opts in (or out) of full-text search of their public posts.
async fn set_indexable(app: &TestApp, user: &TestUser, on: bool) {
    let response = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&user.access_token)
        .form(&[("indexable", if on { "true" } else { "false" })])
        .send()
        .await;
    let account = expect_json(response, 200).await;
    assert_eq!(account["indexable"], on);
}

/// `user` acts on status `id` (`favourite`, `reblog`, `bookmark`, …).
async fn act(app: &TestApp, user: &TestUser, id: &str, action: &str) {
    let response = app
        .post(&format!("/api/v1/statuses/{id}/{action}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await;
}

/// `user` acts on account `id` (`follow`, `block`, `mute`, …).
async fn act_on_account(app: &TestApp, user: &TestUser, id: &str, action: &str) {
    let response = app
        .post(&format!("/api/v1/accounts/{id}/{action}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await;
}

#[sqlx::test]
async fn public_posts_of_indexable_authors_are_found_by_anyone_signed_in(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let bob = app.sign_up("bob").await;
    set_indexable(&app, &alice, true).await;
    let indexed = post(&app, &alice, "A kestrel hovers over the field", &[]).await;
    let unlisted = post(
        &app,
        &alice,
        "Another kestrel, unlisted",
        &[("visibility", "unlisted")],
    )
    .await;
    let not_indexed = post(&app, &carol, "My kestrel is shy", &[]).await;

    assert_eq!(found(&app, &bob, "kestrel").await, vec![indexed.clone()]);
    // The authors find their own posts, indexable or not, public or not.
    assert_eq!(
        found(&app, &carol, "kestrel").await,
        vec![not_indexed.clone(), indexed.clone()]
    );
    assert_eq!(
        found(&app, &alice, "kestrel").await,
        vec![unlisted, indexed.clone()]
    );
    // Opting out takes the public posts out of others' results at once.
    set_indexable(&app, &alice, false).await;
    assert!(found(&app, &bob, "kestrel").await.is_empty());
    // Signed out, no status is ever found (Mastodon needs a user for status search).
    set_indexable(&app, &alice, true).await;
    let body = expect_json(search_as(&app, None, "kestrel", &[]).await, 200).await;
    assert_eq!(body["statuses"], serde_json::json!([]));
}

#[sqlx::test]
async fn a_non_indexable_post_is_found_only_by_those_who_interacted_with_it(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let carol = app.sign_up("carol").await;
    let fav = app.sign_up("fav").await;
    let booster = app.sign_up("booster").await;
    let marker = app.sign_up("marker").await;
    let replier = app.sign_up("replier").await;
    let stranger = app.sign_up("stranger").await;
    let mentioned = app.sign_up("mentioned").await;
    let status = post(&app, &carol, "Heron at dawn, ask @mentioned", &[]).await;
    act(&app, &fav, &status, "favourite").await;
    act(&app, &booster, &status, "reblog").await;
    act(&app, &marker, &status, "bookmark").await;
    post(
        &app,
        &replier,
        "@carol lovely",
        &[("in_reply_to_id", &status)],
    )
    .await;

    for user in [&fav, &booster, &marker, &replier, &mentioned] {
        assert_eq!(
            found(&app, user, "heron").await,
            vec![status.clone()],
            "{}",
            user.username
        );
        assert_eq!(
            found(&app, user, "heron in:library").await,
            vec![status.clone()]
        );
        assert!(found(&app, user, "heron in:public").await.is_empty());
    }
    assert!(found(&app, &stranger, "heron").await.is_empty());
    // Undoing the favourite takes it out again.
    act(&app, &fav, &status, "unfavourite").await;
    assert!(found(&app, &fav, "heron").await.is_empty());
}

#[sqlx::test]
async fn a_followers_only_post_is_never_found_by_a_non_follower(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let dave = app.sign_up("dave").await;
    let follower = app.sign_up("follower").await;
    let stranger = app.sign_up("stranger").await;
    set_indexable(&app, &dave, true).await;
    act_on_account(&app, &follower, &dave.account_id, "follow").await;
    let private = post(
        &app,
        &dave,
        "Secret osprey nest",
        &[("visibility", "private")],
    )
    .await;
    // Not public, so not indexed for others: a follower finds it after interacting only.
    assert!(found(&app, &follower, "osprey").await.is_empty());
    act(&app, &follower, &private, "favourite").await;
    assert_eq!(
        found(&app, &follower, "osprey").await,
        vec![private.clone()]
    );
    assert!(found(&app, &stranger, "osprey").await.is_empty());
    // Once the follow ends, the follower may no longer see it: not found, favourite or not.
    act_on_account(&app, &follower, &dave.account_id, "unfollow").await;
    assert!(found(&app, &follower, "osprey").await.is_empty());
}

#[sqlx::test]
async fn blocks_either_way_and_mutes_hide_statuses_from_search(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    set_indexable(&app, &alice, true).await;
    let status = post(&app, &alice, "Puffin colony census", &[]).await;
    assert_eq!(found(&app, &bob, "puffin").await, vec![status.clone()]);
    act_on_account(&app, &alice, &bob.account_id, "block").await;
    assert!(found(&app, &bob, "puffin").await.is_empty());
    act_on_account(&app, &alice, &bob.account_id, "unblock").await;
    act_on_account(&app, &bob, &alice.account_id, "block").await;
    assert!(found(&app, &bob, "puffin").await.is_empty());
    act_on_account(&app, &carol, &alice.account_id, "mute").await;
    assert!(found(&app, &carol, "puffin").await.is_empty());
}

#[sqlx::test]
async fn deleted_statuses_are_never_found_and_edits_reindex(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    set_indexable(&app, &alice, true).await;
    let status = post(&app, &alice, "Spotted a wren", &[]).await;
    let response = app
        .put(&format!("/api/v1/statuses/{status}"))
        .bearer_auth(&alice.access_token)
        .form(&[("status", "Spotted a robin")])
        .send()
        .await;
    expect_json(response, 200).await;
    assert!(found(&app, &bob, "wren").await.is_empty());
    assert_eq!(found(&app, &bob, "robin").await, vec![status.clone()]);
    let response = app
        .delete(&format!("/api/v1/statuses/{status}"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(response, 200).await;
    assert!(found(&app, &bob, "robin").await.is_empty());
    assert!(found(&app, &alice, "robin").await.is_empty());
}

#[sqlx::test]
async fn phrases_prefixes_exclusions_accents_and_stemming(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    set_indexable(&app, &alice, true).await;
    let crepes = post(
        &app,
        &alice,
        "Les élèves mangeaient des crêpes",
        &[("language", "fr")],
    )
    .await;
    let running = post(
        &app,
        &alice,
        "The dogs were running in the big park",
        &[("language", "en")],
    )
    .await;
    let park = post(&app, &alice, "A park that is big", &[]).await;

    assert_eq!(
        found(&app, &bob, "CREPES eleves").await,
        vec![crepes.clone()]
    );
    assert_eq!(found(&app, &bob, "mange*").await, vec![crepes.clone()]);
    assert_eq!(
        found(&app, &bob, "\"big park\"").await,
        vec![running.clone()]
    );
    assert_eq!(
        found(&app, &bob, "park big").await,
        vec![park.clone(), running.clone()]
    );
    assert_eq!(found(&app, &bob, "park -dogs").await, vec![park.clone()]);
    // Stemmed in the status's language: its stems are indexed beside its words, and
    // `language:` reads the query in that language too.
    assert_eq!(found(&app, &bob, "run").await, vec![running.clone()]);
    assert!(found(&app, &bob, "mange").await.is_empty());
    assert_eq!(
        found(&app, &bob, "mange language:fr").await,
        vec![crepes.clone()]
    );
    assert_eq!(found(&app, &bob, "park -language:en").await, vec![park]);
}

#[sqlx::test]
async fn each_operator_narrows_the_results(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    set_indexable(&app, &alice, true).await;
    let upload =
        crate::helpers::media::upload_ok(&app, &alice, crate::helpers::media::png(4, 4), &[]).await;
    let media_id = upload["id"].as_str().expect("media id");
    let plain = post(&app, &alice, "gannet plain", &[]).await;
    let media = post(&app, &alice, "gannet picture", &[("media_ids[]", media_id)]).await;
    let poll = post(
        &app,
        &alice,
        "gannet poll",
        &[
            ("poll[options][]", "yes"),
            ("poll[options][]", "no"),
            ("poll[expires_in]", "3600"),
        ],
    )
    .await;
    let link = post(
        &app,
        &alice,
        "gannet link https://birds.example/gannet",
        &[],
    )
    .await;
    let reply = post(&app, &alice, "gannet reply", &[("in_reply_to_id", &plain)]).await;
    let sensitive = post(
        &app,
        &alice,
        "gannet warning",
        &[("sensitive", "true"), ("spoiler_text", "cw")],
    )
    .await;
    let own = post(&app, &bob, "gannet of bob", &[("language", "de")]).await;
    sqlx::query("UPDATE statuses SET created_at = '2025-06-15 12:00:00+00' WHERE id = $1")
        .bind(plain.parse::<i64>().expect("id"))
        .execute(&app.db)
        .await
        .expect("dated");

    assert_eq!(
        found(&app, &bob, "gannet has:media").await,
        vec![media.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet has:image").await,
        vec![media.clone()]
    );
    assert!(found(&app, &bob, "gannet has:video").await.is_empty());
    assert_eq!(
        found(&app, &bob, "gannet has:poll").await,
        vec![poll.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet has:link").await,
        vec![link.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet is:reply").await,
        vec![reply.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet is:sensitive").await,
        vec![sensitive.clone()]
    );
    assert!(found(&app, &bob, "gannet has:nonsense").await.is_empty());
    assert_eq!(found(&app, &bob, "gannet from:me").await, vec![own.clone()]);
    assert_eq!(found(&app, &bob, "from:bob").await, vec![own.clone()]);
    assert_eq!(
        found(&app, &bob, "gannet language:de").await,
        vec![own.clone()]
    );
    let by_alice = found(&app, &bob, "gannet from:@alice").await;
    assert_eq!(
        by_alice,
        vec![
            sensitive.clone(),
            reply.clone(),
            link.clone(),
            poll.clone(),
            media.clone(),
            plain.clone()
        ]
    );
    let domain = format!("gannet from:alice@{}", app.domain);
    assert_eq!(found(&app, &bob, &domain).await, by_alice);
    assert_eq!(
        found(
            &app,
            &bob,
            "gannet -from:alice -has:poll -has:media -is:reply -is:sensitive -has:link"
        )
        .await,
        vec![own.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet before:2025-06-16").await,
        vec![plain.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet during:2025-06-15").await,
        vec![plain.clone()]
    );
    assert!(found(&app, &bob, "gannet during:2025-06-14")
        .await
        .is_empty());
    assert!(!found(&app, &bob, "gannet after:2025-06-15")
        .await
        .contains(&plain));
    assert_eq!(
        found(&app, &bob, "gannet after:2025-06-14 before:2025-06-16").await,
        vec![plain.clone()]
    );
    assert_eq!(
        found(&app, &bob, "gannet in:library").await,
        vec![own.clone()]
    );
    assert!(!found(&app, &bob, "gannet in:public").await.contains(&own));
    // `account_id` restricts to one author too.
    let only_bob = found_with(&app, &bob, "gannet", &[("account_id", &bob.account_id)]).await;
    assert_eq!(only_bob, vec![own]);
    assert!(
        found_with(&app, &bob, "gannet", &[("account_id", "nonsense")])
            .await
            .is_empty()
    );
}

#[sqlx::test]
async fn results_are_paged_newest_first_and_bounded(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    set_indexable(&app, &alice, true).await;
    let mut posted = Vec::new();
    for n in 0..5 {
        posted.push(post(&app, &alice, &format!("plover number {n}"), &[]).await);
    }
    posted.reverse();
    assert_eq!(
        found_with(&app, &alice, "plover", &[("limit", "2")]).await,
        posted[..2]
    );
    let older = found_with(
        &app,
        &alice,
        "plover",
        &[("limit", "2"), ("max_id", &posted[1])],
    )
    .await;
    assert_eq!(older, posted[2..4]);
    let newer = found_with(
        &app,
        &alice,
        "plover",
        &[("limit", "2"), ("min_id", &posted[4])],
    )
    .await;
    assert_eq!(newer, posted[2..4]);
    let skipped = found_with(&app, &alice, "plover", &[("limit", "2"), ("offset", "3")]).await;
    assert_eq!(skipped, posted[3..5]);
    assert_eq!(
        found_with(&app, &alice, "plover", &[("limit", "1000")]).await,
        posted
    );
}

#[sqlx::test]
async fn bad_queries_get_mastodon_errors_or_nothing_never_a_server_error(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    set_indexable(&app, &alice, true).await;
    post(&app, &alice, "curlew", &[]).await;
    let refused = |query: &'static str| {
        let app = &app;
        let bob = &bob;
        async move {
            expect_error(
                search_as(app, Some(bob), query, &[("type", "statuses")]).await,
                422,
            )
            .await
        }
    };
    let error = refused("curlew before:yesterday").await;
    assert!(
        error["error"]
            .as_str()
            .expect("error")
            .contains("Invalid date"),
        "{error}"
    );
    refused("curlew in:everywhere").await;
    let many = "is:reply ".repeat(11);
    let error = expect_error(search_as(&app, Some(&bob), &many, &[]).await, 422).await;
    assert!(error["error"]
        .as_str()
        .expect("error")
        .contains("operators"));
    expect_error(
        search_as(&app, Some(&bob), "curlew from:nobody", &[]).await,
        404,
    )
    .await;
    // Signed out, resolving and paging by offset need a user (as Mastodon).
    expect_error(
        search_as(&app, None, "curlew", &[("resolve", "true")]).await,
        401,
    )
    .await;
    expect_error(
        search_as(&app, None, "curlew", &[("offset", "1")]).await,
        401,
    )
    .await;
    for query in [
        "'\":*&|!()<->\\\\ curlew",
        "!curlew",
        "curlew:*",
        "-",
        "\"",
        "\"unclosed curlew",
        "from: has: in:",
        "curlew language:'); DROP TABLE statuses; --",
        "ｃｕｒｌｅｗ \u{7}",
    ] {
        let body = expect_json(search_as(&app, Some(&bob), query, &[]).await, 200).await;
        assert!(body["statuses"].is_array(), "{query}: {body}");
    }
    let long = format!("curlew {}", "x".repeat(500));
    let body = expect_json(search_as(&app, Some(&bob), &long, &[]).await, 200).await;
    assert_eq!(body["statuses"], serde_json::json!([]));
    let body = expect_json(
        search_as(&app, Some(&bob), "curlew", &[("type", "bogus")]).await,
        200,
    )
    .await;
    assert_eq!(
        body,
        serde_json::json!({ "accounts": [], "statuses": [], "hashtags": [] })
    );
}

#[sqlx::test]
async fn hashtags_are_found_by_prefix_exact_name_first_then_by_use(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    post(&app, &alice, "#birdwatching today", &[]).await;
    post(&app, &alice, "#birdwatching again", &[]).await;
    post(&app, &alice, "#birds", &[]).await;
    post(&app, &alice, "#bird and #Éclair", &[]).await;
    let response = app
        .post("/api/v1/tags/bird/follow")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(response, 200).await;

    let names = |body: &Value| -> Vec<String> {
        let tags = body["hashtags"].as_array().expect("hashtags");
        tags.iter()
            .map(|t| t["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let body = expect_json(
        search_as(&app, Some(&alice), "#BIRD", &[("type", "hashtags")]).await,
        200,
    )
    .await;
    assert_eq!(names(&body), ["bird", "birdwatching", "birds"]);
    assert_eq!(body["hashtags"][0]["following"], true);
    assert_eq!(body["hashtags"][1]["following"], false);
    assert_eq!(
        body["hashtags"][1]["history"]
            .as_array()
            .expect("history")
            .len(),
        7
    );
    assert_eq!(body["hashtags"][1]["history"][0]["uses"], "2");
    let body = expect_json(
        search_as(&app, Some(&alice), "birdw", &[("type", "hashtags")]).await,
        200,
    )
    .await;
    assert_eq!(names(&body), ["birdwatching"]);
    let body = expect_json(
        search_as(&app, None, "eclai", &[("type", "hashtags")]).await,
        200,
    )
    .await;
    assert_eq!(names(&body).len(), 1, "{body}");
    assert!(body["hashtags"][0].get("following").is_none());
    let body = expect_json(
        search_as(
            &app,
            Some(&alice),
            "bird",
            &[("type", "hashtags"), ("limit", "1")],
        )
        .await,
        200,
    )
    .await;
    assert_eq!(names(&body), ["bird"]);
    let body = expect_json(
        search_as(&app, Some(&alice), "no such thing", &[("type", "hashtags")]).await,
        200,
    )
    .await;
    assert!(names(&body).is_empty());
    sqlx::query("UPDATE tags SET reviewed_at = now() WHERE name = 'birds'")
        .execute(&db)
        .await
        .expect("reviewed");
    let body = expect_json(
        search_as(
            &app,
            Some(&alice),
            "bird",
            &[("type", "hashtags"), ("exclude_unreviewed", "true")],
        )
        .await,
        200,
    )
    .await;
    assert_eq!(names(&body), ["birds"], "only the reviewed hashtag");
}

#[sqlx::test]
async fn accounts_are_ranked_followed_then_exact_then_username_then_display_name(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let viewer = app.sign_up("viewer").await;
    let sam = app.sign_up("sam").await;
    let samantha = app.sign_up("samantha").await;
    let samuel = app.sign_up("samuel").await;
    let other = app.sign_up("other").await;
    let response = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&other.access_token)
        .form(&[("display_name", "Sámi Fan")])
        .send()
        .await;
    expect_json(response, 200).await;
    act_on_account(&app, &viewer, &samuel.account_id, "follow").await;

    let accounts = |body: Value| ids(&body["accounts"]);
    let body = expect_json(
        search_as(&app, Some(&viewer), "sam", &[("type", "accounts")]).await,
        200,
    )
    .await;
    let expected = [&samuel, &sam, &samantha, &other].map(|u| u.account_id.clone());
    assert_eq!(accounts(body), expected);
    let body = expect_json(
        search_as(
            &app,
            Some(&viewer),
            "sam",
            &[("type", "accounts"), ("following", "true")],
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accounts(body), vec![samuel.account_id.clone()]);
    let body = expect_json(
        search_as(
            &app,
            Some(&viewer),
            "@sam",
            &[("type", "accounts"), ("limit", "2")],
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accounts(body), expected[..2]);
    let handle = format!("sam@{}", app.domain);
    let body = expect_json(
        search_as(&app, Some(&viewer), &handle, &[("type", "accounts")]).await,
        200,
    )
    .await;
    assert_eq!(accounts(body), vec![sam.account_id.clone()]);
}

#[sqlx::test]
async fn resolve_with_a_url_fetches_a_status_or_an_account_from_another_instance(db: PgPool) {
    use crate::helpers::peers::{instance, second_database};
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let response = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&[("status", "Shearwater migration notes")])
        .send()
        .await;
    let status = expect_json(response, 200).await;
    let page = status["url"].as_str().expect("url").to_owned();
    let uri = status["uri"].as_str().expect("uri").to_owned();

    // Without resolve, B knows nothing of it.
    let body = expect_json(search_as(&b, Some(&bob), &page, &[]).await, 200).await;
    assert_eq!(body["statuses"], serde_json::json!([]));
    // By its page's URL, then by its ActivityPub id: fetched once, the same status.
    let body = expect_json(
        search_as(&b, Some(&bob), &page, &[("resolve", "true")]).await,
        200,
    )
    .await;
    let statuses = body["statuses"].as_array().expect("statuses");
    assert_eq!(statuses.len(), 1, "{body}");
    assert_eq!(statuses[0]["uri"], uri.as_str());
    assert!(statuses[0]["content"]
        .as_str()
        .expect("content")
        .contains("Shearwater"));
    assert_eq!(
        statuses[0]["account"]["acct"],
        format!("alice@{}", a.domain)
    );
    let local_id = statuses[0]["id"].clone();
    let body = expect_json(
        search_as(&b, Some(&bob), &uri, &[("resolve", "true")]).await,
        200,
    )
    .await;
    assert_eq!(body["statuses"][0]["id"], local_id);
    // An actor's URL gives the account.
    let actor = format!("{}/users/alice", a.base);
    let body = expect_json(
        search_as(&b, Some(&bob), &actor, &[("resolve", "true")]).await,
        200,
    )
    .await;
    assert_eq!(
        body["accounts"][0]["acct"],
        format!("alice@{}", a.domain),
        "{body}"
    );
    // A URL that names nothing finds nothing, without an error.
    let missing = format!("{}/users/alice/statuses/1", a.base);
    let body = expect_json(
        search_as(&b, Some(&bob), &missing, &[("resolve", "true")]).await,
        200,
    )
    .await;
    assert_eq!(
        body,
        serde_json::json!({ "accounts": [], "statuses": [], "hashtags": [] })
    );
}
