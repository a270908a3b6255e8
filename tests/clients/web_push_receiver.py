#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The user agent's side of Web Push, for Roost's push tests, written against
independent implementations: Mozilla's `http_ece` (RFC 8188 / RFC 8291 and the
older `aesgcm` draft) and `cryptography` (P-256 keys, ES256 verification).

Usage:
  python3 tests/clients/web_push_receiver.py keys
      Prints {"private_key": <b64url raw d>, "p256dh": <b64url point>, "auth": <b64url 16 bytes>}.
  python3 tests/clients/web_push_receiver.py open < message.json
      Reads {"private_key", "auth", "server_key", "body" (b64), "headers" (lower-case names)}
      of one received push request, verifies its VAPID token against "server_key",
      decrypts it according to its Content-Encoding, and prints
      {"plaintext": <decrypted text>, "vapid_claims": <JWT claims>}.
      Exits non-zero with a message on any failure.

Requires: pip install http_ece cryptography
"""

import base64
import json
import sys

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64d(text):
    text = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_keys():
    private = ec.generate_private_key(ec.SECP256R1())
    d = private.private_numbers().private_value.to_bytes(32, "big")
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    import os

    return {"private_key": b64e(d), "p256dh": b64e(point), "auth": b64e(os.urandom(16))}


def verify_vapid(token, public_key_bytes):
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(b64d(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError("VAPID token is not ES256: %r" % header)
    signature = b64d(signature_b64)
    if len(signature) != 64:
        raise ValueError("ES256 signature must be 64 bytes")
    der = utils.encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key_bytes)
    public.verify(der, (header_b64 + "." + claims_b64).encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64d(claims_b64))


def parse_params(value, separator):
    """`a=1;b=2` (Crypto-Key) or `t=..., k=...` (vapid) into a dict."""
    params = {}
    for part in value.split(separator):
        if "=" in part:
            name, _, item = part.strip().partition("=")
            params[name.strip()] = item.strip()
    return params


def open_message(message):
    headers = message["headers"]
    server_key = b64d(message["server_key"])
    private = ec.derive_private_key(
        int.from_bytes(b64d(message["private_key"]), "big"), ec.SECP256R1()
    )
    auth = b64d(message["auth"])
    body = base64.b64decode(message["body"])
    coding = headers.get("content-encoding")
    authorization = headers.get("authorization", "")
    if coding == "aes128gcm":
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError("expected the vapid scheme, got %r" % authorization)
        params = parse_params(rest, ",")
        if b64d(params["k"]) != server_key:
            raise ValueError("k= is not the subscription's server_key")
        claims = verify_vapid(params["t"], server_key)
        plaintext = http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm")
    elif coding == "aesgcm":
        scheme, _, token = authorization.partition(" ")
        if scheme != "WebPush":
            raise ValueError("expected the WebPush scheme, got %r" % authorization)
        crypto_key = parse_params(headers["crypto-key"], ";")
        if b64d(crypto_key["p256ecdsa"]) != server_key:
            raise ValueError("p256ecdsa is not the subscription's server_key")
        claims = verify_vapid(token.strip(), server_key)
        salt = b64d(parse_params(headers["encryption"], ";")["salt"])
        plaintext = http_ece.decrypt(
            body,
            salt=salt,
            dh=b64d(crypto_key["dh"]),
            private_key=private,
            auth_secret=auth,
            version="aesgcm",
        )
    else:
        raise ValueError("unknown Content-Encoding %r" % coding)
    return {"plaintext": plaintext.decode(), "vapid_claims": claims}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("keys", "open"):
        sys.exit(__doc__)
    if sys.argv[1] == "keys":
        print(json.dumps(make_keys()))
    else:
        print(json.dumps(open_message(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
