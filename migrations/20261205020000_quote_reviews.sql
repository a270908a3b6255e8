-- Manual review of quotes (GoToSocial's interaction requests, for quotes): when a quote
-- was accepted or rejected, and the pending quotes of an author's posts, newest first.
ALTER TABLE quotes
    ADD COLUMN accepted_at timestamptz,
    ADD COLUMN rejected_at timestamptz;
CREATE INDEX quotes_pending_idx ON quotes (quoted_account_id, status_id DESC)
    WHERE state = 'pending';
