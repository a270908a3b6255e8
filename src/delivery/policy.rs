//! When to retry a failed delivery and when to stop trying a domain.
//!
//! Schedule: the n-th failed attempt waits `min(1 min × 2^(n-1), 12 h)` (±10 % jitter),
//! so the waits are 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 minutes, then 12 h, 12 h,
//! 12 h. After attempt 14 (about 2.2 days after the first) the delivery is dead: kept,
//! listed for admins, replayable. A `Retry-After` from the server is honoured when it
//! asks for longer (up to one day).
//!
//! Circuit breaker, per outage rather than per delivery (Mastodon's breaker cools off
//! after 60 s; its retries come after 15–35 s). A domain's breaker is
//! - **closed** while deliveries go out. A failure (no answer, 408, 429, 5xx) starts or
//!   continues the domain's failure streak; a burst of failures at one moment is one
//!   moment of failure, however many deliveries failed in it.
//! - **open** once the streak has lasted `open_after` (default 60 s) with no success in
//!   between: nothing is sent to the domain for the cool-off, `cool_off × 2^trips`
//!   capped at `max_cool_off` (defaults 30 s, 1 h), where `trips` counts the openings
//!   of this outage. Failures of deliveries already in flight change nothing.
//! - **half-open** when the cool-off has passed: exactly one delivery (the one due
//!   first) is sent as a probe. If it fails the breaker opens again, for twice as long,
//!   and that failure counts as a failed attempt for every delivery to the domain that
//!   was due, so a domain that stays down still reaches the end of the schedule. If it
//!   succeeds the breaker closes and every delivery the outage pushed into the future
//!   is due at once (except those the server asked to wait with `429` + `Retry-After`).
//!
//! Any success closes the breaker and ends the streak. A peer that restarts for ten
//! seconds never opens it: its deliveries come back after their first one-minute wait.

use chrono::{DateTime, Duration, Utc};

use crate::queue::RetryPolicy;

const MINUTE: std::time::Duration = std::time::Duration::from_secs(60);

/// The delivery schedule of the module doc: 1 min doubling to 512 min, then 12 h
/// three times, ±10 % jitter; 14 attempts in all.
pub const RETRY: RetryPolicy = RetryPolicy::new(
    14,
    &[
        MINUTE,
        MINUTE.saturating_mul(2),
        MINUTE.saturating_mul(4),
        MINUTE.saturating_mul(8),
        MINUTE.saturating_mul(16),
        MINUTE.saturating_mul(32),
        MINUTE.saturating_mul(64),
        MINUTE.saturating_mul(128),
        MINUTE.saturating_mul(256),
        MINUTE.saturating_mul(512),
        MINUTE.saturating_mul(720),
        MINUTE.saturating_mul(720),
        MINUTE.saturating_mul(720),
    ],
)
.with_jitter(0.1);

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = RETRY.max_attempts;
const MAX_RETRY_AFTER_SECS: i64 = 24 * 3600;

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
    RETRY.delay(attempt)
}

/// When to try again after the `attempt`-th failure ([`RETRY`], waiting at least what
/// the server asked for with `Retry-After`, up to a day), or `None` when it was the
/// last.
pub fn next_attempt(
    attempt: i32,
    retry_after: Option<Duration>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let scheduled = RETRY.next_attempt(attempt, now)?;
    let asked = retry_after.map(|asked| now + asked.min(Duration::seconds(MAX_RETRY_AFTER_SECS)));
    Some(asked.map_or(scheduled, |asked| scheduled.max(asked)))
}

/// The circuit breaker's timings (`ROOST_DELIVERY_BREAKER_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breaker {
    /// How long a domain must have failed, with no success in between, before it opens.
    pub open_after: Duration,
    /// How long it stays open the first time in an outage.
    pub cool_off: Duration,
    /// The longest it stays open (the cool-off doubles with each failed probe).
    pub max_cool_off: Duration,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            open_after: Duration::seconds(60),
            cool_off: Duration::seconds(30),
            max_cool_off: Duration::hours(1),
        }
    }
}

/// Where a domain's breaker stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Deliveries go out.
    Closed,
    /// Nothing is sent until the cool-off ends.
    Open,
    /// The cool-off has ended: one delivery may go out as a probe, the rest wait for it.
    HalfOpen,
}

/// A domain's failure record right after one more failure was counted (as stored in
/// `instances`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DomainFailures {
    /// When the current streak of failures began (no success since).
    pub failing_since: DateTime<Utc>,
    /// Until when the breaker is open; `None` while it is closed.
    pub unavailable_until: Option<DateTime<Utc>>,
    /// How often the breaker opened in this outage.
    pub trips: i32,
}

/// What a failure does to the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerChange {
    /// Nothing: the streak is too short, or the breaker is already open.
    None,
    /// Open until then (first opening of the outage, from closed).
    Open(DateTime<Utc>),
    /// The probe failed: open again until then, and count the failure for every due
    /// delivery to the domain.
    Reopen(DateTime<Utc>),
}

impl Breaker {
    /// The state of a breaker open until `unavailable_until` (`None`: closed).
    pub fn state(unavailable_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> BreakerState {
        match unavailable_until {
            None => BreakerState::Closed,
            Some(until) if until > now => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }

    /// The cool-off after `trips` earlier openings in this outage.
    pub fn cool_off(&self, trips: i32) -> Duration {
        let exponent = u32::try_from(trips.clamp(0, 30)).unwrap_or(30);
        let secs = self
            .cool_off
            .num_seconds()
            .saturating_mul(1_i64 << exponent);
        Duration::seconds(secs).min(self.max_cool_off)
    }

    /// What one more failure of a domain does to its breaker.
    pub fn after_failure(&self, domain: &DomainFailures, now: DateTime<Utc>) -> BreakerChange {
        match Breaker::state(domain.unavailable_until, now) {
            BreakerState::Open => BreakerChange::None,
            BreakerState::HalfOpen => BreakerChange::Reopen(now + self.cool_off(domain.trips)),
            BreakerState::Closed if now - domain.failing_since >= self.open_after => {
                BreakerChange::Open(now + self.cool_off(domain.trips))
            }
            BreakerState::Closed => BreakerChange::None,
        }
    }
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

    fn failures(
        failing_since: DateTime<Utc>,
        unavailable_until: Option<DateTime<Utc>>,
    ) -> DomainFailures {
        DomainFailures {
            failing_since,
            unavailable_until,
            trips: 0,
        }
    }

    #[test]
    fn a_burst_of_simultaneous_failures_does_not_open_the_breaker() {
        let breaker = Breaker::default();
        let now = Utc::now();
        // 21 deliveries time out together: the streak began at the first of them.
        let mut domain = failures(now - Duration::seconds(1), None);
        for _ in 0..21 {
            assert_eq!(breaker.after_failure(&domain, now), BreakerChange::None);
            domain.failing_since = domain.failing_since.min(now);
        }
    }

    #[test]
    fn a_domain_failing_for_longer_than_open_after_is_paused_for_the_cool_off() {
        let breaker = Breaker::default();
        let now = Utc::now();
        let domain = failures(now - Duration::seconds(61), None);
        assert_eq!(
            breaker.after_failure(&domain, now),
            BreakerChange::Open(now + Duration::seconds(30))
        );
    }

    #[test]
    fn an_open_breaker_ignores_failures_of_deliveries_still_in_flight() {
        let breaker = Breaker::default();
        let now = Utc::now();
        let domain = failures(now - Duration::hours(1), Some(now + Duration::seconds(5)));
        assert_eq!(
            Breaker::state(domain.unavailable_until, now),
            BreakerState::Open
        );
        assert_eq!(breaker.after_failure(&domain, now), BreakerChange::None);
    }

    #[test]
    fn after_the_cool_off_the_breaker_is_half_open_and_a_failed_probe_doubles_it() {
        let breaker = Breaker::default();
        let now = Utc::now();
        let mut domain = failures(now - Duration::hours(1), Some(now - Duration::seconds(1)));
        assert_eq!(
            Breaker::state(domain.unavailable_until, now),
            BreakerState::HalfOpen
        );
        domain.trips = 1;
        assert_eq!(
            breaker.after_failure(&domain, now),
            BreakerChange::Reopen(now + Duration::seconds(60))
        );
        domain.trips = 40;
        assert_eq!(
            breaker.after_failure(&domain, now),
            BreakerChange::Reopen(now + Duration::hours(1))
        );
        assert_eq!(Breaker::state(None, now), BreakerState::Closed);
    }
}
