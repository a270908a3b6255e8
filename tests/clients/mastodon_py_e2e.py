#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""End-to-end test: drives a running Roost server with the real Mastodon.py (2.x).

Usage: python tests/clients/mastodon_py_e2e.py BASE_URL [ADMIN_TOKEN]
       (e.g. http://127.0.0.1:8080)

Registers an app and an account, logs in with the password grant, reads and
updates the profile, uploads an image and posts it, sets an avatar, looks the
account up, reads the app and instance, revokes
the token and checks that the revoked token no longer works. With ADMIN_TOKEN (an
admin's token with the admin scopes) it also reports the admin's account and, as
the admin, blocks a domain: Mastodon.py sends both to paths with a trailing slash. Prints
"mastodon_py_e2e: ok" and exits 0 when every check passes; otherwise prints the
failed step and exits 1 (2 for a usage error).

The server should run with ROOST_RATE_LIMITS=off: the test signs up from
127.0.0.1, and other tests may do so at the same time.
"""

import secrets
import sys
import traceback
import warnings

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonUnauthorizedError,
)

SCOPES = ["read", "write", "follow", "push"]
OOB = "urn:ietf:wg:oauth:2.0:oob"
TIMEOUT = 30  # seconds per request (Mastodon.py's default is 300)


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def tiny_png(width, height):
    """A grey RGB PNG of the given size, made here (no image library needed)."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def status_of(error):
    """The HTTP status of a MastodonAPIError (its second argument), or None."""
    if len(error.args) > 1 and isinstance(error.args[1], int):
        return error.args[1]
    return None


def client(base_url, **kwargs):
    # version_check_mode stays at Mastodon.py 2.x's default ("none"): the test
    # checks the version string itself, and "created" would refuse calls
    # whenever Roost reports an older version than the endpoint's.
    # ratelimit_method="throw": a 429 fails the test at once instead of sleeping.
    return Mastodon(
        api_base_url=base_url,
        request_timeout=TIMEOUT,
        ratelimit_method="throw",
        **kwargs,
    )


def run(base_url, admin_token, step):
    allow_http = base_url.startswith("http://")
    suffix = secrets.token_hex(4)
    app_name = f"roost-e2e-{suffix}"
    username = f"e2e_{suffix}"
    email = f"{username}@example.com"
    password = "correct-horse-" + secrets.token_hex(8)

    step("create_app")
    client_id, client_secret = Mastodon.create_app(
        app_name,
        scopes=SCOPES,
        redirect_uris=OOB,
        api_base_url=base_url,
        to_file=None,
        request_timeout=TIMEOUT,
    )
    check(isinstance(client_id, str) and client_id, "create_app returned no client_id")
    check(isinstance(client_secret, str) and client_secret, "create_app returned no client_secret")

    step("create_account")
    signup = client(base_url, client_id=client_id, client_secret=client_secret)
    # Mastodon.py 2.x names the terms-of-service flag `agreement` (sent as the
    # API's `agreement` parameter); there is no agree_to_tos argument.
    signup_token = signup.create_account(
        username,
        password,
        email,
        agreement=True,
        locale="en",
        scopes=SCOPES,
    )
    check(isinstance(signup_token, str) and signup_token, "create_account returned no access token")

    step("log_in (password grant)")
    api = client(base_url, client_id=client_id, client_secret=client_secret)
    token = api.log_in(email, password, scopes=SCOPES, allow_http=allow_http)
    check(isinstance(token, str) and token, "log_in returned no access token")

    step("account_verify_credentials")
    me = api.account_verify_credentials()
    check(me.username == username, f"username is {me.username!r}, expected {username!r}")
    check(me.acct == username, f"acct is {me.acct!r}, expected {username!r}")
    check(isinstance(me.id, str) and me.id, f"id {me.id!r} is not a non-empty string")
    check(me.get("source") is not None, "verify_credentials has no `source`")
    # Mastodon.py wraps ids in a str subclass whatever their JSON type: look at
    # the raw JSON too, where Mastodon sends ids as strings.
    raw = requests.get(
        f"{base_url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    check(raw.status_code == 200, f"raw verify_credentials answered {raw.status_code}")
    check(isinstance(raw.json().get("id"), str), "the account id is not a JSON string")

    step("account_update_credentials")
    updated = api.account_update_credentials(
        display_name="E2E Tester",
        note="Testing Roost with Mastodon.py",
        fields=[("Site", "https://example.org"), ("Pronouns", "they/them")],
        locked=True,
    )
    check(updated.display_name == "E2E Tester", f"display_name is {updated.display_name!r}")
    check(updated.locked is True, f"locked is {updated.locked!r}, expected True")
    check("Testing Roost with Mastodon.py" in (updated.note or ""), f"note is {updated.note!r}")
    fields = updated.get("fields") or []
    names = [field.name for field in fields]
    check(names == ["Site", "Pronouns"], f"field names are {names!r}")
    check("example.org" in fields[0].value, f"first field value is {fields[0].value!r}")
    check("they/them" in fields[1].value, f"second field value is {fields[1].value!r}")

    step("media_post and status_post with media")
    media = api.media_post(
        tiny_png(32, 24), mime_type="image/png", description="A tiny test image", focus=(0.5, -0.5)
    )
    check(media.type == "image", f"media type is {media.type!r}")
    check(media.description == "A tiny test image", f"description is {media.description!r}")
    check(bool(media.blurhash), "uploaded media has no blurhash")
    posted = api.status_post("A picture", media_ids=[media])
    attached = posted.media_attachments
    check(len(attached) == 1 and str(attached[0].id) == str(media.id), f"attached {attached!r}")

    step("account_update_credentials with an avatar")
    with_avatar = api.account_update_credentials(avatar=tiny_png(64, 64), avatar_mime_type="image/png")
    check("/system/" in with_avatar.avatar, f"avatar is {with_avatar.avatar!r}")

    step("account and account_lookup")
    by_id = api.account(me.id)
    by_acct = api.account_lookup(me.acct)
    check(str(by_id.id) == str(me.id), f"account({me.id}) returned id {by_id.id!r}")
    check(str(by_acct.id) == str(me.id), f"account_lookup({me.acct}) returned id {by_acct.id!r}")

    step("app_verify_credentials")
    app = api.app_verify_credentials()
    check(app.name == app_name, f"app name is {app.name!r}, expected {app_name!r}")

    step("instance")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        instance = api.instance()
    for warning in caught:
        print(f"mastodon_py_e2e: note: Mastodon.py warned: {warning.message}", file=sys.stderr)
    version = str(instance.get("version") or "")
    check(version.startswith("4."), f"instance version is {version!r}, expected 4.x")

    if admin_token:
        report_and_block_a_domain(base_url, api, admin_token, step)

    step("revoke_access_token")
    # revoke_access_token() also forgets the token locally, so the revoked token
    # is tried again through a fresh client: the server itself must refuse it.
    api.revoke_access_token(allow_http=allow_http)
    revoked = client(base_url, access_token=token)
    try:
        revoked.account_verify_credentials()
    except MastodonUnauthorizedError:
        pass
    except MastodonAPIError as error:
        check(status_of(error) == 401, f"revoked token gave {error!r}, expected HTTP 401")
    else:
        raise CheckFailed("the revoked token still works")
    try:
        api.account_verify_credentials()
    except MastodonUnauthorizedError:
        pass
    except MastodonAPIError as error:
        check(status_of(error) == 401, f"no token gave {error!r}, expected HTTP 401")
    else:
        raise CheckFailed("verify_credentials works without a token")

    step("other token still valid")
    # Revoking one token must not sign out the account's other sessions.
    other = client(base_url, access_token=signup_token)
    check(other.account_verify_credentials().username == username, "sign-up token stopped working")


def report_and_block_a_domain(base_url, api, admin_token, step):
    """report() and admin_create_domain_block(): both POST to a path ending in `/`."""
    admin = client(base_url, access_token=admin_token)

    step("report")
    target = admin.account_verify_credentials()
    report = api.report(target.id, comment="Mastodon.py report", category="other")
    check(str(report.target_account.id) == str(target.id), f"report is {report!r}")
    check(report.comment == "Mastodon.py report", f"report comment is {report.comment!r}")

    step("admin_create_domain_block")
    block = admin.admin_create_domain_block("spam.example", severity="suspend")
    check(block.domain == "spam.example", f"domain block is {block!r}")
    listed = [entry.domain for entry in admin.admin_domain_blocks()]
    check("spam.example" in listed, f"domain blocks are {listed!r}")


def main(argv):
    if len(argv) not in (2, 3) or not argv[1].startswith(("http://", "https://")):
        print(
            "usage: mastodon_py_e2e.py BASE_URL [ADMIN_TOKEN]   (e.g. http://127.0.0.1:8080)",
            file=sys.stderr,
        )
        return 2
    base_url = argv[1].rstrip("/")
    admin_token = argv[2] if len(argv) == 3 else None
    current = ["start"]

    def step(name):
        current[0] = name
        print(f"mastodon_py_e2e: {name}", flush=True)

    try:
        run(base_url, admin_token, step)
    except CheckFailed as failure:
        print(f"mastodon_py_e2e: FAILED at {current[0]}: {failure}", file=sys.stderr)
        return 1
    except (MastodonError, requests.RequestException, KeyError, ValueError) as error:
        print(
            f"mastodon_py_e2e: FAILED at {current[0]}: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    except Exception:  # an answer of an unexpected shape: show where it broke
        print(f"mastodon_py_e2e: FAILED at {current[0]}: unexpected error", file=sys.stderr)
        traceback.print_exc()
        return 1
    print("mastodon_py_e2e: ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
