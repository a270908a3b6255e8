-- URLs from other servers are kept only if they are absolute http(s) URLs (the rule of
-- domain::HttpUrl, applied since this release while documents are parsed). Post and
-- profile page URLs stored before may be javascript:, data: or other URLs a client must
-- never follow: forget them. Clients then see no post URL, and a profile URL equal to the
-- actor's id. Avatars, headers and media were already checked when stored.
UPDATE statuses SET url = NULL WHERE url IS NOT NULL AND url !~* '^https?://[^/?#]';
UPDATE accounts SET url = NULL WHERE url IS NOT NULL AND url !~* '^https?://[^/?#]';
