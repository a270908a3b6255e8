//! Groups (FEP-1b12) against a fake Lemmy on loopback: a community on one server
//! (`enterprise`) shares the posts, comments and votes of a member on another (`ds9`).
//! A local user finds the community (`group: true`), follows it, and sees its posts in
//! her home feed as the community's boosts, with their titles; what the community
//! shares is believed only as far as the member's own server confirms it; a local
//! reply to a community post goes to the community as well as to its author.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::fake_lemmy::FakeLemmy;
use crate::helpers::peers::{follow, resolve};
use crate::helpers::{expect_json, scalar, TestApp, TestUser};
use roost::delivery::worker as delivery_worker;
use roost::federation::inbox;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Roost with `alice`, who follows the community `main` of `enterprise`; `picard` is a
/// member on `ds9`.
struct Community {
    app: TestApp,
    alice: TestUser,
    enterprise: FakeLemmy,
    ds9: FakeLemmy,
    group: String,
    picard: String,
}

impl Community {
    async fn followed(db: PgPool) -> Community {
        let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
        let alice = app.sign_up("alice").await;
        let (enterprise, ds9) = (FakeLemmy::start().await, FakeLemmy::start().await);
        let group = enterprise.serve_group("main");
        let picard = ds9.serve_person("picard");
        let found = follow_accepted(&app, &alice, &enterprise, &group).await;
        assert_eq!(found["group"], true, "a community is a group: {found}");
        assert_eq!(found["bot"], false);
        Community {
            app,
            alice,
            enterprise,
            ds9,
            group,
            picard,
        }
    }

    async fn process(&self) {
        inbox::worker::run_once(&self.app.state)
            .await
            .expect("processes");
    }

    /// Picard's post `n` in the community, titled `title`, as Lemmy 0.19 serves a `Page`.
    fn page(&self, n: u32, title: &str, body: &str) -> Value {
        json!({
            "id": self.ds9.url(&format!("/post/{n}")), "type": "Page",
            "attributedTo": self.picard, "to": [self.group, PUBLIC], "cc": [],
            "audience": self.group, "name": title, "content": body,
            "mediaType": "text/html", "sensitive": false,
            "published": "2026-12-01T10:00:00Z",
        })
    }

    /// Picard's `Create` of `object`, with an id on `ds9` unless `id` says otherwise.
    fn create(&self, object: &Value, id: Option<String>) -> Value {
        let id = id.unwrap_or_else(|| self.ds9.url(&format!("/activities/create/{}", uuid())));
        json!({
            "id": id, "type": "Create", "actor": self.picard, "to": [PUBLIC],
            "cc": [self.group], "audience": self.group, "object": object,
        })
    }

    /// The community shares `object` (an activity or a post) with its followers.
    async fn announce(&self, object: &Value) {
        let announce = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.enterprise.url(&format!("/activities/announce/{}", uuid())),
            "type": "Announce", "actor": self.group, "to": [PUBLIC],
            "cc": [format!("{}/followers", self.group)], "object": object,
        });
        let status = self
            .enterprise
            .deliver(&self.app, &self.group, &announce)
            .await;
        assert_eq!(status, 202);
        self.process().await;
    }

    async fn home(&self) -> Vec<Value> {
        let home = self
            .app
            .get("/api/v1/timelines/home")
            .bearer_auth(&self.alice.access_token)
            .send()
            .await;
        let home = expect_json(home, 200).await;
        home.as_array().expect("a list").clone()
    }
}

/// `alice` finds `actor` of `server` by its handle and follows it, and `server`
/// accepts; returns the account as search showed it.
async fn follow_accepted(
    app: &TestApp,
    alice: &TestUser,
    server: &FakeLemmy,
    actor: &str,
) -> Value {
    let name = actor.rsplit('/').next().expect("a name");
    let found = resolve(app, alice, &server.handle(name)).await;
    follow(app, alice, found["id"].as_str().expect("id")).await;
    delivery_worker::run_once(&app.state)
        .await
        .expect("delivers");
    let follow = (server.received_at("/inbox").into_iter())
        .rfind(|activity| activity["type"] == "Follow" && activity["object"] == actor)
        .expect("the Follow reached the server");
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": server.url(&format!("/activities/accept/{}", uuid())), "type": "Accept",
        "actor": actor, "to": [follow["actor"]], "object": follow,
    });
    assert_eq!(server.deliver(app, actor, &accept).await, 202);
    inbox::worker::run_once(&app.state)
        .await
        .expect("processes");
    found
}

fn uuid() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}

#[sqlx::test]
async fn a_community_post_reaches_a_followers_home_once_as_the_communitys_boost(db: PgPool) {
    let community = Community::followed(db).await;
    let page = community.page(1, "First contact", "<p>We come in peace.</p>");
    community.ds9.serve("/post/1", page.clone());

    community.announce(&community.create(&page, None)).await;
    // Lemmy sends the bare Page too, for Mastodon: the same post, not a second boost.
    let mut compat = page.clone();
    compat["actor"] = json!(community.picard);
    community.announce(&compat).await;

    let home = community.home().await;
    assert_eq!(home.len(), 1, "one entry for the post: {home:?}");
    let boost = &home[0];
    assert_eq!(boost["account"]["group"], true);
    assert_eq!(
        boost["account"]["acct"],
        community.enterprise.handle("main")
    );
    let post = &boost["reblog"];
    assert_eq!(post["account"]["acct"], community.ds9.handle("picard"));
    assert_eq!(post["uri"], community.ds9.url("/post/1"));
    let content = post["content"].as_str().expect("content");
    assert!(
        content.starts_with("<p><strong>First contact</strong></p><p>We come in peace.</p>"),
        "the title above the body: {content}"
    );
}

#[sqlx::test]
async fn a_community_comment_is_kept_in_its_thread_but_not_boosted(db: PgPool) {
    let community = Community::followed(db).await;
    let page = community.page(1, "First contact", "<p>We come in peace.</p>");
    community.ds9.serve("/post/1", page.clone());
    community.announce(&community.create(&page, None)).await;
    let comment = json!({
        "id": community.ds9.url("/comment/1"), "type": "Note",
        "attributedTo": community.picard, "to": [PUBLIC], "cc": [community.group],
        "audience": community.group, "content": "<p>Engage.</p>",
        "inReplyTo": community.ds9.url("/post/1"),
    });
    community.ds9.serve("/comment/1", comment.clone());

    community.announce(&community.create(&comment, None)).await;

    assert_eq!(community.home().await.len(), 1, "only the post is boosted");
    let post_id = community.home().await[0]["reblog"]["id"].clone();
    let context = community
        .app
        .get(&format!(
            "/api/v1/statuses/{}/context",
            post_id.as_str().expect("id")
        ))
        .bearer_auth(&community.alice.access_token)
        .send()
        .await;
    let context = expect_json(context, 200).await;
    assert_eq!(context["descendants"][0]["content"], "<p>Engage.</p>");
}

#[sqlx::test]
async fn what_a_community_shares_counts_only_as_its_members_server_confirms_it(db: PgPool) {
    let community = Community::followed(db).await;
    let ds9 = &community.ds9;
    // Under an id of the community's server, a Create by a member of another server.
    let foreign_id = Some(community.enterprise.url("/activities/create/forged"));
    let page = community.page(2, "Forged", "<p>forged id</p>");
    ds9.serve("/post/2", page.clone());
    community
        .announce(&community.create(&page, foreign_id))
        .await;
    // The member's server serves the post with other content: its copy wins.
    let genuine = community.page(3, "Genuine", "<p>as written</p>");
    ds9.serve("/post/3", genuine.clone());
    let altered = community.page(3, "Genuine", "<p>forged text</p>");
    community.announce(&community.create(&altered, None)).await;
    // Not served at all, or served as someone else's.
    let missing = community.page(4, "Missing", "<p>forged, missing</p>");
    community.announce(&community.create(&missing, None)).await;
    let mut others = community.page(5, "Other's", "<p>forged, other's</p>");
    others["attributedTo"] = json!(ds9.url("/u/q"));
    ds9.serve("/post/5", others.clone());
    others["attributedTo"] = json!(community.picard);
    community.announce(&community.create(&others, None)).await;

    let home = community.home().await;
    assert_eq!(home.len(), 1, "only the confirmed post: {home:?}");
    let content = home[0]["reblog"]["content"].as_str().expect("content");
    assert!(content.contains("as written"), "{content}");
    let forged = scalar(
        &community.app.db,
        "SELECT count(*) FROM statuses WHERE content LIKE '%forged%'",
    )
    .await;
    assert_eq!(forged, 0, "nothing unconfirmed was stored");
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT last_error FROM inbox_activities \
         WHERE activity_type = 'Announce' AND last_error IS NOT NULL ORDER BY id",
    )
    .fetch_all(&community.app.db)
    .await
    .expect("reasons");
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].contains("not on its actor's server"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("could not be confirmed"), "{reasons:?}");
    assert!(reasons[2].contains("does not confirm"), "{reasons:?}");
}

#[sqlx::test]
async fn a_members_like_shared_by_the_community_counts_once_confirmed(db: PgPool) {
    let community = Community::followed(db).await;
    let app = &community.app;
    let status_id = app
        .post_status(&community.alice, &[("status", "hailing frequencies")])
        .await;
    let status_uri = app.url(&format!("/users/alice/statuses/{status_id}"));
    let like = |n: u32| {
        json!({"id": community.ds9.url(&format!("/activities/like/{n}")), "type": "Like",
               "actor": community.picard, "object": status_uri, "to": [PUBLIC],
               "cc": [community.group], "audience": community.group})
    };
    community.ds9.serve("/activities/like/1", like(1));

    community.announce(&like(1)).await;
    community.announce(&like(2)).await; // never served by ds9: not believed

    let status = app
        .get(&format!("/api/v1/statuses/{status_id}"))
        .bearer_auth(&community.alice.access_token)
        .send()
        .await;
    assert_eq!(expect_json(status, 200).await["favourites_count"], 1);
}

#[sqlx::test]
async fn a_local_reply_to_a_community_post_goes_to_the_community_too(db: PgPool) {
    let community = Community::followed(db).await;
    let page = community.page(1, "First contact", "<p>We come in peace.</p>");
    community.ds9.serve("/post/1", page.clone());
    community.announce(&community.create(&page, None)).await;
    let post_id = community.home().await[0]["reblog"]["id"].clone();

    let reply = community
        .app
        .post("/api/v1/statuses")
        .bearer_auth(&community.alice.access_token)
        .form(&[
            ("status", "Welcome aboard"),
            ("in_reply_to_id", post_id.as_str().expect("id")),
        ])
        .send()
        .await;
    let reply_uri = expect_json(reply, 200).await["uri"].clone();
    delivery_worker::run_once(&community.app.state)
        .await
        .expect("delivers");

    let creates = |server: &FakeLemmy| -> Vec<Value> {
        (server.received_at("/inbox").into_iter())
            .filter(|activity| {
                activity["type"] == "Create" && activity["object"]["id"] == reply_uri
            })
            .collect()
    };
    let to_community = creates(&community.enterprise);
    assert_eq!(
        to_community.len(),
        1,
        "the community's server got the reply"
    );
    let note = &to_community[0]["object"];
    assert_eq!(note["inReplyTo"], community.ds9.url("/post/1"));
    assert_eq!(note["audience"], community.group.as_str());
    let cc = note["cc"].as_array().expect("cc");
    assert!(
        cc.contains(&json!(community.group)),
        "the community in cc: {note}"
    );
    assert_eq!(creates(&community.ds9).len(), 1, "and the author's server");
    let served = community
        .app
        .client
        .get(reply_uri.as_str().expect("uri"))
        .header("accept", "application/activity+json")
        .send()
        .await;
    let served = expect_json(served, 200).await;
    assert_eq!(
        served["audience"],
        community.group.as_str(),
        "served as sent"
    );
}

#[sqlx::test]
async fn a_persons_boost_of_an_unknown_post_is_fetched_for_the_boosters_followers(db: PgPool) {
    let community = Community::followed(db).await;
    let (app, alice, ds9) = (&community.app, &community.alice, &community.ds9);
    let riker = community.enterprise.serve_person("riker");
    follow_accepted(app, alice, &community.enterprise, &riker).await;
    let note = json!({
        "id": ds9.url("/notes/7"), "type": "Note", "attributedTo": community.picard,
        "to": [PUBLIC], "content": "<p>Make it so.</p>",
    });
    ds9.serve("/notes/7", note);
    let boost = |n: u32, actor: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
               "id": community.enterprise.url(&format!("/activities/announce/boost-{n}")),
               "type": "Announce", "actor": actor, "to": [PUBLIC],
               "object": ds9.url("/notes/7")})
    };
    // Nobody here follows this one: nothing is fetched for its boost.
    let worf = community.enterprise.serve_person("worf");
    let ignored = community
        .enterprise
        .deliver(app, &worf, &boost(1, worf.as_str()))
        .await;
    assert_eq!(ignored, 202);
    community.process().await;
    assert_eq!(community.home().await.len(), 0);

    let accepted = community
        .enterprise
        .deliver(app, &riker, &boost(2, riker.as_str()))
        .await;
    assert_eq!(accepted, 202);
    community.process().await;

    let home = community.home().await;
    assert_eq!(home.len(), 1, "{home:?}");
    assert_eq!(home[0]["account"]["group"], false);
    assert_eq!(
        home[0]["account"]["acct"],
        community.enterprise.handle("riker")
    );
    assert_eq!(home[0]["reblog"]["content"], "<p>Make it so.</p>");
}
