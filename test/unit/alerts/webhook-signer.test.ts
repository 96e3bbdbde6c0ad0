import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPLAY_WINDOW_MS, signatureHeader, verifySignature } from '../../../src/alerts/webhook-signer.js';
import { retryDelayMs } from '../../../src/alerts/alert-delivery.js';

const SECRET = 'ab'.repeat(32);
const BODY = '{"alertId":"x"}';
const T = 1_800_000_000_000;

void describe('webhook signatures', () => {
  void it('a signature verifies over the exact body and timestamp', () => {
    const header = signatureHeader(SECRET, T, BODY);
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(verifySignature(SECRET, header, BODY, T + 1000), 'valid');
  });

  void it('another body, secret or timestamp does not verify', () => {
    const header = signatureHeader(SECRET, T, BODY);
    assert.equal(verifySignature(SECRET, header, `${BODY} `, T), 'bad-signature');
    assert.equal(verifySignature('cd'.repeat(32), header, BODY, T), 'bad-signature');
    assert.equal(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, T), 'bad-signature');
    assert.equal(verifySignature(SECRET, 'v1=00', BODY, T), 'malformed');
    assert.equal(verifySignature(SECRET, undefined, BODY, T), 'malformed');
  });

  void it('a replay outside the window is refused', () => {
    const header = signatureHeader(SECRET, T, BODY);
    assert.equal(verifySignature(SECRET, header, BODY, T + REPLAY_WINDOW_MS), 'valid');
    assert.equal(verifySignature(SECRET, header, BODY, T + REPLAY_WINDOW_MS + 1), 'outside-window');
    assert.equal(verifySignature(SECRET, header, BODY, T - REPLAY_WINDOW_MS - 1), 'outside-window');
  });

  void it('retry delays double from the base and stop at the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 20].map((n) => retryDelayMs(n, 500, 300_000)),
      [500, 1000, 2000, 4000, 300_000],
    );
  });
});
