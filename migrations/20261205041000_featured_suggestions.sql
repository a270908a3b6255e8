-- Accounts staff feature as follow suggestions (Mastodon's "staff picks", the
-- `featured` source of /api/v2/suggestions), set with `roost admin suggestion-feature`.
-- See services::suggestions.
CREATE TABLE featured_suggestions (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
