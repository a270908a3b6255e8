//! Account archives ("Request your archive" on the export page): a request queues an
//! `account_archives` row (one a week per account, Mastodon's `BackupPolicy`); the
//! worker builds a .zip in Mastodon's archive layout — `actor.json` (the actor
//! document, its `icon`/`image`, `outbox`, `likes` and `bookmarks` pointing into the
//! archive), `outbox.json` (an `OrderedCollection` of the `Create` of every own post,
//! attachment URLs made archive paths), `likes.json` and `bookmarks.json` (collections
//! of status URIs), the media files under their storage keys (`media_attachments/…`),
//! `avatar.EXT` and `header.EXT` — and stores it where media lives, for a download
//! that checks the owner.
//!
//! Memory stays bounded: rows are read a page at a time, files streamed from the store,
//! and the zip is written to an anonymous spool file by a blocking thread fed through
//! a bounded channel ([`zip_writer`]). Boosts are left out of the outbox (Mastodon
//! writes their `Announce`).
//!
//! Reference: Mastodon's `BackupService`, `BackupPolicy`.

mod zip_writer;

use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::db::accounts::{self, AccountRow};
use crate::db::archives::{self as rows, ArchiveRow};
use crate::db::exports::{self as export_rows, FIRST};
use crate::error::{ApiError, ApiResult};
use crate::federation::protocol::note::Create;
use crate::federation::protocol::ACTIVITY_STREAMS_CONTEXT;
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::state::AppState;
use crate::urls;
use zip_writer::{Compression, ZipSink};

/// Days between two archives of one account (Mastodon's `BackupPolicy::MIN_AGE`).
pub const MIN_AGE_DAYS: i32 = 7;
/// Archives the page lists.
const LISTED: i64 = 5;
/// A claim is leased this long; a larger archive's worker renews nothing, so a crash
/// is retried after it.
const LEASE_SECS: i64 = 3600;
/// Rows read per query while building.
const PAGE: i64 = 200;
/// A failed build is tried again after 1 and 10 minutes, then given up.
pub const RETRY: RetryPolicy =
    RetryPolicy::new(3, &[Duration::from_secs(60), Duration::from_secs(600)]);

/// What a request for an archive did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requested {
    Queued,
    /// One was requested less than [`MIN_AGE_DAYS`] ago.
    TooSoon,
}

/// `account_id` asks for an archive of its data.
pub async fn request(state: &AppState, account_id: i64) -> ApiResult<Requested> {
    let mut transaction = state.db.begin().await?;
    let queued = rows::request(&mut transaction, account_id, MIN_AGE_DAYS).await?;
    transaction.commit().await?;
    Ok(match queued {
        Some(_) => Requested::Queued,
        None => Requested::TooSoon,
    })
}

/// The account's latest archives, and whether it may request another now.
pub async fn list(state: &AppState, account_id: i64) -> ApiResult<(Vec<ArchiveRow>, bool)> {
    let archives = rows::of_account(&state.db, account_id, LISTED).await?;
    let may = rows::may_request(&state.db, account_id, MIN_AGE_DAYS).await?;
    Ok((archives, may))
}

/// The .zip of the account's ready archive `id`, streamed from the media store, with
/// its size. Errors: `NotFound` for another account's archive or one not ready.
pub async fn download(
    state: &AppState,
    account_id: i64,
    id: i64,
) -> ApiResult<(
    futures_util::stream::BoxStream<'static, object_store::Result<bytes::Bytes>>,
    Option<i64>,
)> {
    let archive = rows::find_owned(&state.db, account_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let key = archive.file_key.as_deref().ok_or(ApiError::NotFound)?;
    let stream = state.media.get(key).await?.ok_or(ApiError::NotFound)?;
    Ok((stream, archive.file_size))
}

/// The `account_archives` table as a queue.
struct Archives;

impl Queue for Archives {
    type Item = ArchiveRow;
    const NAME: &'static str = "archives";
    const CHANNEL: &'static str = rows::NOTIFY_CHANNEL;
    /// Archives built at once per process: each streams every file of an account.
    const CONCURRENCY: usize = 1;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ArchiveRow>> {
        rows::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, archive: ArchiveRow) -> Attempted {
        attempt(&state, &archive).await
    }

    fn job_id(item: &Self::Item) -> String {
        item.id.to_string()
    }
}

/// Builds every due archive once; returns how many were tried. Tests drain with it.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Archives>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when archives are requested.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Archives>(state, stop).await
}

async fn attempt(state: &AppState, archive: &ArchiveRow) -> Attempted {
    let settled = match build(state, archive).await {
        Ok((key, size)) => rows::finish(&state.db, archive.id, &key, size)
            .await
            .map(|()| Attempted::Done),
        Err(error) => {
            tracing::warn!(archive = archive.id, error = %format!("{error:#}"), "archive failed");
            let retry = RETRY.next_attempt(archive.attempts + 1, Utc::now());
            let attempted = match retry {
                Some(_) => Attempted::Retry,
                None => Attempted::GivenUp,
            };
            rows::retry_or_fail(&state.db, archive.id, retry)
                .await
                .map(|()| attempted)
        }
    };
    settled.unwrap_or_else(|error| {
        tracing::warn!(archive = archive.id, %error, "could not settle an archive");
        Attempted::Retry
    })
}

/// Writes the archive's .zip and stores it; returns its key and size.
async fn build(state: &AppState, archive: &ArchiveRow) -> anyhow::Result<(String, i64)> {
    let account = accounts::find_by_id(&state.db, archive.account_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("account {} is gone", archive.account_id))?;
    let dir = crate::media::spool::SpoolSettings::from_config(&state.config).dir;
    let (sink, writer) = ZipSink::open(tempfile::tempfile_in(dir)?);
    let written = write_entries(state, &sink, &account).await;
    drop(sink);
    let file = writer.await??;
    written?;
    let size = i64::try_from(file.metadata()?.len()).unwrap_or(i64::MAX);
    let key = format!(
        "archives/{}/archive-{}-{}.zip",
        account.id,
        Utc::now().format("%Y%m%d%H%M%S"),
        crate::auth::random_token(16)
    );
    state.media.put_file(&key, "application/zip", file).await?;
    Ok((key, size))
}

async fn write_entries(
    state: &AppState,
    sink: &ZipSink,
    account: &AccountRow,
) -> anyhow::Result<()> {
    write_outbox(state, sink, account).await?;
    write_marked(state, sink, account.id, "likes.json").await?;
    write_marked(state, sink, account.id, "bookmarks.json").await?;
    write_media(state, sink, account.id).await?;
    write_actor(state, sink, account).await
}

/// `actor.json` with the avatar and header beside it.
async fn write_actor(state: &AppState, sink: &ZipSink, account: &AccountRow) -> anyhow::Result<()> {
    let actor = crate::federation::actors::actor_document(state, account)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let mut actor = serde_json::to_value(actor)?;
    for (field, name, key) in [
        ("icon", "avatar", &account.avatar_key),
        ("image", "header", &account.header_key),
    ] {
        let Some(key) = key else { continue };
        let extension = key.rsplit_once('.').map_or("bin", |(_, ext)| ext);
        let path = format!("{name}.{extension}");
        if copy_file(state, sink, key, &path).await? {
            if let Some(image) = actor.get_mut(field) {
                image["url"] = json!(path);
            }
        }
    }
    actor["outbox"] = json!("outbox.json");
    actor["likes"] = json!("likes.json");
    actor["bookmarks"] = json!("bookmarks.json");
    sink.start("actor.json", Compression::Deflated).await?;
    sink.write(serde_json::to_vec(&actor)?).await
}

/// `outbox.json`: the `Create` of every own post, oldest first, written as read.
async fn write_outbox(
    state: &AppState,
    sink: &ZipSink,
    account: &AccountRow,
) -> anyhow::Result<()> {
    sink.start("outbox.json", Compression::Deflated).await?;
    sink.write(collection_head("outbox.json")).await?;
    let actor_id = url::Url::parse(&urls::actor(&state.config, &account.username))?;
    let media_prefix = urls::media_file(&state.config, "");
    let mut connection = state.db.acquire().await?;
    let (mut after, mut total) = (0, 0_u64);
    loop {
        let page = export_rows::own_statuses(&mut *connection, account.id, after, PAGE).await?;
        for row in &page {
            let note =
                crate::federation::posts::note_of(state, &mut connection, account, row).await?;
            let id = url::Url::parse(&urls::activity_of(note.id.as_str()))?;
            let mut item = serde_json::to_value(Create::new(id, actor_id.clone(), note))?;
            if let Some(object) = item.as_object_mut() {
                object.remove("@context");
            }
            archive_paths(&mut item["object"]["attachment"], &media_prefix);
            let separator = if total == 0 { "" } else { "," };
            let mut bytes = separator.as_bytes().to_vec();
            bytes.extend(serde_json::to_vec(&item)?);
            sink.write(bytes).await?;
            total += 1;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.id,
            _ => break,
        }
    }
    sink.write(collection_tail(total)).await
}

/// Attachment URLs of the archive's own files made paths inside it (as Mastodon does).
fn archive_paths(attachments: &mut Value, media_prefix: &str) {
    let Some(attachments) = attachments.as_array_mut() else {
        return;
    };
    for attachment in attachments {
        let path = attachment["url"]
            .as_str()
            .and_then(|url| url.strip_prefix(media_prefix))
            .map(str::to_owned);
        if let Some(path) = path {
            attachment["url"] = json!(path);
        }
    }
}

/// `likes.json` or `bookmarks.json`: the URIs of the statuses, newest first.
async fn write_marked(
    state: &AppState,
    sink: &ZipSink,
    account_id: i64,
    name: &'static str,
) -> anyhow::Result<()> {
    sink.start(name, Compression::Deflated).await?;
    sink.write(collection_head(name)).await?;
    let (mut before, mut total) = (FIRST, 0_u64);
    loop {
        let page = match name {
            "likes.json" => export_rows::favourites(&state.db, account_id, before, PAGE).await?,
            _ => export_rows::bookmarks(&state.db, account_id, before, PAGE).await?,
        };
        for row in &page {
            let uri = crate::services::exports::status_uri(&state.config, row);
            let separator = if total == 0 { "" } else { "," };
            sink.write(format!("{separator}{}", json!(uri)).into_bytes())
                .await?;
            total += 1;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => before = last.cursor,
            _ => break,
        }
    }
    sink.write(collection_tail(total)).await
}

/// The start of an `OrderedCollection` whose items follow (its count comes last).
fn collection_head(id: &str) -> Vec<u8> {
    format!(
        "{{\"@context\":{},\"id\":{},\"type\":\"OrderedCollection\",\"orderedItems\":[",
        json!(ACTIVITY_STREAMS_CONTEXT),
        json!(id)
    )
    .into_bytes()
}

fn collection_tail(total: u64) -> Vec<u8> {
    format!("],\"totalItems\":{total}}}").into_bytes()
}

/// Every stored file of the account's posts, under its storage key.
async fn write_media(state: &AppState, sink: &ZipSink, account_id: i64) -> anyhow::Result<()> {
    let mut after = 0;
    loop {
        let page = export_rows::media_files(&state.db, account_id, after, PAGE).await?;
        for (_, key) in &page {
            copy_file(state, sink, key, key).await?;
        }
        match page.last() {
            Some((id, _)) if page.len() as i64 == PAGE => after = *id,
            _ => return Ok(()),
        }
    }
}

/// Streams the stored file `key` into the archive as `path`; false when the store has
/// no such file (skipped, as Mastodon skips missing files).
async fn copy_file(
    state: &AppState,
    sink: &ZipSink,
    key: &str,
    path: &str,
) -> anyhow::Result<bool> {
    let Some(mut stream) = state.media.get(key).await? else {
        tracing::warn!(key, "archive: a file is missing from the store");
        return Ok(false);
    };
    sink.start(path, Compression::Stored).await?;
    while let Some(chunk) = stream.next().await {
        sink.write(chunk?.to_vec()).await?;
    }
    Ok(true)
}
