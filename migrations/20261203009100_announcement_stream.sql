-- Announcement events on every signed-in user's `user` stream (Mastodon's
-- `announcement`, `announcement.reaction` and `announcement.delete`), announced
-- through `roost_stream` like the other stream events; the hub renders them. A changed
-- announcement is sent again as `announcement`, as Mastodon does.
CREATE FUNCTION roost_stream_announcement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('roost_stream',
            json_build_object('k', 'announcement', 'an', NEW.id)::text);
    ELSE
        PERFORM pg_notify('roost_stream',
            json_build_object('k', 'announcement.delete', 'an', OLD.id)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER announcements_stream AFTER INSERT OR UPDATE OR DELETE ON announcements
    FOR EACH ROW EXECUTE FUNCTION roost_stream_announcement();

-- A reaction added or taken back: the new count of that name is sent.
CREATE FUNCTION roost_stream_announcement_reaction() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed announcement_reactions;
BEGIN
    IF TG_OP = 'INSERT' THEN changed := NEW; ELSE changed := OLD; END IF;
    PERFORM pg_notify('roost_stream',
        json_build_object('k', 'announcement.reaction', 'an', changed.announcement_id,
                          'r', changed.name)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER announcement_reactions_stream AFTER INSERT OR DELETE ON announcement_reactions
    FOR EACH ROW EXECUTE FUNCTION roost_stream_announcement_reaction();
