-- Moving accounts (Mastodon's account migration): where an account moved to, which
-- other accounts it says it also is, the aliases a local user declared, and every
-- move applied here (the cooldowns are read from it).

-- `moved_to_account_id`: the account this one moved to (local: set by a move out;
-- remote: the actor's `movedTo`, or an accepted `Move`). `also_known_as`: the actor ids
-- the account claims as its own other accounts (local: kept equal to its aliases;
-- remote: the actor's `alsoKnownAs`), read to accept a move towards it.
ALTER TABLE accounts
    ADD COLUMN moved_to_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
    ADD COLUMN also_known_as text[] NOT NULL DEFAULT '{}';

-- The aliases a local user declared (`/settings/aliases`): the address they typed and
-- the actor id it resolved to, which the actor document lists as `alsoKnownAs`.
CREATE TABLE account_aliases (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    acct       text NOT NULL,
    uri        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, uri)
);

-- Every move applied here: a local account moving out (its cooldown is 30 days) and
-- a remote account's `Move` accepted (repeats within 7 days are ignored).
CREATE TABLE account_migrations (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The target's address as given (`user@domain`), or its actor id for a received Move.
    acct              text NOT NULL,
    followers_count   bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_migrations_account_idx ON account_migrations (account_id, created_at DESC);
CREATE INDEX account_migrations_target_idx ON account_migrations (target_account_id);

-- The account another moved to, as the JSON of a `db::accounts::AccountRow` (without
-- its own `moved_to`, which Mastodon does not nest): a column of every accounts read,
-- so an Account entity shows `moved` without a query of its own. STRICT: nothing is
-- read for the accounts that never moved. A column added to AccountRow must be added
-- here too (`db::accounts` has a test that fails otherwise).
CREATE FUNCTION account_moved_json(target bigint) RETURNS jsonb
    LANGUAGE sql STABLE STRICT AS $$
    SELECT to_jsonb(t) FROM (
        SELECT id, username, domain, display_name, note, ''::text AS note_source, fields, locked,
            bot, discoverable, indexable, hide_collections, followers_count, following_count,
            statuses_count, last_status_at, suspended_at, silenced_at, created_at, updated_at,
            actor_type, ap_id, url, inbox_url, shared_inbox_url, outbox_url, followers_url,
            following_url, featured_url, NULL::text AS key_id, NULL::text AS public_key_pem,
            last_fetched_at, key_refetched_at, avatar_key, header_key, avatar_remote_url,
            header_remote_url, account_emojis_json(id) AS emojis, moved_to_account_id,
            also_known_as
        FROM accounts WHERE id = target
    ) t
$$;
