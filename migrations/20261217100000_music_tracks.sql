-- Music on posts: a track (title, artist, a link to a music service, artwork, a short
-- audio clip) attached to a status. See src/services/music.rs and docs/api.md.

-- A track. Local tracks name the author's uploads (artwork: an image, clip: audio);
-- tracks received from another Roost keep the peer's URLs. Kept apart from statuses
-- so other kinds of posts (stories) can carry one too.
CREATE TABLE music_tracks (
    id               bigint PRIMARY KEY DEFAULT timestamp_id(),
    title            text NOT NULL,
    artist           text NOT NULL,
    -- The track on a music service (https only).
    url              text,
    artwork_media_id bigint REFERENCES media_attachments (id) ON DELETE SET NULL,
    artwork_url      text,
    clip_media_id    bigint REFERENCES media_attachments (id) ON DELETE SET NULL,
    clip_url         text,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Uploads a track uses are not orphans (`db::media::delete_orphans` looks here).
CREATE INDEX music_tracks_artwork_idx ON music_tracks (artwork_media_id)
    WHERE artwork_media_id IS NOT NULL;
CREATE INDEX music_tracks_clip_idx ON music_tracks (clip_media_id)
    WHERE clip_media_id IS NOT NULL;

-- The track of a status (at most one).
CREATE TABLE status_music_tracks (
    status_id      bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    music_track_id bigint NOT NULL REFERENCES music_tracks (id) ON DELETE CASCADE
);
