-- Relays (Mastodon's Relay): servers that pass every public post they receive from a
-- subscriber on to every other subscriber. Roost subscribes with a `Follow` from the
-- instance actor, of `https://www.w3.org/ns/activitystreams#Public` for a
-- Mastodon-style relay (given by its inbox) or of the relay's actor for a LitePub one
-- (given by its actor). See src/services/relays.rs and docs/admin.md ("Relays").
CREATE TABLE relays (
    id                bigint PRIMARY KEY DEFAULT timestamp_id(),
    -- Where the subscription and the public posts are delivered.
    inbox_url         text NOT NULL UNIQUE,
    -- `mastodon` (Follow of Public) or `litepub` (Follow of the relay's actor).
    kind              text NOT NULL CHECK (kind IN ('mastodon', 'litepub')),
    -- idle: not subscribed; pending: Follow sent; accepted: posts flow both ways;
    -- rejected: the relay refused the Follow.
    state             text NOT NULL DEFAULT 'idle'
                      CHECK (state IN ('idle', 'pending', 'accepted', 'rejected')),
    -- The id of the last Follow sent, which the relay's Accept or Reject names.
    follow_activity_id text UNIQUE,
    -- The relay's actor: known at once for a LitePub relay, from its Accept otherwise.
    actor_ap_id       text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relays_actor_idx ON relays (actor_ap_id) WHERE state = 'accepted';
