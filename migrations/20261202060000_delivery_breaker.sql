-- The delivery circuit breaker per outage rather than per failed delivery (see
-- src/delivery/policy.rs): when a domain's failure streak began, the probe in flight
-- while its breaker is half-open, and how often the breaker opened in this outage.

ALTER TABLE instances
    ADD COLUMN failing_since  timestamptz,
    ADD COLUMN probing_until  timestamptz,
    ADD COLUMN breaker_trips  integer NOT NULL DEFAULT 0;

-- A domain that was failing keeps its streak.
UPDATE instances SET failing_since = coalesce(last_failure_at, now())
WHERE consecutive_failures > 0;

-- One domain's pending deliveries, in the order they are due: the probe of a
-- half-open breaker, and the backlog released when it closes.
CREATE INDEX deliveries_pending_domain_idx ON deliveries (domain, next_attempt_at)
    WHERE state = 'pending';
