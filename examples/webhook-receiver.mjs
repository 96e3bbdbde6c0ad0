// A minimal dmid alert receiver for the README flow: listens on 127.0.0.1:9999 (PORT to change it),
// verifies each delivery's `dmid-signature` (HMAC-SHA-256 over "<t>.<raw body>" with the subscription's
// secret, from WEBHOOK_SECRET), refuses one older than the 5-minute replay window or an alertId it has
// already handled, and prints each alert. Plain Node, no dependencies: copy it as a starting point.
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';

const secret = process.env.WEBHOOK_SECRET ?? '';
const port = Number(process.env.PORT ?? 9999);
const REPLAY_WINDOW_MS = 5 * 60_000;
const seen = new Set();

if (secret === '') {
  process.stderr.write('set WEBHOOK_SECRET to the secret PUT /v1/subscription returned\n');
  process.exit(2);
}

function verified(header, body) {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (match === null) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  const given = Buffer.from(match[2], 'hex');
  return (
    given.length === expected.length &&
    timingSafeEqual(given, expected) &&
    Math.abs(Date.now() - Number(match[1])) <= REPLAY_WINDOW_MS
  );
}

createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!verified(request.headers['dmid-signature'], body)) {
      response.writeHead(401).end();
      process.stderr.write('refused a delivery: bad or stale signature\n');
      return;
    }
    const alert = JSON.parse(body);
    if (!seen.has(alert.alertId)) {
      seen.add(alert.alertId);
      process.stdout.write(`${JSON.stringify(alert)}\n`);
    }
    response.writeHead(204).end();
  });
}).listen(port, '127.0.0.1', () =>
  process.stderr.write(`receiving dmid alerts on http://127.0.0.1:${port}\n`),
);
