-- Threads without gaps: the durable queue of background fetches of a thread's missing
-- posts (parents Roost never received, replies listed in remote `replies` and FEP-7888
-- `context` collections), the async refreshes that let a client know when one is done
-- (Mastodon's `Mastodon-Async-Refresh`), when each post's replies were last read, and
-- a per-host rate limit shared by every process. See docs/architecture.md ("Thread
-- backfill") and src/services/thread_backfill.rs.

-- One background fetch around status `status_id`: `parents` walks up its unknown
-- ancestors (queued when a reply arrives whose parent Roost lacks), `thread` does that
-- and reads the replies collections below it (queued when someone opens the thread).
-- At most one unfinished row per status; a finished row is kept a day, so a thread is
-- not fetched again within minutes (see the service) and its refresh can be read.
CREATE TABLE thread_backfills (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    status_id       bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    scope           text NOT NULL CHECK (scope IN ('parents', 'thread')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    -- Posts stored by this fetch so far (the refresh's `result_count`).
    result_count    integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE UNIQUE INDEX thread_backfills_unfinished_idx ON thread_backfills (status_id)
    WHERE finished_at IS NULL;
CREATE INDEX thread_backfills_due_idx ON thread_backfills (next_attempt_at)
    WHERE finished_at IS NULL;
CREATE INDEX thread_backfills_status_idx ON thread_backfills (status_id, created_at);
CREATE INDEX thread_backfills_finished_idx ON thread_backfills (finished_at)
    WHERE finished_at IS NOT NULL;

-- The id a viewer was handed for a backfill (`Mastodon-Async-Refresh: id="…"`): random,
-- one per viewer and backfill, so only that viewer can read it.
CREATE TABLE async_refreshes (
    id          text PRIMARY KEY,
    backfill_id bigint NOT NULL REFERENCES thread_backfills (id) ON DELETE CASCADE,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    UNIQUE (backfill_id, account_id)
);
CREATE INDEX async_refreshes_account_idx ON async_refreshes (account_id);

-- When the replies collection of a remote post was last read (read again only after
-- a while, whichever thread reaches it).
CREATE TABLE status_reply_fetches (
    status_id  bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    fetched_at timestamptz NOT NULL
);

-- When each host (`host[:port]`) may be fetched from next by a backfill.
CREATE TABLE backfill_hosts (
    host            text PRIMARY KEY,
    next_allowed_at timestamptz NOT NULL
);

-- Replies whose parent Roost does not have yet, by the parent's id: found again when
-- the parent is stored, so they are linked to it.
CREATE INDEX statuses_orphans_idx ON statuses (in_reply_to_ap_id)
    WHERE in_reply_to_ap_id IS NOT NULL AND in_reply_to_id IS NULL;

CREATE FUNCTION thread_backfills_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('thread_backfills', '');
    RETURN NULL;
END $$;

CREATE TRIGGER thread_backfills_notify AFTER INSERT ON thread_backfills
    FOR EACH STATEMENT EXECUTE FUNCTION thread_backfills_notify();
