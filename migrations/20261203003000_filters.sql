-- Content filters (https://docs.joinmastodon.org/methods/filters/): a user's filter
-- groups, each with keywords and statuses, applied to what the user reads in the
-- contexts the filter names, until it expires.

CREATE TABLE custom_filters (
    id            bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 256),
    -- Where the filter applies: a non-empty set of Mastodon's five contexts.
    context       text[] NOT NULL CHECK (
                      cardinality(context) BETWEEN 1 AND 5
                      AND context <@ ARRAY['home', 'notifications', 'public', 'thread', 'account']),
    -- warn: shown with a warning; hide: left out; blur: media hidden behind a warning.
    filter_action text NOT NULL DEFAULT 'warn' CHECK (filter_action IN ('warn', 'hide', 'blur')),
    -- NULL: never expires. An expired filter stays listed but no longer applies.
    expires_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX custom_filters_account_idx ON custom_filters (account_id, id);

CREATE TABLE custom_filter_keywords (
    id               bigint PRIMARY KEY DEFAULT timestamp_id(),
    custom_filter_id bigint NOT NULL REFERENCES custom_filters (id) ON DELETE CASCADE,
    keyword          text NOT NULL CHECK (char_length(keyword) BETWEEN 1 AND 512),
    -- Matched only between word boundaries (Mastodon's default).
    whole_word       boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX custom_filter_keywords_filter_idx ON custom_filter_keywords (custom_filter_id, id);

CREATE TABLE custom_filter_statuses (
    id               bigint PRIMARY KEY DEFAULT timestamp_id(),
    custom_filter_id bigint NOT NULL REFERENCES custom_filters (id) ON DELETE CASCADE,
    status_id        bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT custom_filter_statuses_unique UNIQUE (custom_filter_id, status_id)
);
CREATE INDEX custom_filter_statuses_status_idx ON custom_filter_statuses (status_id);

-- The `user` stream's `filters_changed` event, on any change to a user's filters, their
-- keywords or statuses, by whatever path. NOTIFY delivers identical payloads of one
-- transaction once, so a change of many rows is announced once.
CREATE FUNCTION roost_stream_filters_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    owner bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    IF TG_TABLE_NAME = 'custom_filters' THEN
        owner := changed.account_id;
    ELSE
        -- Gone with its filter (a cascade): the filter's own trigger announced it.
        SELECT account_id INTO owner FROM custom_filters WHERE id = changed.custom_filter_id;
    END IF;
    IF owner IS NOT NULL THEN
        PERFORM pg_notify('roost_stream',
            json_build_object('k', 'filters_changed', 'a', owner)::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER custom_filters_stream AFTER INSERT OR UPDATE OR DELETE ON custom_filters
    FOR EACH ROW EXECUTE FUNCTION roost_stream_filters_changed();
CREATE TRIGGER custom_filter_keywords_stream
    AFTER INSERT OR UPDATE OR DELETE ON custom_filter_keywords
    FOR EACH ROW EXECUTE FUNCTION roost_stream_filters_changed();
CREATE TRIGGER custom_filter_statuses_stream
    AFTER INSERT OR UPDATE OR DELETE ON custom_filter_statuses
    FOR EACH ROW EXECUTE FUNCTION roost_stream_filters_changed();
