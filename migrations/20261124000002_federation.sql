-- Federation core: actor data of accounts, the instance actor's keys, follows, the
-- durable inbox and outbox (deliveries), and per-domain delivery health.

ALTER TABLE accounts
    ADD COLUMN actor_type        text NOT NULL DEFAULT 'Person',
    -- Remote accounts only: the actor's id and endpoints, as the actor document says.
    ADD COLUMN ap_id             text,
    ADD COLUMN url               text,
    ADD COLUMN inbox_url         text,
    ADD COLUMN shared_inbox_url  text,
    ADD COLUMN outbox_url        text,
    ADD COLUMN followers_url     text,
    ADD COLUMN following_url     text,
    ADD COLUMN featured_url      text,
    ADD COLUMN key_id            text,
    -- Local and remote: the actor's RSA public key (SPKI PEM). Local only: private key.
    ADD COLUMN public_key_pem    text,
    ADD COLUMN private_key_pem   text,
    ADD COLUMN last_fetched_at   timestamptz,
    ADD COLUMN key_refetched_at  timestamptz;

CREATE UNIQUE INDEX accounts_ap_id_key ON accounts (ap_id) WHERE ap_id IS NOT NULL;
CREATE INDEX accounts_key_id_idx ON accounts (key_id) WHERE key_id IS NOT NULL;

-- The instance actor (an `Application` at /actor) signs server-level fetches.
CREATE TABLE instance_actor (
    id              integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    public_key_pem  text NOT NULL,
    private_key_pem text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Follow relationships, local and remote, pending (request) or accepted.
CREATE TABLE follows (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    accepted          boolean NOT NULL DEFAULT false,
    show_reblogs      boolean NOT NULL DEFAULT true,
    notify            boolean NOT NULL DEFAULT false,
    languages         text[],
    -- The id of the Follow activity (ours or the remote's): Accept/Reject/Undo name it.
    ap_id             text NOT NULL UNIQUE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT follows_pair_key UNIQUE (account_id, target_account_id),
    CONSTRAINT follows_not_self CHECK (account_id <> target_account_id)
);

CREATE INDEX follows_target_idx ON follows (target_account_id, accepted, id);
CREATE INDEX follows_account_idx ON follows (account_id, accepted, id);

-- Every verified inbound activity, stored before it is acknowledged (202). A worker
-- processes rows; duplicates of one activity id are dropped at insert.
CREATE TABLE inbox_activities (
    id            bigint PRIMARY KEY DEFAULT timestamp_id(),
    activity_id   text NOT NULL UNIQUE,
    activity_type text NOT NULL,
    actor_ap_id   text NOT NULL,
    payload       jsonb NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    processed_at  timestamptz,
    last_error    text
);

CREATE INDEX inbox_activities_pending_idx ON inbox_activities (id) WHERE processed_at IS NULL;

-- The durable outbox: one row per (activity, target inbox), written in the same
-- transaction as the change that caused it, signed at send time.
CREATE TABLE deliveries (
    id               bigint PRIMARY KEY DEFAULT timestamp_id(),
    activity_id      text NOT NULL,
    -- The local account whose key signs; NULL means the instance actor.
    actor_account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
    inbox_url        text NOT NULL,
    domain           text NOT NULL,
    payload          text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CONSTRAINT deliveries_activity_inbox_key UNIQUE (activity_id, inbox_url)
);

CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_dead_idx ON deliveries (domain, id) WHERE state = 'dead';

-- Delivery health per remote domain: a circuit breaker so a dead server stops
-- costing worker time.
CREATE TABLE instances (
    domain            text PRIMARY KEY,
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_success_at   timestamptz,
    last_failure_at   timestamptz,
    unavailable_until timestamptz
);
