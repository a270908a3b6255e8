// SPDX-License-Identifier: AGPL-3.0-or-later
//
// An inbox that verifies HTTP signatures with Fedify (npm `@fedify/fedify`), an
// independent ActivityPub implementation that verifies RFC 9421 and draft-cavage
// signatures. Used by tests/api/rfc9421.rs to check what Roost sends.
//
//   node fedify_inbox.mjs
//
// Listens on 127.0.0.1 (a free port), prints {"port": N} as its first line, then one
// JSON line per request: {"path", "scheme": "rfc9421" | "draft-cavage" | "none",
// "keyId", "verified"}. Answers 202 to a request whose signature Fedify verifies and
// 401 to any other, as Fedify-based servers do, so a sender that knocks with a scheme
// or key Fedify does not take can fall back. Exits when stdin closes.

import { createServer } from "node:http";
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
const { verifyRequest } = require("@fedify/fedify/sig");
const { getDocumentLoader } = require("@fedify/fedify/runtime");

// Loopback only: the test's Roost serves the actor documents on 127.0.0.1.
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });

function schemeOf(headers) {
  if (headers["signature-input"]) return "rfc9421";
  if (headers["signature"]) return "draft-cavage";
  return "none";
}

function keyIdOf(headers) {
  const input = headers["signature-input"] ?? headers["signature"] ?? "";
  const match = /keyid="([^"]+)"/i.exec(input) ?? /keyId="([^"]+)"/.exec(input);
  return match ? match[1] : null;
}

const server = createServer(async (incoming, response) => {
  const chunks = [];
  for await (const chunk of incoming) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
    method: incoming.method,
    headers,
    body: incoming.method === "GET" || incoming.method === "HEAD" ? undefined : body,
  });
  let verified = false;
  try {
    const key = await verifyRequest(request, { documentLoader, contextLoader: documentLoader });
    verified = key != null;
  } catch (error) {
    process.stderr.write(`verification threw: ${error}\n`);
  }
  process.stdout.write(
    JSON.stringify({
      path: incoming.url,
      scheme: schemeOf(incoming.headers),
      keyId: keyIdOf(incoming.headers),
      verified,
    }) + "\n",
  );
  response.writeHead(verified ? 202 : 401, { "content-type": "application/json" });
  response.end(verified ? "{}" : '{"error":"signature not verified"}');
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
