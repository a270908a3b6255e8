-- Phone verification by SMS (`ROOST_SMS_*`): codes sent to a number, and the verified
-- number of a user. Numbers are kept twice: an HMAC digest (keyed by the instance's
-- secret key) for lookups, uniqueness and rate limits, and the E.164 form to send
-- messages to and show its owner. See src/services/phone_verification.rs.

-- One code sent to one number. `purpose` says what the verification is for: a
-- sign-up (`app_id`: the app that may use it; none for the web page), a signed-in
-- user's new number (`user_id`), or the second factor of a sign-in (`user_id`). A code
-- lives 10 minutes, allows 5 tries, and a verified one is used once.
CREATE TABLE phone_verifications (
    id           bigint PRIMARY KEY DEFAULT timestamp_id(),
    purpose      text NOT NULL CHECK (purpose IN ('sign_up', 'user_phone', 'sign_in')),
    phone_digest text NOT NULL,
    phone_e164   text NOT NULL,
    code_digest  text NOT NULL,
    app_id       bigint REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
    ip           text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    verified_at  timestamptz,
    used_at      timestamptz
);
CREATE INDEX phone_verifications_phone_idx ON phone_verifications (phone_digest, created_at);
CREATE INDEX phone_verifications_ip_idx ON phone_verifications (ip, created_at);

ALTER TABLE users
    ADD COLUMN phone_digest      text,
    ADD COLUMN phone_e164        text,
    ADD COLUMN phone_verified_at timestamptz,
    -- Two-factor sign-in by a code texted to the verified number.
    ADD COLUMN sms_two_factor    boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX users_phone_digest_key ON users (phone_digest) WHERE phone_digest IS NOT NULL;
