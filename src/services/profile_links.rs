//! Profile link verification, as Mastodon does it: a profile field whose value is an
//! http(s) link gets `verified_at` once the linked page links back to the account with
//! `rel="me"` (`<a rel="me" href=…>` or `<link rel="me" href=…>`, to its profile URL
//! `https://DOMAIN/@user` or its actor URL). Clients show such fields with a check mark.
//!
//! - When a profile's fields are stored (a local user's `update_credentials`, a remote
//!   actor fetched or updated), [`settle_fields`] keeps the stamp of each field whose
//!   link did not change, drops it otherwise (a changed value is unverified), and
//!   queues a check of every link left unverified, in the same transaction. Local links
//!   are checked at once; remote ones within [`REMOTE_SPREAD_SECS`], like Mastodon,
//!   so an actor update does not make every server hit the page in the same second.
//! - The checks run in the background (`worker`, the `profile_link_checks` queue), never
//!   in the request: a GET through the card fetcher (SSRF guard, domain blocks, checked
//!   redirects, body and time bounds), the HTML read by [`rel_me`].
//! - A remote server's own claims of verification are never taken: remote fields are
//!   stored unverified and checked here like local ones (Mastodon re-verifies them too).
//!
//! Spec: <https://docs.joinmastodon.org/user/profile/#verification>,
//! <https://docs.joinmastodon.org/entities/Account/#Field-verified_at>.

use rand::Rng;
use sqlx::PgConnection;

use crate::config::Config;
use crate::db::accounts::{AccountRow, StoredField};
use crate::db::profile_links as rows;
use crate::urls;

pub mod rel_me;
pub mod worker;

/// Remote accounts' links are checked a random moment within this many seconds.
pub const REMOTE_SPREAD_SECS: i64 = 600;

/// The link a field offers for verification: for a local account the value as typed,
/// for a remote one the link its HTML value consists of ([`rel_me::sole_link`]); in
/// both cases only an absolute http(s) URL with a host.
pub fn verification_url(field: &StoredField, local: bool) -> Option<String> {
    let candidate = if local {
        field.source.as_deref()?.trim().to_owned()
    } else {
        rel_me::sole_link(&field.value)?
    };
    let url = url::Url::parse(&candidate).ok()?;
    let web = matches!(url.scheme(), "http" | "https") && url.host().is_some();
    (web && !candidate.contains(char::is_whitespace)).then_some(candidate)
}

/// The URLs a page must link back to for `account`: a local account's profile and
/// actor URLs; a remote account's profile URL and actor id.
pub fn link_back_targets(config: &Config, account: &AccountRow) -> Vec<String> {
    if account.is_local() {
        vec![
            urls::profile(config, &account.username),
            urls::actor(config, &account.username),
        ]
    } else {
        [account.url.clone(), account.ap_id.clone()]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// Call in the transaction that just stored `account`'s fields, with the fields it had
/// before (`before`): each field whose link is unchanged keeps its `verified_at`, and
/// a check of each link still unverified is queued. Updates `account` (and its row)
/// when a stamp was kept.
pub async fn settle_fields(
    conn: &mut PgConnection,
    before: &[StoredField],
    account: &mut AccountRow,
) -> sqlx::Result<()> {
    let local = account.is_local();
    let mut kept = false;
    let mut unverified = Vec::new();
    for field in account.fields.0.iter_mut() {
        let Some(url) = verification_url(field, local) else {
            field.verified_at = None;
            continue;
        };
        field.verified_at = before
            .iter()
            .filter(|old| verification_url(old, local).as_deref() == Some(url.as_str()))
            .find_map(|old| old.verified_at);
        match field.verified_at {
            Some(_) => kept = true,
            None if !unverified.contains(&url) => unverified.push(url),
            None => {}
        }
    }
    if kept {
        rows::store_fields(&mut *conn, account.id, &account.fields.0).await?;
    }
    let delay = match local {
        true => 0,
        false => rand::thread_rng().gen_range(0..REMOTE_SPREAD_SECS),
    };
    rows::enqueue(&mut *conn, account.id, &unverified, delay).await
}

/// Stamps `verified_at` on the account's fields whose link is `url` and that are not
/// verified yet; nothing when the link is no longer in the profile (it changed while
/// the page was fetched). Returns whether a field was stamped.
pub async fn mark_verified(
    conn: &mut PgConnection,
    account: &AccountRow,
    url: &str,
) -> sqlx::Result<bool> {
    let Some(mut fields) = rows::lock_fields(&mut *conn, account.id).await? else {
        return Ok(false);
    };
    let now = chrono::Utc::now();
    let mut stamped = false;
    for field in fields
        .iter_mut()
        .filter(|field| field.verified_at.is_none())
    {
        if verification_url(field, account.is_local()).as_deref() == Some(url) {
            field.verified_at = Some(now);
            stamped = true;
        }
    }
    if stamped {
        rows::store_fields(&mut *conn, account.id, &fields).await?;
    }
    Ok(stamped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(value: &str) -> StoredField {
        StoredField {
            name: "Site".into(),
            value: crate::domain::text::field_value_to_html(value),
            source: Some(value.into()),
            verified_at: None,
        }
    }

    #[test]
    fn only_http_links_are_verifiable() {
        assert_eq!(
            verification_url(&local(" https://example.com/me "), true).as_deref(),
            Some("https://example.com/me")
        );
        assert!(verification_url(&local("http://example.com"), true).is_some());
        for value in [
            "example.com",
            "mailto:a@example.com",
            "ftp://example.com/",
            "hello",
        ] {
            assert_eq!(verification_url(&local(value), true), None, "{value}");
        }
    }

    #[test]
    fn a_remote_field_offers_the_link_it_consists_of() {
        let field = StoredField {
            name: "Site".into(),
            value: r#"<a href="https://example.com/me" rel="me">example.com/me</a>"#.into(),
            source: None,
            verified_at: None,
        };
        assert_eq!(
            verification_url(&field, false).as_deref(),
            Some("https://example.com/me")
        );
        assert_eq!(
            verification_url(&field, true),
            None,
            "local fields read the source"
        );
    }
}
