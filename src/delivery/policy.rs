//! When to retry a failed delivery and when to stop trying a domain.
//!
//! Schedule: the n-th failed attempt waits `min(1 min × 2^(n-1), 12 h)` (±10 % jitter),
//! so the waits are 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 minutes, then 12 h, 12 h,
//! 12 h. After attempt 14 (about 2.2 days after the first) the delivery is dead: kept,
//! listed for admins, replayable. A `Retry-After` from the server is honoured when it
//! asks for longer (up to one day).
//!
//! Circuit breaker: after 5 consecutive failures of a domain, no delivery to it is
//! attempted for `min(10 min × 2^(failures-5), 1 day)`; any success resets it.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 14;
const BASE_DELAY_SECS: i64 = 60;
const MAX_DELAY_SECS: i64 = 12 * 3600;
const MAX_RETRY_AFTER_SECS: i64 = 24 * 3600;
const BREAKER_THRESHOLD: i32 = 5;

/// How a response (or its absence) is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: delivered.
    Delivered,
    /// A client error other than 408/429: the server will never accept it.
    Final,
    /// Network error, timeout, 408, 429 or 5xx: try again later.
    Retry,
}

/// Judges an HTTP status (`None` = no response: connection refused, timeout, DNS…).
pub fn judge(status: Option<u16>) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(408 | 429) | None => Verdict::Retry,
        Some(400..=499) => Verdict::Final,
        Some(_) => Verdict::Retry,
    }
}

/// The wait after the `attempt`-th failed attempt (1-based), without jitter.
pub fn base_delay(attempt: i32) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let secs = BASE_DELAY_SECS
        .saturating_mul(1_i64 << exponent)
        .min(MAX_DELAY_SECS);
    Duration::seconds(secs)
}

/// When to try again after the `attempt`-th failure, or `None` when it was the last.
pub fn next_attempt(
    attempt: i32,
    retry_after: Option<Duration>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let base = base_delay(attempt);
    let jitter = rand::thread_rng().gen_range(-0.1..=0.1) * base.num_milliseconds() as f64;
    let mut wait = base + Duration::milliseconds(jitter as i64);
    if let Some(asked) = retry_after {
        wait = wait.max(asked.min(Duration::seconds(MAX_RETRY_AFTER_SECS)));
    }
    Some(now + wait)
}

/// Until when a domain with `failures` consecutive failures (counting this one) is
/// skipped; `None` below the threshold.
pub fn domain_unavailable_until(failures: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if failures < BREAKER_THRESHOLD {
        return None;
    }
    let exponent = u32::try_from((failures - BREAKER_THRESHOLD).clamp(0, 20)).unwrap_or(20);
    let secs = (600_i64.saturating_mul(1_i64 << exponent)).min(24 * 3600);
    Some(now + Duration::seconds(secs))
}

/// Parses `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<i64>() {
        return (secs >= 0).then(|| Duration::seconds(secs));
    }
    let at: DateTime<Utc> = httpdate::parse_http_date(value).ok()?.into();
    Some((at - now).max(Duration::zero()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_judged_like_mastodon() {
        assert_eq!(judge(Some(202)), Verdict::Delivered);
        assert_eq!(judge(Some(404)), Verdict::Final);
        assert_eq!(judge(Some(410)), Verdict::Final);
        assert_eq!(judge(Some(408)), Verdict::Retry);
        assert_eq!(judge(Some(429)), Verdict::Retry);
        assert_eq!(judge(Some(503)), Verdict::Retry);
        assert_eq!(judge(None), Verdict::Retry);
    }

    #[test]
    fn the_schedule_spans_more_than_two_days_and_then_stops() {
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| base_delay(n).num_seconds()).sum();
        assert!(total > 2 * 24 * 3600, "retries span only {total} s");
        assert!(total < 4 * 24 * 3600);
        assert_eq!(base_delay(1), Duration::minutes(1));
        assert_eq!(base_delay(20), Duration::hours(12));
        let now = Utc::now();
        assert!(next_attempt(MAX_ATTEMPTS, None, now).is_none());
        let next = next_attempt(3, None, now).expect("retries");
        assert!(next >= now + Duration::seconds(215) && next <= now + Duration::seconds(265));
    }

    #[test]
    fn retry_after_extends_the_wait_but_is_capped() {
        let now = Utc::now();
        let next = next_attempt(1, Some(Duration::hours(2)), now).expect("retries");
        assert!(next >= now + Duration::hours(2));
        let capped = next_attempt(1, Some(Duration::days(30)), now).expect("retries");
        assert!(capped <= now + Duration::days(1) + Duration::seconds(7));
        assert_eq!(parse_retry_after("120", now), Some(Duration::seconds(120)));
        assert!(parse_retry_after("soon", now).is_none());
    }

    #[test]
    fn the_breaker_opens_after_five_failures_and_backs_off() {
        let now = Utc::now();
        assert!(domain_unavailable_until(4, now).is_none());
        assert_eq!(
            domain_unavailable_until(5, now),
            Some(now + Duration::minutes(10))
        );
        assert_eq!(
            domain_unavailable_until(6, now),
            Some(now + Duration::minutes(20))
        );
        assert_eq!(
            domain_unavailable_until(40, now),
            Some(now + Duration::days(1))
        );
    }
}
