/**
 * Webhook signatures. Each delivery attempt carries
 *
 *   dmid-signature: t=<epoch ms>,v1=<hex HMAC-SHA-256(secret, "<t>.<raw body>")>
 *
 * where `secret` is the subscription's secret (hex text, used as given). A receiver recomputes the HMAC
 * over the raw body bytes, compares in constant time, and refuses a `t` more than the replay window
 * (5 minutes, {@link REPLAY_WINDOW_MS}) away from its clock; within the window it drops an `alertId` it
 * has already handled (retries are signed anew and carry the same alertId).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'dmid-signature';
/** How far a signature's timestamp may be from the receiver's clock, ms. */
export const REPLAY_WINDOW_MS = 5 * 60_000;

function mac(secret: string, timestampMs: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secret: string, timestampMs: number, body: string): string {
  return `t=${timestampMs},v1=${mac(secret, timestampMs, body)}`;
}

export type Verification = 'valid' | 'malformed' | 'bad-signature' | 'outside-window';

/** Checks a delivery as a receiver should (exported for receivers written in TypeScript, and tests). */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs: number,
  windowMs: number = REPLAY_WINDOW_MS,
): Verification {
  const match = /^t=(\d{1,16}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (match === null) return 'malformed';
  const timestampMs = Number(match[1]);
  const given = Buffer.from(match[2] ?? '', 'hex');
  const expected = Buffer.from(mac(secret, timestampMs, body), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
  return Math.abs(nowMs - timestampMs) > windowMs ? 'outside-window' : 'valid';
}
