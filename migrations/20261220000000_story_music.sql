-- Music on stories, and tracks that go with what carried them. See src/services/music.rs.

-- The track of a story (at most one), a row of `music_tracks` like a status's.
ALTER TABLE stories
    ADD COLUMN music_track_id bigint REFERENCES music_tracks (id) ON DELETE SET NULL;
CREATE INDEX stories_music_track_idx ON stories (music_track_id)
    WHERE music_track_id IS NOT NULL;
CREATE INDEX status_music_tracks_track_idx ON status_music_tracks (music_track_id);

-- A track that no status and no story carries any more is deleted, whichever way its
-- carrier went (deleted, expired, edited, its account purged). Its artwork and clip
-- uploads then become orphans that `db::media::delete_orphans` removes with their files.
-- A trigger, so that no path of deletion (cascades included) can leave one behind.
CREATE FUNCTION delete_unused_music_track() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.music_track_id IS NOT NULL THEN
        DELETE FROM music_tracks t
        WHERE t.id = OLD.music_track_id
          AND NOT EXISTS (SELECT 1 FROM status_music_tracks smt WHERE smt.music_track_id = t.id)
          AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.music_track_id = t.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER status_music_tracks_delete_unused
    AFTER DELETE OR UPDATE OF music_track_id ON status_music_tracks
    FOR EACH ROW EXECUTE FUNCTION delete_unused_music_track();
CREATE TRIGGER stories_delete_unused_music_track
    AFTER DELETE OR UPDATE OF music_track_id ON stories
    FOR EACH ROW EXECUTE FUNCTION delete_unused_music_track();

-- Tracks left behind before this migration.
DELETE FROM music_tracks t
WHERE NOT EXISTS (SELECT 1 FROM status_music_tracks smt WHERE smt.music_track_id = t.id);
