-- User safety and reports: blocks, mutes, a user's domain blocks, and reports (with
-- the `admin.report` notification that points at one).

-- `account_id` blocks `target_account_id`; either side may be remote (a remote
-- `Block` of a local account is recorded too, so its target sees `blocked_by`).
CREATE TABLE blocks (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The id of the Block activity (ours or the remote's): Undo(Block) names it.
    ap_id             text NOT NULL UNIQUE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blocks_pair_key UNIQUE (account_id, target_account_id),
    CONSTRAINT blocks_not_self CHECK (account_id <> target_account_id)
);
CREATE INDEX blocks_target_idx ON blocks (target_account_id, account_id);

-- A local account mutes another: hidden from timelines, and from notifications when
-- `notifications`; a mute with `expires_at` ends by itself.
CREATE TABLE mutes (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    notifications     boolean NOT NULL DEFAULT true,
    expires_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mutes_pair_key UNIQUE (account_id, target_account_id),
    CONSTRAINT mutes_not_self CHECK (account_id <> target_account_id)
);

-- A local account hides a whole remote domain (not the instance-wide domain blocks).
-- `domain` is lowercase, as `accounts.domain`.
CREATE TABLE account_domain_blocks (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_domain_blocks_pair_key UNIQUE (account_id, domain)
);

-- Reports to the moderators of this instance: filed by a local user, or received as a
-- `Flag` (then `account_id` is the sending actor, usually the remote instance actor).
CREATE TABLE reports (
    id                         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id                 bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id          bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids                 bigint[] NOT NULL DEFAULT '{}',
    comment                    text NOT NULL DEFAULT '',
    category                   text NOT NULL DEFAULT 'other'
                               CHECK (category IN ('spam', 'legal', 'violation', 'other')),
    rule_ids                   bigint[] NOT NULL DEFAULT '{}',
    -- A local report copied to the target's server as a Flag.
    forwarded                  boolean NOT NULL DEFAULT false,
    -- The Flag's id: the one received, or the one sent when forwarded.
    ap_id                      text UNIQUE,
    assigned_account_id        bigint REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_at            timestamptz,
    action_taken_by_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_open_idx ON reports (id DESC) WHERE action_taken_at IS NULL;
CREATE INDEX reports_target_idx ON reports (target_account_id, id DESC);
CREATE INDEX reports_account_idx ON reports (account_id, id DESC);

-- `admin.report` notifications name their report; two reports by the same account
-- notify twice, so the report is part of the cause.
ALTER TABLE notifications ADD COLUMN report_id bigint REFERENCES reports (id) ON DELETE CASCADE;
DROP INDEX notifications_cause_key;
CREATE UNIQUE INDEX notifications_cause_key
    ON notifications (account_id, type, from_account_id, coalesce(status_id, 0), coalesce(report_id, 0));
