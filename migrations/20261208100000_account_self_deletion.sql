-- A user who deleted their own account (web settings): the account is suspended at
-- once and its data purged by the maintenance pass once this is older than
-- ROOST_ACCOUNT_DELETION_GRACE_DAYS. The purge removes the `users` row itself.
ALTER TABLE users ADD COLUMN deletion_requested_at timestamptz;
CREATE INDEX users_deletion_requested_idx ON users (deletion_requested_at)
    WHERE deletion_requested_at IS NOT NULL;
