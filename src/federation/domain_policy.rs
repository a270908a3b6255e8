//! Whether Roost federates with a remote host, as the admins decided: instance domain
//! blocks (`suspend` refuses everything, `silence` keeps posts out of public
//! timelines) and, with `ROOST_ALLOWLIST_MODE`, the allowlist (only allowed domains
//! federate). One answer for every door: the inbox (nothing is stored), deliveries
//! (nothing is sent) and fetches (nothing is requested).

use url::Url;

use crate::db::domain_blocks;
use crate::domain::http_url::authority;
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
    let names = names(&authority(url));
    if state.config.allowlist_mode && !domain_blocks::is_allowed(&state.db, &names).await? {
        return Ok(Standing::Suspended);
    }
    let blocks = domain_blocks::all_covering(&state.db, &names).await?;
    Ok(if blocks.iter().any(|block| block.severity == "suspend") {
        Standing::Suspended
    } else if blocks.iter().any(|block| block.severity == "silence") {
        Standing::Silenced
    } else {
        Standing::Open
    })
}

/// The names a block may be filed under for `domain` (`host[:port]`, lower-cased):
/// the domain as given and, with a port, the bare host.
fn names(domain: &str) -> Vec<String> {
    let domain = domain.to_ascii_lowercase();
    match domain.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            vec![host.to_owned(), domain.clone()]
        }
        _ => vec![domain],
    }
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
    let blocks = domain_blocks::all_covering(conn, &names(domain)).await?;
    Ok(blocks.iter().any(|block| match rejection {
        Rejection::Media => block.reject_media,
        Rejection::Reports => block.reject_reports,
    }))
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn a_domain_with_a_port_is_also_looked_up_by_its_bare_host() {
        assert_eq!(names("Example.com"), vec!["example.com"]);
        assert_eq!(
            names("example.com:8443"),
            vec!["example.com", "example.com:8443"]
        );
        assert_eq!(names("[::1]:8080"), vec!["[::1]", "[::1]:8080"]);
        assert_eq!(names("[::1]"), vec!["[::1]"]);
    }
}
