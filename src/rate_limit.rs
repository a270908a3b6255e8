//! Per-IP rate limits for the endpoints attackers hammer: sign-up, the token endpoint
//! and the sign-in form. Fixed windows, counted in this process's memory (a bounded
//! map): with N processes behind a balancer an IP gets up to N times the budget, which
//! is the trade made to keep PostgreSQL off the hot path. Responses carry Mastodon's
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers.
//!
//! `ROOST_RATE_LIMITS=off` disables every limit (load tests).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use chrono::Utc;

/// The endpoints with a budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// `POST /api/v1/accounts`.
    SignUp,
    /// `POST /oauth/token`.
    OAuthToken,
    /// `POST /oauth/authorize` (the sign-in form).
    SignIn,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::SignUp => "sign_up",
            Bucket::OAuthToken => "oauth_token",
            Bucket::SignIn => "sign_in",
        }
    }

    const ALL: [Bucket; 3] = [Bucket::SignUp, Bucket::OAuthToken, Bucket::SignIn];
}

/// A budget: `limit` requests per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Requests allowed in one window.
    pub limit: u32,
    /// Window length.
    pub period: Duration,
}

/// Defaults follow Mastodon's rack-attack settings where it has one.
fn default_budget(bucket: Bucket) -> Budget {
    let (limit, secs) = match bucket {
        Bucket::SignUp => (5, 30 * 60),
        Bucket::OAuthToken => (30, 5 * 60),
        Bucket::SignIn => (25, 5 * 60),
    };
    Budget {
        limit,
        period: Duration::from_secs(secs),
    }
}

/// Counts beyond this many (bucket, IP) pairs are pruned; if every pair is still live,
/// the map is cleared rather than allowed to grow (a flood of spoofed IPs cannot
/// exhaust memory; at worst it resets budgets early).
const MAX_TRACKED: usize = 100_000;

struct Window {
    started: Instant,
    count: u32,
}

/// The outcome of counting one request.
#[derive(Debug)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Headers to add to the response.
    pub headers: HeaderMap,
}

/// Fixed-window counters keyed by bucket and client IP.
pub struct RateLimiter {
    budgets: Option<HashMap<Bucket, Budget>>,
    windows: Mutex<HashMap<(Bucket, IpAddr), Window>>,
}

impl RateLimiter {
    /// Parses `ROOST_RATE_LIMITS`: `on`, `off`, or `name=limit/seconds,…` overrides
    /// (names: sign_up, oauth_token, sign_in). Errors name the bad entry.
    pub fn from_setting(setting: &str) -> anyhow::Result<RateLimiter> {
        let setting = setting.trim();
        if setting.eq_ignore_ascii_case("off") {
            return Ok(RateLimiter {
                budgets: None,
                windows: Mutex::default(),
            });
        }
        let mut budgets: HashMap<Bucket, Budget> = Bucket::ALL
            .iter()
            .map(|&b| (b, default_budget(b)))
            .collect();
        if !setting.is_empty() && !setting.eq_ignore_ascii_case("on") {
            for entry in setting.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let (bucket, budget) = parse_override(entry).ok_or_else(|| {
                    anyhow::anyhow!(
                        "ROOST_RATE_LIMITS: cannot parse {entry:?} (expected name=limit/seconds)"
                    )
                })?;
                budgets.insert(bucket, budget);
            }
        }
        Ok(RateLimiter {
            budgets: Some(budgets),
            windows: Mutex::default(),
        })
    }

    /// Counts one request from `ip` against `bucket`. IPv6 clients are counted per /64,
    /// since one host usually holds a whole /64.
    pub fn check(&self, bucket: Bucket, ip: IpAddr) -> Decision {
        let ip = network_of(ip);
        let Some(budget) = self.budgets.as_ref().and_then(|b| b.get(&bucket)).copied() else {
            return Decision {
                allowed: true,
                headers: HeaderMap::new(),
            };
        };
        let now = Instant::now();
        let (count, started) = {
            let mut windows = self
                .windows
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if windows.len() >= MAX_TRACKED {
                prune(&mut windows, now, self.budgets.as_ref());
            }
            let window = windows.entry((bucket, ip)).or_insert(Window {
                started: now,
                count: 0,
            });
            if now.duration_since(window.started) >= budget.period {
                *window = Window {
                    started: now,
                    count: 0,
                };
            }
            window.count = window.count.saturating_add(1);
            (window.count, window.started)
        };
        let reset = Utc::now() + (budget.period.saturating_sub(now.duration_since(started)));
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from(budget.limit));
        headers.insert(
            "x-ratelimit-remaining",
            HeaderValue::from(budget.limit.saturating_sub(count)),
        );
        if let Ok(value) =
            HeaderValue::from_str(&reset.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        {
            headers.insert("x-ratelimit-reset", value);
        }
        Decision {
            allowed: count <= budget.limit,
            headers,
        }
    }
}

/// The address rate limits (and streaming caps) count by: IPv4 as is, IPv6 truncated
/// to its /64 prefix; an IPv4-mapped IPv6 address (a dual-stack listener) as IPv4.
pub(crate) fn network_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        ip @ IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
    }
}

fn parse_override(entry: &str) -> Option<(Bucket, Budget)> {
    let (name, value) = entry.split_once('=')?;
    let bucket = Bucket::ALL.into_iter().find(|b| b.name() == name.trim())?;
    let (limit, secs) = value.split_once('/')?;
    let budget = Budget {
        limit: limit.trim().parse().ok()?,
        period: Duration::from_secs(secs.trim().parse().ok().filter(|s: &u64| *s > 0)?),
    };
    Some((bucket, budget))
}

fn prune(
    windows: &mut HashMap<(Bucket, IpAddr), Window>,
    now: Instant,
    budgets: Option<&HashMap<Bucket, Budget>>,
) {
    windows.retain(|(bucket, _), window| {
        budgets
            .and_then(|b| b.get(bucket))
            .is_some_and(|budget| now.duration_since(window.started) < budget.period)
    });
    if windows.len() >= MAX_TRACKED {
        windows.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_budget_allows_its_limit_then_refuses_with_headers() {
        let limiter = RateLimiter::from_setting("sign_up=2/60").expect("parses");
        assert!(limiter.check(Bucket::SignUp, IP).allowed);
        let second = limiter.check(Bucket::SignUp, IP);
        assert!(second.allowed);
        assert_eq!(second.headers["x-ratelimit-remaining"], "0");
        let third = limiter.check(Bucket::SignUp, IP);
        assert!(!third.allowed);
        assert_eq!(third.headers["x-ratelimit-limit"], "2");
        assert!(third.headers.contains_key("x-ratelimit-reset"));
        // Other buckets and other IPs have their own budgets.
        assert!(limiter.check(Bucket::SignIn, IP).allowed);
        assert!(
            limiter
                .check(Bucket::SignUp, "127.0.0.2".parse().expect("ip"))
                .allowed
        );
    }

    #[test]
    fn ipv6_addresses_share_the_budget_of_their_slash_64() {
        let limiter = RateLimiter::from_setting("sign_in=1/60").expect("parses");
        let first: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let same_net: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other_net: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert!(limiter.check(Bucket::SignIn, first).allowed);
        assert!(!limiter.check(Bucket::SignIn, same_net).allowed);
        assert!(limiter.check(Bucket::SignIn, other_net).allowed);
    }

    #[test]
    fn off_disables_and_bad_settings_are_errors() {
        let limiter = RateLimiter::from_setting("off").expect("parses");
        for _ in 0..100 {
            assert!(limiter.check(Bucket::SignUp, IP).allowed);
        }
        assert!(RateLimiter::from_setting("sign_up=five/60").is_err());
        assert!(RateLimiter::from_setting("nonsense=1/60").is_err());
        assert!(RateLimiter::from_setting("sign_up=1/0").is_err());
        assert!(RateLimiter::from_setting("on").is_ok());
    }
}
