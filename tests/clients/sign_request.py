#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sign an HTTP request the way Mastodon does and print it as JSON.

An independent implementation (Python `cryptography`, no Roost code) of
draft-cavage HTTP signatures as Mastodon sends them (app/lib/request.rb):
signed headers "(request-target) host date" plus "digest" when there is a body,
algorithm "rsa-sha256" (RSASSA-PKCS1-v1_5 with SHA-256), `Digest: SHA-256=<b64>`,
an IMF-fixdate `Date`, and `(request-target)` = lowercase method, path and query.
Its output is the cross-implementation fixture that src/federation/signatures
verifies (tests/fixtures/signatures/python_signed_*.json).

Usage:
  python3 tests/clients/sign_request.py METHOD URL [--body TEXT | --body-file FILE]
      [--key-id KEY_ID] [--private-key PEM_FILE] [--date HTTP_DATE]
      [--public-key-format spki|pkcs1]

Without --private-key a fresh RSA-2048 key is generated; without --date the
current time is used. --body-file reads the body (UTF-8) from a file, for bodies
too large for a command line. Prints one JSON object: key_id, public_key_pem,
method, path (with query), headers (Host, Date, Digest when there is a body,
Signature), body (or null), and signing_string (for debugging).

Requires: pip install cryptography
"""

import argparse
import base64
import email.utils
import hashlib
import json
import sys
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def load_or_generate_key(path):
    if path is None:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(path, "rb") as pem:
        return serialization.load_pem_private_key(pem.read(), password=None)


def public_pem(private_key, key_format):
    encoding = {
        "spki": serialization.PublicFormat.SubjectPublicKeyInfo,
        "pkcs1": serialization.PublicFormat.PKCS1,
    }[key_format]
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, encoding)
        .decode("ascii")
    )


def sign_request(method, url, body, key_id, private_key, date):
    parts = urlsplit(url)
    # Mastodon sends the bare host; keep a non-default port so Host stays truthful.
    host = parts.netloc.rsplit("@", 1)[-1]
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme)
    if default_port and host.endswith(default_port):
        host = host[: -len(default_port)]
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"

    signed = [("(request-target)", f"{method.lower()} {path}"), ("host", host), ("date", date)]
    headers = {"Host": host, "Date": date}
    if body is not None:
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        signed.append(("digest", digest))
        headers["Digest"] = digest

    signing_string = "\n".join(f"{name}: {value}" for name, value in signed)
    signature = private_key.sign(signing_string.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",'
        f'headers="{" ".join(name for name, _ in signed)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )
    return path, headers, signing_string


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("method")
    parser.add_argument("url")
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--body", default=None)
    body.add_argument("--body-file", default=None)
    parser.add_argument("--key-id", default="https://python.example/users/alice#main-key")
    parser.add_argument("--private-key", default=None)
    parser.add_argument("--date", default=None)
    parser.add_argument("--public-key-format", choices=["spki", "pkcs1"], default="spki")
    args = parser.parse_args(argv)

    if args.body_file is not None:
        with open(args.body_file, encoding="utf-8") as body_file:
            args.body = body_file.read()
    private_key = load_or_generate_key(args.private_key)
    date = args.date or email.utils.formatdate(usegmt=True)
    method = args.method.upper()
    path, headers, signing_string = sign_request(method, args.url, args.body, args.key_id, private_key, date)
    json.dump(
        {
            "generator": "tests/clients/sign_request.py (Python cryptography)",
            "key_id": args.key_id,
            "public_key_pem": public_pem(private_key, args.public_key_format),
            "method": method,
            "path": path,
            "headers": headers,
            "body": args.body,
            "signing_string": signing_string,
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
