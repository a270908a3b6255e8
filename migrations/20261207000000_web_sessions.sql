-- Signed-in browser sessions of the web pages. The cookie carries a random token; only
-- its SHA-256 is stored, so a database leak gives no usable session, and deleting the
-- row signs the browser out on every process at once (revocable like tokens).
CREATE TABLE web_sessions (
    id                     bigint PRIMARY KEY DEFAULT timestamp_id(),
    token_hash             bytea NOT NULL UNIQUE,
    user_id                bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Every form of the session carries this token (CSRF).
    csrf_token             text NOT NULL,
    -- The password was right but a two-factor code is still owed: the session may only
    -- finish signing in (or sign out).
    awaiting_second_factor boolean NOT NULL DEFAULT false,
    user_agent             text NOT NULL DEFAULT '',
    ip                     text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    last_seen_at           timestamptz NOT NULL DEFAULT now(),
    expires_at             timestamptz NOT NULL
);

CREATE INDEX web_sessions_by_user ON web_sessions (user_id, last_seen_at DESC);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
