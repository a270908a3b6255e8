-- Link preview cards (Mastodon's PreviewCard): one row per URL and source, a link from
-- each status to its card, and the durable queue of pages to fetch. See
-- docs/architecture.md ("Preview cards") and src/services/cards.rs.

-- A card. `origin` is '' for a card Roost fetched itself (shared by every status that
-- links to the URL: one fetch per URL for the whole instance) or the domain of the
-- server whose Note carried it (used only for that server's statuses, so no peer can
-- replace the card everyone else sees).
CREATE TABLE preview_cards (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    url               text NOT NULL,
    origin            text NOT NULL DEFAULT '',
    title             text NOT NULL DEFAULT '',
    description       text NOT NULL DEFAULT '',
    card_type         text NOT NULL DEFAULT 'link' CHECK (card_type IN ('link', 'photo', 'video', 'rich')),
    author_name       text NOT NULL DEFAULT '',
    author_url        text NOT NULL DEFAULT '',
    provider_name     text NOT NULL DEFAULT '',
    provider_url      text NOT NULL DEFAULT '',
    language          text,
    published_at      timestamptz,
    -- The image: a file Roost stored (`image_key`) or, for a card a Note carried, the
    -- peer's URL.
    image_key         text,
    image_remote_url  text,
    image_description text NOT NULL DEFAULT '',
    width             integer NOT NULL DEFAULT 0,
    height            integer NOT NULL DEFAULT 0,
    blurhash          text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT preview_cards_url_origin_key UNIQUE (url, origin)
);

-- The card of a status: the URL it will show (`card_id` NULL until the page is fetched)
-- and, for a local status whose `Create` waits for its card, that activity's id.
CREATE TABLE status_cards (
    status_id      bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    url            text NOT NULL,
    card_id        bigint REFERENCES preview_cards (id) ON DELETE SET NULL,
    held_activity  text
);
CREATE INDEX status_cards_waiting_idx ON status_cards (url) WHERE card_id IS NULL;
CREATE INDEX status_cards_card_idx ON status_cards (card_id);

-- Pages to fetch, one row per URL (a burst of posts linking one page is one fetch).
-- Claimed with SKIP LOCKED like the other queues; `host` is what the per-host rate
-- limit of preview_card_hosts counts.
CREATE TABLE preview_card_fetches (
    url             text PRIMARY KEY,
    host            text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX preview_card_fetches_due_idx ON preview_card_fetches (next_attempt_at);

-- When each host may be fetched from next (the per-host rate limit, shared by every
-- process: a worker takes the slot with one conditional upsert).
CREATE TABLE preview_card_hosts (
    host            text PRIMARY KEY,
    next_allowed_at timestamptz NOT NULL
);

CREATE FUNCTION preview_card_fetches_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('preview_card_fetches', '');
    RETURN NULL;
END $$;

CREATE TRIGGER preview_card_fetches_notify AFTER INSERT ON preview_card_fetches
    FOR EACH STATEMENT EXECUTE FUNCTION preview_card_fetches_notify();

-- A card arriving for a status is announced on the streams as `status.update` (as
-- Mastodon does), whichever path linked it.
CREATE FUNCTION status_cards_stream() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.card_id IS NOT NULL AND OLD.card_id IS NULL THEN
        PERFORM pg_notify('roost_stream',
            json_build_object('k', 'status.update', 's', NEW.status_id)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER status_cards_stream AFTER UPDATE OF card_id ON status_cards
    FOR EACH ROW EXECUTE FUNCTION status_cards_stream();
