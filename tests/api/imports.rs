//! Data portability through the settings pages, as a signed-in browser uses them:
//! Mastodon's CSV exports byte for byte, CSV imports applied by the import worker
//! (500 follows of accounts on another Roost, merge and overwrite, blocks, mutes,
//! domain blocks, lists and bookmarks), refused files, and the account archive.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{resolve, second_database, settle};
use crate::helpers::requests::call;
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{media, scalar, TestApp, TestUser, PASSWORD};
use roost::services::{archives, imports};

/// An instance with its workers off and imports resolving quickly (tests drive the
/// queues).
async fn instance(db: PgPool) -> TestApp {
    TestApp::spawn_with(
        db,
        &["--workers", "false", "--import-resolve-interval-ms", "1"],
    )
    .await
}

/// A browser signed in as `username`.
async fn browser<'a>(app: &'a TestApp, username: &str) -> WebClient<'a> {
    let mut browser = WebClient::new(app);
    browser.sign_in(username, PASSWORD).await;
    assert!(browser.has_session(), "{username} signed in");
    browser
}

/// Uploads `csv` on the import page as `kind` in `mode`.
async fn upload(browser: &mut WebClient<'_>, kind: &str, mode: &str, csv: Vec<u8>) -> Page {
    browser.get("/settings/imports").await;
    let file = Part::bytes(csv)
        .file_name("export.csv")
        .mime_str("text/csv")
        .expect("mime");
    let form = Form::new()
        .text("type", kind.to_owned())
        .text("mode", mode.to_owned())
        .part("data", file);
    browser.submit_multipart("/settings/imports", form).await
}

/// Uploads and expects the import to be accepted.
async fn import(browser: &mut WebClient<'_>, kind: &str, mode: &str, csv: &str) {
    let answer = upload(browser, kind, mode, csv.as_bytes().to_vec()).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), Some("/settings/imports?done=1"));
}

/// Runs the import worker and every instance's queues until no import is left
/// unfinished on `app` and no delivery is pending anywhere. Rows and deliveries
/// waiting for a retry are made due at once: the test plays the passing of time.
async fn finish_imports(app: &TestApp, peers: &[&TestApp]) {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        imports::worker::run_once(&app.state)
            .await
            .expect("imports");
        settle(peers).await;
        let mut open = scalar(
            &app.db,
            "SELECT count(*) FROM bulk_imports WHERE finished_at IS NULL",
        )
        .await;
        for peer in peers {
            open += scalar(
                &peer.db,
                "SELECT count(*) FROM deliveries WHERE state = 'pending'",
            )
            .await;
            sqlx::query("UPDATE deliveries SET next_attempt_at = now() WHERE state = 'pending'")
                .execute(&peer.db)
                .await
                .expect("deliveries due");
        }
        if open == 0 {
            return;
        }
        sqlx::query("UPDATE bulk_import_rows SET next_attempt_at = now() WHERE state = 'pending'")
            .execute(&app.db)
            .await
            .expect("rows due");
        assert!(Instant::now() < deadline, "imports did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The body of an export as a signed-in browser downloads it.
async fn export(browser: &mut WebClient<'_>, file: &str) -> String {
    let page = browser.get(&format!("/settings/exports/{file}")).await;
    assert_eq!(page.status, StatusCode::OK, "{file}: {}", page.body);
    assert!(page.header("content-type").starts_with("text/csv"));
    assert!(page.header("content-disposition").starts_with("attachment"));
    page.body
}

async fn id_of(app: &TestApp, username: &str) -> i64 {
    scalar(
        &app.db,
        &format!("SELECT id FROM accounts WHERE username = '{username}' AND domain IS NULL"),
    )
    .await
}

#[sqlx::test]
async fn exports_are_mastodons_csv_files_byte_for_byte(db: PgPool) {
    let app = instance(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let dave = app.sign_up("dave").await;
    let erin = app.sign_up("erin").await;
    let d = &app.domain;
    let path =
        |user: &TestUser, action: &str| format!("/api/v1/accounts/{}/{action}", user.account_id);
    call(
        &app,
        &alice,
        &path(&bob, "follow"),
        &[("reblogs", "false"), ("notify", "true")],
    )
    .await;
    call(&app, &alice, &path(&carol, "follow"), &[]).await;
    sqlx::query("UPDATE follows SET languages = '{en,fr}' WHERE target_account_id = $1")
        .bind(id_of(&app, "carol").await)
        .execute(&app.db)
        .await
        .expect("languages set");
    call(&app, &bob, &path(&alice, "follow"), &[]).await;
    call(
        &app,
        &alice,
        &path(&dave, "mute"),
        &[("notifications", "false")],
    )
    .await;
    call(&app, &alice, &path(&erin, "block"), &[]).await;
    call(
        &app,
        &alice,
        "/api/v1/domain_blocks",
        &[("domain", "spam.example")],
    )
    .await;
    let list = call(
        &app,
        &alice,
        "/api/v1/lists",
        &[("title", "Close, \"dear\" friends")],
    )
    .await;
    let list_id = list["id"].as_str().expect("list id");
    call(
        &app,
        &alice,
        &format!("/api/v1/lists/{list_id}/accounts"),
        &[("account_ids[]", &bob.account_id)],
    )
    .await;
    let post = app.post_status(&bob, &[("status", "bookmark me")]).await;
    call(
        &app,
        &alice,
        &format!("/api/v1/statuses/{post}/bookmark"),
        &[],
    )
    .await;

    let mut browser = browser(&app, "alice").await;
    assert_eq!(
        export(&mut browser, "follows.csv").await,
        format!(
            "Account address,Show boosts,Notify on new posts,Languages\n\
             carol@{d},true,false,\"en, fr\"\nbob@{d},false,true,\n"
        )
    );
    assert_eq!(
        export(&mut browser, "followers.csv").await,
        format!("bob@{d}\n")
    );
    assert_eq!(
        export(&mut browser, "blocks.csv").await,
        format!("erin@{d}\n")
    );
    assert_eq!(
        export(&mut browser, "mutes.csv").await,
        format!("Account address,Hide notifications\ndave@{d},false\n")
    );
    assert_eq!(
        export(&mut browser, "domain_blocks.csv").await,
        "spam.example\n"
    );
    assert_eq!(
        export(&mut browser, "lists.csv").await,
        format!("\"Close, \"\"dear\"\" friends\",bob@{d}\n")
    );
    assert_eq!(
        export(&mut browser, "bookmarks.csv").await,
        format!("http://{d}/users/bob/statuses/{post}\n")
    );

    let page = browser.get("/settings/export").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/settings/exports/follows.csv"));
    assert!(page.body.contains("<td>2</td>"), "two follows counted");
    let unknown = browser.get("/settings/exports/passwords.csv").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let signed_out = WebClient::new(&app)
        .get("/settings/exports/follows.csv")
        .await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(signed_out
        .location()
        .is_some_and(|l| l.starts_with("/auth/sign_in")));
}

/// Makes `count` local accounts `user1…` on `app` in one statement (sharing one key).
async fn many_accounts(app: &TestApp, count: i64) {
    let key = roost::federation::signatures::generate_rsa_keypair().expect("key");
    sqlx::query(
        "INSERT INTO accounts (username, private_key_pem, public_key_pem) \
         SELECT 'user' || g, $2, $3 FROM generate_series(1, $1) g",
    )
    .bind(count)
    .bind(&key.private_pem)
    .bind(&key.public_pem)
    .execute(&app.db)
    .await
    .expect("accounts");
    sqlx::query(
        "INSERT INTO users (account_id, email, password_hash) \
         SELECT id, username || '@mail.example', 'x' FROM accounts \
         WHERE domain IS NULL AND username LIKE 'user%'",
    )
    .execute(&app.db)
    .await
    .expect("users");
}

#[sqlx::test]
async fn an_import_of_500_follows_of_remote_accounts_ends_with_500_accepted_follows(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    // B knows alice's key before 500 Follows signed by her arrive at once.
    resolve(&b, &bob, &format!("alice@{}", a.domain)).await;
    many_accounts(&b, 500).await;
    let mut csv = String::from("Account address,Show boosts,Notify on new posts,Languages\n");
    for n in 1..=500 {
        csv.push_str(&format!("user{n}@{},true,false,\n", b.domain));
    }

    let mut browser = browser(&a, "alice").await;
    import(&mut browser, "following", "merge", &csv).await;
    let page = browser.get("/settings/imports").await;
    assert!(page.body.contains("0 / 500"), "{}", page.body);
    finish_imports(&a, &[&a, &b]).await;

    let alice = id_of(&a, "alice").await;
    let accepted = scalar(
        &a.db,
        &format!("SELECT count(*) FROM follows WHERE account_id = {alice} AND accepted"),
    )
    .await;
    if accepted != 500 {
        let errors: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT state, error FROM bulk_import_rows WHERE state <> 'imported' LIMIT 5",
        )
        .fetch_all(&a.db)
        .await
        .expect("rows");
        let deliveries: Vec<(String, i32, Option<String>)> = sqlx::query_as(
            "SELECT state::text, attempts, last_error FROM deliveries WHERE state::text <> 'delivered' LIMIT 5",
        )
        .fetch_all(&a.db)
        .await
        .unwrap_or_default();
        let b_inbox: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT activity_type, last_error FROM inbox_activities WHERE last_error IS NOT NULL LIMIT 5",
        )
        .fetch_all(&b.db)
        .await
        .unwrap_or_default();
        panic!("{accepted}: rows {errors:?} deliveries {deliveries:?} inbox {b_inbox:?}");
    }
    let followers_on_b = scalar(
        &b.db,
        "SELECT count(*) FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE a.username = 'alice' AND f.accepted",
    )
    .await;
    assert_eq!(followers_on_b, 500);
    let page = browser.get("/settings/imports").await;
    assert!(page.body.contains("500 / 500"), "{}", page.body);
    assert!(page.body.contains("Finished"));
}

#[sqlx::test]
async fn merge_adds_to_follows_and_overwrite_replaces_them(db: PgPool) {
    let app = instance(db).await;
    let alice = app.sign_up("alice").await;
    for name in ["bob", "carol", "dave"] {
        let user = app.sign_up(name).await;
        if name != "dave" {
            call(
                &app,
                &alice,
                &format!("/api/v1/accounts/{}/follow", user.account_id),
                &[],
            )
            .await;
        }
    }
    let d = app.domain.clone();
    let follows = || async {
        let rows: Vec<(String, bool, bool, Option<Vec<String>>)> = sqlx::query_as(
            "SELECT a.username, f.show_reblogs, f.notify, f.languages FROM follows f \
             JOIN accounts a ON a.id = f.target_account_id \
             JOIN accounts me ON me.id = f.account_id WHERE me.username = 'alice' \
             ORDER BY a.username",
        )
        .fetch_all(&app.db)
        .await
        .expect("follows");
        rows
    };
    let mut browser = browser(&app, "alice").await;

    import(&mut browser, "following", "merge", &format!("@dave@{d}\n")).await;
    finish_imports(&app, &[&app]).await;
    let names: Vec<String> = follows().await.into_iter().map(|row| row.0).collect();
    assert_eq!(names, ["bob", "carol", "dave"]);

    let file = format!(
        "Account address,Show boosts,Notify on new posts,Languages\nbob@{d},false,true,\"en, de\"\n"
    );
    import(&mut browser, "following", "overwrite", &file).await;
    finish_imports(&app, &[&app]).await;
    assert_eq!(
        follows().await,
        vec![(
            "bob".to_owned(),
            false,
            true,
            Some(vec!["en".to_owned(), "de".to_owned()])
        )]
    );
    let page = browser.get("/settings/imports").await;
    assert!(
        page.body.contains("3 / 3"),
        "one row kept, two removed: {}",
        page.body
    );
}

#[sqlx::test]
async fn blocks_mutes_domain_blocks_lists_and_bookmarks_are_imported(db: PgPool) {
    let app = instance(db).await;
    app.sign_up("alice").await;
    for name in ["bob", "carol", "dave", "erin"] {
        app.sign_up(name).await;
    }
    let frank = app.sign_up("frank").await;
    let post = app
        .post_status(&frank, &[("status", "worth keeping")])
        .await;
    let d = app.domain.clone();
    let mut browser = browser(&app, "alice").await;

    import(&mut browser, "blocking", "merge", "@erin\n").await;
    import(
        &mut browser,
        "muting",
        "merge",
        &format!("Account address,Hide notifications\ndave@{d},false\n"),
    )
    .await;
    import(
        &mut browser,
        "domain_blocking",
        "merge",
        "Spam.Example\n\nother.example\n",
    )
    .await;
    import(
        &mut browser,
        "lists",
        "merge",
        &format!("Friends,bob@{d}\nFriends,carol@{d}\nWork,dave@{d}\n"),
    )
    .await;
    import(
        &mut browser,
        "bookmarks",
        "merge",
        &format!("http://{d}/users/frank/statuses/{post}\nhttp://{d}/users/frank/statuses/1\n"),
    )
    .await;
    finish_imports(&app, &[&app]).await;

    let alice = id_of(&app, "alice").await;
    let count = |sql: String| {
        let db = app.db.clone();
        async move { scalar(&db, &sql).await }
    };
    assert_eq!(
        count(format!(
            "SELECT count(*) FROM blocks WHERE account_id = {alice}"
        ))
        .await,
        1
    );
    assert_eq!(
        count(format!(
            "SELECT count(*) FROM mutes WHERE account_id = {alice} AND NOT notifications"
        ))
        .await,
        1
    );
    let domains: Vec<String> =
        sqlx::query_scalar("SELECT domain FROM account_domain_blocks ORDER BY domain")
            .fetch_all(&app.db)
            .await
            .expect("domains");
    assert_eq!(domains, ["other.example", "spam.example"]);
    let lists: Vec<(String, i64)> = sqlx::query_as(
        "SELECT l.title, count(la.account_id) FROM lists l \
         LEFT JOIN list_accounts la ON la.list_id = l.id GROUP BY l.title ORDER BY l.title",
    )
    .fetch_all(&app.db)
    .await
    .expect("lists");
    assert_eq!(lists, [("Friends".to_owned(), 2), ("Work".to_owned(), 1)]);
    assert_eq!(
        count(format!(
            "SELECT count(*) FROM follows WHERE account_id = {alice}"
        ))
        .await,
        3,
        "list members are followed"
    );
    assert_eq!(
        count(format!(
            "SELECT count(*) FROM bookmarks WHERE account_id = {alice}"
        ))
        .await,
        1
    );
    let page = browser.get("/settings/imports").await;
    assert!(
        page.body.contains("1 / 2"),
        "the unknown status failed: {}",
        page.body
    );
    let failures: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM bulk_imports WHERE kind = 'bookmarks'")
            .fetch_all(&app.db)
            .await
            .expect("import");
    let failed = browser
        .get(&format!("/settings/imports/{}/failures.csv", failures[0]))
        .await;
    assert_eq!(failed.body, format!("http://{d}/users/frank/statuses/1\n"));

    import(
        &mut browser,
        "lists",
        "overwrite",
        &format!("Work,carol@{d}\n"),
    )
    .await;
    finish_imports(&app, &[&app]).await;
    let lists: Vec<(String, i64)> = sqlx::query_as(
        "SELECT l.title, count(la.account_id) FROM lists l \
         LEFT JOIN list_accounts la ON la.list_id = l.id GROUP BY l.title ORDER BY l.title",
    )
    .fetch_all(&app.db)
    .await
    .expect("lists");
    assert_eq!(
        lists,
        [("Work".to_owned(), 1)],
        "Friends deleted, Work emptied and refilled"
    );
}

#[sqlx::test]
async fn malformed_wrong_and_huge_files_are_refused_with_a_reason(db: PgPool) {
    let app = instance(db).await;
    app.sign_up("alice").await;
    let mut browser = browser(&app, "alice").await;
    let refusals = [
        (
            "muting",
            b"#domain\nspam.example\n".to_vec(),
            "Incompatible with the selected import type",
        ),
        (
            "blocking",
            b"\xff\xfe\x00garbage\n".to_vec(),
            "Invalid CSV file",
        ),
        ("blocking", b"".to_vec(), "Choose a CSV file"),
        (
            "blocking",
            "a@b.example\n".repeat(20_001).into_bytes(),
            "contains more than 20000 rows",
        ),
        (
            "blocking",
            vec![b'a'; 21 * 1024 * 1024],
            "File is too large",
        ),
        (
            "passwords",
            b"a@b.example\n".to_vec(),
            "Import type is not valid",
        ),
    ];
    for (kind, file, reason) in refusals {
        let page = upload(&mut browser, kind, "merge", file).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
        assert!(page.body.contains(reason), "{reason}: {}", page.body);
    }
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM bulk_imports").await,
        0
    );

    let forged = browser
        .post_raw("/settings/imports", &[("type", "blocking")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
}

/// The entries of a .zip and the text of those named.
fn unzip(bytes: Vec<u8>) -> (Vec<String>, impl FnMut(&str) -> Value) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> = archive
        .file_names()
        .map(|name| name.expect("a name").into_owned())
        .collect();
    let read = move |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .expect("entry")
            .read_to_string(&mut text)
            .expect("text");
        serde_json::from_str(&text).expect("JSON")
    };
    (names, read)
}

#[sqlx::test]
async fn the_archive_holds_the_actor_the_posts_and_their_media(db: PgPool) {
    let app = instance(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let picture = media::upload_ok(&app, &alice, media::png(40, 30), &[]).await;
    let picture_id = picture["id"].as_str().expect("media id");
    app.post_status(&alice, &[("status", "first post")]).await;
    app.post_status(
        &alice,
        &[("status", "with a picture"), ("media_ids[]", picture_id)],
    )
    .await;
    let liked = app.post_status(&bob, &[("status", "likeable")]).await;
    call(
        &app,
        &alice,
        &format!("/api/v1/statuses/{liked}/favourite"),
        &[],
    )
    .await;

    let mut browser = browser(&app, "alice").await;
    browser.get("/settings/export").await;
    let asked = browser.submit("/settings/export", &[]).await;
    assert_eq!(asked.location(), Some("/settings/export?done=archive"));
    browser.get("/settings/export").await;
    let again = browser.submit("/settings/export", &[]).await;
    assert_eq!(
        again.location(),
        Some("/settings/export?done=too_soon"),
        "one a week"
    );
    assert_eq!(archives::run_once(&app.state).await.expect("builds"), 1);

    let page = browser.get("/settings/export").await;
    let link = page
        .body
        .split("href=\"/backups/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a download link");
    let path = format!("/backups/{link}");
    let download = app
        .get(&path)
        .header("cookie", browser.cookies())
        .send()
        .await
        .expect("sent");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/zip");
    let (names, mut read) = unzip(download.bytes().await.expect("body").to_vec());
    for name in ["actor.json", "outbox.json", "likes.json", "bookmarks.json"] {
        assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("media_attachments/") && n.ends_with(".png")),
        "{names:?}"
    );
    let actor = read("actor.json");
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], "alice");
    assert_eq!(actor["outbox"], "outbox.json");
    let outbox = read("outbox.json");
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 2);
    let items = outbox["orderedItems"].as_array().expect("items");
    assert!(items.iter().all(|item| item["type"] == "Create"));
    assert!(items[0]["object"]["content"]
        .as_str()
        .expect("content")
        .contains("first post"));
    let attachment = items[1]["object"]["attachment"][0]["url"]
        .as_str()
        .expect("url");
    assert!(
        names.contains(&attachment.to_owned()),
        "{attachment} is in the archive"
    );
    let likes = read("likes.json");
    assert_eq!(likes["totalItems"], 1);

    let mut other = WebClient::new(&app);
    other.sign_in("bob", PASSWORD).await;
    let stolen = other.get(&path).await;
    assert_eq!(
        stolen.status,
        StatusCode::NOT_FOUND,
        "another account's archive"
    );
}
