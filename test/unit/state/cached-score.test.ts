/**
 * The cached score's stored form (cached-score.ts): `<version>:<base64 Avro record>`, read back unchanged,
 * about a third of the JSON it replaced; the JSON form of before is still read; anything else is a bug
 * whose message leaves the content out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCodec } from '../../../src/codec/codec.js';
import type { IdentityScore } from '../../../src/codec/types.js';
import { isDmidError } from '../../../src/errors.js';
import { toIdentityScore } from '../../../src/scoring/batch-scoring.js';
import { parseCachedScore, serializeCachedScore } from '../../../src/state/cached-score.js';
import { goodArrivals, scoreOf, subjectId } from '../../support/evidence-factory.js';

function identityScore(subject: string): IdentityScore {
  const result = scoreOf(goodArrivals());
  return toIdentityScore({ ...result, subjectId: subject }, '00000000-0000-4000-8000-000000000007');
}

void test('a cached score reads back exactly as it was saved, from a third of the bytes JSON took', () => {
  const subject = subjectId();
  const score = identityScore(subject);
  const stored = serializeCachedScore({ version: 7, score });
  assert.match(stored, /^7:[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(parseCachedScore(subject, stored), { version: 7, score });
  const json = JSON.stringify({ version: 7, score });
  assert.ok(stored.length < json.length / 2, `${stored.length} characters against ${json.length}`);
});

void test('the record the worker encoded is stored as it is, not encoded again', () => {
  const subject = subjectId();
  const score = identityScore(subject);
  const record = createCodec().encode('score', score);
  assert.equal(serializeCachedScore({ version: 3, score, record }), `3:${record.toString('base64')}`);
});

void test('the JSON form written before the change is still read', () => {
  const subject = subjectId();
  const score = identityScore(subject);
  assert.deepEqual(parseCachedScore(subject, JSON.stringify({ version: 4, score })), { version: 4, score });
});

void test('anything else is a plain Error that does not quote the content', () => {
  const subject = subjectId();
  const score = identityScore(subject);
  const secret = 'Zhang San 110101199003077777';
  const anchor = createCodec().encode('anchor', {
    anchorId: '00000000-0000-4000-8000-000000000001',
    scoreId: score.scoreId,
    recordHash: 'a'.repeat(64),
    subjectCommitment: 'b'.repeat(64),
    computedAt: score.computedAt,
    modelVersion: score.modelVersion,
  });
  const bad: unknown[] = [
    7,
    secret,
    `1:${Buffer.from(secret).toString('base64')}`,
    `x:${createCodec().encode('score', score).toString('base64')}`,
    `0:${createCodec().encode('score', score).toString('base64')}`,
    `2:${anchor.toString('base64')}`,
    serializeCachedScore({ version: 2, score: { ...score, subjectId: subjectId() } }),
    `{"version":1,"score":"${secret}"}`,
    `{${secret}`,
  ];
  for (const stored of bad) {
    assert.throws(
      () => parseCachedScore(subject, stored),
      (error: unknown) => error instanceof Error && !isDmidError(error) && !error.message.includes('Zhang'),
      String(stored),
    );
  }
  assert.equal(parseCachedScore(subject, null), null);
});
