-- Who may ask a remote post's author to approve a reply (GoToSocial's
-- `canReply.manualApproval`, read like `automaticApproval`): a local reply such an
-- account writes is sent and stays out of the thread until the author's server
-- approves it. NULL: nobody may ask (Roost's own posts: it reviews no replies).
ALTER TABLE status_reply_policies
    ADD COLUMN manual_policy text CHECK (manual_policy IN ('everyone', 'followers', 'mentioned', 'nobody'));
