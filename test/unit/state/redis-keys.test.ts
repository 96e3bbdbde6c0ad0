/** Key building (redis-keys.ts): the hash tag, the prefix, and no raw identifier in any key. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createKeyBuilder, DEFAULT_KEY_PREFIX } from '../../../src/state/redis-keys.js';
import { newSubjectId } from '../../support/state-signals.js';

void describe('redis keys', () => {
  void test('every key of a subject is <prefix>{<subjectId>}:<role>, so one subject is one cluster slot', () => {
    const subjectId = newSubjectId();
    assert.deepEqual(createKeyBuilder()(subjectId), {
      state: `dmid:{${subjectId}}:state`,
      seen: `dmid:{${subjectId}}:seen`,
      score: `dmid:{${subjectId}}:score`,
    });
    assert.equal(DEFAULT_KEY_PREFIX, 'dmid:');
    assert.equal(createKeyBuilder('test:ab12:')(subjectId).state, `test:ab12:{${subjectId}}:state`);
  });

  void test('refuses anything but a pseudonym, without repeating it', () => {
    const keys = createKeyBuilder();
    for (const raw of [
      '11010519491231002X',
      '13800138000',
      'someone@example.com',
      '',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    ]) {
      assert.throws(
        () => keys(raw),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.ok(raw === '' || !error.message.includes(raw));
          return true;
        },
      );
    }
  });

  void test('refuses a prefix that is empty or would change the hash tag', () => {
    for (const prefix of ['', 'a{b', 'x}:', 'with space:'])
      assert.throws(() => createKeyBuilder(prefix), TypeError);
  });
});
