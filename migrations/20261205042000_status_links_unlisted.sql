-- Unlisted statuses get link preview cards too (as in Mastodon, which fetches cards for
-- every status it distributes: public and unlisted), so `status_links` now holds the
-- links of both. The link timeline still lists public statuses only (its query checks
-- the visibility). See services::cards.
CREATE OR REPLACE FUNCTION status_links_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM status_links WHERE status_id = NEW.id;
    END IF;
    IF NEW.visibility IN ('public', 'unlisted') AND NEW.reblog_of_id IS NULL THEN
        INSERT INTO status_links (status_id, url)
        SELECT NEW.id, link FROM status_link_urls(NEW.content) AS link
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

INSERT INTO status_links (status_id, url)
SELECT s.id, link FROM statuses s, status_link_urls(s.content) AS link
WHERE s.visibility = 'unlisted' AND s.reblog_of_id IS NULL AND s.deleted_at IS NULL
ON CONFLICT DO NOTHING;
