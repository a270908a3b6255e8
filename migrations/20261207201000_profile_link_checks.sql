-- Profile link verification (`verified_at` on account fields, as Mastodon does): one
-- row per profile field link waiting to be checked for a rel="me" link back to its
-- account (`services::profile_links`). A durable queue like `preview_card_fetches`:
-- claimed with FOR UPDATE SKIP LOCKED, leased, retried on network trouble, deleted
-- when settled (verified or not).
CREATE TABLE profile_link_checks (
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url             text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, url)
);
CREATE INDEX profile_link_checks_due_idx ON profile_link_checks (next_attempt_at);

CREATE FUNCTION profile_link_checks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('profile_link_checks', '');
    RETURN NULL;
END $$;

CREATE TRIGGER profile_link_checks_notify AFTER INSERT ON profile_link_checks
    FOR EACH STATEMENT EXECUTE FUNCTION profile_link_checks_notify();
