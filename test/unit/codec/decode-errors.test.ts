/**
 * Every kind of bad bytes gets its own DmidError code and dead-letter reason (contract.md: nothing is
 * lost, every bad record lands on the DLQ with a stable reason).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createCodec } from '../../../src/codec/codec.js';
import { frame } from '../../../src/codec/single-object-framing.js';
import type { RecordType } from '../../../src/codec/types.js';
import { RECORD_TYPES } from '../../../src/codec/types.js';
import { isDmidError, type DlqReason, type ErrorCode } from '../../../src/errors.js';
import { avroDouble, avroFloat, avroString, nullableLong, varint } from './avro-bytes.js';
import { SAMPLES } from './sample-records.js';
import { cpuMs } from '../../support/cpu-time.js';

const codec = createCodec();

function assertDecodeError(type: RecordType, bytes: Uint8Array, code: ErrorCode, reason: DlqReason): void {
  assert.throws(
    () => codec.decode(type, bytes),
    (error: unknown) => {
      assert.ok(isDmidError(error), `not a DmidError: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.reason, reason);
      assert.equal(error.canRetry, false);
      return true;
    },
  );
}

const malformed = (type: RecordType, bytes: Uint8Array): void =>
  assertDecodeError(type, bytes, 'DMID_CODEC_MALFORMED', 'DECODE_MALFORMED');
const truncated = (type: RecordType, bytes: Uint8Array): void =>
  assertDecodeError(type, bytes, 'DMID_CODEC_TRUNCATED', 'DECODE_TRUNCATED');

/** A TelecomSignal body built field by field, with any field's bytes replaced. */
function telecomBody(replace: Partial<Record<string, Buffer>> = {}): Buffer {
  const t = SAMPLES.telecom;
  const fields: Array<[string, Buffer]> = [
    ['eventId', avroString(t.eventId)],
    ['subjectId', avroString(t.subjectId)],
    ['providerId', avroString(t.providerId)],
    ['observedAt', varint(t.observedAt)],
    ['msisdnHash', avroString(t.msisdnHash)],
    ['carrier', avroString(t.carrier)],
    ['lineType', varint(1)],
    ['tenureDays', varint(t.tenureDays)],
    ['simSwappedAt', nullableLong(t.simSwappedAt)],
    ['portedAt', nullableLong(t.portedAt)],
    ['deviceChangedAt', nullableLong(t.deviceChangedAt)],
    ['kycMatch', varint(0)],
  ];
  return Buffer.concat(fields.map(([name, bytes]) => replace[name] ?? bytes));
}

const telecomWith = (replace: Partial<Record<string, Buffer>>): Buffer =>
  frame(codec.fingerprintOf('telecom'), telecomBody(replace));

void describe('decode errors', () => {
  void it('the hand-built body is valid, so each case below breaks exactly one thing', () => {
    assert.deepStrictEqual(codec.decode('telecom', telecomWith({})), SAMPLES.telecom);
  });

  void it('bad magic: DMID_CODEC_BAD_MAGIC / DECODE_BAD_MAGIC', () => {
    const valid = codec.encode('telecom', SAMPLES.telecom);
    const cases = [
      Buffer.concat([Buffer.from([0xc3, 0x02]), valid.subarray(2)]),
      Buffer.concat([Buffer.from([0x00, 0x01]), valid.subarray(2)]),
      Buffer.from('{"eventId":"6f1c1a52"}'),
      Buffer.from([0x00]),
      valid.subarray(10), // a bare Avro body without the header
    ];
    for (const bytes of cases)
      assertDecodeError('telecom', bytes, 'DMID_CODEC_BAD_MAGIC', 'DECODE_BAD_MAGIC');
  });

  void it('unknown fingerprint: DMID_CODEC_UNKNOWN_SCHEMA / DECODE_UNKNOWN_SCHEMA', () => {
    const bytes = frame(Buffer.from('0123456789abcdef', 'hex'), telecomBody());
    assertDecodeError('telecom', bytes, 'DMID_CODEC_UNKNOWN_SCHEMA', 'DECODE_UNKNOWN_SCHEMA');
    assert.throws(
      () => codec.decodeAny(bytes),
      (e: unknown) => isDmidError(e, 'DMID_CODEC_UNKNOWN_SCHEMA'),
    );
  });

  for (const type of RECORD_TYPES) {
    void it(`truncated at every prefix length of a valid ${type}: DMID_CODEC_TRUNCATED / DECODE_TRUNCATED`, () => {
      const valid = codec.encode(type, SAMPLES[type]);
      for (let length = 0; length < valid.length; length++) truncated(type, valid.subarray(0, length));
    });
  }

  void it('trailing bytes after a complete record: DECODE_MALFORMED', () => {
    const valid = codec.encode('location', SAMPLES.location);
    malformed('location', Buffer.concat([valid, Buffer.from([0x00])]));
    malformed('location', Buffer.concat([valid, valid]));
  });

  void it('wrong record type on a topic: DMID_CODEC_SCHEMA_MISMATCH / DECODE_SCHEMA_MISMATCH', () => {
    for (const written of RECORD_TYPES) {
      const bytes = codec.encode(written, SAMPLES[written]);
      for (const expected of RECORD_TYPES.filter((t) => t !== written)) {
        assertDecodeError(expected, bytes, 'DMID_CODEC_SCHEMA_MISMATCH', 'DECODE_SCHEMA_MISMATCH');
      }
    }
  });
});

void describe('garbage bodies: DMID_CODEC_MALFORMED / DECODE_MALFORMED', () => {
  void it('a negative string length', () => malformed('telecom', telecomWith({ eventId: varint(-1) })));
  void it('an enum index past the symbols', () => malformed('telecom', telecomWith({ lineType: varint(4) })));
  void it('a negative enum index', () => malformed('telecom', telecomWith({ kycMatch: varint(-1) })));
  void it('a union branch that does not exist', () =>
    malformed('telecom', telecomWith({ portedAt: varint(2) })));
  void it('invalid UTF-8 in a string', () => {
    malformed('telecom', telecomWith({ carrier: Buffer.from([0x04, 0x43, 0xff]) }));
    // An overlong encoding of "/" and a lone surrogate are invalid UTF-8 too.
    malformed('telecom', telecomWith({ carrier: Buffer.from([0x04, 0xc0, 0xaf]) }));
    malformed('telecom', telecomWith({ carrier: Buffer.from([0x06, 0xed, 0xa0, 0x80]) }));
  });
  void it('a varint longer than 10 bytes', () => {
    malformed('telecom', telecomWith({ observedAt: Buffer.from([...Array<number>(10).fill(0xff), 0x01]) }));
  });
  void it('a long beyond what a JavaScript number holds exactly', () => {
    malformed('telecom', telecomWith({ observedAt: varint(2n ** 60n) }));
  });
  void it('an int beyond 32 bits', () =>
    malformed('telecom', telecomWith({ tenureDays: varint(2n ** 40n) })));
  void it('a boolean byte that is neither 0 nor 1', () => {
    const b = SAMPLES.biometric;
    const body = Buffer.concat([
      avroString(b.eventId),
      avroString(b.subjectId),
      avroString(b.providerId),
      varint(b.observedAt),
      varint(0),
      avroFloat(b.matchScore),
      avroFloat(b.livenessScore),
      avroFloat(b.qualityScore),
      Buffer.from([0x02]),
      varint(0),
    ]);
    malformed('biometric', frame(codec.fingerprintOf('biometric'), body));
    body[body.length - 2] = 1;
    assert.equal(
      codec.decode('biometric', frame(codec.fingerprintOf('biometric'), body)).presentationAttack,
      true,
    );
  });
});

void describe('length-field blowups are refused without looping or allocating', () => {
  /** An IdentityScore body up to and including the dimensions block count. */
  function scoreHead(count: Buffer): Buffer {
    const s = SAMPLES.score;
    const head = [
      avroString(s.scoreId),
      avroString(s.subjectId),
      varint(s.computedAt),
      avroDouble(s.confidence),
    ];
    return Buffer.concat([...head, varint(2), count]);
  }

  void it('an array block count of 2^50', () => {
    const started = cpuMs();
    truncated('score', frame(codec.fingerprintOf('score'), scoreHead(varint(2n ** 50n))));
    assert.ok(cpuMs() - started < 50, 'no allocation or loop sized by the count');
  });

  void it('a negative block count (sized block) with a huge byte size', () => {
    const bytes = Buffer.concat([scoreHead(varint(-(2n ** 40n))), varint(2n ** 52n)]);
    truncated('score', frame(codec.fingerprintOf('score'), bytes));
  });

  void it('a string length of 2^52', () =>
    truncated('telecom', telecomWith({ subjectId: varint(2n ** 52n) })));
});
