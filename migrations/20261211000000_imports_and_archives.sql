-- Data portability, as Mastodon's settings offer it: CSV imports (`bulk_imports`, one
-- row per uploaded file, with its rows in `bulk_import_rows`) and account archives
-- (`account_archives`). Imports' rows and archives are durable queues like
-- `profile_link_checks`: claimed with FOR UPDATE SKIP LOCKED, leased, retried on
-- network trouble (`services::imports::worker`, `services::archives::worker`).

-- One uploaded file: its type, merge or overwrite, and its progress.
CREATE TABLE bulk_imports (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('following', 'blocking', 'muting',
                                                  'domain_blocking', 'bookmarks', 'lists')),
    overwrite       boolean NOT NULL DEFAULT false,
    -- Rows in all (the file's and, when overwriting, those removing what it lacks),
    -- rows settled, and rows that did what they asked.
    total_items     integer NOT NULL DEFAULT 0,
    processed_items integer NOT NULL DEFAULT 0,
    imported_items  integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX bulk_imports_account_idx ON bulk_imports (account_id, id DESC);

-- One row of a file (`add`), or one thing the account has that an overwriting file
-- lacks (`remove`, naming the account, status or domain to remove).
CREATE TABLE bulk_import_rows (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    import_id         bigint NOT NULL REFERENCES bulk_imports (id) ON DELETE CASCADE,
    action            text NOT NULL CHECK (action IN ('add', 'remove')),
    -- What the row says: acct, show_reblogs, notify, languages, hide_notifications,
    -- domain, uri, list_name (Mastodon's attribute names).
    data              jsonb NOT NULL,
    target_account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
    target_status_id  bigint REFERENCES statuses (id) ON DELETE CASCADE,
    state             text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'imported', 'failed')),
    error             text,
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    locked_until      timestamptz
);
CREATE INDEX bulk_import_rows_due_idx ON bulk_import_rows (next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX bulk_import_rows_import_idx ON bulk_import_rows (import_id, state);

CREATE FUNCTION bulk_import_rows_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bulk_import_rows', '');
    RETURN NULL;
END $$;

CREATE TRIGGER bulk_import_rows_notify AFTER INSERT ON bulk_import_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bulk_import_rows_notify();

-- The next moment an import may resolve an unknown account of each domain through
-- WebFinger (one per `ROOST_IMPORT_RESOLVE_INTERVAL_MS` across all processes).
CREATE TABLE import_resolve_domains (
    domain          text PRIMARY KEY,
    next_allowed_at timestamptz NOT NULL
);

-- An archive of an account's data (actor, posts, likes, bookmarks, media) as a .zip in
-- the media store, made by a worker; one a week per account, as Mastodon.
CREATE TABLE account_archives (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'failed')),
    file_key        text,
    file_size       bigint,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX account_archives_account_idx ON account_archives (account_id, id DESC);
CREATE INDEX account_archives_due_idx ON account_archives (next_attempt_at)
    WHERE state = 'pending';

CREATE FUNCTION account_archives_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('account_archives', '');
    RETURN NULL;
END $$;

CREATE TRIGGER account_archives_notify AFTER INSERT ON account_archives
    FOR EACH STATEMENT EXECUTE FUNCTION account_archives_notify();
