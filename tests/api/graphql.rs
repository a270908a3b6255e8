//! The GraphQL API at `/api/graphql`: the stories of docs/graphql.md told through a
//! real server — the viewer, the mutations with the REST API's rules and scopes,
//! feeds and comments paged with cursors, privacy, search, notifications,
//! subscriptions over a WebSocket, the limits that keep one request from taking the
//! server down, persisted queries, the development-only GraphiQL page, and the
//! committed schema.

use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, TestApp, TestUser, PASSWORD};

/// Runs a GraphQL request (200 expected) and returns the response body.
async fn graphql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    graphql_body(
        app,
        token,
        json!({ "query": query, "variables": variables }),
    )
    .await
}

async fn graphql_body(app: &TestApp, token: Option<&str>, body: Value) -> Value {
    let mut request = app.post("/api/graphql").json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    expect_json(request.send().await, 200).await
}

/// The data of a response that must have no errors.
fn data(response: &Value) -> &Value {
    assert!(response.get("errors").is_none(), "errors: {response}");
    &response["data"]
}

/// The first error of a response that must have one.
fn first_error(response: &Value) -> &Value {
    let error = &response["errors"][0];
    assert!(error["message"].is_string(), "no error in {response}");
    error
}

async fn follow(app: &TestApp, follower: &TestUser, target: &TestUser) {
    let query = "mutation($id: ID!) { follow(accountId: $id) { following } }";
    let response = graphql(
        app,
        Some(&follower.access_token),
        query,
        json!({ "id": target.account_id }),
    )
    .await;
    assert_eq!(data(&response)["follow"]["following"], true);
}

/// `user` likes the post `post` through the `like` mutation.
async fn like(app: &TestApp, user: &TestUser, post: &str) {
    graphql(
        app,
        Some(&user.access_token),
        "mutation($id: ID!) { like(postId: $id) { id } }",
        json!({ "id": post }),
    )
    .await;
}

async fn create_post(app: &TestApp, author: &TestUser, text: &str, visibility: &str) -> String {
    let query = "mutation($input: PostInput!) { createPost(input: $input) { id visibility } }";
    let input = json!({ "input": { "text": text, "visibility": visibility } });
    let response = graphql(app, Some(&author.access_token), query, input).await;
    let post = &data(&response)["createPost"];
    assert_eq!(post["visibility"], visibility);
    post["id"].as_str().expect("id").to_owned()
}

#[sqlx::test]
async fn the_viewer_is_the_tokens_account_and_anonymous_callers_have_none(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let query = "{ viewer { id username acct followersCount } }";
    let response = graphql(&app, Some(&alice.access_token), query, json!({})).await;
    let viewer = &data(&response)["viewer"];
    assert_eq!(viewer["id"], alice.account_id.as_str());
    assert_eq!(viewer["username"], "alice");

    let anonymous = graphql(&app, None, query, json!({})).await;
    let error = first_error(&anonymous);
    assert_eq!(error["extensions"]["code"], "UNAUTHORIZED");
    assert_eq!(error["extensions"]["status"], 401);
    assert_eq!(anonymous["data"], Value::Null);
}

#[sqlx::test]
async fn posting_commenting_liking_following_blocking_reporting_and_profile_changes(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;

    let post = create_post(&app, &alice, "Hello #graphql", "PUBLIC").await;
    follow(&app, &bob, &alice).await;
    let comment = graphql(
        &app,
        Some(&bob.access_token),
        "mutation($id: ID!) { createComment(postId: $id, input: { text: \"@alice welcome\" }) { id inReplyToId } }",
        json!({ "id": post }),
    )
    .await;
    assert_eq!(
        data(&comment)["createComment"]["inReplyToId"],
        post.as_str()
    );
    let liked = graphql(
        &app,
        Some(&bob.access_token),
        "mutation($id: ID!) { like(postId: $id) { favourited favouritesCount repliesCount } }",
        json!({ "id": post }),
    )
    .await;
    let liked = &data(&liked)["like"];
    assert_eq!(liked["favourited"], true);
    assert_eq!(liked["favouritesCount"], 1);
    assert_eq!(liked["repliesCount"], 1);

    // Alice sees all three as notifications, newest first, through the REST rules.
    let notifications = graphql(
        &app,
        Some(&alice.access_token),
        "{ notifications(first: 10) { edges { node { type account { username } post { id } } } } }",
        json!({}),
    )
    .await;
    let kinds: Vec<&str> = data(&notifications)["notifications"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["favourite", "mention", "follow"]);

    let blocked = graphql(
        &app,
        Some(&carol.access_token),
        "mutation($id: ID!) { block(accountId: $id) { blocking following } }",
        json!({ "id": bob.account_id }),
    )
    .await;
    assert_eq!(data(&blocked)["block"]["blocking"], true);
    let report = graphql(
        &app,
        Some(&carol.access_token),
        "mutation($input: ReportInput!) { report(input: $input) { category comment targetAccount { username } } }",
        json!({ "input": { "accountId": bob.account_id, "comment": "spam", "category": "spam" } }),
    )
    .await;
    let report = &data(&report)["report"];
    assert_eq!(report["targetAccount"]["username"], "bob");
    assert_eq!(report["category"], "spam");

    let changed = graphql(
        &app,
        Some(&bob.access_token),
        "mutation { updateProfile(input: { displayName: \"Bob B.\", fields: [{ name: \"site\", value: \"bob.example\" }] }) { displayName fields { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(data(&changed)["updateProfile"]["displayName"], "Bob B.");
    let rest: Value = expect_json(
        app.get(&format!("/api/v1/accounts/{}", bob.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        rest["display_name"], "Bob B.",
        "the REST API shows the change"
    );

    // The services' rules hold: carol blocked bob, so bob cannot follow her.
    let refused = graphql(
        &app,
        Some(&bob.access_token),
        "mutation($id: ID!) { follow(accountId: $id) { following } }",
        json!({ "id": carol.account_id }),
    )
    .await;
    assert_eq!(first_error(&refused)["extensions"]["status"], 403);
}

#[sqlx::test]
async fn feeds_and_comments_are_paged_with_cursors(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    follow(&app, &bob, &alice).await;
    let mut posted = Vec::new();
    for n in 0..5 {
        posted.push(create_post(&app, &alice, &format!("post {n}"), "PUBLIC").await);
    }
    posted.reverse(); // newest first, as feeds list them

    let page = "query($after: String, $before: String) { homeFeed(first: 2, after: $after, before: $before) { \
                edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let response = graphql(
            &app,
            Some(&bob.access_token),
            page,
            json!({ "after": after }),
        )
        .await;
        let feed = &data(&response)["homeFeed"];
        for edge in feed["edges"].as_array().expect("edges") {
            assert_eq!(edge["cursor"], edge["node"]["id"]);
            seen.push(edge["node"]["id"].as_str().expect("id").to_owned());
        }
        pages += 1;
        if feed["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = feed["pageInfo"]["endCursor"].clone();
        assert!(pages < 5, "paging never ends");
    }
    assert_eq!(
        seen, posted,
        "three pages of 2, 2 and 1 posts, newest first"
    );
    assert_eq!(pages, 3);

    // `before` pages back towards newer posts.
    let response = graphql(
        &app,
        Some(&bob.access_token),
        page,
        json!({ "before": posted[4] }),
    )
    .await;
    let feed = &data(&response)["homeFeed"];
    let newer: Vec<&str> = feed["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(newer, [posted[2].as_str(), posted[3].as_str()]);
    assert_eq!(feed["pageInfo"]["hasPreviousPage"], true);

    // Anonymous callers read the public feed and an account's posts.
    let public = graphql(
        &app,
        None,
        "{ publicFeed(first: 3, local: true) { edges { node { id account { username posts(first: 1) { edges { node { id } } } } } } } }",
        json!({}),
    )
    .await;
    let edges = data(&public)["publicFeed"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 3);
    assert_eq!(
        edges[0]["node"]["account"]["posts"]["edges"][0]["node"]["id"],
        posted[0].as_str()
    );

    // Comments of a post, newest first, in pages.
    for n in 0..3 {
        graphql(
            &app,
            Some(&bob.access_token),
            "mutation($id: ID!, $text: String!) { createComment(postId: $id, input: { text: $text }) { id } }",
            json!({ "id": posted[0], "text": format!("comment {n}") }),
        )
        .await;
    }
    let comments = "query($id: ID!, $after: String) { post(id: $id) { repliesCount comments(first: 2, after: $after) { \
                    edges { node { content } } pageInfo { hasNextPage endCursor } } } }";
    let first = graphql(&app, None, comments, json!({ "id": posted[0] })).await;
    let post = &data(&first)["post"];
    assert_eq!(post["repliesCount"], 3);
    assert_eq!(
        post["comments"]["edges"][0]["node"]["content"],
        "<p>comment 2</p>"
    );
    assert_eq!(post["comments"]["pageInfo"]["hasNextPage"], true);
    let cursor = post["comments"]["pageInfo"]["endCursor"].clone();
    let rest = graphql(
        &app,
        None,
        comments,
        json!({ "id": posted[0], "after": cursor }),
    )
    .await;
    let rest = &data(&rest)["post"]["comments"];
    assert_eq!(rest["edges"].as_array().expect("edges").len(), 1);
    assert_eq!(rest["edges"][0]["node"]["content"], "<p>comment 0</p>");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
}

#[sqlx::test]
async fn a_followers_only_post_is_invisible_to_strangers_and_anonymous_callers(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let mallory = app.sign_up("mallory").await;
    follow(&app, &bob, &alice).await;
    let private = create_post(&app, &alice, "for my followers", "PRIVATE").await;

    let query = "query($id: ID!) { post(id: $id) { id content } }";
    let variables = json!({ "id": private });
    let follower = graphql(&app, Some(&bob.access_token), query, variables.clone()).await;
    assert_eq!(data(&follower)["post"]["id"], private.as_str());
    let stranger = graphql(&app, Some(&mallory.access_token), query, variables.clone()).await;
    assert_eq!(data(&stranger)["post"], Value::Null);
    let anonymous = graphql(&app, None, query, variables).await;
    assert_eq!(data(&anonymous)["post"], Value::Null);

    // Nor does it show in the author's posts or a comment on it go through.
    let posts = graphql(
        &app,
        Some(&mallory.access_token),
        "query($id: ID!) { account(id: $id) { posts { edges { node { id } } } } }",
        json!({ "id": alice.account_id }),
    )
    .await;
    assert_eq!(data(&posts)["account"]["posts"]["edges"], json!([]));
    let comment = graphql(
        &app,
        Some(&mallory.access_token),
        "mutation($id: ID!) { createComment(postId: $id, input: { text: \"hi\" }) { id } }",
        json!({ "id": private }),
    )
    .await;
    assert_eq!(first_error(&comment)["extensions"]["code"], "NOT_FOUND");
    // The home feed needs a signed-in user.
    let feed = graphql(&app, None, "{ homeFeed { edges { cursor } } }", json!({})).await;
    assert_eq!(first_error(&feed)["extensions"]["code"], "UNAUTHORIZED");
}

#[sqlx::test]
async fn scopes_are_the_rest_apis_and_revoked_tokens_are_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let reader = app
        .password_token(&alice.app, "alice", PASSWORD, "read")
        .await;
    let viewer = graphql(&app, Some(&reader), "{ viewer { username } }", json!({})).await;
    assert_eq!(data(&viewer)["viewer"]["username"], "alice");
    let post = graphql(
        &app,
        Some(&reader),
        "mutation { createPost(input: { text: \"no\" }) { id } }",
        json!({}),
    )
    .await;
    let error = first_error(&post);
    assert_eq!(error["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        error["message"],
        "This action is outside the authorized scopes"
    );

    let revoke = app
        .post("/oauth/revoke")
        .form(&[
            ("client_id", alice.app.client_id.as_str()),
            ("client_secret", &alice.app.client_secret),
            ("token", &reader),
        ])
        .send()
        .await;
    expect_json(revoke, 200).await;
    let refused = app
        .post("/api/graphql")
        .bearer_auth(&reader)
        .json(&json!({ "query": "{ viewer { username } }" }))
        .send()
        .await;
    expect_error(refused, 401).await;
}

#[sqlx::test]
async fn search_finds_accounts_posts_and_hashtags(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let post = create_post(&app, &alice, "Otters are #wonderful swimmers", "PUBLIC").await;
    let query = "query($q: String!) { search(query: $q) { accounts { username } posts { id } hashtags { name } } }";
    // Alice is not indexable: her post is found by those who interacted with it.
    let before = graphql(
        &app,
        Some(&bob.access_token),
        query,
        json!({ "q": "otters" }),
    )
    .await;
    assert_eq!(data(&before)["search"]["posts"], json!([]));
    like(&app, &bob, &post).await;
    let found = graphql(
        &app,
        Some(&bob.access_token),
        query,
        json!({ "q": "otters" }),
    )
    .await;
    assert_eq!(data(&found)["search"]["posts"][0]["id"], post.as_str());
    let anonymous = graphql(&app, None, query, json!({ "q": "otters" })).await;
    assert_eq!(data(&anonymous)["search"]["posts"], json!([]));
    let accounts = graphql(
        &app,
        Some(&bob.access_token),
        query,
        json!({ "q": "alice" }),
    )
    .await;
    assert_eq!(
        data(&accounts)["search"]["accounts"][0]["username"],
        "alice"
    );
    let tags = graphql(&app, None, query, json!({ "q": "#wonderful" })).await;
    assert_eq!(data(&tags)["search"]["hashtags"][0]["name"], "wonderful");
    let too_long = graphql(&app, None, query, json!({ "q": "x".repeat(501) })).await;
    first_error(&too_long);
}

#[sqlx::test]
async fn subscriptions_over_a_websocket_bring_notifications_and_home_posts(db: PgPool) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    follow(&app, &bob, &alice).await;
    let mut request = format!("ws://{}/api/graphql/ws", app.domain)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrades");
    let send = |message: Value| Message::Text(message.to_string().into());
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", alice.access_token) } });
    socket.send(send(init)).await.expect("sends");
    let ack = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("an answer to connection_init");
    let Some(Ok(Message::Text(ack))) = ack else {
        panic!("no ack: {ack:?}")
    };
    assert_eq!(
        serde_json::from_str::<Value>(&ack).expect("json")["type"],
        "connection_ack"
    );
    for (id, query) in [
        (
            "n",
            "subscription { notifications { type account { username } } }",
        ),
        (
            "h",
            "subscription { homeFeed { content account { username } } }",
        ),
    ] {
        let subscribe = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
        socket.send(send(subscribe)).await.expect("sends");
    }

    // Changes made before the hub listens are not announced: post (and like) again
    // until a home post and a notification both came.
    let mut notification = None;
    let mut home = None;
    for round in 0..20 {
        if notification.is_none() || home.is_none() {
            let post = create_post(&app, &alice, &format!("like me {round}"), "PUBLIC").await;
            if notification.is_none() {
                like(&app, &bob, &post).await;
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
            let Message::Text(text) = message else {
                continue;
            };
            let message: Value = serde_json::from_str(&text).expect("json");
            assert_ne!(message["type"], "error", "{message}");
            if message["type"] != "next" {
                continue;
            }
            match message["id"].as_str() {
                Some("n") => notification = Some(message["payload"]["data"].clone()),
                Some("h") => home = Some(message["payload"]["data"].clone()),
                _ => {}
            }
        }
        if notification.is_some() && home.is_some() {
            break;
        }
    }
    let notification = notification.expect("a notification arrived");
    assert_eq!(notification["notifications"]["type"], "favourite");
    assert_eq!(notification["notifications"]["account"]["username"], "bob");
    let home = home.expect("a home post arrived");
    assert_eq!(home["homeFeed"]["account"]["username"], "alice");
}

#[sqlx::test]
async fn a_subscription_needs_a_valid_token(db: PgPool) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let app = TestApp::spawn(db).await;
    let mut request = format!("ws://{}/api/graphql/ws", app.domain)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrades");
    let init = json!({ "type": "connection_init", "payload": { "token": "not-a-token" } });
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .expect("sends");
    let answer = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("the server answers");
    match answer {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert!(
                frame.reason.contains("access token is invalid"),
                "{frame:?}"
            )
        }
        other => panic!("expected the socket closed, got {other:?}"),
    }

    // Without a token, a subscription is refused with a GraphQL error.
    let (mut socket, _) = tokio_tungstenite::connect_async({
        let mut request = format!("ws://{}/api/graphql/ws", app.domain)
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        request
    })
    .await
    .expect("upgrades");
    for message in [
        json!({ "type": "connection_init" }),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { notifications { type } }" } }),
    ] {
        socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("sends");
    }
    let mut refused = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(5), socket.next()).await
    {
        if let Message::Text(text) = message {
            let message: Value = serde_json::from_str(&text).expect("json");
            if message["type"] == "error" || message["type"] == "next" {
                refused = Some(message);
                break;
            }
        }
    }
    let refused = refused.expect("an answer to the subscription");
    let text = refused.to_string();
    assert!(text.contains("UNAUTHORIZED"), "{text}");
}

#[sqlx::test]
async fn deep_and_expensive_queries_are_refused_with_graphql_errors(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let token = Some(alice.access_token.as_str());

    let fifty = format!("{}{}", "{ a ".repeat(50), "}".repeat(50));
    let response = graphql(&app, token, &fifty, json!({})).await;
    assert_eq!(
        first_error(&response)["message"],
        "The query is nested deeper than 20 levels"
    );
    assert_eq!(response["data"], Value::Null);

    // Within the text's bound but deeper than the schema allows.
    let mut deep = String::from("id");
    for _ in 0..4 {
        deep = format!("account {{ posts(first: 1) {{ edges {{ node {{ {deep} }} }} }} }}");
    }
    let deep = format!("{{ publicFeed(first: 1) {{ edges {{ node {{ {deep} }} }} }} }}");
    let response = graphql(&app, token, &deep, json!({})).await;
    assert!(
        first_error(&response)["message"]
            .as_str()
            .is_some_and(|m| m.contains("nested too deep")),
        "{response}"
    );

    let expensive = "{ homeFeed(first: 40) { edges { node { comments(first: 40) { edges { node { \
                     account { posts(first: 40) { edges { node { id } } } } } } } } } } }";
    let response = graphql(&app, token, expensive, json!({})).await;
    assert!(
        first_error(&response)["message"]
            .as_str()
            .is_some_and(|m| m.contains("too complex")),
        "{response}"
    );

    // Many changes in one request cost as much as an expensive read.
    let many: String = (0..25)
        .map(|n| format!("l{n}: like(postId: \"1\") {{ id }} "))
        .collect();
    let response = graphql(&app, token, &format!("mutation {{ {many} }}"), json!({})).await;
    assert!(
        first_error(&response)["message"]
            .as_str()
            .is_some_and(|m| m.contains("too complex")),
        "{response}"
    );

    // Bad input: never a 5xx.
    let syntax = graphql(&app, token, "{ viewer { ", json!({})).await;
    first_error(&syntax);
    let cursor = graphql(
        &app,
        token,
        "{ homeFeed(after: \"nope\") { edges { cursor } } }",
        json!({}),
    )
    .await;
    assert_eq!(first_error(&cursor)["extensions"]["code"], "UNPROCESSABLE");
    let page = graphql(
        &app,
        token,
        "{ homeFeed(first: 1000) { edges { cursor } } }",
        json!({}),
    )
    .await;
    assert_eq!(first_error(&page)["extensions"]["status"], 422);
    let not_json = app
        .post("/api/graphql")
        .header("content-type", "application/json")
        .body("{ this is not json")
        .send()
        .await;
    expect_error(not_json, 400).await;
    let huge = json!({ "query": format!("{{ viewer {{ id }} }} #{}", "x".repeat(70_000)) });
    let too_large = app.post("/api/graphql").json(&huge).send().await;
    expect_error(too_large, 413).await;
    let long = json!({ "query": format!("{{ viewer {{ id }} }} #{}", "x".repeat(20_000)) });
    let response = graphql_body(&app, token, long).await;
    assert!(
        first_error(&response)["message"]
            .as_str()
            .is_some_and(|m| m.contains("longer than")),
        "{response}"
    );
}

#[sqlx::test]
async fn persisted_queries_are_asked_for_then_remembered(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let query = "{ publicFeed(first: 1) { pageInfo { hasNextPage } } }";
    let hash = format!("{:x}", Sha256::digest(query.as_bytes()));
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });

    let miss = graphql_body(&app, None, json!({ "extensions": persisted })).await;
    assert_eq!(first_error(&miss)["message"], "PersistedQueryNotFound");
    let register = graphql_body(
        &app,
        None,
        json!({ "query": query, "extensions": persisted }),
    )
    .await;
    assert_eq!(
        data(&register)["publicFeed"]["pageInfo"]["hasNextPage"],
        false
    );
    let hit = graphql_body(&app, None, json!({ "extensions": persisted })).await;
    assert_eq!(data(&hit), data(&register));

    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "00" } });
    let mismatch = graphql_body(&app, None, json!({ "query": query, "extensions": wrong })).await;
    first_error(&mismatch);
}

#[sqlx::test]
async fn graphiql_is_off_by_default_and_served_in_development_mode(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    expect_error(app.get("/api/graphql").send().await, 404).await;

    let development = TestApp::spawn_with(db, &["--graphiql", "true"]).await;
    let page = development
        .get("/api/graphql")
        .send()
        .await
        .expect("request sent");
    assert_eq!(page.status(), 200);
    let policy = page
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(policy.contains("https://unpkg.com"), "{policy}");
    let html = page.text().await.expect("body");
    assert!(html.contains("graphiql.min.js"), "{html}");
}

/// `docs/graphql.graphql` is the schema served; `ROOST_UPDATE_GRAPHQL_SCHEMA=1` rewrites
/// it (`cargo test --test api graphql::the_committed`).
#[test]
fn the_committed_schema_is_the_one_served() {
    let generated = roost::api::graphql::schema::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/graphql.graphql");
    if std::env::var_os("ROOST_UPDATE_GRAPHQL_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("writes the schema");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/graphql.graphql differs from the schema; regenerate it with \
         ROOST_UPDATE_GRAPHQL_SCHEMA=1 cargo test --test api graphql::the_committed"
    );
}

#[sqlx::test]
async fn websocket_connections_are_capped_like_streaming_ones(db: PgPool) {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let app = TestApp::spawn_with(db, &["--streaming-max-anonymous-per-ip", "1"]).await;
    let request = || {
        let mut request = format!("ws://{}/api/graphql/ws", app.domain)
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        request
    };
    let (_first, _) = tokio_tungstenite::connect_async(request())
        .await
        .expect("the first connection upgrades");
    match tokio_tungstenite::connect_async(request()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429)
        }
        other => panic!("expected 429, got {:?}", other.map(|(_, r)| r.status())),
    }
    // Without the subprotocol: a Mastodon-shaped 400, not an empty answer.
    let plain = format!("ws://{}/api/graphql/ws", app.domain);
    match tokio_tungstenite::connect_async(plain).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400)
        }
        other => panic!("expected 400, got {:?}", other.map(|(_, r)| r.status())),
    }
}

/// The introspection query of GraphiQL and code generators (graphql-js's
/// `getIntrospectionQuery`, with its seven levels of `ofType`).
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { \
    queryType { name } mutationType { name } subscriptionType { name } \
    types { ...FullType } directives { name description locations args { ...InputValue } } } } \
    fragment FullType on __Type { kind name description \
    fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } \
    isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } \
    enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } \
    possibleTypes { ...TypeRef } } \
    fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue } \
    fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name \
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[sqlx::test]
async fn the_usual_introspection_query_fits_in_the_limits(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let response = graphql(&app, None, INTROSPECTION, json!({})).await;
    let types = data(&response)["__schema"]["types"]
        .as_array()
        .expect("types");
    assert!(
        types.iter().any(|t| t["name"] == "PostConnection"),
        "{types:?}"
    );
}

#[sqlx::test]
async fn fragments_that_double_at_every_level_are_refused_at_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let mut query = String::from("{ ...F0 }");
    // Ten spreads of the next fragment at each of 15 levels: 10^15 fields.
    for level in 0..15 {
        let next = level + 1;
        let spreads = format!("...F{next} ").repeat(10);
        query.push_str(&format!(" fragment F{level} on Query {{ {spreads}}}"));
    }
    query.push_str(" fragment F15 on Query { __typename }");
    let started = std::time::Instant::now();
    let response = graphql(&app, None, &query, json!({})).await;
    assert!(
        first_error(&response)["message"]
            .as_str()
            .is_some_and(|m| m.contains("fragments written out")),
        "{response}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused at once"
    );
}
