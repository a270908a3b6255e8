-- Scheduled statuses (https://docs.joinmastodon.org/methods/scheduled_statuses/): a
-- post its author asked to publish later. `params` keeps what was sent, in Mastodon's
-- keys (the ScheduledStatus entity shows it as is); the worker publishes each row once
-- it is due, claiming it with FOR UPDATE SKIP LOCKED and a lease, so several processes
-- share the queue and a process that dies mid-way gives the row back. The row is
-- deleted in the transaction that writes the status: a row is published exactly once.

CREATE TABLE scheduled_statuses (
    id           bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at timestamptz NOT NULL,
    params       jsonb NOT NULL,
    -- The `Idempotency-Key` of the request that scheduled it: a repeat returns it.
    idempotency_key text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- A claim by the worker lasts until then; another worker may take it after.
    leased_until timestamptz,
    attempts     integer NOT NULL DEFAULT 0
);

CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id);
CREATE INDEX scheduled_statuses_due ON scheduled_statuses (scheduled_at);
CREATE UNIQUE INDEX scheduled_statuses_idempotency
    ON scheduled_statuses (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Uploads waiting for a scheduled status: neither free for another post nor orphans.
-- Deleting the scheduled status frees them (as Mastodon does).
ALTER TABLE media_attachments
    ADD COLUMN scheduled_status_id bigint REFERENCES scheduled_statuses (id) ON DELETE SET NULL;
CREATE INDEX media_attachments_scheduled ON media_attachments (scheduled_status_id)
    WHERE scheduled_status_id IS NOT NULL;
