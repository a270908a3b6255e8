-- Custom emoji (https://docs.joinmastodon.org/methods/custom_emojis/): local ones an
-- admin adds (`roost admin emoji-add`, files in the media store) and remote ones known
-- by reference from the `Emoji` tags of other servers' posts and actors (never
-- downloaded), plus which status and which account uses which.

CREATE TABLE custom_emojis (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    -- Case-sensitive, as Mastodon's (`:Blob:` is not `:blob:`).
    shortcode         text NOT NULL CHECK (shortcode ~ '^[A-Za-z0-9_]{2,64}$'),
    -- NULL for local emoji; the lowercased domain of the account that used it otherwise.
    domain            text CHECK (domain = lower(domain)),
    -- Local: storage keys of the image as uploaded (cleaned) and of its still PNG (the
    -- same key when the image is a PNG already).
    image_key         text,
    static_key        text,
    -- Remote: where its server serves the image (http or https only).
    image_url         text CHECK (image_url ~ '^https?://' AND char_length(image_url) <= 2048),
    -- Remote: the `Emoji` tag's id, if it had one.
    uri               text CHECK (char_length(uri) <= 2048),
    content_type      text NOT NULL DEFAULT 'image/png' CHECK (char_length(content_type) <= 100),
    category          text CHECK (char_length(category) BETWEEN 1 AND 64),
    visible_in_picker boolean NOT NULL DEFAULT true,
    disabled          boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (CASE WHEN domain IS NULL
                THEN image_key IS NOT NULL AND static_key IS NOT NULL
                ELSE image_url IS NOT NULL END),
    -- Remote emoji are upserted on this (a NULL domain never conflicts here; the
    -- index below keeps local shortcodes unique).
    CONSTRAINT custom_emojis_shortcode_domain_key UNIQUE (shortcode, domain)
);
CREATE UNIQUE INDEX custom_emojis_local_shortcode_key ON custom_emojis (shortcode)
    WHERE domain IS NULL;

-- The emoji a status uses (its text and content warning), written when it is posted,
-- edited or received: a page of statuses reads them in the one query that reads the
-- page's mentions, tags and media.
CREATE TABLE status_emojis (
    status_id       bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    custom_emoji_id bigint NOT NULL REFERENCES custom_emojis (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, custom_emoji_id)
);
CREATE INDEX status_emojis_emoji_idx ON status_emojis (custom_emoji_id);

-- The emoji an account's profile uses (display name, bio, fields), written when the
-- profile changes (local) or its actor document is stored (remote).
CREATE TABLE account_emojis (
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    custom_emoji_id bigint NOT NULL REFERENCES custom_emojis (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, custom_emoji_id)
);
CREATE INDEX account_emojis_emoji_idx ON account_emojis (custom_emoji_id);

-- The enabled emoji of an account as a JSON array of custom_emojis rows (by shortcode):
-- a column of every accounts read, so an Account entity or actor document carries its
-- emoji without a query of its own (one index probe per account row).
CREATE FUNCTION account_emojis_json(account bigint) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.shortcode), '[]'::jsonb)
    FROM account_emojis ae JOIN custom_emojis e ON e.id = ae.custom_emoji_id
    WHERE ae.account_id = account AND NOT e.disabled
$$;
