-- Changing a confirmed e-mail address (web settings): the new address waits here
-- until its confirmation link is followed, and the old one keeps working meanwhile,
-- as Mastodon's `unconfirmed_email` does. NULL: no change pending.
ALTER TABLE users ADD COLUMN unconfirmed_email text;
