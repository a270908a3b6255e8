//! Link preview cards (Mastodon's PreviewCard) without preview storms: what a status
//! shows below its text for the first eligible link in it.
//!
//! - A new public or unlisted local post: its first link (from `status_links`; links to media
//!   files and to this instance get none) is linked to the card Roost already has for
//!   that URL, or a fetch is queued (never in the posting request) and the post's
//!   `Create` is held for at most `ROOST_PREVIEW_CARD_WAIT` seconds, so the card
//!   usually leaves inside the Note ([`on_posted`]). Followers' servers then never
//!   fetch the page.
//! - A remote post: the card its Note carries is used as is, for that post only
//!   ([`on_received`]); otherwise a fetch is queued a random moment within
//!   [`REMOTE_SPREAD_SECS`], so a post arriving on many servers at once does not make
//!   them all hit the site in the same second.
//! - Fetching: the `preview_card_fetches` queue (`worker`), one row per URL for the
//!   whole instance, a per-host rate limit, the SSRF guard and size and time limits
//!   (`fetch`), OpenGraph/oEmbed metadata (`page`, `preview`).
//!
//! A card is fetched once and then reused (no refresh yet). Spec:
//! <https://docs.joinmastodon.org/entities/PreviewCard/>.

pub(crate) mod fetch;
mod page;
mod preview;
pub mod worker;

use rand::Rng;
use sqlx::PgConnection;

use crate::db::accounts::AccountRow;
use crate::db::cards::{self, NewCard};
use crate::db::statuses::StatusRow;
use crate::domain::Visibility;
use crate::federation::protocol::note::Attachment;
use crate::state::AppState;

/// Remote posts without a card get their page fetched within this many seconds.
pub const REMOTE_SPREAD_SECS: i64 = 30;

/// Links that never get a card: media files (Mastodon skips them too), matched
/// case-insensitively against the whole URL.
const MEDIA_FILE: &str = r"\.(jpe?g|png|gif|webp|avif|heic|svg|bmp|tiff?|mp4|m4v|mov|webm|mkv|avi|mp3|m4a|ogg|oga|opus|flac|wav|pdf|zip)([?#].*)?$";

/// Finds the card of a local status just written (in the posting transaction, after
/// its `Create` was queued): links the card Roost has, or queues a fetch and holds
/// the `Create` until the card arrives (at most `ROOST_PREVIEW_CARD_WAIT` seconds).
pub async fn on_posted(
    state: &AppState,
    conn: &mut PgConnection,
    status: &StatusRow,
    author: &AccountRow,
) -> anyhow::Result<()> {
    let Some(url) = eligible_link(state, conn, status).await? else {
        return Ok(());
    };
    if let Some(card) = cards::fetched(&mut *conn, &url).await? {
        cards::link_status(&mut *conn, status.id, &url, Some(card.id)).await?;
        let uri = crate::urls::status(&state.config, &author.username, status.id);
        if let Some(held) = cards::hold_create(&mut *conn, status.id, &uri, 0).await? {
            let attachment = crate::federation::cards::attachment(&state.config, &card)?;
            cards::release(&mut *conn, &held, Some(&serde_json::to_value(attachment)?)).await?;
        }
        return Ok(());
    }
    if !state.config.preview_cards {
        return Ok(());
    }
    queue(conn, status.id, &url, 0).await?;
    let wait = i64::from(state.config.preview_card_wait_secs);
    if wait > 0 {
        let uri = crate::urls::status(&state.config, &author.username, status.id);
        cards::hold_create(&mut *conn, status.id, &uri, wait).await?;
    }
    Ok(())
}

/// After an edit of local status `status`: when its first eligible link changed, its
/// card follows — the card Roost has for the new link, or a fetch of it (queued, not
/// waited for: the edit's `Update` leaves at once), or none when the link is gone.
/// An unchanged link keeps its card.
pub async fn on_edited(
    state: &AppState,
    conn: &mut PgConnection,
    status: &StatusRow,
) -> anyhow::Result<()> {
    let link = eligible_link(state, conn, status).await?;
    if link == cards::linked_url(&mut *conn, status.id).await? {
        return Ok(());
    }
    let Some(url) = link else {
        cards::unlink_status(&mut *conn, status.id).await?;
        return Ok(());
    };
    match cards::fetched(&mut *conn, &url).await? {
        Some(card) => cards::link_status(&mut *conn, status.id, &url, Some(card.id)).await?,
        None if state.config.preview_cards => queue(conn, status.id, &url, 0).await?,
        None => cards::unlink_status(&mut *conn, status.id).await?,
    }
    Ok(())
}

/// Finds the card of a remote status just stored: the one its Note carries (kept for
/// this status only, under the author's domain), else a fetch queued at a random
/// moment within [`REMOTE_SPREAD_SECS`].
pub async fn on_received(
    state: &AppState,
    conn: &mut PgConnection,
    status: &StatusRow,
    author: &AccountRow,
    attachments: &[Attachment],
) -> anyhow::Result<()> {
    let origin = author.domain.clone().unwrap_or_default();
    let carried = attachments
        .iter()
        .find_map(|attachment| crate::federation::cards::inbound(attachment, &origin));
    if let Some(card) = carried.filter(|_| !origin.is_empty()) {
        let id = cards::save(&mut *conn, &card).await?;
        return cards::link_status(&mut *conn, status.id, &card.url, Some(id))
            .await
            .map_err(Into::into);
    }
    let Some(url) = eligible_link(state, conn, status).await? else {
        return Ok(());
    };
    if let Some(card) = cards::fetched(&mut *conn, &url).await? {
        return Ok(cards::link_status(&mut *conn, status.id, &url, Some(card.id)).await?);
    }
    if state.config.preview_cards {
        let delay = rand::thread_rng().gen_range(0..=REMOTE_SPREAD_SECS);
        queue(conn, status.id, &url, delay).await?;
    }
    Ok(())
}

/// The first link of a public or unlisted status that may get a card (Mastodon
/// previews what it distributes; private and direct posts get none, so no page learns
/// of them).
async fn eligible_link(
    state: &AppState,
    conn: &mut PgConnection,
    status: &StatusRow,
) -> sqlx::Result<Option<String>> {
    let distributed = matches!(status.visibility, Visibility::Public | Visibility::Unlisted);
    if !distributed || status.reblog_of_id.is_some() || !has_anchor(&status.content) {
        return Ok(None);
    }
    let own = regex_escape(&state.config.domain);
    let skip = format!("{MEDIA_FILE}|^https?://{own}(/|$)");
    cards::first_link(&mut *conn, status.id, &skip).await
}

/// Whether `html` has an element that may be an `<a>`: without one, `status_links`
/// (taken from the anchors' `href`s by a trigger) holds nothing for it, and posting
/// skips the look-up.
fn has_anchor(html: &str) -> bool {
    (html.as_bytes().windows(2)).any(|pair| pair[0] == b'<' && pair[1].eq_ignore_ascii_case(&b'a'))
}

/// `text` with every regex metacharacter escaped (a domain has dots and may have a port).
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = !c.is_ascii_alphanumeric() && c != '-' && c != ':';
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// Marks `status_id` as waiting for the card of `url` and queues its fetch.
async fn queue(
    conn: &mut PgConnection,
    status_id: i64,
    url: &str,
    delay_secs: i64,
) -> sqlx::Result<()> {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|parsed| parsed.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    cards::link_status(&mut *conn, status_id, url, None).await?;
    cards::enqueue_fetch(&mut *conn, url, &host, delay_secs).await
}

/// Stores the card fetched for `url` (or, with `None`, gives up on it): the statuses
/// waiting for it show it from now on (a `status.update` event announces each), and
/// the held `Create`s of local ones leave with it.
async fn arrived(state: &AppState, url: &str, card: Option<NewCard>) -> anyhow::Result<()> {
    let mut transaction = state.db.begin().await?;
    let card_id = match &card {
        Some(card) => Some(cards::save(&mut *transaction, card).await?),
        None => None,
    };
    let waiting = cards::finish(&mut transaction, url, card_id).await?;
    let attachment = match cards::fetched(&mut *transaction, url).await? {
        Some(row) if card_id.is_some() => Some(serde_json::to_value(
            crate::federation::cards::attachment(&state.config, &row)?,
        )?),
        _ => None,
    };
    for held in waiting.iter().filter_map(|w| w.held_activity.as_deref()) {
        cards::release(&mut *transaction, held, attachment.as_ref()).await?;
    }
    transaction.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_escaped_for_the_skip_pattern() {
        assert_eq!(regex_escape("127.0.0.1:8080"), r"127\.0\.0\.1:8080");
        assert_eq!(regex_escape("a-b.example"), r"a-b\.example");
    }

    #[test]
    fn only_html_with_an_anchor_can_have_a_link() {
        assert!(has_anchor(
            r#"<p>see <a href="https://a.example">it</a></p>"#
        ));
        assert!(has_anchor(r#"<p><A HREF="https://a.example">it</A></p>"#));
        assert!(!has_anchor("<p>hello, world</p>"));
        assert!(!has_anchor("<p>https://a.example written bare</p>"));
    }
}
