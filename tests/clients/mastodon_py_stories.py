#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Stories stay out of what a Mastodon app shows, checked with the real Mastodon.py (2.x).

Usage: python tests/clients/mastodon_py_stories.py BASE_URL TOKEN AUTHOR_ID TEXT

The server holds (set up by tests/api/federated_stories.rs): the token's user
follows AUTHOR_ID, who wrote one ordinary post containing TEXT and posted
stories. The script reads what apps read at start-up and on a profile: the home
timeline, the author's statuses, notifications and conversations, and checks
that exactly the ordinary post shows, and no story anywhere. Prints
"mastodon_py_stories: ok" and exits 0 when every check passes; otherwise prints
the failed step and exits 1 (2 for a usage error).
"""

import sys
import traceback

from mastodon import Mastodon

TIMEOUT = 30  # seconds per request


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def only_the_post(statuses, text, where):
    contents = [status.content for status in statuses]
    check(len(statuses) == 1, f"{where}: expected one status, got {contents}")
    check(text in statuses[0].content, f"{where}: {contents}")
    check(statuses[0].media_attachments == [], f"{where}: a story's media leaked")


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    base, token, author_id, text = sys.argv[1:]
    api = Mastodon(
        access_token=token,
        api_base_url=base,
        request_timeout=TIMEOUT,
        version_check_mode="none",
    )
    try:
        only_the_post(api.timeline_home(), text, "home timeline")
        only_the_post(api.account_statuses(author_id), text, "the author's statuses")
        notifications = api.notifications()
        check(notifications == [], f"notifications: {notifications}")
        conversations = api.conversations()
        check(conversations == [], f"conversations: {conversations}")
    except Exception:  # noqa: BLE001 - report any failure as the failed step
        traceback.print_exc()
        return 1
    print("mastodon_py_stories: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
