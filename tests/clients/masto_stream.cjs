// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Streams from a Roost instance with masto.js (npm `masto`, the library of Elk and
// Phanpy), for tests/api/streaming_channels.rs:
//
//   node masto_stream.cjs STREAMING_URL TOKEN TAG SECONDS
//
// subscribes to `user:notification` and `hashtag` (TAG) over one WebSocket and
// prints one JSON line per event masto.js hands the app: {"subscription", "event",
// "stream", "status"} (the status id, of the event or of the notification). masto.js
// dispatches an event to a subscription only when the message's `stream` label
// names it as Mastodon labels it, so an event printed here is one an app sees.
// Prints {"ready": true} once subscribed, and exits after SECONDS.

const { createStreamingAPIClient } = require("masto");

const [url, accessToken, tag, seconds] = process.argv.slice(2);
const masto = createStreamingAPIClient({ streamingApiUrl: url, accessToken, retry: false });

async function print(name, subscription) {
  try {
    for await (const event of subscription) {
      const payload = event.payload || {};
      const status = payload.status ? payload.status.id : payload.id;
      console.log(JSON.stringify({ subscription: name, event: event.event, stream: event.stream, status }));
    }
  } catch (error) {
    console.log(JSON.stringify({ subscription: name, error: String(error) }));
  }
}

print("user:notification", masto.user.notification.subscribe());
print("hashtag", masto.hashtag.subscribe({ tag }));
console.log(JSON.stringify({ ready: true }));
setTimeout(() => process.exit(0), Number(seconds) * 1000);
