//! Whether Roost federates with a remote host, as the admins decided: instance domain
//! blocks (`suspend` refuses everything, `silence` keeps posts out of public
//! timelines) and, with `ROOST_ALLOWLIST_MODE`, the allowlist (only allowed domains
//! federate). One answer for every door: the inbox (nothing is stored), deliveries
//! (nothing is sent) and fetches (nothing is requested).

use url::Url;

use crate::db::domain_blocks;
use crate::federation::resolve::authority;
use crate::state::AppState;

/// How the instance treats a remote host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Federates normally (possibly with `noop` restrictions).
    Open,
    /// Federates, but its posts stay out of public timelines.
    Silenced,
    /// Nothing is accepted from, sent to or fetched from it.
    Suspended,
}

/// The standing of the host of `url`, by its `host:port` authority and by its bare
/// host (so a block of `example.com` covers `example.com:8443` too).
pub async fn standing(state: &AppState, url: &Url) -> sqlx::Result<Standing> {
    let with_port = authority(url);
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let names: Vec<&str> = if with_port == host {
        vec![host.as_str()]
    } else {
        vec![with_port.as_str(), host.as_str()]
    };
    if state.config.allowlist_mode {
        let mut allowed = false;
        for name in &names {
            allowed |= domain_blocks::is_allowed(&state.db, name).await?;
        }
        if !allowed {
            return Ok(Standing::Suspended);
        }
    }
    let mut standing = Standing::Open;
    for name in &names {
        match domain_blocks::covering(&state.db, name).await? {
            Some(block) if block.severity == "suspend" => return Ok(Standing::Suspended),
            Some(block) if block.severity == "silence" => standing = Standing::Silenced,
            _ => {}
        }
    }
    Ok(standing)
}

/// Whether Roost refuses all contact with the host of `url`.
pub async fn refuses(state: &AppState, url: &Url) -> sqlx::Result<bool> {
    Ok(standing(state, url).await? == Standing::Suspended)
}

/// Like [`refuses`] for a URL given as text; unparsable URLs are refused.
pub async fn refuses_text(state: &AppState, url: &str) -> sqlx::Result<bool> {
    match Url::parse(url) {
        Ok(url) => refuses(state, &url).await,
        Err(_) => Ok(true),
    }
}

/// A flag of the blocks covering a remote account's domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Its media is not shown here (`reject_media`).
    Media,
    /// Its reports are ignored (`reject_reports`).
    Reports,
}

/// Whether a block covering `domain` (an account's `host[:port]`, or its bare host)
/// carries `rejection`.
/// Runs on the caller's connection, so it may be used inside a transaction.
pub async fn rejects(
    conn: &mut sqlx::PgConnection,
    domain: &str,
    rejection: Rejection,
) -> sqlx::Result<bool> {
    let host = domain.split(':').next().unwrap_or(domain);
    for name in [domain, host] {
        let blocks = domain_blocks::all_covering(&mut *conn, name).await?;
        let found = blocks.iter().any(|block| match rejection {
            Rejection::Media => block.reject_media,
            Rejection::Reports => block.reject_reports,
        });
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}
