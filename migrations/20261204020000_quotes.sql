-- Quote posts (Mastodon 4.5, FEP-044f): who may quote a status, and the quotes made.

-- Who may quote a status, automatically: everyone, its author's followers, or nobody
-- but its author. A status without a row has no known policy (a remote post from a
-- server that does not say): quotes of it are asked for and stay pending.
CREATE TABLE status_quote_policies (
    status_id bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    policy    text NOT NULL CHECK (policy IN ('public', 'followers', 'nobody'))
);

-- A local author's default policy (`posting:default:quote_policy`); public without a row.
CREATE TABLE quote_policy_defaults (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    policy     text NOT NULL CHECK (policy IN ('public', 'followers', 'nobody'))
);

-- One quote per quoting status. The quoted status may be unknown yet (only its URI) or
-- gone; `state` follows Mastodon's.
CREATE TABLE quotes (
    status_id         bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    quoted_status_id  bigint REFERENCES statuses (id) ON DELETE SET NULL,
    quoted_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
    quoted_uri        text NOT NULL,
    state             text NOT NULL
        CHECK (state IN ('pending', 'accepted', 'rejected', 'revoked', 'deleted')),
    -- The `QuoteAuthorization` stamp's URI (FEP-044f), once the quote is accepted.
    authorization_uri text,
    -- The id of the `QuoteRequest` activity asking for it.
    request_uri       text,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quotes_quoted_idx ON quotes (quoted_status_id, status_id DESC);
CREATE UNIQUE INDEX quotes_authorization_idx ON quotes (authorization_uri);
CREATE INDEX quotes_request_idx ON quotes (request_uri);
