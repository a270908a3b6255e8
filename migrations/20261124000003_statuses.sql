-- Posts (statuses), their mentions and hashtags, favourites, bookmarks, pins, edit
-- history and idempotency keys.

CREATE TABLE statuses (
    id                     bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id             bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Remote statuses: the object's id and its HTML page. Local ones derive both.
    ap_id                  text UNIQUE,
    url                    text,
    local                  boolean NOT NULL,
    -- What a local author typed; empty for remote statuses.
    text                   text NOT NULL DEFAULT '',
    content                text NOT NULL DEFAULT '',
    spoiler_text           text NOT NULL DEFAULT '',
    sensitive              boolean NOT NULL DEFAULT false,
    visibility             text NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
    language               text,
    in_reply_to_id         bigint REFERENCES statuses (id) ON DELETE SET NULL,
    in_reply_to_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
    -- The ActivityPub id of the parent when it is not (yet) known here.
    in_reply_to_ap_id      text,
    reblog_of_id           bigint REFERENCES statuses (id) ON DELETE CASCADE,
    conversation           text,
    replies_count          bigint NOT NULL DEFAULT 0,
    reblogs_count          bigint NOT NULL DEFAULT 0,
    favourites_count       bigint NOT NULL DEFAULT 0,
    created_at             timestamptz NOT NULL DEFAULT now(),
    edited_at              timestamptz,
    deleted_at             timestamptz
);

CREATE INDEX statuses_account_idx ON statuses (account_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX statuses_reply_idx ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
CREATE INDEX statuses_reblog_idx ON statuses (reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_public_idx ON statuses (id DESC)
    WHERE visibility = 'public' AND deleted_at IS NULL AND reblog_of_id IS NULL;
-- One boost per account and status.
CREATE UNIQUE INDEX statuses_one_reblog_key ON statuses (account_id, reblog_of_id)
    WHERE reblog_of_id IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE mentions (
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account_idx ON mentions (account_id, status_id DESC);

CREATE TABLE tags (
    id   bigint PRIMARY KEY DEFAULT timestamp_id(),
    name text NOT NULL
);
CREATE UNIQUE INDEX tags_name_key ON tags (lower(name));

CREATE TABLE status_tags (
    status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    tag_id    bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (tag_id, status_id)
);
CREATE INDEX status_tags_status_idx ON status_tags (status_id);

CREATE TABLE favourites (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    ap_id      text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT favourites_pair_key UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status_idx ON favourites (status_id, id DESC);

CREATE TABLE bookmarks (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookmarks_pair_key UNIQUE (account_id, status_id)
);

CREATE TABLE status_pins (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT status_pins_pair_key UNIQUE (account_id, status_id)
);

-- Every version of an edited status (the first row is the original).
CREATE TABLE status_edits (
    id           bigint PRIMARY KEY DEFAULT timestamp_id(),
    status_id    bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text         text NOT NULL,
    content      text NOT NULL,
    spoiler_text text NOT NULL,
    sensitive    boolean NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_edits_status_idx ON status_edits (status_id, id);

-- `Idempotency-Key` of POST /api/v1/statuses: the same key returns the same status.
CREATE TABLE idempotency_keys (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        text NOT NULL,
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);
