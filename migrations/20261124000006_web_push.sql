-- Web Push (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID).

-- The instance's VAPID key pair (ECDSA P-256, PKCS#8). One row, created on first use,
-- shared by every process so that subscriptions survive restarts and scale-out.
CREATE TABLE vapid_keys (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    private_key bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One subscription per access token (Mastodon's rule): revoking or deleting the
-- token removes its subscription.
CREATE TABLE push_subscriptions (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    access_token_id uuid NOT NULL UNIQUE REFERENCES oauth_access_tokens (id) ON DELETE CASCADE,
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint        text NOT NULL,
    -- The user agent's ECDH public key (65 bytes, uncompressed P-256 point).
    p256dh          bytea NOT NULL CHECK (octet_length(p256dh) = 65),
    -- The 16-byte authentication secret.
    auth_secret     bytea NOT NULL CHECK (octet_length(auth_secret) = 16),
    -- true: RFC 8291 `aes128gcm`; false: the older draft `aesgcm` encoding.
    standard        boolean NOT NULL DEFAULT false,
    -- Notification types (API names) that are pushed.
    alerts          text[] NOT NULL DEFAULT '{}',
    policy          text NOT NULL DEFAULT 'all' CHECK (policy IN ('all', 'followed', 'follower', 'none')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX push_subscriptions_account_idx ON push_subscriptions (account_id);

-- The durable push queue: a row per (subscription, notification), written in the
-- transaction that creates the notification, deleted once sent or given up.
CREATE TABLE push_deliveries (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    subscription_id bigint NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subscription_id, notification_id)
);

CREATE INDEX push_deliveries_due_idx ON push_deliveries (next_attempt_at);

-- Every new notification queues its pushes in the inserting transaction, whichever
-- code path inserted it: to each subscription of the recipient whose token is live,
-- that asked for this type (alerts), and whose policy admits the sender.
CREATE FUNCTION queue_web_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO push_deliveries (subscription_id, notification_id)
    SELECT s.id, NEW.id
    FROM push_subscriptions s
    JOIN oauth_access_tokens t ON t.id = s.access_token_id
    WHERE s.account_id = NEW.account_id
      AND NEW.type = ANY (s.alerts)
      AND t.revoked_at IS NULL AND t.expires_at > now()
      AND (s.policy = 'all'
        OR (s.policy = 'followed' AND EXISTS (
              SELECT 1 FROM follows f
              WHERE f.account_id = NEW.account_id AND f.target_account_id = NEW.from_account_id
                AND f.accepted))
        OR (s.policy = 'follower' AND EXISTS (
              SELECT 1 FROM follows f
              WHERE f.account_id = NEW.from_account_id AND f.target_account_id = NEW.account_id
                AND f.accepted)))
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM pg_notify('roost_push', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER notifications_queue_web_push
    AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION queue_web_push();
