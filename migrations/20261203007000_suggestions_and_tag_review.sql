-- Follow suggestions a user dismissed (DELETE /api/v1/suggestions/:id): never suggested
-- to them again. See services::suggestions.
CREATE TABLE suggestion_dismissals (
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, target_account_id)
);

-- An admin's review of a hashtag (Mastodon's Admin::Tag, PUT /api/v1/admin/tags/:id).
-- usable: linked in new posts (false: new posts are no longer filed under it);
-- listable: may appear in hashtag search and suggestions; trendable: may trend (off
-- until reviewed, Mastodon's default); reviewed_at: when an admin last reviewed it
-- (NULL: requires_review). See services::admin_tags.
ALTER TABLE tags
    ADD COLUMN usable      boolean NOT NULL DEFAULT true,
    ADD COLUMN listable    boolean NOT NULL DEFAULT true,
    ADD COLUMN trendable   boolean NOT NULL DEFAULT false,
    ADD COLUMN reviewed_at timestamptz;
