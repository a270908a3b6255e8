-- What is known of a video or audio file besides its size (duration, frame rate,
-- bitrate, codecs), and reels. See src/media/video.rs, src/services/reels.rs and
-- docs/api.md.

-- Facts read from a video or audio file at upload (by ffprobe, or from the MP4
-- container's header without it): `duration` (seconds), `frame_rate` ("30/1"),
-- `bitrate` (bits per second), `video_codec`, `audio_codec`. Rendered inside the
-- MediaAttachment's `meta.original`, beside the width and height of their own columns.
-- Empty for images and for files nothing could be read from.
ALTER TABLE media_attachments ADD COLUMN meta jsonb NOT NULL DEFAULT '{}';

-- Reels: statuses posted as a short vertical video (exactly one video attachment,
-- taller than wide, within the reel duration limit), local or received from another
-- Roost (a Note marked `roost:reel`). One row per reel; the status itself is an
-- ordinary status with a video for Mastodon apps and for federation.
-- The author is the status's: the feed walks this table's key newest first and reads
-- each status by its primary key.
CREATE TABLE reels (
    status_id bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE
);
