-- The OAuth application a local status was posted with (Mastodon's
-- statuses.application_id), shown as `application` on the Status entity. NULL for
-- remote statuses, boosts and statuses posted before this column existed. Apps are
-- never deleted, so the reference needs no index for ON DELETE.

ALTER TABLE statuses ADD COLUMN application_id bigint REFERENCES oauth_apps (id) ON DELETE SET NULL;
