#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""End-to-end Web Push test with the real Mastodon.py (2.x) and its crypto helpers.

Usage: python tests/clients/mastodon_py_push.py BASE_URL ALICE_TOKEN BOB_TOKEN

Runs a push endpoint on 127.0.0.1 (a thread of this script). Alice subscribes
with keys from push_subscription_generate_keys(), posts, and Bob favourites the
post; the server's workers push the notification, which this script decrypts with
push_subscription_decrypt_push() (the `aesgcm` coding Mastodon.py understands).
Then it reads, updates and deletes the subscription. Prints
"mastodon_py_push: ok" and exits 0 when every check passes, else exits 1.
"""

import http.server
import sys
import threading
import time
import traceback

from mastodon import Mastodon, MastodonNotFoundError

TIMEOUT = 30
PUSH_DEADLINE = 20  # seconds to wait for the push


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


class PushEndpoint(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, 65536))
        PushEndpoint.received.append((self.headers, body))  # case-insensitive names
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def client(base_url, token):
    return Mastodon(
        api_base_url=base_url,
        access_token=token,
        request_timeout=TIMEOUT,
        ratelimit_method="throw",
    )


def run(base_url, alice_token, bob_token, step):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PushEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/push/alice"
    alice = client(base_url, alice_token)
    bob = client(base_url, bob_token)

    step("push_subscription_set")
    private, public = alice.push_subscription_generate_keys()
    subscription = alice.push_subscription_set(
        endpoint, public, favourite_events=True, follow_events=True
    )
    check(subscription.endpoint == endpoint, f"endpoint is {subscription.endpoint!r}")
    check(subscription.alerts.favourite is True, f"alerts are {subscription.alerts!r}")
    check(subscription.alerts.mention is False, f"alerts are {subscription.alerts!r}")
    check(bool(subscription.server_key), "no server_key")

    step("push_subscription")
    shown = alice.push_subscription()
    check(str(shown.id) == str(subscription.id), f"subscription id {shown.id!r}")

    step("a favourite is pushed")
    status = alice.status_post("push me")
    bob.status_favourite(status.id)
    deadline = time.monotonic() + PUSH_DEADLINE
    while not PushEndpoint.received and time.monotonic() < deadline:
        time.sleep(0.05)
    check(PushEndpoint.received, "no push arrived")
    headers, body = PushEndpoint.received[0]
    notification = alice.push_subscription_decrypt_push(
        body, private, headers["Encryption"], headers["Crypto-Key"]
    )
    check(notification.notification_type == "favourite", f"pushed {notification!r}")
    fetched = alice.notifications(id=notification.notification_id)
    check(fetched.type == "favourite", f"the pushed id names {fetched!r}")

    step("push_subscription_update")
    updated = alice.push_subscription_update(mention_events=True)
    check(updated.alerts.mention is True, f"alerts are {updated.alerts!r}")
    check(updated.alerts.favourite is True, f"alerts are {updated.alerts!r}")

    step("push_subscription_delete")
    alice.push_subscription_delete()
    try:
        alice.push_subscription()
        raise CheckFailed("the subscription still exists")
    except MastodonNotFoundError:
        pass
    server.shutdown()


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    current = ["start"]

    def step(name):
        current[0] = name
        print(f"mastodon_py_push: {name}", flush=True)

    try:
        run(argv[1].rstrip("/"), argv[2], argv[3], step)
    except Exception as error:  # report the step that broke, with the cause
        print(f"mastodon_py_push: FAILED at {current[0]}: {error!r}", file=sys.stderr)
        traceback.print_exc()
        return 1
    print("mastodon_py_push: ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
