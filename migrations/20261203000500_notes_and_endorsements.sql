-- Private notes on accounts and endorsements (featured accounts), as Mastodon's
-- account_notes and account_pins (https://docs.joinmastodon.org/methods/accounts/#note,
-- https://docs.joinmastodon.org/methods/endorsements/).

CREATE TABLE account_notes (
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Only the note's author ever sees it; an empty note is no row.
    comment           text NOT NULL CHECK (char_length(comment) BETWEEN 1 AND 2000),
    PRIMARY KEY (account_id, target_account_id)
);

CREATE TABLE account_endorsements (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX account_endorsements_page_idx ON account_endorsements (account_id, id DESC);
