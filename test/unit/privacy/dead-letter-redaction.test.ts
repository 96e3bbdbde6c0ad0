/**
 * No raw identifier in any dead letter (issue 18): identifier canaries in keys, in undecodable values under
 * every text reading, and in every string field of a decodable record refused for another reason are found
 * nowhere in the letter; what is proven clean keeps its original bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createCodec } from '../../../src/codec/codec.js';
import { DLQ_REASONS, type DlqReason } from '../../../src/errors.js';
import { toDeadLetterRecord } from '../../../src/ingest/dead-letter.js';
import type { InboundRecord, OutboundRecord } from '../../../src/ingest/transport.js';
import { holdsRawIdentifier } from '../../../src/privacy/dead-letter-redaction.js';
import { biometric, subjectId, telecom } from '../../support/evidence-factory.js';

const CANARIES = ['110101199003074514', '13800138000', 'canary.person@example.com'];
const SOURCE = { topic: 'signals.telecom', partition: 0, groupId: 'g' };

function inbound(key: Buffer | null, value: Buffer | null): InboundRecord {
  return { key, value, offset: '7', timestampMs: 1 };
}

/** Every rendering of the letter a consumer could look at. */
function texts(letter: OutboundRecord): string[] {
  const value = letter.value === null ? Buffer.alloc(0) : Buffer.from(letter.value);
  return [
    letter.key ?? '',
    JSON.stringify(letter.headers),
    value.toString('utf8'),
    value.toString('latin1'),
    value.toString('utf16le'),
    Buffer.from(value.subarray(0, value.length & ~1))
      .swap16()
      .toString('utf16le'),
  ];
}

function assertClean(letter: OutboundRecord, label: string): void {
  for (const text of texts(letter)) {
    const squeezed = text.replace(/[^0-9a-z@.]/gi, '');
    for (const canary of CANARIES) {
      assert.ok(!text.includes(canary) && !squeezed.includes(canary), `${label}: ${canary} in the letter`);
    }
  }
}

const NON_PII_REASONS = DLQ_REASONS.filter((r) => r !== 'PII_IN_SUBJECT_ID' && r !== 'PII_IN_FIELD');

void describe('dead-letter redaction', () => {
  void it('a key that is not a pseudonym is dropped with its hash, whatever the reason', () => {
    for (const reason of DLQ_REASONS) {
      for (const canary of CANARIES) {
        const key = Buffer.from(canary, 'utf8');
        const letter = toDeadLetterRecord(
          { record: inbound(key, Buffer.from([0xc3, 0x01, 9])), reason, message: 'm' },
          SOURCE,
        );
        assert.equal(letter.key, null, reason);
        assert.equal(letter.headers?.['dlq.key-sha256'], createHash('sha256').update(key).digest('hex'));
        assert.equal(letter.headers?.['dlq.redacted'], 'true');
        assertClean(letter, `${reason} key`);
      }
    }
  });

  void it('a pseudonym key and a clean undecodable value keep their original bytes', () => {
    const key = subjectId();
    const value = Buffer.from([0x00, 0x01, 0xff, 0x10, 0x20]);
    const letter = toDeadLetterRecord(
      { record: inbound(Buffer.from(key), value), reason: 'DECODE_BAD_MAGIC', message: 'm' },
      SOURCE,
    );
    assert.equal(letter.key, key);
    assert.deepEqual(Buffer.from(letter.value ?? []), value);
    assert.equal(letter.headers?.['dlq.redacted'], undefined);
  });

  void it('undecodable values holding an identifier under any text reading are dropped', () => {
    const encodings: [string, (s: string) => Buffer][] = [
      ['utf8', (s) => Buffer.from(`garbage:${s};`, 'utf8')],
      ['utf16le', (s) => Buffer.from(`x${s}`, 'utf16le')],
      ['utf16le odd', (s) => Buffer.concat([Buffer.from([7]), Buffer.from(s, 'utf16le')])],
      ['utf16be', (s) => Buffer.from(s, 'utf16le').swap16()],
      ['avro-ish', (s) => Buffer.concat([Buffer.from([0xc3, 0x02, s.length * 2]), Buffer.from(s)])],
      ['nul-split', (s) => Buffer.from(s.split('').join('\u0000'), 'latin1')],
    ];
    for (const reason of NON_PII_REASONS) {
      for (const [name, encode] of encodings) {
        for (const canary of CANARIES) {
          const value = encode(canary);
          assert.ok(holdsRawIdentifier(value), `${name}: ${canary} not found by the scan`);
          const letter = toDeadLetterRecord(
            { record: inbound(Buffer.from(subjectId()), value), reason, message: 'm' },
            SOURCE,
          );
          assert.equal(letter.value, null, `${reason} ${name}`);
          assert.equal(
            letter.headers?.['dlq.value-sha256'],
            createHash('sha256').update(value).digest('hex'),
          );
          assertClean(letter, `${reason} ${name}`);
        }
      }
    }
  });

  void it('a decodable record refused for another reason, with a canary in any string field, keeps none', () => {
    const codec = createCodec();
    const reason: DlqReason = 'SCORE_OUT_OF_RANGE';
    for (const canary of CANARIES) {
      const records = [
        codec.encode('telecom', telecom({ carrier: canary })),
        codec.encode('telecom', telecom({ providerId: `p-${canary}` })),
        codec.encode('telecom', telecom({ msisdnHash: canary })),
        codec.encode('biometric', biometric({ eventId: canary, matchScore: 7 })),
      ];
      for (const value of records) {
        const letter = toDeadLetterRecord(
          { record: inbound(Buffer.from(subjectId()), value), reason, message: 'm' },
          SOURCE,
        );
        assertClean(letter, `field canary ${canary}`);
      }
    }
  });
});
