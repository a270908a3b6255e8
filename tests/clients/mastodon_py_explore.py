#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""End-to-end test of the Explore and search screens with the real Mastodon.py (2.x).

Usage: python tests/clients/mastodon_py_explore.py BASE_URL USER_TOKEN ADMIN_TOKEN

The server holds (set up by tests/api/clients.rs): three users who posted
"#fediverse morning coffee", one of whose posts the others favourited, with
trends computed; USER_TOKEN is a user who follows one of them, ADMIN_TOKEN an
admin's token with the admin scopes. The script makes the calls apps make on
their Explore and search screens: as the admin it approves the trending
hashtag and status (Mastodon.py's admin trends methods); as the user it reads
trending hashtags (also the deprecated route), statuses, suggestions, the
directory, and searches statuses, hashtags and accounts. Prints
"mastodon_py_explore: ok" and exits 0 when every check passes; otherwise prints
the failed step and exits 1 (2 for a usage error).
"""

import sys
import traceback
import warnings

from mastodon import Mastodon

TIMEOUT = 30  # seconds per request


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def client(base, token):
    return Mastodon(
        access_token=token,
        api_base_url=base,
        request_timeout=TIMEOUT,
        version_check_mode="none",
    )


def approve_trends(admin):
    tags = admin.admin_trending_tags()
    names = [tag.name for tag in tags]
    check("fediverse" in names, f"admin trending tags: {names}")
    tag = tags[names.index("fediverse")]
    check(tag.requires_review, "the hashtag awaits review")
    approved = admin.admin_approve_trending_tag(tag.id)
    check(approved.trendable, "approved hashtag is trendable")
    statuses = admin.admin_trending_statuses()
    check(len(statuses) == 1, f"one trending status: {len(statuses)}")
    admin.admin_approve_trending_status(statuses[0].id)
    return statuses[0].id


def explore(user, status_id):
    check([t.name for t in user.trending_tags()] == ["fediverse"], "trending tags")
    check([t.name for t in user.trends()] == ["fediverse"], "deprecated trends")
    trending = user.trending_statuses()
    check([s.id for s in trending] == [status_id], "trending statuses")
    check(user.trending_links() == [], "no trending links")
    suggestions = user.suggestions_v2()
    check(len(suggestions) >= 1, "someone is suggested")
    check(all(s.account.acct != "viewer" for s in suggestions), "never oneself")
    directory = user.directory(order="new", local=True)
    check(len(directory) >= 3, f"directory lists the users: {len(directory)}")


def search(user):
    found = user.search_v2("coffee", result_type="statuses")
    check(len(found.statuses) >= 1, f"statuses found: {found}")
    tags = user.search_v2("fedi", result_type="hashtags")
    check([t.name for t in tags.hashtags][:1] == ["fediverse"], f"hashtags: {tags.hashtags}")
    accounts = user.search_v2("poster", result_type="accounts")
    check(len(accounts.accounts) == 3, f"accounts: {[a.acct for a in accounts.accounts]}")
    everything = user.search_v2("#fediverse")
    check(everything.hashtags, "a hashtag query finds the hashtag")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    base, user_token, admin_token = sys.argv[1:]
    warnings.simplefilter("ignore")
    step = "start"
    try:
        step = "approving trends as the admin"
        status_id = approve_trends(client(base, admin_token))
        user = client(base, user_token)
        step = "reading Explore"
        explore(user, status_id)
        step = "searching"
        search(user)
    except Exception:
        print(f"mastodon_py_explore: failed while {step}")
        traceback.print_exc()
        return 1
    print("mastodon_py_explore: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
