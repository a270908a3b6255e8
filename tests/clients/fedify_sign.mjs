// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Signs a POST with Fedify (npm `@fedify/fedify`) the way a Fedify-based server
// delivers an activity: RFC 9421 first (`--spec rfc9421`, the default) or
// draft-cavage (`--spec draft-cavage-http-signatures-12`).
//
//   node fedify_sign.mjs --url URL --key PRIVATE_KEY_PKCS8.pem --key-id KEY_ID --body FILE [--spec S]
//
// Prints the headers to send, as a JSON object of lowercase names to values. The
// body sent must be exactly the file's bytes.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// Fedify 1.9 wants Node.js 22 for one method, ArrayBuffer.prototype.transfer; Debian's
// Node.js 20 lacks it, so it is added here (a copy, which is all Fedify needs of it).
if (!ArrayBuffer.prototype.transfer) {
  ArrayBuffer.prototype.transfer = function transfer(length = this.byteLength) {
    const copy = new ArrayBuffer(length);
    new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
    return copy;
  };
}

// Fedify lives in the test run's node_modules (ROOST_TEST_NODE_MODULES, see scripts/test).
const require = createRequire(join(process.env.ROOST_TEST_NODE_MODULES ?? "node_modules", "x.js"));
const { signRequest } = require("@fedify/fedify/sig");

function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) {
    if (fallback !== undefined) return fallback;
    throw new Error(`--${name} is required`);
  }
  return process.argv[at + 1];
}

const pem = readFileSync(argument("key"), "utf8");
const der = Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
const privateKey = await crypto.subtle.importKey(
  "pkcs8",
  der,
  { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  true,
  ["sign"],
);
const body = readFileSync(argument("body"));
const request = new Request(argument("url"), {
  method: "POST",
  body,
  headers: { "content-type": "application/activity+json" },
});
const signed = await signRequest(request, privateKey, new URL(argument("key-id")), {
  spec: argument("spec", "rfc9421"),
});
const headers = {};
for (const [name, value] of signed.headers) headers[name] = value;
process.stdout.write(JSON.stringify(headers) + "\n");
