-- Notifications and read markers.

CREATE TABLE notifications (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    -- The local account notified.
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type            text NOT NULL,
    status_id       bigint REFERENCES statuses (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- One notification per cause: an activity that arrives twice notifies once.
CREATE UNIQUE INDEX notifications_cause_key
    ON notifications (account_id, type, from_account_id, coalesce(status_id, 0));
CREATE INDEX notifications_account_idx ON notifications (account_id, id DESC);

-- Read positions of the home and notifications timelines (Mastodon's markers).
CREATE TABLE markers (
    account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline     text NOT NULL CHECK (timeline IN ('home', 'notifications')),
    last_read_id bigint NOT NULL,
    version      integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, timeline)
);
