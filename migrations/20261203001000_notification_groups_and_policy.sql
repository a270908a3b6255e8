-- Grouped notifications and the notification policy (Mastodon 4.3:
-- https://docs.joinmastodon.org/methods/grouped_notifications/,
-- https://docs.joinmastodon.org/methods/notifications/#get-policy).

-- `group_key`: notifications with the same key are one group in
-- /api/v2/notifications. Written with each new notification by
-- `services::notifications` (favourite/reblog of one status, follows), NULL for the
-- kinds that do not group and for filtered notifications.
-- `filtered`: hidden by the recipient's notification policy; listed only on request,
-- never streamed nor pushed.
ALTER TABLE notifications
    ADD COLUMN group_key text,
    ADD COLUMN filtered boolean NOT NULL DEFAULT false;

-- Older notifications get keys of fixed 12-hour buckets (hours since the epoch,
-- rounded down to a multiple of 12); new ones continue the newest group of their kind
-- while it spans less than 12 hours, as Mastodon's.
UPDATE notifications
SET group_key = CASE type
        WHEN 'follow' THEN 'follow-'
        ELSE type || '-' || status_id || '-'
    END || ((floor(extract(epoch FROM created_at) / 3600)::bigint / 12) * 12)
WHERE type IN ('favourite', 'reblog', 'follow')
  AND (type = 'follow' OR status_id IS NOT NULL);

-- The members of a group, newest first (group pages, dismissing, sample accounts).
CREATE INDEX notifications_group_idx ON notifications (account_id, group_key, id DESC)
    WHERE group_key IS NOT NULL;
-- The newest group of a kind and status, to continue it.
CREATE INDEX notifications_group_prefix_idx
    ON notifications (account_id, type, coalesce(status_id, 0), id DESC)
    WHERE group_key IS NOT NULL;
-- A sender's filtered notifications (requests, accepting, dismissing).
CREATE INDEX notifications_filtered_idx ON notifications (account_id, from_account_id)
    WHERE filtered;

-- Filtered notifications are neither streamed nor pushed.
DROP TRIGGER notifications_stream ON notifications;
CREATE TRIGGER notifications_stream AFTER INSERT ON notifications
    FOR EACH ROW WHEN (NOT NEW.filtered) EXECUTE FUNCTION roost_stream_notification();
DROP TRIGGER notifications_queue_web_push ON notifications;
CREATE TRIGGER notifications_queue_web_push AFTER INSERT ON notifications
    FOR EACH ROW WHEN (NOT NEW.filtered) EXECUTE FUNCTION queue_web_push();

-- A local account's notification policy; no row means Mastodon's defaults (kept in
-- one place, `services::notifications::policy`, which writes every column).
CREATE TABLE notification_policies (
    account_id           bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    for_not_following    text NOT NULL CHECK (for_not_following IN ('accept', 'filter', 'drop')),
    for_not_followers    text NOT NULL CHECK (for_not_followers IN ('accept', 'filter', 'drop')),
    for_new_accounts     text NOT NULL CHECK (for_new_accounts IN ('accept', 'filter', 'drop')),
    for_private_mentions text NOT NULL CHECK (for_private_mentions IN ('accept', 'filter', 'drop')),
    for_limited_accounts text NOT NULL CHECK (for_limited_accounts IN ('accept', 'filter', 'drop')),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Filtered mentions from one account, waiting for the recipient to accept or dismiss
-- them (Mastodon's NotificationRequest).
CREATE TABLE notification_requests (
    id                  bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id          bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    last_status_id      bigint REFERENCES statuses (id) ON DELETE SET NULL,
    notifications_count bigint NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, from_account_id)
);
CREATE INDEX notification_requests_account_idx ON notification_requests (account_id, id DESC);

-- Senders whose notifications a recipient accepted whatever the policy says.
CREATE TABLE notification_permissions (
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, from_account_id)
);

-- A filtered mention going away, by whatever path (a retraction, a dismissal, a block,
-- an account deleted), recounts its request, which goes when nothing is left in it.
CREATE FUNCTION notification_requests_recount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (
        SELECT count(*) AS n FROM (
            SELECT 1 FROM notifications
            WHERE account_id = OLD.account_id AND from_account_id = OLD.from_account_id
              AND filtered AND type = 'mention'
            LIMIT 100) kept)
    UPDATE notification_requests r SET notifications_count = counted.n, updated_at = now()
    FROM counted
    WHERE r.account_id = OLD.account_id AND r.from_account_id = OLD.from_account_id;
    DELETE FROM notification_requests
    WHERE account_id = OLD.account_id AND from_account_id = OLD.from_account_id
      AND notifications_count = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_recount_requests AFTER DELETE ON notifications
    FOR EACH ROW WHEN (OLD.filtered AND OLD.type = 'mention')
    EXECUTE FUNCTION notification_requests_recount();
