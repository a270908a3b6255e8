-- Trends (GET /api/v1/trends/*): scores computed every few minutes by
-- services::trends::refresh from recent use by distinct accounts, and admins' reviews of
-- trending statuses and links (hashtags keep theirs on `tags`: trendable, reviewed_at).
-- See docs/architecture.md ("Trends") and docs/api.md ("Trends").

-- The current score of each candidate. `kind` says what `target_id` is: a `tags` id, a
-- `statuses` id, or a `preview_cards` id (the card standing for a URL). A refresh
-- replaces one kind's rows in one transaction, so readers see either the old or the new
-- ranking, never a mix.
CREATE TABLE trends (
    kind        text NOT NULL CHECK (kind IN ('tag', 'status', 'link')),
    target_id   bigint NOT NULL,
    score       double precision NOT NULL CHECK (score > 0),
    -- Distinct accounts behind the score (shown to admins).
    accounts    integer NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, target_id)
);
CREATE INDEX trends_by_score ON trends (kind, score DESC);

-- An admin's decision on a trending status or link (approve: trendable; reject: not).
-- No row: not reviewed yet (Mastodon's requires_review). Rows outlive the score, so a
-- rejected post never trends again.
CREATE TABLE trend_reviews (
    kind        text NOT NULL CHECK (kind IN ('status', 'link')),
    target_id   bigint NOT NULL,
    trendable   boolean NOT NULL,
    reviewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, target_id)
);

