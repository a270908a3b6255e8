-- The instance's long texts, set by the admins with `roost admin text-set` and
-- `roost admin terms-add` (Mastodon's site_extended_description and privacy policy
-- settings, and its TermsOfService model). Plain text; rendered as paragraphs.
CREATE TABLE instance_texts (
    kind       text PRIMARY KEY CHECK (kind IN ('extended_description', 'privacy_policy')),
    text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 100000),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Versions of the terms of service: each takes effect on its date and stays in force
-- until the next one's.
CREATE TABLE terms_of_service (
    effective_date date PRIMARY KEY,
    text           text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 100000),
    created_at     timestamptz NOT NULL DEFAULT now()
);
