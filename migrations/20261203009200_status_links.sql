-- The web links of public statuses (not mentions or hashtags), for the link timeline
-- (`GET /api/v1/timelines/link?url=`). Taken from the stored HTML whenever a status
-- is written or its text edited, local or remote alike, so no writer can forget it.
-- Trailing slashes are dropped, so `https://a.example` and `https://a.example/` match.
CREATE TABLE status_links (
    status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    url       text NOT NULL,
    PRIMARY KEY (status_id, url)
);
CREATE INDEX status_links_url_idx ON status_links (url, status_id DESC);

-- The link targets of a status's HTML: the `href` of every `<a>` that is neither a
-- mention nor a hashtag, http(s) only, at most 20 (a status has a few; the bound
-- keeps a hostile remote text cheap). `&amp;` is the one entity sanitised HTML
-- leaves in an attribute.
CREATE FUNCTION status_link_urls(html text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT url FROM (
        SELECT rtrim(replace(substring(tag[1] FROM 'href="([^"]*)"'), '&amp;', '&'), '/') AS url
        FROM regexp_matches(html, '(<a\s[^>]*>)', 'gi') AS tag
        WHERE tag[1] !~* 'class="[^"]*\m(mention|hashtag)\M'
        LIMIT 20
    ) links
    WHERE url ~* '^https?://[^/]' AND char_length(url) <= 2048
$$;

CREATE FUNCTION status_links_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM status_links WHERE status_id = NEW.id;
    END IF;
    IF NEW.visibility = 'public' AND NEW.reblog_of_id IS NULL THEN
        INSERT INTO status_links (status_id, url)
        SELECT NEW.id, link FROM status_link_urls(NEW.content) AS link
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER statuses_links AFTER INSERT OR UPDATE OF content ON statuses
    FOR EACH ROW EXECUTE FUNCTION status_links_refresh();

-- The statuses written before this migration.
INSERT INTO status_links (status_id, url)
SELECT s.id, link FROM statuses s, status_link_urls(s.content) AS link
WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL AND s.deleted_at IS NULL
ON CONFLICT DO NOTHING;
