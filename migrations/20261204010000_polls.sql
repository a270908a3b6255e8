-- Polls (https://docs.joinmastodon.org/methods/polls/, entities/Poll): a status's
-- poll, local or remote (a `Question`), and the votes cast in it. Per-option counts
-- live on the poll row and move in the voting transaction (the row lock orders
-- concurrent votes); a remote poll's counts are its server's, refreshed by each
-- Update(Question).

CREATE TABLE polls (
    id             bigint PRIMARY KEY DEFAULT timestamp_id(),
    status_id      bigint NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    options        text[] NOT NULL CHECK (cardinality(options) BETWEEN 1 AND 100),
    -- votes_counts[i] is the number of votes for options[i].
    votes_counts   bigint[] NOT NULL,
    multiple       boolean NOT NULL DEFAULT false,
    hide_totals    boolean NOT NULL DEFAULT false,
    expires_at     timestamptz,
    -- Distinct accounts that voted (for a remote poll: as its server last said).
    voters_count   bigint NOT NULL DEFAULT 0,
    -- Set by the closing worker once the poll has ended and been announced.
    closed_at      timestamptz,
    -- A local poll whose counts changed: when its Update(Question) is due. Votes in a
    -- burst share one Update (the first vote sets it, later ones leave it).
    update_due_at  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(votes_counts) = cardinality(options))
);
CREATE INDEX polls_to_close_idx ON polls (expires_at) WHERE closed_at IS NULL;
CREATE INDEX polls_update_due_idx ON polls (update_due_at) WHERE update_due_at IS NOT NULL;

-- One row per account per chosen option (local and remote voters alike).
CREATE TABLE poll_votes (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    poll_id    bigint NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Index into polls.options, from 0.
    choice     integer NOT NULL CHECK (choice >= 0),
    -- The vote's Note id: a remote vote's (duplicates are dropped by it) or the one
    -- a local vote on a remote poll is sent with.
    ap_id      text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (poll_id, account_id, choice)
);
CREATE INDEX poll_votes_account_idx ON poll_votes (account_id, poll_id);

-- The poll options each version of an edited local status had (null: no poll), for
-- its history (StatusEdit.poll).
ALTER TABLE status_edits ADD COLUMN poll_options text[];
