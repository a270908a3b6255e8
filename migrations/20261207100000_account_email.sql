-- E-mail for the account lifecycle (src/mail/): confirmed addresses, one-time links
-- sent by mail, and the durable queue of outgoing mail.

-- When the user proved the address (NULL: not yet). Every user before this migration
-- signed up when Roost sent no mail, so they count as confirmed. New users are
-- confirmed unless sign-up says otherwise (an API sign-up with SMTP on), so a user
-- made by any other path (the admin command, a benchmark's dataset) is usable.
ALTER TABLE users ADD COLUMN confirmed_at timestamptz DEFAULT now();
UPDATE users SET confirmed_at = created_at;
-- The app that registered the user through `POST /api/v1/accounts`: only it may ask
-- for the confirmation mail again (Mastodon's `created_by_application_id`).
ALTER TABLE users ADD COLUMN created_by_app_id bigint REFERENCES oauth_apps (id) ON DELETE SET NULL;

-- Tokens mailed as links: e-mail confirmation and password reset. Only a SHA-256 of
-- the token is kept; a token is spent once (`used_at`) and expires.
CREATE TABLE email_tokens (
    token_hash  text PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('confirmation', 'password_reset')),
    -- The address a confirmation token proves (the user may change it meanwhile).
    email       text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose, created_at);

-- Outgoing mail, rendered when queued, sent by `mail::worker`: claimed with
-- FOR UPDATE SKIP LOCKED under a lease, retried with backoff, kept as `dead` after the
-- last attempt. A sent message keeps its envelope and loses its bodies (they may hold
-- a live link).
CREATE TABLE email_deliveries (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    kind            text NOT NULL,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);

CREATE INDEX email_deliveries_due_idx ON email_deliveries (next_attempt_at) WHERE state = 'pending';
